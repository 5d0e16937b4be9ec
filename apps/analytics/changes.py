"""What changed since the last profit refresh, so an incremental one rebuilds only those facts.

Five kinds of change, each found cheaply (docs/profit-analytics.md, "Refresh"):

* orders and lines created or updated since the watermark: their days (the orders module
  touches an order's `updated_at` when one of its lines changes or is deleted);
* orders or traffic rows deleted, or an order moved to another day: that day's row count in
  the source differs from the one the last refresh saw;
* exchange rates added or changed (for a past day too): the rate table for the facts' span,
  recomputed when the rates' version moved, differs from the stored one on those days;
* cost configuration (unit costs, fees, VAT, cost profiles, listings): the per-(store,
  product) cost rows, recomputed when a configuration table's version moved, differ from the
  stored ones for those keys (every day of them is rebuilt).
* inputs another module announces as changed (ad spend of past days re-imported, ads linked
  to other products: apps.ads.signals): listeners.py records the days (`ProfitDirty`) in the
  announcing transaction; the refresh rebuilds them (no days: in full) and deletes the marks.

Like refresh.py, this reads other apps' tables (orders, exchange rates, cost configuration)
and writes only analytics' snapshots (`ProfitRate`, `ProfitCostInput`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Q

from apps.catalog.models import Listing, Product
from apps.orders.fx import PIVOT
from apps.orders.models import ExchangeRate
from apps.pricing.models import CostProfile, FulfilmentFeeTier, ReferralFee, VatRate

from .models import ProfitCostInput, ProfitDirty, ProfitRate, TrafficDay

TRAFFIC = TrafficDay._meta.db_table
RATES = ProfitRate._meta.db_table
COSTS = ProfitCostInput._meta.db_table
DIRTY = ProfitDirty._meta.db_table

_CHANGED_DAYS = """
SELECT DISTINCT (o.ordered_at AT TIME ZONE %(tz)s)::date FROM orders_order o
WHERE o.organization_id = %(org)s AND (o.updated_at > %(since)s OR o.created_at > %(since)s)
UNION
SELECT DISTINCT (o.ordered_at AT TIME ZONE %(tz)s)::date
FROM orders_orderitem i JOIN orders_order o ON o.id = i.order_id
WHERE i.organization_id = %(org)s AND (i.created_at > %(since)s OR i.updated_at > %(since)s)
UNION
SELECT DISTINCT day FROM {traffic} WHERE organization_id = %(org)s AND updated_at > %(since)s
"""

_ORDER_DAYS = """
SELECT (ordered_at AT TIME ZONE %(tz)s)::date AS day, count(*) FROM orders_order
WHERE organization_id = %(org)s GROUP BY 1
"""
_TRAFFIC_DAYS = f"SELECT day, count(*) FROM {TRAFFIC} WHERE organization_id = %(org)s GROUP BY 1"


def touched_days(cursor, *, org_id: int, tz: str, since: datetime) -> set[date]:
    cursor.execute(_CHANGED_DAYS.format(traffic=TRAFFIC), {"tz": tz, "org": org_id, "since": since})
    return {row[0] for row in cursor.fetchall()}


def day_counts(cursor, *, org_id: int, tz: str) -> dict[str, dict[str, int]]:
    """Rows per day of orders and of traffic: {"orders": {iso day: n}, "traffic": {…}}."""
    out = {}
    for key, sql in (("orders", _ORDER_DAYS), ("traffic", _TRAFFIC_DAYS)):
        cursor.execute(sql, {"tz": tz, "org": org_id})
        out[key] = {day.isoformat(): n for day, n in cursor.fetchall()}
    return out


def counts_changed(old: dict, new: dict) -> set[date]:
    days: set[date] = set()
    for key in ("orders", "traffic"):
        a, b = old.get(key, {}), new.get(key, {})
        days |= {date.fromisoformat(d) for d in a.keys() | b.keys() if a.get(d) != b.get(d)}
    return days


def _version(qs) -> list:
    row = qs.aggregate(n=Count("id"), at=Max("updated_at"))
    return [row["n"], row["at"].isoformat() if row["at"] else None]


def config_version(*, org) -> dict[str, list]:
    """(rows, latest update) of every table the cost rows are computed from."""
    return {
        model.__name__: _version(model.objects.for_org(org))
        for model in (Product, Listing, CostProfile, ReferralFee, FulfilmentFeeTier, VatRate)
    }


def fx_version(*, org, currencies: set[str], base: str) -> list:
    codes = {*currencies, base, PIVOT}
    qs = ExchangeRate.objects.filter(
        Q(organization__isnull=True) | Q(organization=org), base__in=codes, quote__in=codes
    )
    return [*_version(qs), sorted(currencies)]


def _load(cursor, sql: str, org_id: int, keys: int) -> dict[tuple, tuple]:
    cursor.execute(sql, [org_id])
    return {tuple(r[:keys]): tuple(r[keys:]) for r in cursor.fetchall()}


def stored_rates(cursor, *, org_id: int) -> dict[tuple[str, date], object]:
    rows = _load(cursor, f"SELECT currency, day, rate FROM {RATES} WHERE organization_id = %s",
                 org_id, 2)  # fmt: skip
    return {k: v[0] for k, v in rows.items()}


def stored_costs(cursor, *, org_id: int, columns: tuple[str, ...]) -> dict[tuple, tuple]:
    sql = (
        f"SELECT store_id, product_id, {', '.join(columns)} FROM {COSTS} WHERE organization_id = %s"
    )
    return _load(cursor, sql, org_id, 2)


def replace(cursor, table: str, org_id: int, columns: list[str], types: list[str], rows) -> None:
    """The organization's rows of a snapshot table become `rows` (tuples in `columns` order)."""
    cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [org_id])
    if not rows:
        return
    cols = list(zip(*rows, strict=True))
    casts = ", ".join(f"%s::{t}[]" for t in types)
    cursor.execute(
        f"INSERT INTO {table} (organization_id, {', '.join(columns)}) "
        f"SELECT %s, * FROM unnest({casts})",
        [org_id, *[list(c) for c in cols]],
    )
    cursor.execute(f"ANALYZE {table}")  # rewritten: the build's planner needs its new size


def diff(old: dict, new: dict) -> set:
    return {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}


def dirty_marks(cursor, *, org_id: int) -> list[tuple[int, date | None, date | None]]:
    """(id, first day, last day) of the changes other modules announced (ProfitDirty)."""
    cursor.execute(
        f"SELECT id, first_day, last_day FROM {DIRTY} WHERE organization_id = %s", [org_id]
    )
    return list(cursor.fetchall())


def dirty_days(marks, lo: date | None, hi: date | None) -> set[date]:
    """The announced days inside the facts' span (outside it there are no facts to rebuild)."""
    if lo is None:
        return set()
    days: set[date] = set()
    for _id, first, last in marks:
        a, b = max(first, lo), min(last, hi)
        days |= {a + timedelta(days=n) for n in range((b - a).days + 1)}
    return days


def dirty_clear(cursor, marks) -> None:
    """The marks this refresh has taken in (marks committed meanwhile wait for the next one)."""
    if marks:
        cursor.execute(f"DELETE FROM {DIRTY} WHERE id = ANY(%s)", [[m[0] for m in marks]])
