"""Builds the profit read model (`ProfitFact`) set-based, in PostgreSQL, fully or for the days
whose inputs changed.

Reading other apps' tables in SQL is deliberate and limited to this module: the read model needs
order lines joined to their orders, stores and costs a million rows at a time, which no selector
returns. Nothing here writes outside analytics' own tables. See docs/profit-analytics.md for the
formulas and what a refresh notices.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from . import inputs
from .costs import product_unit_costs, unit_costs
from .fxtable import rates_to
from .models import ProfitFact, ProfitRefresh, TrafficDay

# Rows committed a little after a refresh's snapshot carry an earlier timestamp: look back this
# far past the watermark, so they are picked up by the next refresh (re-reading a day is cheap).
OVERLAP = timedelta(minutes=5)

FACTS = ProfitFact._meta.db_table
TRAFFIC = TrafficDay._meta.db_table

_TEMP = """
DROP TABLE IF EXISTS _an_fx, _an_cfg, _an_cost, _an_ads;
CREATE TEMP TABLE _an_fx (currency varchar(3), day date, rate numeric, PRIMARY KEY (currency, day));
CREATE TEMP TABLE _an_cfg (store_id bigint, product_id bigint, vat_pct numeric, ref_pct numeric,
    ref_min numeric, ref_cur varchar(3), ful_fee numeric, ful_cur varchar(3), freight numeric,
    freight_cur varchar(3), PRIMARY KEY (store_id, product_id));
CREATE TEMP TABLE _an_cost (product_id bigint PRIMARY KEY, amount numeric, currency varchar(3));
CREATE TEMP TABLE _an_ads (store_id bigint, product_id bigint, day date, spend numeric,
    currency varchar(3));
"""

_BUILD = """
INSERT INTO {facts} (created_at, updated_at, organization_id, day, store_id, marketplace_id,
    product_id, currency, sessions, page_views, orders, units, units_refunded, revenue, refunds,
    vat, product_cost, freight, marketplace_fees, fulfilment_fees, ad_spend, net_profit)
