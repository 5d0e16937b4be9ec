"""Organizations (tenants), who belongs to them with which role, and their API keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    REVIEWER = "reviewer", _("Reviewer")
    MANAGER = "manager", _("Manager")
    OWNER = "owner", _("Owner")


# Each role can do everything the roles before it can.
ROLE_RANK = {Role.VIEWER: 0, Role.REVIEWER: 1, Role.MANAGER: 2, Role.OWNER: 3}


def role_at_least(role: str, needed: str) -> bool:
    return ROLE_RANK[Role(role)] >= ROLE_RANK[Role(needed)]


class Organization(TimeStampedModel):
    """A seller company: the tenant every domain row belongs to."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    default_currency = models.CharField(
        max_length=3, default="USD", help_text=_("ISO 4217 code used for reports.")
    )
    timezone = models.CharField(max_length=64, default="Asia/Shanghai")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"

    def can(self, needed: str) -> bool:
        return role_at_least(self.role, needed)


# The modules an API key's scopes name, one read and one write scope each ("catalog:read").
# A viewset's module is its app's label (apps/core/permissions.py: `view_module`).
API_MODULES: dict[str, object] = {
    "catalog": _("Catalog (stores, products, listings)"),
    "pricing": _("Pricing (costs, competitors, strategies)"),
    "ads": _("Advertising"),
    "support": _("Customer service"),
    "logistics": _("Logistics (inventory, shipments)"),
    "orders": _("Orders"),
    "analytics": _("Analytics (profit, selection)"),
    "review": _("Review queue (drafts)"),
    "imports": _("Imports, jobs and webhooks"),
}
SCOPE_ACTIONS = ("read", "write")
ALL_SCOPES = tuple(f"{m}:{a}" for m in API_MODULES for a in SCOPE_ACTIONS)


def all_scopes() -> list[str]:
    return list(ALL_SCOPES)


class ApiKey(TimeStampedModel):
    """A per-organization key for ERP clients. Only a SHA-256 of the secret is stored.

    `scopes` lists "<module>:read" / "<module>:write" (write implies read); a key also acts
    with at most its `role`. `expires_at` (optional) ends it like a revocation would.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True, help_text=_("Shown to tell keys apart."))
    hashed_key = models.CharField(max_length=64, unique=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MANAGER)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scopes = models.JSONField(default=all_scopes, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    rate_limit_per_minute = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Empty: the server's default limit.")
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    def allows(self, module: str | None, action: str) -> bool:
        """Whether the key's scopes cover `action` ("read"/"write") on `module`; a module of
        None (jobs, the schema) needs no scope."""
        if module is None:
            return True
        scopes = set(self.scopes or ())
        if action == "read":
            return f"{module}:read" in scopes or f"{module}:write" in scopes
        return f"{module}:{action}" in scopes
