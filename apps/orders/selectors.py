"""Reads of orders: lists and the figures the overview page shows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
from django.db import connection
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


# ---------------------------------------------------------------------------------------------
# Cross-app contract (CONTRACTS.md): other apps read orders through these three functions only.
# ---------------------------------------------------------------------------------------------

# Marketplaces pay sellers out on a cycle (Amazon every 14 days); an order whose settlement date
# is not known is counted as receivable from the day it was placed for this many days.
DEFAULT_SETTLEMENT_DAYS = 14

_DAILY_UNITS_SQL = """
SELECT i.product_id, o.store_id, (o.ordered_at AT TIME ZONE 'UTC')::date AS day,
       SUM(i.quantity - LEAST(i.refunded_quantity, i.quantity))::bigint AS units,
       SUM(i.line_total - i.refunded_amount) AS revenue, i.currency
FROM orders_orderitem i
JOIN orders_order o ON o.id = i.order_id
WHERE i.organization_id = %(org)s AND o.organization_id = %(org)s
  AND i.product_id IS NOT NULL
  AND o.status NOT IN ('cancelled', 'returned')
  AND i.item_status <> 'cancelled'
  AND o.ordered_at >= %(start)s::date AT TIME ZONE 'UTC'
  AND o.ordered_at < (%(end)s::date + 1) AT TIME ZONE 'UTC'
  {store_filter}
GROUP BY i.product_id, o.store_id, day, i.currency
HAVING SUM(i.quantity - LEAST(i.refunded_quantity, i.quantity)) > 0
ORDER BY i.product_id, o.store_id, day, i.currency
"""

DAILY_UNITS_COLUMNS = ["product_id", "store_id", "day", "units", "revenue", "currency"]


def daily_units_by_product(
    *, org: Organization, start: date, end: date, store_ids=None
) -> pd.DataFrame:
    """Units sold and revenue per product, store, UTC day and currency, `start`..`end` inclusive.

    Cancelled orders, cancelled lines and returned orders are left out; refunded units are
    subtracted from units and refunded amounts from revenue (a fully refunded line drops out).
    Lines not matched to a product are skipped. `revenue` is Decimal in `currency` (one row per
    currency when a product sells in several). One GROUP BY in PostgreSQL, no per-row Python.
    """
    params: dict = {"org": org.pk, "start": start, "end": end}
    store_filter = ""
    if store_ids is not None:
        store_filter = "AND o.store_id = ANY(%(stores)s)"
        params["stores"] = [int(s) for s in store_ids]
    with connection.cursor() as cursor:
        cursor.execute(_DAILY_UNITS_SQL.format(store_filter=store_filter), params)
        rows = cursor.fetchall()
    frame = pd.DataFrame(rows, columns=DAILY_UNITS_COLUMNS)
    return frame.astype({"product_id": "int64", "store_id": "int64", "units": "int64"})


def order_get_by_marketplace_id(*, org: Organization, marketplace_order_id: str) -> Order | None:
    """The organization's order with this marketplace id (e.g. Amazon's `113-…`, Shopify's
    `#1041`), or None. Ids are unique per store; when two stores share one, the newest wins."""
    key = (marketplace_order_id or "").strip()
    if not key:
        return None
    return (
        Order.objects.for_org(org)
        .select_related("store", "store__marketplace")
        .filter(marketplace_order_id=key)
        .order_by("-ordered_at", "-id")
        .first()
    )


# Each order adds its amount on the day it opens (or the range's first day) and takes it away
# on the day it closes; a running sum per currency over the days gives what is open each day:
# one pass over the orders, not a join of every order with every day.
_RECEIVABLES_SQL = """
WITH open_orders AS (
    SELECT currency, opened, closed, amount FROM (
        SELECT o.currency, (o.ordered_at AT TIME ZONE 'UTC')::date AS opened,
               COALESCE((o.settled_at AT TIME ZONE 'UTC')::date,
                        (o.ordered_at AT TIME ZONE 'UTC')::date + %(lag)s) AS closed,
               o.order_total - o.refunded_total AS amount
        FROM orders_order o
        WHERE o.organization_id = %(org)s
          AND o.status NOT IN ('cancelled', 'returned')
          AND o.ordered_at < (%(end)s::date + 1) AT TIME ZONE 'UTC'
    ) AS spans
    WHERE closed > opened AND opened <= %(end)s::date AND closed > %(start)s::date
), deltas AS (
    SELECT currency, GREATEST(opened, %(start)s::date) AS day, amount FROM open_orders
    UNION ALL
    SELECT currency, closed, -amount FROM open_orders WHERE closed <= %(end)s::date
), daily AS (
    SELECT currency, day, SUM(amount) AS delta FROM deltas GROUP BY currency, day
), grid AS (
    SELECT d::date AS day, c.currency
    FROM generate_series(%(start)s::date, %(end)s::date, '1 day') AS d
    CROSS JOIN (SELECT DISTINCT currency FROM open_orders) AS c
), running AS (
    SELECT g.day, g.currency,
           SUM(COALESCE(daily.delta, 0)) OVER (PARTITION BY g.currency ORDER BY g.day) AS open
    FROM grid g LEFT JOIN daily ON daily.currency = g.currency AND daily.day = g.day
)
SELECT day, currency, open FROM running WHERE open <> 0 ORDER BY day, currency
"""


def receivables_by_currency_day(
    *, org: Organization, start: date, end: date
) -> list[tuple[date, str, Decimal]]:
    """Money buyers have paid (or owe) that has not reached the seller yet, per day and currency.

    An order is receivable from its UTC order day until it is settled: `settled_at` when the
    source says so, otherwise DEFAULT_SETTLEMENT_DAYS after the order day. The amount is the
    order total less refunds; cancelled and returned orders are not receivable. Amounts are in
    the order's own currency (convert with apps.orders.fx at each day's rate). Days with nothing
    open are absent.
    """
    if end < start:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            _RECEIVABLES_SQL,
            {"org": org.pk, "start": start, "end": end, "lag": DEFAULT_SETTLEMENT_DAYS},
        )
        return [(day, currency, Decimal(amount)) for day, currency, amount in cursor.fetchall()]


def order_list_risky(
    *, org: Organization, min_score: int = 40, store_id: int | None = None
) -> QuerySet[Order]:
    """Orders whose risk score reaches `min_score`, highest first (the review list)."""
    qs = (
        Order.objects.for_org(org)
        .filter(risk_score__gte=min_score)
        .select_related("store", "store__marketplace")
        .order_by("-risk_score", "-ordered_at")
    )
    if store_id:
        qs = qs.filter(store_id=store_id)
    return qs