WITH sales_lc AS (
    -- order lines summed per SKU, store, day and currency, in the line currency; only the
    -- referral fee needs the single line (its minimum applies per unit)
    SELECT o.store_id, coalesce(i.product_id, 0) AS pid,
           (o.ordered_at AT TIME ZONE %(tz)s)::date AS day, i.currency, count(*) AS orders,
           coalesce(sum(i.quantity) FILTER (WHERE o.status <> 'returned'), 0) AS units,
           coalesce(sum(i.quantity) FILTER (WHERE o.status = 'returned'), 0) AS units_refunded,
           sum(i.quantity) AS qty,
           sum(i.line_total) AS revenue,
           coalesce(sum(i.line_total) FILTER (WHERE o.status = 'returned'), 0) AS refunds,
           coalesce(sum(i.line_total * c.vat_pct / (100 + c.vat_pct))
                    FILTER (WHERE o.status <> 'returned'), 0) AS vat,
           sum(i.quantity * greatest(
               i.unit_price * c.ref_pct / 100,
               CASE WHEN c.ref_cur = i.currency THEN c.ref_min
                    ELSE c.ref_min * (SELECT r.rate FROM _an_fx r WHERE r.currency = c.ref_cur
                                      AND r.day = (o.ordered_at AT TIME ZONE %(tz)s)::date)
                         / (SELECT r.rate FROM _an_fx r WHERE r.currency = i.currency
                            AND r.day = (o.ordered_at AT TIME ZONE %(tz)s)::date) END
           )) AS marketplace_fees
    FROM orders_order o JOIN orders_orderitem i ON i.order_id = o.id
    LEFT JOIN _an_cfg c ON c.store_id = o.store_id AND c.product_id = i.product_id
    WHERE o.organization_id = %(org)s AND i.organization_id = %(org)s
      AND o.status <> 'cancelled' {order_window}
    GROUP BY 1, 2, 3, 4
), sales AS (
    -- to the base currency at the day's rate; per-unit costs on the day's units
    SELECT s.store_id, s.pid, s.day, sum(s.orders) AS orders, sum(s.units) AS units,
           sum(s.units_refunded) AS units_refunded,
           coalesce(sum(s.revenue * fx.rate), 0) AS revenue,
           coalesce(sum(s.refunds * fx.rate), 0) AS refunds,
           coalesce(sum(s.vat * fx.rate), 0) AS vat,
           sum(s.qty * pc.amount * fc.rate) AS product_cost,
           sum(s.qty * c.freight * ff.rate) AS freight,
           sum(s.marketplace_fees * fx.rate) AS marketplace_fees,
           sum(s.qty * c.ful_fee * fu.rate) AS fulfilment_fees
    FROM sales_lc s
    LEFT JOIN _an_fx fx ON fx.currency = s.currency AND fx.day = s.day
    LEFT JOIN _an_cfg c ON c.store_id = s.store_id AND c.product_id = s.pid
    LEFT JOIN _an_cost pc ON pc.product_id = s.pid
    LEFT JOIN _an_fx fc ON fc.currency = pc.currency AND fc.day = s.day
    LEFT JOIN _an_fx ff ON ff.currency = c.freight_cur AND ff.day = s.day
    LEFT JOIN _an_fx fu ON fu.currency = c.ful_cur AND fu.day = s.day
    GROUP BY 1, 2, 3
), traffic AS (
    SELECT store_id, product_id AS pid, day, sessions, page_views FROM {traffic}
    WHERE organization_id = %(org)s {traffic_window}
), ads AS (
    SELECT a.store_id, a.product_id AS pid, a.day, sum(a.spend * fx.rate) AS spend
    FROM _an_ads a LEFT JOIN _an_fx fx ON fx.currency = a.currency AND fx.day = a.day
    GROUP BY 1, 2, 3
), keys AS (
    SELECT store_id, pid, day FROM sales UNION SELECT store_id, pid, day FROM traffic
    UNION SELECT store_id, pid, day FROM ads
), joined AS (
    SELECT k.store_id, k.pid, k.day, t.sessions, t.page_views,
           coalesce(s.orders, 0) AS orders, coalesce(s.units, 0) AS units,
           coalesce(s.units_refunded, 0) AS units_refunded, coalesce(s.revenue, 0) AS revenue,
           coalesce(s.refunds, 0) AS refunds, coalesce(s.vat, 0) AS vat,
           CASE WHEN s.pid IS NULL THEN 0 ELSE s.product_cost END AS product_cost,
           CASE WHEN s.pid IS NULL THEN 0 ELSE s.freight END AS freight,
           CASE WHEN s.pid IS NULL THEN 0 ELSE s.marketplace_fees END AS marketplace_fees,
           CASE WHEN s.pid IS NULL THEN 0 ELSE s.fulfilment_fees END AS fulfilment_fees,
           CASE WHEN %(has_ads)s THEN coalesce(a.spend, 0) END AS ad_spend
    FROM keys k
    LEFT JOIN sales s ON s.store_id = k.store_id AND s.pid = k.pid AND s.day = k.day
    LEFT JOIN traffic t ON t.store_id = k.store_id AND t.pid = k.pid AND t.day = k.day
    LEFT JOIN ads a ON a.store_id = k.store_id AND a.pid = k.pid AND a.day = k.day
)
SELECT now(), now(), %(org)s, j.day, j.store_id, st.marketplace_id, nullif(j.pid, 0), %(base)s,
       j.sessions, j.page_views, j.orders, j.units, j.units_refunded,
       round(j.revenue, 4), round(j.refunds, 4), round(j.vat, 4), round(j.product_cost, 4),
       round(j.freight, 4), round(j.marketplace_fees, 4), round(j.fulfilment_fees, 4),
       round(j.ad_spend, 4),
       round(j.revenue - j.refunds - j.vat - coalesce(j.product_cost, 0) - coalesce(j.freight, 0)
             - coalesce(j.marketplace_fees, 0) - coalesce(j.fulfilment_fees, 0)
             - coalesce(j.ad_spend, 0), 4)
