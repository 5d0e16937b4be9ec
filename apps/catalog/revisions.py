"""Listing version history: one ListingRevision per UPDATE that changed copy, price or images.

Written by a PostgreSQL statement-level AFTER UPDATE trigger (migration 0004), not by save():
the repricer, imports and draft apply write with set-based UPDATEs, and those must be captured
too. The trigger reads two transaction-local settings to say who changed the row and how:
`crossborder.actor_id` and `crossborder.change_source` (see `revision_context`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel

# Fields whose change writes a revision; the trigger lists the same names.
REVISION_FIELDS = ("title", "bullets", "description", "search_terms", "price", "currency", "images")


class ListingRevision(TenantModel):
    """What one UPDATE changed on a listing: {field: [old, new]} for each changed field."""

    class Source(models.TextChoices):
        EDIT = "edit", _("Edited by hand")
        DRAFT = "draft", _("Approved draft")
        DATABASE = "database", _("Bulk update")

    listing = models.ForeignKey(
        "catalog.Listing", on_delete=models.CASCADE, related_name="revisions"
    )
    version = models.PositiveIntegerField()
    changes = models.JSONField(default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=16, default=Source.DATABASE)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["organization", "listing", "-id"])]

    def __str__(self) -> str:
        return f"listing {self.listing_id} v{self.version}"


def revision_context(*, actor=None, source: str = "") -> None:
    """Tell the trigger who is changing listings in the current transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('crossborder.actor_id', %s, true), "
            "set_config('crossborder.change_source', %s, true)",
            [str(actor.pk) if actor is not None and actor.pk else "", source],
        )
