"""Reads of the AI layer: an organization's settings, its spending, and job bookkeeping."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Sum
from django.utils import timezone

from .models import AiSettings, UsageRecord

if TYPE_CHECKING:
    from apps.accounts.models import Organization


def ai_settings_get(*, org: Organization) -> AiSettings | None:
    return AiSettings.objects.for_org(org).first()


def month_start(now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def month_spend(
    *, org: Organization, currency: str = "USD", now: datetime | None = None
) -> Decimal:
    """What the organization's model calls cost since the first of this month (UTC)."""
    total = (
        UsageRecord.objects.for_org(org)
        .filter(created_at__gte=month_start(now), currency=currency)
        .aggregate(total=Sum("cost"))["total"]
    )
    return total or Decimal("0")


def usage_summary(*, org: Organization, since: datetime | None = None) -> list[dict]:
    """Calls, tokens and cost per model and kind, most expensive first."""
    qs = UsageRecord.objects.for_org(org)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    return list(
        qs.values("provider", "model", "kind", "currency")
        .annotate(calls=Count("id"), tokens_in=Sum("tokens_in"), tokens_out=Sum("tokens_out"),
                  cost=Sum("cost"))
        .order_by("-cost", "model", "kind")
    )  # fmt: skip
