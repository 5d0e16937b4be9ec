from django.contrib import admin

from .models import AiSettings, UsageRecord


@admin.register(AiSettings)
class AiSettingsAdmin(admin.ModelAdmin):
    """Per-organization model, endpoint, budget and concurrency (overrides of the environment)."""

    list_display = [
        "organization",
        "model",
        "base_url",
        "monthly_budget",
        "budget_currency",
        "max_concurrency",
    ]
    raw_id_fields = ["organization"]


@admin.register(UsageRecord)
class UsageRecordAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "organization",
        "kind",
        "provider",
        "model",
        "tokens_in",
        "tokens_out",
        "cost",
        "currency",
        "purpose",
    ]
    list_filter = ["provider", "model", "kind", "purpose", "organization"]
    date_hierarchy = "created_at"
    list_select_related = ["organization"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in UsageRecord._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
