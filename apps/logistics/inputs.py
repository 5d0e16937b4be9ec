"""What logistics reads from other apps, behind one small adapter each.

Order history: the orders app's definition of units sold (`daily_units_by_product`,
CONTRACTS.md), read by one documented read-only binary COPY over orders_order / orderitem as
arrays (the planner reads a year of lines for 100,000 SKUs); a test keeps the two equal.
Logistics never writes those tables.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from apps.accounts.models import Organization

# The orders app's definition of units sold (apps.orders.selectors.daily_units_by_product):
# lines of orders neither cancelled nor returned, cancelled lines left out, refunded units
# subtracted, per product, store and UTC day. Read-only; tests/logistics/test_inputs.py keeps
# the two equal. The planner needs units only, as arrays, for ~11 M lines a year at 100,000
# SKUs: one binary COPY of the lines (four numbers each), summed by the caller with bincount.
# A GROUP BY in PostgreSQL (hash aggregate + sort) and rows fetched as Python tuples with a
# Decimal revenue cost more than the whole plan.
_UNITS_SQL = """
SELECT i.product_id::int8 AS product_id, o.store_id::int8 AS store_id,
       ((o.ordered_at AT TIME ZONE 'UTC')::date - %(start)s::date)::int4 AS day,
       (i.quantity - LEAST(i.refunded_quantity, i.quantity))::int4 AS units
FROM orders_orderitem i
JOIN orders_order o ON o.id = i.order_id
WHERE i.organization_id = %(org)s AND o.organization_id = %(org)s
  AND i.product_id IS NOT NULL {products}
  AND o.status NOT IN ('cancelled', 'returned')
  AND i.item_status <> 'cancelled'
  AND i.quantity > i.refunded_quantity
  AND o.ordered_at >= %(start)s::date AT TIME ZONE 'UTC'
  AND o.ordered_at < (%(end)s::date + 1) AT TIME ZONE 'UTC'
