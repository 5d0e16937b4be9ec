"""Listing version history: one ListingRevision per UPDATE that changed copy, price or images.

Written by a PostgreSQL statement-level AFTER UPDATE trigger (migration 0004), not by save():
the repricer, imports and draft apply write with set-based UPDATEs, and those must be captured
too. The trigger reads two transaction-local settings to say who changed the row and how:
`crossborder.actor_id` and `crossborder.change_source` (see `revision_context`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, models, transaction
from django.utils.translation import gettext_lazy as _

from apps.core.errors import ValidationFailed
from apps.core.models import TenantModel

if TYPE_CHECKING:
    from apps.accounts.models import Organization

# Fields whose change writes a revision; the trigger lists the same names.
REVISION_FIELDS = ("title", "bullets", "description", "search_terms", "price", "currency", "images")


class ListingRevision(TenantModel):
    """What one UPDATE changed on a listing: {field: [old, new]} for each changed field."""

    class Source(models.TextChoices):
        EDIT = "edit", _("Edited by hand")
        DRAFT = "draft", _("Approved draft")
        DATABASE = "database", _("Bulk update")

    # The trigger writes one row per changed listing (a repricing run: hundreds of thousands),
    # read only as a listing's history: no index of its own on organization or created_at,
    # and the actor indexed only where set. The organization is its listing's (a constraint
    # there), so it is not a database constraint here: one deferred check fewer per row.
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    listing = models.ForeignKey(
        "catalog.Listing", on_delete=models.CASCADE, related_name="revisions"
    )
    version = models.PositiveIntegerField()
    changes = models.JSONField(default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    source = models.CharField(max_length=16, default=Source.DATABASE)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["organization", "listing", "-id"]),
            models.Index(
                fields=["actor"],
                condition=models.Q(actor__isnull=False),
                name="catalog_revision_actor_set",
            ),
        ]

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


EDITABLE_FIELDS = ("title", "bullets", "description", "search_terms", "price")


def listing_checks(listing, payload: dict) -> list:
    """The same checks a listing_content draft gets (the marketplace's rules engine)."""
    from apps.review.registry import get_kind

    return get_kind("listing_content").validate(listing, payload)


@transaction.atomic
def listing_edit(
    *, org: Organization, actor, listing, data: dict, expected_version: int | None = None
):
    """A person's direct edit of a listing's copy or price, recorded as such in the history.

    `listing_update` checks the copy it changes against the marketplace's rules (the one gate
    of every write, apps.catalog.rules.gate): errors block saving, warnings do not, and an error
    in copy the edit leaves alone does not block it (a price-only edit saves).
    """
    from apps.catalog.services import listing_update

    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(f"The field {sorted(unknown)[0]!r} cannot be edited here.")
    revision_context(actor=actor, source=ListingRevision.Source.EDIT)
    return listing_update(
        org=org, actor=actor, listing=listing, data=data, expected_version=expected_version
    )
