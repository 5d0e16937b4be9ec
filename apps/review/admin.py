from django.contrib import admin

from .models import Draft, Policy, PolicyRun, ReviewEvent


class ReviewEventInline(admin.TabularInline):
    """The audit log: read-only here as in the database."""

    model = ReviewEvent
    extra = 0
    can_delete = False
    readonly_fields = [
        "from_status",
        "to_status",
        "actor",
        "policy",
        "note",
        "payload",
        "created_at",
    ]
    fields = tuple(readonly_fields)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    """Inspect drafts; decisions go through the review queue, which applies them."""

    list_display = ["id", "organization", "kind", "status", "title", "provider", "created_at"]
    list_filter = ["status", "kind", "provider", "organization"]
    search_fields = ["title"]
    list_select_related = ["organization"]
    inlines = [ReviewEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Draft._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["organization", "kind", "auto_approve", "max_change_pct", "updated_at"]
    list_filter = ["kind", "auto_approve"]


@admin.register(PolicyRun)
class PolicyRunAdmin(admin.ModelAdmin):
    """Batches a policy applied without review (read-only: the services write them)."""

    list_display = ["organization", "kind", "source", "count", "policy", "created_at"]
    list_filter = ["kind", "source"]
    readonly_fields = ["organization", "policy", "kind", "source", "count", "summary"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
