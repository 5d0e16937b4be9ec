from __future__ import annotations

from django.contrib import admin

from .models import ImportLineError, ImportRun


class ImportLineErrorInline(admin.TabularInline):
    model = ImportLineError
    extra = 0
    fields = ("line", "reason")
    readonly_fields = ("line", "reason")
    can_delete = False
    max_num = 0


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("id", "organization", "kind", "filename", "status", "rows_read", "rows_ok",
                    "rows_failed", "created_at")  # fmt: skip
    list_filter = ("kind", "status")
    search_fields = ("filename", "sha256")
    readonly_fields = [f.name for f in ImportRun._meta.fields]
    inlines = [ImportLineErrorInline]

    def get_queryset(self, request):
        return ImportRun.objects.unscoped().select_related("organization")
