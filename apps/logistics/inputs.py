"""What logistics reads from other apps, behind one small adapter each.

Order history: the orders app's `daily_units_by_product` (CONTRACTS.md) when it exists; until
then (and when the orders app does not offer it) a documented read-only SQL over
orders_order / orders_orderitem, the same definition: non-cancelled lines, units per product,
store and UTC day. Logistics never writes those tables.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from django.db import connection

if TYPE_CHECKING:
    from apps.accounts.models import Organization

_DAILY_UNITS_SQL = """
SELECT oi.product_id, o.store_id, (o.ordered_at AT TIME ZONE 'UTC')::date AS day,
       oi.quantity AS units
FROM orders_orderitem oi
JOIN orders_order o ON o.id = oi.order_id
WHERE o.organization_id = %(org)s AND oi.organization_id = %(org)s
  AND o.status <> 'cancelled' AND oi.product_id IS NOT NULL
  AND o.ordered_at >= %(start)s::date AND o.ordered_at < (%(end)s::date + 1)
"""


def _copy_out(sql: str, params: dict) -> pd.DataFrame:
    """The query's rows through COPY … TO STDOUT read by pyarrow: tens of millions of order
    lines aggregate to millions of rows, which fetchall() would turn into Python tuples."""
    import io

    import pyarrow.csv as pacsv

    names = ["product_id", "store_id", "day", "units"]
    buf = io.BytesIO()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        query = raw.mogrify(sql, params)
        query = query.decode() if isinstance(query, bytes) else query
        # One hash aggregate over a year of order lines: in memory, not spilled in 16 batches.
        raw.execute("SELECT set_config('work_mem', '256MB', false)")
        try:
            raw.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", buf)
        finally:
            raw.execute("RESET work_mem")
    if not buf.tell():
        return pd.DataFrame({n: pd.Series(dtype="int64") for n in names})
    buf.seek(0)
    table = pacsv.read_csv(buf, read_options=pacsv.ReadOptions(column_names=names))
    return table.to_pandas()


def daily_units(*, org: Organization, start: date, end: date) -> pd.DataFrame:
    """Columns product_id, store_id, day (datetime64), units (int64): units sold per day.
    A (product, store, day) may come in several rows (the SQL read sends order lines as they
    are, the aggregation is the callers' sum: a hash aggregate over a year of lines in
    PostgreSQL cost more than the whole forecast)."""
    try:
        from apps.orders.selectors import daily_units_by_product  # type: ignore[attr-defined]
    except (ImportError, AttributeError):
        daily_units_by_product = None
    if daily_units_by_product is not None:
        frame = daily_units_by_product(org=org, start=start, end=end)
        frame = frame[["product_id", "store_id", "day", "units"]].copy()
    else:
        frame = _copy_out(_DAILY_UNITS_SQL, {"org": org.pk, "start": start, "end": end})
    frame["day"] = pd.to_datetime(frame["day"])
    for col in ("product_id", "store_id", "units"):
        frame[col] = frame[col].astype(np.int64)
    return frame


EXACT_MAX = 200


def profit_per_unit(*, org: Organization, listings: list) -> dict[int, tuple[float, str]]:
    """Profit per unit at the current price of each listing (listing id → (profit, currency))
    from the pricing cost model (apps.pricing.cost). Up to `EXACT_MAX` listings get their own
    `cost_breakdown`; beyond that (a plan over 100,000 SKUs) one breakdown per store and
    category supplies the fees, VAT, first leg and other costs, and each SKU its own unit cost
    and price. Listings with incomplete cost data are left out (ranked last by the planner).
    Empty when pricing is not available. `listings` need product and store loaded."""
    try:
        from apps.pricing.cost import cost_breakdown
    except (ImportError, AttributeError):
        return {}
    out: dict[int, tuple[float, str]] = {}
    if len(listings) <= EXACT_MAX:
        for listing in listings:
            if listing.price is None:
                continue
            b = cost_breakdown(org=org, listing=listing)
            profit = b.profit(listing.price)
            if profit is not None and b.ok:
                out[listing.pk] = (float(profit), listing.currency)
        return out
    return _profit_by_group(org, listings, cost_breakdown)


def _profit_by_group(org, listings, cost_breakdown) -> dict[int, tuple[float, str]]:
    from apps.orders.fx import rate_on

    groups: dict[tuple, list] = {}
    for listing in listings:
        if listing.price is not None and listing.product.unit_cost is not None:
            groups.setdefault((listing.store_id, listing.product.category), []).append(listing)
    rates: dict[tuple[str, str], float | None] = {}
    out: dict[int, tuple[float, str]] = {}
    for members in groups.values():
        b = cost_breakdown(org=org, listing=members[0])
        if b.landed is None:
            continue
        shared = float(b.first_leg + b.other + b.fulfilment_fee)
        vat = float(b.vat_pct) / 100 if b.vat_inclusive else 0.0
        ref_pct, ref_min = float(b.referral_pct) / 100, float(b.referral_min)
        for listing in members:
            pair = (listing.product.cost_currency, listing.currency)
            if pair not in rates:
                try:
                    rates[pair] = float(
                        rate_on(org=org, base=pair[0], quote=pair[1], on_date=b.on_date)
                    )
                except Exception:
                    rates[pair] = None
            rate = rates[pair]
            if rate is None:
                continue
            price = float(listing.price)
            profit = (
                price / (1 + vat)
                - max(price * ref_pct, ref_min)
                - (float(listing.product.unit_cost) * rate + shared)
            )
            out[listing.pk] = (profit, listing.currency)
    return out
