"""Reads of orders: lists and the figures the overview page shows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.core.errors import NotFound

from .models import Order

REVENUE_STATUSES = [
    Order.Status.PENDING,
    Order.Status.UNSHIPPED,
    Order.Status.SHIPPED,
    Order.Status.DELIVERED,
]


def order_list(
    *, org, store_id: int | None = None, status: str = "", search: str = ""
) -> QuerySet[Order]:
    qs = Order.objects.for_org(org).select_related("store", "store__marketplace")
    if store_id:
        qs = qs.filter(store_id=store_id)
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(marketplace_order_id__icontains=search)
    return qs


def order_get(*, org, order_id: int) -> Order:
    try:
        return (
            Order.objects.for_org(org)
            .select_related("store", "store__marketplace")
            .prefetch_related("items")
            .get(pk=order_id)
        )
    except Order.DoesNotExist as exc:
        raise NotFound("No such order.") from exc


def revenue_by_currency(*, org, days: int = 30) -> list[dict]:
    """Order totals per currency over the last `days` days (no FX: each currency on its own)."""
    since = timezone.now() - timedelta(days=days)
    return list(
        Order.objects.for_org(org)
        .filter(ordered_at__gte=since, status__in=REVENUE_STATUSES)
        .values("currency")
        .annotate(revenue=Sum("order_total"), orders=Count("id"))
        .order_by("-revenue")
    )


def orders_per_day(*, org, days: int = 30) -> list[dict]:
    since = timezone.now() - timedelta(days=days)
    rows = (
        Order.objects.for_org(org)
        .filter(ordered_at__gte=since)
        .annotate(day=TruncDate("ordered_at"))
        .values("day")
        .annotate(orders=Count("id"))
        .order_by("day")
    )
    return list(rows)


def revenue_by_store(*, org, days: int = 30) -> list[dict]:
    since = timezone.now() - timedelta(days=days)
    rows = list(
        Order.objects.for_org(org)
        .filter(ordered_at__gte=since, status__in=REVENUE_STATUSES)
        .values("store__name", "currency")
        .annotate(revenue=Sum("order_total"), orders=Count("id"))
        .order_by("-orders")
    )
    top = max((r["orders"] for r in rows), default=0) or 1
    for row in rows:
        row["share"] = round(100 * row["orders"] / top)
        row["revenue"] = row["revenue"] or Decimal("0")
    return rows
