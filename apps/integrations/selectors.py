"""Reads of ImportRuns, always within one organization."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from apps.core.errors import NotFound

from .models import ImportLineError, ImportRun

if TYPE_CHECKING:
    from apps.accounts.models import Organization


def import_run_get(*, org: Organization, run_id: int) -> ImportRun:
    run = ImportRun.objects.for_org(org).filter(pk=run_id).first()
    if run is None:
        raise NotFound("No such import.")
    return run


def import_run_list(
    *, org: Organization, kind: str | None = None, limit: int = 20
) -> list[ImportRun]:
    runs = ImportRun.objects.for_org(org)
    if kind:
        runs = runs.filter(kind=kind)
    return list(runs[:limit])


def import_line_errors(*, run: ImportRun) -> Iterator[ImportLineError]:
    return ImportLineError.objects.filter(run=run).order_by("line", "id").iterator(chunk_size=5000)


def webhook_subscriptions_disabled(*, org) -> list:
    """Subscriptions the delivery engine disabled (not those a person switched off)."""
    from .models import WebhookSubscription

    return list(
        WebhookSubscription.objects.for_org(org).filter(is_active=False, disabled_at__isnull=False)
    )


def webhook_subscription_list(*, org):
    from .models import WebhookSubscription

    return WebhookSubscription.objects.for_org(org).order_by("-created_at")


def webhook_delivery_list(*, org, limit: int = 50):
    from .models import WebhookDelivery

    return (
        WebhookDelivery.objects.for_org(org)
        .select_related("event", "subscription")
        .order_by("-created_at")[:limit]
    )
