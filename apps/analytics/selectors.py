"""Read models of the overview page: figures composed from the domain apps' own selectors.

`analytics` is the read-only top layer: it may call every domain app's selectors, and nothing
imports it back, so the overview can grow (ads spend, tickets, stock) without `core` learning
about any domain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apps.catalog.selectors import catalog_counts
from apps.orders.selectors import orders_per_day, revenue_by_currency, revenue_by_store

if TYPE_CHECKING:
    from apps.accounts.models import Organization

OVERVIEW_DAYS = 30


def overview_get(*, org: Organization, days: int = OVERVIEW_DAYS) -> dict[str, Any]:
    """Counts, revenue per currency and per store, and orders per day scaled to the peak day."""
    from django.utils import timezone

    from .chart import orders_chart

    per_day = orders_per_day(org=org, days=days)
    peak = max((d["orders"] for d in per_day), default=0) or 1
    return {
        "orders_chart": orders_chart(per_day, days=days, today=timezone.localdate()),
        "counts": catalog_counts(org=org),
        "revenue": revenue_by_currency(org=org, days=days),
        "per_day": [{**d, "height": round(100 * d["orders"] / peak)} for d in per_day],
        "by_store": revenue_by_store(org=org, days=days),
    }
