from django.contrib import admin

from .models import ApiKey, Membership, Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "default_currency", "timezone", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "organization__name"]
    raw_id_fields = ["user", "organization"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are issued with `create_api_key` or the dashboard (the secret is shown once there);
    the admin only lists and revokes them."""

    list_display = [
        "name", "prefix", "organization", "role", "expires_at", "last_used_at", "revoked_at"
    ]  # fmt: skip
    list_filter = ["role", "organization"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "hashed_key", "last_used_at", "created_by", "created_at"]
    fields = [
        "organization", "name", "role", "scopes", "expires_at", "rate_limit_per_minute",
        "revoked_at", *readonly_fields,
    ]  # fmt: skip

    def has_add_permission(self, request) -> bool:
        return False
