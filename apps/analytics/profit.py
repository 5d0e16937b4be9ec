"""Reads of the profit read model: totals, series, rankings, distribution, decomposition, and
what is missing. Every function takes the organization (tenant filter in one place) and a
`Slice` (period and optional store, marketplace, SKU)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from .decomposition import COSTS, Period, decompose, rounded
from .models import ProfitFact, ProfitOrderDay, ProfitRefresh

MONEY = (
    "revenue",
    "refunds",
    "vat",
    "product_cost",
    "freight",
    "marketplace_fees",
    "fulfilment_fees",
    "ad_spend",
    "net_profit",
)
NULLABLE = ("product_cost", "freight", "marketplace_fees", "fulfilment_fees", "ad_spend")
COUNTS = ("sessions", "page_views", "orders", "units", "units_refunded")
MARGIN_BUCKETS = (-50, -25, -10, 0, 10, 20, 30, 40)  # percent edges of the histogram


@dataclass(frozen=True)
class Slice:
    start: date
    end: date
    store_id: int | None = None
    marketplace_id: int | None = None
    product_id: int | None = None

    @classmethod
    def last(cls, days: int, **kw) -> Slice:
        end = timezone.localdate()
        return cls(start=end - timedelta(days=days - 1), end=end, **kw)

    def previous(self) -> Slice:
        length = (self.end - self.start).days + 1
        return Slice(
            self.start - timedelta(days=length),
            self.start - timedelta(days=1),
            self.store_id,
            self.marketplace_id,
            self.product_id,
        )


def facts(*, org, s: Slice):
    qs = ProfitFact.objects.for_org(org).filter(day__gte=s.start, day__lte=s.end)
    if s.store_id:
        qs = qs.filter(store_id=s.store_id)
    if s.marketplace_id:
        qs = qs.filter(marketplace_id=s.marketplace_id)
    if s.product_id:
        qs = qs.filter(product_id=s.product_id)
    return qs


def _order_days(*, org, s: Slice):
    qs = ProfitOrderDay.objects.for_org(org).filter(day__gte=s.start, day__lte=s.end)
    if s.store_id:
        qs = qs.filter(store_id=s.store_id)
    if s.marketplace_id:
        qs = qs.filter(marketplace_id=s.marketplace_id)
    return qs


def distinct_orders(*, org, s: Slice) -> int | None:
    """Orders of the slice counted once each, however many SKUs they hold (None for a SKU's
    slice: its facts count the orders containing it, which is what it needs)."""
    if s.product_id:
        return None
    return _order_days(org=org, s=s).aggregate(n=Sum("orders"))["n"] or 0


_ORDER_KEYS = {"store": "store_id", "marketplace": "marketplace_id", "day": "day"}


def _orders_by(*, org, s: Slice, group: str) -> dict | None:
    key = _ORDER_KEYS.get(group)
    if key is None or s.product_id:
        return None
    rows = _order_days(org=org, s=s).values(key).annotate(n=Sum("orders")).order_by()
    return {r[key]: r["n"] for r in rows}


_TRACKED = (
    f"CASE WHEN {ProfitFact._meta.db_table}.sessions IS NOT NULL "
    f"THEN {ProfitFact._meta.db_table}.orders END"
)


def _sums() -> dict[str, Any]:
    sums: dict[str, Any] = {k: Sum(k) for k in (*MONEY, *COUNTS)}
    # conversion counts only the orders of rows whose sessions are known (eBay reports none)
    # (raw SQL: the Sum annotations shadow the field names inside an ORM expression)
    sums["orders_tracked"] = Sum(RawSQL(_TRACKED, []), output_field=IntegerField())
    return sums


def _missing_counts(qs) -> dict[str, int]:
    """Per cost, the rows that sold something and have no figure for it."""
    return qs.aggregate(
        **{
            f"{k}_missing": Count("id", filter=Q(**{f"{k}__isnull": True}, units__gt=0))
            for k in NULLABLE
        }
    )


def _derive(row: dict[str, Any]) -> dict[str, Any]:
    for k in MONEY:
        row[k] = row.get(k) or Decimal(0)
    for k in ("orders", "units", "units_refunded"):
        row[k] = row.get(k) or 0
    revenue, orders, sessions = row["revenue"], row["orders"], row.get("sessions")
    net_sales = revenue - row["refunds"] - row["vat"]
    row["margin_pct"] = (
        (row["net_profit"] / net_sales * 100).quantize(Decimal("0.1")) if net_sales > 0 else None
    )
    row["aov"] = (revenue / orders).quantize(Decimal("0.01")) if orders else None
    row["conversion_pct"] = (
        (Decimal(row.get("orders_tracked") or 0) / sessions * 100).quantize(Decimal("0.01"))
        if sessions
        else None
    )
    return row


def profit_summary(*, org, s: Slice) -> dict[str, Any]:
    row = facts(org=org, s=s).aggregate(**_sums())
    orders = distinct_orders(org=org, s=s)
    if orders is not None:
        row["orders"] = orders
    row = _derive(row)
    row["currency"] = org.default_currency
    return row


def profit_series(*, org, s: Slice) -> list[dict[str, Any]]:
    """Revenue and net profit per day, every day of the slice (days without rows are 0)."""
    rows = {
        r["day"]: r
        for r in facts(org=org, s=s)
        .values("day")
        .annotate(revenue=Sum("revenue"), net_profit=Sum("net_profit"), units=Sum("units"))
    }
    out = []
    day = s.start
    while day <= s.end:
        r = rows.get(day, {})
        out.append(
            {
                "day": day,
                "revenue": r.get("revenue") or Decimal(0),
                "net_profit": r.get("net_profit") or Decimal(0),
                "units": r.get("units") or 0,
            }
        )
        day += timedelta(days=1)
    return out


GROUPS = {
    "sku": ("product_id", "product__sku", "product__name"),
    "store": ("store_id", "store__name"),
    "marketplace": ("marketplace_id", "marketplace__name"),
    "day": ("day",),
}


def profit_table(*, org, s: Slice, group: str = "sku", order: str = "-net_profit", limit=None):
    """Totals per SKU, store, marketplace or day, with margin, conversion and order value."""
    keys = GROUPS.get(group, GROUPS["sku"])
    qs = facts(org=org, s=s).values(*keys).annotate(**_sums()).order_by(order, *keys)
    if limit:
        qs = qs[:limit]
    orders = _orders_by(org=org, s=s, group=group)
    out = []
    for r in qs:
        r = dict(r)
        if orders is not None:
            r["orders"] = orders.get(r[keys[0]], 0)
        out.append(_derive(r))
    return out


def top_bottom(*, org, s: Slice, n: int = 10) -> tuple[list[dict], list[dict]]:
    top = profit_table(org=org, s=s, order="-net_profit", limit=n)
    bottom = profit_table(org=org, s=s, order="net_profit", limit=n)
    return top, bottom


def margin_distribution(*, org, s: Slice) -> list[dict[str, Any]]:
    """How many SKUs fall in each margin band (net profit / net sales); SKUs with no sales left
    out."""
    rows = profit_table(org=org, s=s)
    edges = MARGIN_BUCKETS
    labels = [f"< {edges[0]}%"] + [f"{a}–{b}%" for a, b in itertools.pairwise(edges)]
    labels.append(f"≥ {edges[-1]}%")
    counts = [0] * len(labels)
    for r in rows:
        m = r["margin_pct"]
        if m is None:
            continue
        counts[sum(1 for e in edges if m >= e)] += 1
    return [{"label": label, "skus": c} for label, c in zip(labels, counts, strict=True)]


def _period(org, s: Slice) -> Period:
    row = facts(org=org, s=s).aggregate(**_sums())
    has_traffic = facts(org=org, s=s).filter(sessions__isnull=False).exists()
    return Period(
        sessions=Decimal(row["sessions"] or 0) if has_traffic else None,
        orders=Decimal((row["orders"] if s.product_id else distinct_orders(org=org, s=s)) or 0),
        revenue=row["revenue"] or Decimal(0),
        costs={k: row[k] or Decimal(0) for k in COSTS},
    )


def decomposition_get(*, org, before: Slice, after: Slice) -> dict[str, Any]:
    """The waterfall from `before`'s net profit to `after`'s (same slice filters)."""
    p0, p1 = _period(org, before), _period(org, after)
    steps = decompose(p0, p1)
    change = p1.profit - p0.profit
    return {
        "before": p0.profit,
        "after": p1.profit,
        "change": change,
        "steps": [
            {"key": k, "label": step_label(k), "value": v} for k, v in rounded(steps, change)
        ],
        "exact_steps": steps,
        "traffic_known": p0.sessions is not None and p1.sessions is not None,
        "currency": org.default_currency,
    }


def step_label(key: str) -> str:
    return {
        "traffic": _("Traffic"),
        "conversion": _("Conversion"),
        "order_value": _("Order value"),
        "refunds": _("Refunds"),
        "vat": _("VAT"),
        "product_cost": _("Product cost"),
        "freight": _("First-leg freight"),
        "marketplace_fees": _("Marketplace fees"),
        "fulfilment_fees": _("Fulfilment fees"),
        "ad_spend": _("Ad spend"),
    }.get(key, key)


def missing_costs(*, org, s: Slice | None = None) -> list[str]:
    """Plain sentences naming every cost the figures leave out, and why."""
    state = ProfitRefresh.objects.for_org(org).first()
    out: list[str] = []
    if state is None or state.built_at is None:
        return [
            _("The profit read model has not been built yet; it is refreshed in the background.")
        ]
    sources = state.sources or {}
    if sources.get("ad_spend") == "missing":
        out.append(
            _(
                "Ad spend: not available yet (the ads module is not "
                "set up); profit is before ad spend."
            )
        )
    if sources.get("freight") == "cost_profile":
        out.append(
            _(
                "First-leg freight: estimated from the pricing cost "
                "profiles (the logistics module is not set up)."
            )
        )
    if sources.get("sessions") == "missing":
        out.append(
            _(
                "Sessions and page views: no business report imported, "
                "so traffic and conversion are unknown."
            )
        )
    for p in state.problems or []:
        if p.get("code") == "missing_exchange_rate":
            out.append(
                _(
                    "No exchange rate from %(currency)s to %(base)s until "
                    "%(until)s: those amounts are left out."
                )
                % p
            )
    if s is not None:
        row = _missing_counts(facts(org=org, s=s))
        names = {
            "product_cost": _("Product cost"),
            "freight": _("First-leg freight"),
            "marketplace_fees": _("Marketplace fees"),
            "fulfilment_fees": _("Fulfilment fees"),
        }
        for key, name in names.items():
            if row[f"{key}_missing"]:
                out.append(
                    _(
                        "%(cost)s: missing on %(n)s SKU-days with sales (not "
                        "configured); profit is before it there."
                    )
                    % {"cost": name, "n": row[f"{key}_missing"]}
                )
    return out