FROM joined j JOIN catalog_store st ON st.id = j.store_id
"""

_CHANGED_DAYS = """
SELECT DISTINCT (o.ordered_at AT TIME ZONE %(tz)s)::date FROM orders_order o
WHERE o.organization_id = %(org)s AND (o.updated_at > %(since)s OR o.created_at > %(since)s)
UNION
SELECT DISTINCT (o.ordered_at AT TIME ZONE %(tz)s)::date
FROM orders_orderitem i JOIN orders_order o ON o.id = i.order_id
WHERE i.organization_id = %(org)s AND i.updated_at > %(since)s
UNION
SELECT DISTINCT day FROM {traffic} WHERE organization_id = %(org)s AND updated_at > %(since)s
"""

_SPAN = """
SELECT min((ordered_at AT TIME ZONE %(tz)s)::date), max((ordered_at AT TIME ZONE %(tz)s)::date)
FROM orders_order WHERE organization_id = %(org)s
"""


@dataclass
class RefreshResult:
    full: bool
    days: int
    rows: int
    seconds: float
    sources: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)


def _tz(org) -> str:
    try:
        ZoneInfo(org.timezone)
        return org.timezone
    except (KeyError, ValueError):
        return "UTC"


def _insert(cursor, sql: str, columns: list[list], types: list[str]) -> None:
    if not columns or not columns[0]:
        return
    casts = ", ".join(f"%s::{t}[]" for t in types)
    cursor.execute(f"INSERT INTO {sql} SELECT * FROM unnest({casts})", columns)


def _span(cursor, org, tz: str) -> tuple[date | None, date | None]:
    cursor.execute(_SPAN, {"tz": tz, "org": org.pk})
    lo, hi = cursor.fetchone()
    traffic = TrafficDay.objects.for_org(org).order_by("day").values_list("day", flat=True)
    first, last = traffic.first(), traffic.last()
    days = [d for d in (lo, hi, first, last) if d is not None]
    return (min(days), max(days)) if days else (None, None)


@transaction.atomic
def profit_refresh(*, org, full: bool = False) -> RefreshResult:
    """Rebuild the organization's profit facts: all of them (`full`, or on the first run), or
    only the days whose orders, order lines or traffic changed since the last refresh."""
    started = time.perf_counter()
    state, _ = ProfitRefresh.objects.select_for_update().get_or_create(organization=org)
    tz = _tz(org)
    with connection.cursor() as cursor:
        # the build sorts and hashes a year of lines: keep it in memory, for this transaction
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SELECT now()")
        now: datetime = cursor.fetchone()[0]
        # an organization whose facts are gone (a restore, a truncate) is rebuilt in full
        full = full or state.orders_seen_at is None or not ProfitFact.objects.for_org(org).exists()
        if full:
            lo, hi = _span(cursor, org, tz)
            days = None
        else:
            since = state.orders_seen_at - OVERLAP
            cursor.execute(
                _CHANGED_DAYS.format(traffic=TRAFFIC), {"tz": tz, "org": org.pk, "since": since}
            )
            days = sorted(row[0] for row in cursor.fetchall())
            lo, hi = (days[0], days[-1]) if days else (None, None)
        rows = 0
        # nothing to do keeps what the last build found missing; an incremental one adds to it
        sources, problems = (state.sources or _sources(org)[0]), list(state.problems or [])
        if full:
            sources, problems = _sources(org)
        if lo is not None:
            sources, found = _load_inputs(cursor, org, tz, lo, hi, days)
            problems = found if full else [*problems, *(p for p in found if p not in problems)]
            rows = _rebuild(cursor, org, tz, lo, hi, days, has_ads=sources["ad_spend"] != "missing")
    state.orders_seen_at = state.traffic_seen_at = now
    state.built_at = timezone.now()
    if full:
        state.full_built_at = state.built_at
    state.days_refreshed = (
        0 if lo is None else (len(days) if days is not None else (hi - lo).days + 1)
    )
    state.duration_ms = int((time.perf_counter() - started) * 1000)
    state.sources, state.problems = sources, problems
    state.save()
    return RefreshResult(
        full=full,
        days=state.days_refreshed,
        rows=rows,
        seconds=time.perf_counter() - started,
        sources=sources,
        problems=problems,
    )


def _sources(org) -> tuple[dict, list]:
    has_ads = inputs._provider(*inputs.AD_SPEND) is not None
    has_freight = inputs._provider(*inputs.FREIGHT) is not None
    sources = {
        "ad_spend": "ads" if has_ads else "missing",
        "freight": "logistics" if has_freight else "cost_profile",
        "sessions": "business_report" if TrafficDay.objects.for_org(org).exists() else "missing",
    }
    return sources, []


_WINDOW_KEYS = """
SELECT DISTINCT o.store_id, i.product_id, i.currency
FROM orders_order o JOIN orders_orderitem i ON i.order_id = o.id
WHERE o.organization_id = %(org)s AND i.organization_id = %(org)s
  AND o.ordered_at >= %(lo)s AND o.ordered_at < %(hi)s
