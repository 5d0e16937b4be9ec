"""Reads of orders: lists and the figures the overview page shows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.accounts.models import Organization
from apps.core.errors import NotFound

from .models import Order, OrderItem

REVENUE_STATUSES = [
    Order.Status.PENDING,
    Order.Status.UNSHIPPED,
    Order.Status.SHIPPED,
    Order.Status.DELIVERED,
]


def order_list(
    *,
    org: Organization,
    store_id: int | None = None,
    status: str = "",
    search: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Order]:
    """Orders, newest first; `date_from`/`date_to` are inclusive calendar days (UTC)."""
    qs = Order.objects.for_org(org).select_related("store", "store__marketplace")
    if store_id:
        qs = qs.filter(store_id=store_id)
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(
            Q(marketplace_order_id__icontains=search) | Q(items__sku__icontains=search)
        ).distinct()
    if date_from:
        qs = qs.filter(ordered_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(ordered_at__date__lte=date_to)
    return qs


def order_get(*, org: Organization, order_id: int) -> Order:
    try:
        return (
            Order.objects.for_org(org)
            .select_related("store", "store__marketplace")
            .prefetch_related("items")
            .get(pk=order_id)
        )
    except Order.DoesNotExist as exc:
        raise NotFound("No such order.") from exc


def revenue_by_currency(*, org: Organization, days: int = 30) -> list[dict]:
    """Order totals per currency over the last `days` days (no FX: each currency on its own)."""
    since = timezone.now() - timedelta(days=days)
    return list(
        Order.objects.for_org(org)
        .filter(ordered_at__gte=since, status__in=REVENUE_STATUSES)
        .values("currency")
        .annotate(revenue=Sum("order_total"), orders=Count("id"))
        .order_by("-revenue")
    )


def orders_per_day(*, org: Organization, days: int = 30) -> list[dict]:
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


def revenue_by_store(*, org: Organization, days: int = 30) -> list[dict]:
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


def order_list_unshipped_older_than(
    *, org: Organization, days: int = 2, limit: int = 50
) -> QuerySet[Order]:
    """Orders still waiting to ship `days` after they were placed, oldest first."""
    cutoff = timezone.now() - timedelta(days=days)
    return (
        Order.objects.for_org(org)
        .filter(status__in=[Order.Status.PENDING, Order.Status.UNSHIPPED], ordered_at__lt=cutoff)
        .select_related("store")
        .order_by("ordered_at")[:limit]
    )


def orders_by_buyer_country(*, org: Organization, days: int = 30) -> list[dict]:
    since = timezone.now() - timedelta(days=days)
    return list(
        Order.objects.for_org(org)
        .filter(ordered_at__gte=since)
        .values("buyer_country")
        .annotate(
            orders=Count("id"),
            open=Count("id", filter=Q(status__in=[Order.Status.PENDING, Order.Status.UNSHIPPED])),
            returned=Count("id", filter=Q(status=Order.Status.RETURNED)),
        )
        .order_by("-orders", "buyer_country")
    )


def order_list_recent(*, org: Organization, limit: int = 20) -> QuerySet[Order]:
    return Order.objects.for_org(org).select_related("store").order_by("-ordered_at")[:limit]


def sales_by_store(*, org: Organization, days: int = 30) -> list[dict]:
    """Revenue (line totals, per currency) and units sold per store over the last `days` days."""
    since = timezone.now() - timedelta(days=days)
    return list(
        OrderItem.objects.for_org(org)
        .filter(order__ordered_at__gte=since, order__status__in=REVENUE_STATUSES)
        .values("order__store__name", "currency")
        .annotate(revenue=Sum("line_total"), units=Sum("quantity"))
        .order_by("order__store__name", "currency")
    )


def sales_by_category(*, org: Organization, days: int = 30) -> list[dict]:
    """Revenue (per currency) and units per product category; lines with no product fall in ''."""
    since = timezone.now() - timedelta(days=days)
    return list(
        OrderItem.objects.for_org(org)
        .filter(order__ordered_at__gte=since, order__status__in=REVENUE_STATUSES)
        .values("product__category", "currency")
        .annotate(revenue=Sum("line_total"), units=Sum("quantity"))
        .order_by("-units", "product__category")
    )
