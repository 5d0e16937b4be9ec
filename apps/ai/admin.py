from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .capabilities import endpoint_capabilities
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
    readonly_fields = ["endpoint_status"]

    @admin.display(description=_("Endpoint status"))
    def endpoint_status(self, obj: AiSettings | None) -> str:
        """What the endpoint was found to accept (capability answers) and its circuit."""
        base_url = (obj.base_url if obj else "") or settings.OPENAI_BASE_URL
        if not base_url:
            return str(_("No endpoint: the offline generator writes drafts."))
        caps = endpoint_capabilities(base_url)
        notes = format_html_join(
            "", "<li>{} → {} (HTTP {}, {}): {}</li>",
            ((n["feature"], n["now"], n["status"], n["at"][:19], n["reason"][:200])
             for n in caps["notes"]),
        )  # fmt: skip
        return format_html(
            "{}: <b>{}</b> · {}: <b>{}</b> · {}: {}<ul>{}</ul>", _("response_format mode"),
            caps["mode"], _("circuit"), caps["circuit"], _("left out"),
            ", ".join(caps["omit"]) or "—", notes,
        )  # fmt: skip


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
