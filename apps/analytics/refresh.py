"""Builds the profit read model (`ProfitFact`) set-based, in PostgreSQL, fully or for the facts
whose inputs changed.

The build is one SELECT: order lines summed per SKU, store, day and currency (the referral
fee's per-unit minimum needs the line), converted at each day's rate and multiplied by the
per-unit costs of analytics' own input snapshots (`ProfitRate`, `ProfitCostInput`, refreshed
here from the orders' exchange rates and the pricing cost model), then joined with traffic and
ad spend. A full build writes it as the organization's partition (partitions.py); an
incremental refresh INSERTs it limited to the days and keys `changes.py` found changed.

Reading other apps' tables in SQL is deliberate and limited to this module, `changes.py`,
`costs.py` and `fxtable.py`: the read model needs order lines joined to their orders, stores
and costs a million rows at a time, which no selector returns. Nothing here writes outside
analytics' own tables. See docs/profit-analytics.md for the formulas and what a refresh
notices.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from . import changes, inputs
from .costs import COST_COLUMNS, COST_TYPES, cost_currencies, cost_inputs
from .fxtable import rates_to
from .models import ProfitFact, ProfitOrderDay, ProfitRefresh, TrafficDay
from .partitions import build_partition

# Rows committed a little after a refresh's snapshot carry an earlier timestamp: look back this
# far past the watermark, so they are picked up by the next refresh (re-reading a day is cheap).
OVERLAP = timedelta(minutes=5)
# rates to 10 places (as ExchangeRate stores them): shorter numerics, same cents
R10 = Decimal("1e-10")

FACTS = ProfitFact._meta.db_table
TRAFFIC = TrafficDay._meta.db_table
ORDER_DAYS = ProfitOrderDay._meta.db_table
RATES = changes.RATES
COSTS = changes.COSTS

_FACT_COLUMNS = """(created_at, updated_at, organization_id, day, store_id, marketplace_id,
    product_id, currency, sessions, page_views, orders, units, units_refunded, revenue, refunds,
    vat, product_cost, freight, marketplace_fees, fulfilment_fees, ad_spend, net_profit)"""

_SELECT = """
WITH lines AS (
    -- a line of a returned order is refunded whole; otherwise its refunded quantity and amount.
    -- Amounts (4 places) as integers of 1/10,000: exact, and summed without numeric's state
    SELECT o.store_id, coalesce(i.product_id, 0) AS pid,
           o.id AS order_id,
           (o.ordered_at AT TIME ZONE %(tz)s)::date AS day, i.currency, i.quantity AS qty,
           i.unit_price, (i.line_total * 10000)::bigint AS total4,
           CASE WHEN o.status = 'returned' THEN i.quantity
                ELSE least(i.refunded_quantity, i.quantity) END AS qty_back,
           (CASE WHEN o.status = 'returned' THEN i.line_total
                 ELSE least(i.refunded_amount, i.line_total) END * 10000)::bigint AS refund4
    FROM orders_order o JOIN orders_orderitem i ON i.order_id = o.id
    WHERE o.organization_id = %(org)s AND i.organization_id = %(org)s
      AND o.status <> 'cancelled' AND i.item_status <> 'cancelled' {order_scope}
), sales_lc AS (
    -- summed per SKU, store, day and currency in the line currency; only the referral fee
    -- needs the single line (its minimum applies per unit, in the fee's own currency)
    SELECT l.store_id, l.pid, l.day, l.currency, count(DISTINCT l.order_id) AS orders,
           sum(l.qty) AS qty, sum(l.qty_back) AS units_refunded,
           sum(l.total4)::numeric * 0.0001 AS revenue,
           sum(l.refund4)::numeric * 0.0001 AS refunds,
           sum(l.qty * greatest(
               l.unit_price * c.referral_pct,
               CASE WHEN c.referral_currency = l.currency THEN c.referral_min * 100
                    ELSE c.referral_min * 100
                         * (SELECT r.rate FROM {rates} r WHERE r.organization_id = %(org)s
                            AND r.currency = c.referral_currency AND r.day = l.day)
                         / (SELECT r.rate FROM {rates} r WHERE r.organization_id = %(org)s
                            AND r.currency = l.currency AND r.day = l.day) END
           )) / 100 AS marketplace_fees
    FROM lines l LEFT JOIN {costs} c ON c.organization_id = %(org)s
        AND c.store_id = l.store_id AND c.product_id = l.pid
    GROUP BY 1, 2, 3, 4
), sales AS (
    -- to the base currency at the day's rate; per-unit costs on the day's units; VAT of the
    -- kept revenue on VAT-inclusive marketplaces (one rate per store and SKU)
    SELECT s.store_id, s.pid, s.day, sum(s.orders) AS orders,
           sum(s.qty - s.units_refunded) AS units, sum(s.units_refunded) AS units_refunded,
           round(coalesce(sum(s.revenue * fx.rate), 0), 4) AS revenue,
           round(coalesce(sum(s.refunds * fx.rate), 0), 4) AS refunds,
           round(coalesce(sum((s.revenue - s.refunds) * c.vat_pct / (100 + c.vat_pct)
                              * fx.rate), 0), 4) AS vat,
           round(sum(s.qty * pc.unit_cost * fc.rate), 4) AS product_cost,
           round(sum(s.qty * c.first_leg * ff.rate), 4) AS freight,
           round(sum(s.marketplace_fees * fx.rate), 4) AS marketplace_fees,
           round(sum(s.qty * c.fulfilment_fee * fu.rate), 4) AS fulfilment_fees
    FROM sales_lc s
    LEFT JOIN {rates} fx ON fx.organization_id = %(org)s AND fx.currency = s.currency
        AND fx.day = s.day
    LEFT JOIN {costs} c ON c.organization_id = %(org)s AND c.store_id = s.store_id
        AND c.product_id = s.pid
    LEFT JOIN {costs} pc ON pc.organization_id = %(org)s AND pc.store_id IS NULL
        AND pc.product_id = s.pid
    LEFT JOIN {rates} fc ON fc.organization_id = %(org)s AND fc.currency = pc.cost_currency
        AND fc.day = s.day
    LEFT JOIN {rates} ff ON ff.organization_id = %(org)s
        AND ff.currency = c.first_leg_currency AND ff.day = s.day
    LEFT JOIN {rates} fu ON fu.organization_id = %(org)s
        AND fu.currency = c.fulfilment_currency AND fu.day = s.day
    GROUP BY 1, 2, 3
), traffic AS (
    SELECT store_id, product_id AS pid, day, sessions, page_views FROM {traffic}
    WHERE organization_id = %(org)s {traffic_scope}
), ads AS (
    SELECT a.store_id, a.product_id AS pid, a.day, round(sum(a.spend * fx.rate), 4) AS spend
    FROM _an_ads a LEFT JOIN {rates} fx ON fx.organization_id = %(org)s
        AND fx.currency = a.currency AND fx.day = a.day
    GROUP BY 1, 2, 3
), joined AS (
    SELECT store_id, pid, day, t.sessions, t.page_views,
           coalesce(s.orders, 0) AS orders, coalesce(s.units, 0) AS units,
           coalesce(s.units_refunded, 0) AS units_refunded, coalesce(s.revenue, 0) AS revenue,
           coalesce(s.refunds, 0) AS refunds, coalesce(s.vat, 0) AS vat,
           CASE WHEN s.pid IS NULL THEN 0 ELSE s.product_cost END AS product_cost,
           CASE WHEN s.pid IS NULL THEN 0 ELSE s.freight END AS freight,
           CASE WHEN s.pid IS NULL THEN 0 ELSE s.marketplace_fees END AS marketplace_fees,
           CASE WHEN s.pid IS NULL THEN 0 ELSE s.fulfilment_fees END AS fulfilment_fees,
           CASE WHEN %(has_ads)s THEN coalesce(a.spend, 0) END AS ad_spend
    FROM sales s FULL JOIN traffic t USING (store_id, pid, day)
    FULL JOIN ads a USING (store_id, pid, day)
)
SELECT now() AS created_at, now() AS updated_at, %(org)s AS organization_id, j.day, j.store_id,
       st.marketplace_id, nullif(j.pid, 0) AS product_id, %(base)s AS currency, j.sessions,
       j.page_views, j.orders, j.units, j.units_refunded, j.revenue, j.refunds,
       j.vat, j.product_cost, j.freight, j.marketplace_fees, j.fulfilment_fees, j.ad_spend,
       -- the components are rounded already: net profit is exactly what they add up to
       j.revenue - j.refunds - j.vat - coalesce(j.product_cost, 0) - coalesce(j.freight, 0)
       - coalesce(j.marketplace_fees, 0) - coalesce(j.fulfilment_fees, 0)
       - coalesce(j.ad_spend, 0) AS net_profit
FROM joined j JOIN catalog_store st ON st.id = j.store_id
"""

_ORDER_DAYS = """
INSERT INTO {table} (organization_id, store_id, marketplace_id, day, orders)
SELECT %(org)s, o.store_id, st.marketplace_id, (o.ordered_at AT TIME ZONE %(tz)s)::date, count(*)
FROM orders_order o JOIN catalog_store st ON st.id = o.store_id
WHERE o.organization_id = %(org)s AND o.status <> 'cancelled' {scope}
GROUP BY 2, 3, 4
"""

_ADS = """
DROP TABLE IF EXISTS _an_ads;
CREATE TEMP TABLE _an_ads (store_id bigint, product_id bigint, day date, spend numeric,
    currency varchar(3)) ON COMMIT DROP;
"""

_LINE_CURRENCIES = """
SELECT DISTINCT i.currency FROM orders_orderitem i {join}
WHERE i.organization_id = %(org)s {where}
"""


@dataclass
class RefreshResult:
    full: bool
    days: int
    rows: int
    seconds: float
    sources: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    keys: int = 0  # (store, SKU) keys rebuilt on every day (cost changes)


@dataclass
class Scope:
    """What an incremental refresh rebuilds: every fact of `days`, and every day of the
    (store, product) `pairs` and of the `products` (in any store)."""

    days: set[date] = field(default_factory=set)
    pairs: set[tuple[int, int]] = field(default_factory=set)
    products: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.days or self.pairs or self.products)


def _tz(org) -> str:
    try:
        ZoneInfo(org.timezone)
        return org.timezone
    except (KeyError, ValueError):
        return "UTC"


def _sources(org, counts: dict, freight) -> dict:
    return {
        "ad_spend": "missing" if inputs._provider(*inputs.AD_SPEND) is None else "ads",
        "freight": "cost_profile" if freight is None else "logistics",
        "sessions": "business_report" if counts["traffic"] else "missing",
    }


def _span(counts: dict) -> tuple[date | None, date | None]:
    days = [*counts["orders"], *counts["traffic"]]
    if not days:
        return None, None
    return date.fromisoformat(min(days)), date.fromisoformat(max(days))


@transaction.atomic
def profit_refresh(*, org, full: bool = False) -> RefreshResult:
    """Rebuild the organization's profit facts: all of them (`full`, or on the first run), or
    only those whose inputs changed since the last refresh (changes.py)."""
    started = time.perf_counter()
    state, _ = ProfitRefresh.objects.select_for_update().get_or_create(organization=org)
    tz, old = _tz(org), dict(state.fingerprint or {})
    with connection.cursor() as cursor:
        # the build sorts and hashes a year of lines: keep it in memory, for this transaction
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SELECT now()")
        now: datetime = cursor.fetchone()[0]
        # an organization whose facts are gone (a restore, a crash emptied the unlogged read
        # model) or that was never built is rebuilt in full
        full = (
            full
            or state.orders_seen_at is None
            or not old
            or not ProfitFact.objects.for_org(org).exists()
        )
        counts = changes.day_counts(cursor, org_id=org.pk, tz=tz)
        marks = changes.dirty_marks(cursor, org_id=org.pk)  # announced by other modules
        full = full or any(first is None for _id, first, _last in marks)
        freight = inputs.freight_per_unit_by_product(org=org)
        sources = _sources(org, counts, freight)
        scope = Scope()
        if not full:
            since = state.orders_seen_at - OVERLAP
            scope.days = changes.touched_days(cursor, org_id=org.pk, tz=tz, since=since)
            scope.days |= changes.counts_changed(old.get("counts", {}), counts)
            scope.days |= changes.dirty_days(marks, *_span(counts))
        config, cost_currencies_now = _refresh_costs(cursor, org, old, full, freight, scope)
        lo, hi = _span(counts)
        problems = list(state.problems or []) if not full else []
        fx = old.get("fx")
        if lo is not None:
            fx, found = _refresh_rates(
                cursor, org, tz, old, full, scope, (lo, hi), cost_currencies_now
            )
            if found is not None:
                problems = found
        rows = 0
        if lo is not None and (full or scope):
            rows = _rebuild(cursor, org, tz, None if full else scope, (lo, hi), sources)
        changes.dirty_clear(cursor, marks)
    state.orders_seen_at = state.traffic_seen_at = now
    state.built_at = timezone.now()
    if full:
        state.full_built_at = state.built_at
    days = 0 if lo is None else ((hi - lo).days + 1 if full else len(scope.days))
    state.days_refreshed = days
    state.duration_ms = int((time.perf_counter() - started) * 1000)
    state.sources, state.problems = sources, problems
    state.fingerprint = {"counts": counts, "config": config, "fx": fx, "span": _iso(lo, hi)}
    state.save()
    return RefreshResult(
        full=full,
        days=days,
        rows=rows,
        seconds=time.perf_counter() - started,
        sources=sources,
        problems=problems,
        keys=len(scope.pairs) + len(scope.products),
    )


def _iso(lo, hi) -> list:
    return [lo.isoformat() if lo else None, hi.isoformat() if hi else None]


def _refresh_costs(cursor, org, old, full, freight, scope: Scope) -> tuple[dict, set[str]]:
    """Recompute the cost rows when a configuration table moved (or logistics provides the
    freight, which carries no version); the keys whose costs differ join the scope."""
    version = changes.config_version(org=org)
    if not full and version == old.get("config") and freight is None:
        return version, set()
    rows = cost_inputs(org=org, freight=freight)
    if not full:
        moved = changes.diff(
            changes.stored_costs(cursor, org_id=org.pk, columns=COST_COLUMNS), rows
        )
        if not moved:
            return version, cost_currencies(rows)
        scope.products |= {p for s, p in moved if s is None}
        scope.pairs |= {(s, p) for s, p in moved if s is not None}
    changes.replace(
        cursor,
        COSTS,
        org.pk,
        ["store_id", "product_id", *COST_COLUMNS],
        ["bigint", "bigint", *COST_TYPES],
        [(*k, *v) for k, v in rows.items()],
    )
    return version, cost_currencies(rows)


def _line_currencies(cursor, org, tz, days: set[date] | None) -> set[str]:
    if days is None:
        sql = _LINE_CURRENCIES.format(join="", where="")
        cursor.execute(sql, {"org": org.pk})
    else:
        lo, hi = min(days), max(days)
        sql = _LINE_CURRENCIES.format(
            join="JOIN orders_order o ON o.id = i.order_id",
            where="AND o.ordered_at >= %(lo)s AND o.ordered_at < %(hi)s",
        )
        cursor.execute(sql, {"org": org.pk, **_window(tz, lo, hi)})
    return {r[0] for r in cursor.fetchall()}


def _refresh_rates(cursor, org, tz, old, full, scope: Scope, span, cost_currencies_now):
    """Recompute the day-by-day rate table when the rates' version, the currencies or the span
    moved; days whose rate differs from the stored one join the scope. Returns the version and
    the missing-rate problems (None: unchanged)."""
    base = org.default_currency
    lo, hi = span
    previous = old.get("fx") or [None, None, []]
    currencies = set(previous[2]) | cost_currencies_now
    if full:
        currencies |= _line_currencies(cursor, org, tz, None)
    elif scope.days:
        currencies |= _line_currencies(cursor, org, tz, scope.days)
    if full:
        # ad spend's currencies too (an incremental refresh keeps those the full one found)
        ads = inputs.ad_spend_by_product_day(org=org, start=lo, end=hi)
        if ads is not None:
            currencies |= set(ads["currency"].dropna())
    version = changes.fx_version(org=org, currencies=currencies, base=base)
    if not full and version == previous and old.get("span") == _iso(lo, hi):
        return version, None
    table = {
        k: v.quantize(R10)
        for k, v in rates_to(org=org, base=base, currencies=currencies, start=lo, end=hi).items()
    }
    if not full:
        stored = changes.stored_rates(cursor, org_id=org.pk)
        scope.days |= {d for _c, d in changes.diff(stored, table) if lo <= d <= hi}
    changes.replace(
        cursor,
        RATES,
        org.pk,
        ["currency", "day", "rate"],
        ["varchar", "date", "numeric"],
        [(c, d, r) for (c, d), r in table.items()],
    )
    problems = []
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
    return version, problems


def _window(tz: str, lo: date, hi: date) -> dict:
    zone = ZoneInfo(tz)
    return {
        "lo": datetime.combine(lo, datetime.min.time(), zone),
        "hi": datetime.combine(hi + timedelta(days=1), datetime.min.time(), zone),
    }


def _load_ads(cursor, org, lo: date, hi: date, scope: Scope | None) -> bool:
    """Ad spend of the window into `_an_ads` (only the scope's keys); False: no ads module."""
    cursor.execute(_ADS)
    ads = inputs.ad_spend_by_product_day(org=org, start=lo, end=hi)
    if ads is None:
        return False
    ads = ads[ads["product_id"].notna() & ads["store_id"].notna()]
    rows = [
        (int(s), int(p), d, Decimal(str(v)), c)
        for s, p, d, v, c in zip(
            ads["store_id"], ads["product_id"], ads["day"], ads["spend"], ads["currency"],
            strict=True,
        )
    ]  # fmt: skip
    if scope is not None:
        rows = [
            r
            for r in rows
            if r[2] in scope.days or r[1] in scope.products or (r[0], r[1]) in scope.pairs
        ]
    if rows:
        cols = [list(c) for c in zip(*rows, strict=True)]
        cursor.execute(
            "INSERT INTO _an_ads SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::date[], "
            "%s::numeric[], %s::varchar[])",
            cols,
        )
    return True


def _scope_sql(scope: Scope, *, day: str, store: str, product: str) -> str:
    """An SQL condition (with %(…)s parameters) matching the scope's facts or inputs."""
    parts = []
    if scope.days:
        parts.append(f"{day} = ANY(%(days)s::date[])")
    if scope.products:
        parts.append(f"{product} = ANY(%(products)s::bigint[])")
    if scope.pairs:
        parts.append(
            f"({store}, {product}) IN (SELECT * FROM unnest(%(pair_stores)s::bigint[], "
            "%(pair_products)s::bigint[]))"
        )
    return "(" + " OR ".join(parts) + ")"


def _rebuild(cursor, org, tz, scope: Scope | None, span, sources: dict) -> int:
    params = {"org": org.pk, "tz": tz, "base": org.default_currency}
    lo, hi = span
    if scope is None:  # the organization's partition is replaced (partitions.py)
        order_scope = traffic_scope = ""
    else:
        params.update(
            days=sorted(scope.days),
            products=sorted(scope.products),
            pair_stores=[s for s, _p in sorted(scope.pairs)],
            pair_products=[p for _s, p in sorted(scope.pairs)],
        )
        if not scope.pairs and not scope.products:
            lo, hi = min(scope.days), max(scope.days)
        facts = _scope_sql(scope, day="day", store="store_id", product="product_id")
        cursor.execute(f"DELETE FROM {FACTS} WHERE organization_id = %(org)s AND {facts}", params)
        line_day = "(o.ordered_at AT TIME ZONE %(tz)s)::date"
        order_scope = "AND " + _scope_sql(
            scope, day=line_day, store="o.store_id", product="i.product_id"
        )
        if not scope.pairs and not scope.products:
            # days only: the orders' (organization, ordered_at) index narrows the scan
            params.update(_window(tz, lo, hi))
            order_scope += " AND o.ordered_at >= %(lo)s AND o.ordered_at < %(hi)s"
        traffic_scope = "AND " + _scope_sql(
            scope, day="day", store="store_id", product="product_id"
        )
    params["has_ads"] = _load_ads(cursor, org, lo, hi, scope)
    sources["ad_spend"] = "ads" if params["has_ads"] else "missing"
    select = _SELECT.format(
        traffic=TRAFFIC,
        rates=RATES,
        costs=COSTS,
        order_scope=order_scope,
        traffic_scope=traffic_scope,
    )
    if scope is None:
        rows = _build_full(cursor, org, select, params)
    else:
        cursor.execute(f"INSERT INTO {FACTS} {_FACT_COLUMNS} {select}", params)
        rows = cursor.rowcount
    _order_days(cursor, scope, params)
    return rows


# INSERT … SELECT never runs in parallel in PostgreSQL, CREATE TABLE … AS does: a full build
# selects into a new partition with both cores (partitions.py). Planner costs for this
# transaction only.
_PARALLEL = (
    "SET LOCAL max_parallel_workers_per_gather = 2",
    "SET LOCAL parallel_setup_cost = 100",
    "SET LOCAL parallel_tuple_cost = 0.01",
    "SET LOCAL min_parallel_table_scan_size = '1MB'",
)
COLUMNS = [c.strip() for c in _FACT_COLUMNS.strip("() \n").split(",")]


def _build_full(cursor, org, select: str, params: dict) -> int:
    for statement in _PARALLEL:
        cursor.execute(statement)
    return build_partition(cursor, org_id=org.pk, select=select, params=params, columns=COLUMNS)


def _order_days(cursor, scope: Scope | None, params: dict) -> None:
    """Distinct orders per store and day (cost changes leave them as they are)."""
    if scope is not None and not scope.days:
        return
    where, scope_sql = "organization_id = %(org)s", ""
    if scope is not None:
        where += " AND day = ANY(%(days)s::date[])"
        scope_sql = (
            "AND o.ordered_at >= %(lo)s AND o.ordered_at < %(hi)s "
            "AND (o.ordered_at AT TIME ZONE %(tz)s)::date = ANY(%(days)s::date[])"
        )
        params = {**params, **_window(params["tz"], min(scope.days), max(scope.days))}
    cursor.execute(f"DELETE FROM {ORDER_DAYS} WHERE {where}", params)
    cursor.execute(_ORDER_DAYS.format(table=ORDER_DAYS, scope=scope_sql), params)