"""


def _window(tz: str, lo: date, hi: date) -> dict:
    zone = ZoneInfo(tz)
    return {
        "lo": datetime.combine(lo, datetime.min.time(), zone),
        "hi": datetime.combine(hi + timedelta(days=1), datetime.min.time(), zone),
    }


def _load_inputs(cursor, org, tz: str, lo: date, hi: date, days) -> tuple[dict, list]:
    """Fill the temporary input tables for [lo, hi]; report what is missing. An incremental
    refresh (`days` given) loads the configuration of the SKUs sold in the window only."""
    base = org.default_currency
    cursor.execute(_TEMP)
    sources, problems = _sources(org)
    pairs = None
    if days is None:
        cursor.execute(
            "SELECT DISTINCT currency FROM orders_orderitem WHERE organization_id = %s", [org.pk]
        )
        currencies = {r[0] for r in cursor.fetchall()}
    else:
        cursor.execute(_WINDOW_KEYS, {"org": org.pk, **_window(tz, lo, hi)})
        keys = cursor.fetchall()
        currencies = {k[2] for k in keys}
        pairs = {(k[0], k[1]) for k in keys if k[1] is not None}
        pairs |= set(
            TrafficDay.objects.for_org(org)
            .filter(day__in=days)
            .values_list("store_id", "product_id")
        )
    config = unit_costs(org=org, pairs=pairs)
    costs = product_unit_costs(
        org=org, product_ids=None if pairs is None else {p for _, p in pairs}
    )
    _insert(
        cursor,
        "_an_cost",
        [
            [c[0] for c in costs if c[1] is not None],
            [c[1] for c in costs if c[1] is not None],
            [c[2] for c in costs if c[1] is not None],
        ],
        ["bigint", "numeric", "varchar"],
    )
    freight = inputs.freight_per_unit_by_product(org=org)
    if freight is not None:
        sources["freight"] = "logistics"
    for row in config:
        if freight is not None:
            row.first_leg, row.first_leg_currency = freight.get(row.product_id, (None, None))
    _insert(
        cursor,
        "_an_cfg",
        [
            [r.store_id for r in config],
            [r.product_id for r in config],
            [r.vat_pct for r in config],
            [r.referral_pct for r in config],
            [r.referral_min for r in config],
            [r.referral_currency for r in config],
            [r.fulfilment_fee for r in config],
            [r.fulfilment_currency for r in config],
            [r.first_leg for r in config],
            [r.first_leg_currency for r in config],
        ],
        [
            "bigint",
            "bigint",
            "numeric",
            "numeric",
            "numeric",
            "varchar",
            "numeric",
            "varchar",
            "numeric",
            "varchar",
        ],
    )
    ads = inputs.ad_spend_by_product_day(org=org, start=lo, end=hi)
    if ads is None:
        sources["ad_spend"] = "missing"
    else:
        sources["ad_spend"] = "ads"
        ads = ads[ads["product_id"].notna() & ads["store_id"].notna()]
        _insert(
            cursor,
            "_an_ads",
            [
                [int(v) for v in ads["store_id"]],
                [int(v) for v in ads["product_id"]],
                list(ads["day"]),
                [Decimal(str(v)) for v in ads["spend"]],
                list(ads["currency"]),
            ],
            ["bigint", "bigint", "date", "numeric", "varchar"],
        )
    currencies |= {c[2] for c in costs if c[1] is not None}
    for r in config:
        currencies |= {r.referral_currency, r.fulfilment_currency, r.first_leg_currency} - {None}
    if ads is not None:
        currencies |= set(ads["currency"])
    table = rates_to(org=org, base=base, currencies=currencies, start=lo, end=hi)
    _insert(
        cursor,
        "_an_fx",
        [[k[0] for k in table], [k[1] for k in table], list(table.values())],
        ["varchar", "date", "numeric"],
    )
    for currency in sorted(currencies):
        first = min((d for c, d in table if c == currency), default=None)
        if first is None or first > lo:
            problems.append(
                {
                    "code": "missing_exchange_rate",
                    "currency": currency,
                    "base": base,
                    "until": (first or hi).isoformat(),
                }
            )
    cursor.execute("ANALYZE _an_fx; ANALYZE _an_cfg; ANALYZE _an_cost")
    return sources, problems


def _rebuild(cursor, org, tz, lo, hi, days, *, has_ads: bool) -> int:
    params = {"org": org.pk, "tz": tz, "base": org.default_currency, "has_ads": has_ads}
    if days is None:
        cursor.execute(f"DELETE FROM {FACTS} WHERE organization_id = %s", [org.pk])
        order_window = traffic_window = ""
    else:
        params["days"] = days
        params.update(_window(tz, lo, hi))
        cursor.execute(
            f"DELETE FROM {FACTS} WHERE organization_id = %(org)s AND day = ANY(%(days)s::date[])",
            params,
        )
        order_window = (
            "AND o.ordered_at >= %(lo)s AND o.ordered_at < %(hi)s "
            "AND (o.ordered_at AT TIME ZONE %(tz)s)::date = ANY(%(days)s::date[])"
        )
        traffic_window = "AND day = ANY(%(days)s::date[])"
        cursor.execute("DELETE FROM _an_ads WHERE NOT day = ANY(%(days)s::date[])", params)
    sql = _BUILD.format(
        facts=FACTS, traffic=TRAFFIC, order_window=order_window, traffic_window=traffic_window
    )
    cursor.execute(sql, params)
    return cursor.rowcount
