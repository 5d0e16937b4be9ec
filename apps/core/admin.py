from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "organization", "kind", "status", "done", "failed", "total", "created_at"]
    list_filter = ["status", "kind", "organization"]
    search_fields = ["label", "celery_task_id"]
    list_select_related = ["organization"]
    readonly_fields = [f.name for f in Job._meta.fields]
