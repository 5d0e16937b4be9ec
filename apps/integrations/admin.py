from __future__ import annotations

from django.contrib import admin

from .models import (
    ImportLineError,
    ImportRun,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)


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


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["url", "organization", "is_active", "consecutive_failures", "disabled_at"]
    list_filter = ["is_active", "organization"]
    search_fields = ["url", "description"]
    readonly_fields = ["secret", "previous_secret", "previous_secret_until", "created_by"]


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["attempted_at", "status_code", "error", "duration_ms", "response_excerpt"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "subscription", "event", "status", "attempts", "last_status_code"]
    list_filter = ["status"]
    raw_id_fields = ["subscription", "event"]
    inlines = [WebhookAttemptInline]