"""
UNITS_COLUMNS = [("product_id", "int8"), ("store_id", "int8"), ("day", "int4"), ("units", "int4")]


def units_sold_arrays(
    *, org: Organization, start: date, end: date, product_ids=None
) -> dict[str, np.ndarray]:
    """Order lines sold `start`..`end` (inclusive) as arrays: product_id, store_id (int64),
    day (int32, days since `start`), units (int32). A (product, store, day) may come in
    several rows: the caller sums (np.bincount). Same definition as the orders app's
    `daily_units_by_product`."""
    from .pgcopy import copy_arrays

    params: dict = {"org": org.pk, "start": start, "end": end}
    products = ""
    if product_ids is not None:
        products = "AND i.product_id = ANY(%(products)s::bigint[])"
        params["products"] = [int(p) for p in product_ids]
    return copy_arrays(
        _UNITS_SQL.format(products=products), params, UNITS_COLUMNS, work_mem="256MB"
    )


def daily_units(*, org: Organization, start: date, end: date, product_ids=None) -> pd.DataFrame:
    """Columns product_id, store_id, day (datetime64), units (int64): units sold per product,
    store and day, one row each (the orders app's definition, read by `units_sold_arrays`)."""
    a = units_sold_arrays(org=org, start=start, end=end, product_ids=product_ids)
    frame = pd.DataFrame(
        {
            "product_id": a["product_id"],
            "store_id": a["store_id"],
            "day": a["day"].astype(np.int64),
            "units": a["units"].astype(np.int64),
        }
    )
    if len(frame):
        frame = frame.groupby(["product_id", "store_id", "day"], as_index=False)["units"].sum()
    frame["day"] = np.datetime64(start, "D") + frame["day"].to_numpy().astype("timedelta64[D]")
    frame["day"] = pd.to_datetime(frame["day"])
    return frame


EXACT_MAX = 200
LISTING_COLUMNS = [
    "listing_id",
    "product_id",
    "store_id",
    "price",
    "currency",
    "category",
    "unit_cost",
    "cost_currency",
]


def listing_frame(*, org: Organization, product_ids=None) -> pd.DataFrame:
    """The organization's listings (of `product_ids` when given) as one frame with what the
    profit needs: price and currency, the product's category, unit cost and its currency
    (catalog's selector, values only: no model instance per listing)."""
    from apps.catalog.selectors import listing_list

    qs = listing_list(org=org)
    if product_ids is not None:
        qs = qs.filter(product_id__in=[int(p) for p in product_ids])
    rows = qs.order_by().values_list(
        "pk",
        "product_id",
        "store_id",
        "price",
        "currency",
        "product__category",
        "product__unit_cost",
        "product__cost_currency",
    )
    frame = pd.DataFrame.from_records(list(rows), columns=LISTING_COLUMNS)
    for col in ("price", "unit_cost"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame


def profit_per_unit(*, org: Organization, listings: pd.DataFrame) -> np.ndarray:
    """Profit per unit at the current price of each row of `listings` (a `listing_frame`), in
    the listing's currency, from the pricing cost model (apps.pricing.cost); NaN where the cost
    data are incomplete (the planner ranks those last) or pricing is not available. Up to
    `EXACT_MAX` listings get their own `cost_breakdown`; beyond that (a plan over 100,000
    SKUs) one breakdown per store and category supplies the fees, VAT, first leg and other
    costs, and each SKU its own unit cost and price, as arrays."""
    try:
        from apps.pricing.cost import cost_breakdown
    except (ImportError, AttributeError):
        return np.full(len(listings), np.nan)
    if len(listings) <= EXACT_MAX:
        return _profit_exact(org, listings, cost_breakdown)
    return _profit_by_group(org, listings, cost_breakdown)


def _listing_objects(org, ids) -> dict:
    from apps.catalog.selectors import listing_list

    return {lst.pk: lst for lst in listing_list(org=org).filter(pk__in=[int(i) for i in ids])}


def _profit_exact(org, listings: pd.DataFrame, cost_breakdown) -> np.ndarray:
    out = np.full(len(listings), np.nan)
    objects = _listing_objects(org, listings["listing_id"])
    for i, pk in enumerate(listings["listing_id"]):
        listing = objects.get(int(pk))
        if listing is None or listing.price is None:
            continue
        b = cost_breakdown(org=org, listing=listing)
        profit = b.profit(listing.price)
        if profit is not None and b.ok:
            out[i] = float(profit)
    return out


def _profit_by_group(org, listings: pd.DataFrame, cost_breakdown) -> np.ndarray:
    from apps.orders.fx import rate_on

    out = np.full(len(listings), np.nan)
    known = listings["price"].notna() & listings["unit_cost"].notna()
    groups = listings[known].groupby(["store_id", "category"], sort=False).indices
    reps = _listing_objects(org, [listings["listing_id"].iloc[i[0]] for i in groups.values()])
    pos = np.flatnonzero(known.to_numpy())
    rates: dict[tuple[str, str], float] = {}
    for idx in groups.values():
        rows = pos[idx]
        b = cost_breakdown(org=org, listing=reps[int(listings["listing_id"].iloc[rows[0]])])
        if b.landed is None:
            continue
        shared = float(b.first_leg + b.other + b.fulfilment_fee)
        vat = float(b.vat_pct) / 100 if b.vat_inclusive else 0.0
        ref_pct, ref_min = float(b.referral_pct) / 100, float(b.referral_min)
        pair = listings["cost_currency"].iloc[rows] + ">" + listings["currency"].iloc[rows]
        for key in pair.unique():
            if key not in rates:
                base, quote = key.split(">")
                try:
                    rates[key] = float(rate_on(org=org, base=base, quote=quote, on_date=b.on_date))
                except Exception:
                    rates[key] = np.nan
        rate = pair.map(rates).to_numpy(float)
        price = listings["price"].to_numpy(float)[rows]
        unit_cost = listings["unit_cost"].to_numpy(float)[rows]
        out[rows] = (
            price / (1 + vat) - np.maximum(price * ref_pct, ref_min) - (unit_cost * rate + shared)
        )
    return out
