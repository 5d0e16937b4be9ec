"""The planner's inputs as arrays (apps.logistics.planner computes on them): the pairs to plan
(inventory rows of active warehouses), their day × SKU demand matrix with stock-out days
marked, supply terms, open inbound units, unit volumes and profit per ft³. The big reads are
binary COPYs into NumPy arrays (apps.logistics.pgcopy); pairs are matched by `row_lookup`
(vectorised), never by a merge of millions of rows or a Python loop per SKU.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .inputs import listing_frame, profit_per_unit, units_sold_arrays
from .models import InboundItem, InboundShipment, Mode, Warehouse
from .pgcopy import copy_arrays

if TYPE_CHECKING:
    from apps.accounts.models import Organization

MM3_PER_FT3 = 304.8**3
DEFAULT_UNIT_FT3 = 0.05
# (mean, sd) production days when a product has no supply terms.
DEFAULT_PRODUCTION = (15.0, 3.0)


@dataclass
class PlanInputs:
    pairs: pd.DataFrame  # product_id, warehouse_id, store_id, kind, capacity, on_hand, inbound, ...
    y: np.ndarray
    valid: np.ndarray
    start: date


_PAIRS_SQL = """
SELECT inv.product_id::int8, inv.warehouse_id::int8, inv.fulfillable::int8,
       inv.reserved::int8, inv.inbound::int8, COALESCE(inv.unit_volume_ft3, -1)::float8
FROM logistics_inventory inv
JOIN logistics_warehouse w ON w.id = inv.warehouse_id
WHERE inv.organization_id = %(org)s AND w.organization_id = %(org)s AND w.is_active
ORDER BY inv.id
"""
_PAIRS_COLUMNS = [
    ("product_id", "int8"),
    ("warehouse_id", "int8"),
    ("on_hand", "int8"),
    ("reserved", "int8"),
    ("inbound", "int8"),
    ("unit_ft3", "float8"),
]
_STOCKOUT_SQL = """
SELECT product_id::int8, warehouse_id::int8, (day - %(start)s::date)::int4
FROM logistics_stockoutday
WHERE organization_id = %(org)s AND day >= %(start)s::date AND day < %(end)s::date
"""
_STOCKOUT_COLUMNS = [("product_id", "int8"), ("warehouse_id", "int8"), ("day", "int4")]
DENSE_LOOKUP_MAX = 64_000_000


def row_lookup(keys_a, keys_b, a, b) -> np.ndarray:
    """Index of each (a[i], b[i]) among the unique pairs (keys_a, keys_b), −1 where absent.
    Vectorised: b becomes a small index (few stores or warehouses), then a dense table over
    the range of a when it is small enough, else a hash lookup."""
    keys_a, keys_b = np.asarray(keys_a, np.int64), np.asarray(keys_b, np.int64)
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    if len(keys_a) == 0 or len(a) == 0:
        return np.full(len(a), -1, np.int64)
    bs = np.unique(keys_b)
    nb = len(bs)
    kb = np.searchsorted(bs, keys_b)
    if nb == 1:  # one store (or warehouse): no search per row
        qb = np.zeros(len(b), np.int64)
        known = b == bs[0]
    else:
        qb = np.minimum(np.searchsorted(bs, b), nb - 1)
        known = bs[qb] == b
    lo, hi = int(keys_a.min()), int(keys_a.max())
    known &= (a >= lo) & (a <= hi)
    span = hi - lo + 1
    if span * nb <= DENSE_LOOKUP_MAX:
        table = np.full(span * nb, -1, np.int64)
        table[(keys_a - lo) * nb + kb] = np.arange(len(keys_a))
        flat = np.clip(a - lo, 0, span - 1)
        if nb > 1:
            flat *= nb
            flat += qb
        out = table[flat]
        out[~known] = -1
        return out
    out = np.full(len(a), -1, np.int64)
    index = pd.Index((keys_a - lo) * nb + kb)
    out[known] = index.get_indexer((a[known] - lo) * nb + qb[known])
    return out


def _pairs(org) -> pd.DataFrame:
    """Every inventory row of an active warehouse, with its warehouse's store, kind and
    capacity (one binary COPY; the few warehouses through the ORM)."""
    arr = copy_arrays(_PAIRS_SQL, {"org": org.pk}, _PAIRS_COLUMNS)
    inv = pd.DataFrame(arr)
    inv["unit_ft3"] = inv["unit_ft3"].where(inv["unit_ft3"] >= 0)
    whs = list(Warehouse.objects.for_org(org).values_list("pk", "store_id", "kind", "capacity_ft3"))
    ids = np.array([w[0] for w in whs], np.int64)
    order = np.argsort(ids)
    at = order[np.searchsorted(ids[order], inv["warehouse_id"].to_numpy())] if len(inv) else []
    inv["store_id"] = np.array([w[1] or 0 for w in whs], np.int64)[at] if len(inv) else 0
    inv["kind"] = np.array([w[2] for w in whs], dtype=object)[at] if len(inv) else ""
    caps = np.array([np.nan if w[3] is None else float(w[3]) for w in whs], float)
    inv["capacity"] = caps[at] if len(inv) else np.nan
    return inv[
        [
            "product_id",
            "warehouse_id",
            "store_id",
            "kind",
            "capacity",
            "on_hand",
            "reserved",
            "inbound",
            "unit_ft3",
        ]
    ]


def load_inputs(*, org: Organization, today: date, history_days: int) -> PlanInputs:
    """The pairs to plan (every inventory row of an active warehouse) and their demand
    matrix: one row per pair, one column per day, stock-out days not valid. A warehouse of
    a store takes that store's sales; one without a store (3PL, own) every store's."""
    inv = _pairs(org)
    start = today - timedelta(days=history_days)
    days = history_days
    n = len(inv)
    # Day-major (T × n) arrays, handed to the forecast as n × T views: one day of every
    # series is one contiguous row there, and no transposed copy is made.
    y = np.zeros((days, n), dtype=np.float32)
    valid = np.ones((days, n), dtype=bool)
    if n == 0:
        return PlanInputs(inv, y.T, valid.T, start)
    sales = units_sold_arrays(org=org, start=start, end=today - timedelta(days=1))
    if len(sales["units"]):
        y = _demand_matrix(inv, sales, days)
    out = copy_arrays(
        _STOCKOUT_SQL, {"org": org.pk, "start": start, "end": today}, _STOCKOUT_COLUMNS
    )
    if len(out["day"]):
        rows = row_lookup(
            inv["product_id"], inv["warehouse_id"], out["product_id"], out["warehouse_id"]
        )
        ok = (rows >= 0) & (out["day"] >= 0) & (out["day"] < days)
        valid[out["day"][ok], rows[ok]] = False
    return PlanInputs(inv, y.T, valid.T, start)


def _demand_matrix(inv: pd.DataFrame, sales: dict, days: int) -> np.ndarray:
    """Units per day and pair (T × n): each (product, store) key's sales summed by one
    bincount (no merge of millions of rows), then copied to the pairs that take them."""
    pid = inv["product_id"].to_numpy(np.int64)
    sid = inv["store_id"].to_numpy(np.int64)
    keys = pd.DataFrame({"p": pid, "s": sid}).drop_duplicates()
    kp, ks = keys["p"].to_numpy(), keys["s"].to_numpy()
    k = len(kp)
    day = sales["day"]
    inside = (day >= 0) & (day < days)
    stores = [sales["store_id"]]
    if (ks == 0).any():  # a warehouse without a store takes every store's sales
        stores.append(np.zeros_like(sales["store_id"]))
    m = np.zeros(days * k, np.float32)
    for store in stores:
        rows = row_lookup(kp, ks, sales["product_id"], store)
        ok = inside & (rows >= 0)
        flat = day.astype(np.int64)
        flat *= k
        flat += rows
        units = sales["units"]
        if not ok.all():
            flat, units = flat[ok], units[ok]
        m += np.bincount(flat, weights=units, minlength=days * k).astype(np.float32)
    m = m.reshape(days, k)
    at = row_lookup(kp, ks, pid, sid)
    if k == len(pid) and (at == np.arange(k)).all():  # one pair per key: already in order
        return m
    return m[:, at]


_SUPPLY_SQL = """
SELECT product_id::int8, carton_units::int8, moq::int8, production_days::float8,
       production_days_sd::float8,
       COALESCE(array_position(%(modes)s::varchar[], mode::varchar), 1)::int4
FROM logistics_supplyterms WHERE organization_id = %(org)s
"""
_SUPPLY_COLUMNS = [
    ("product_id", "int8"),
    ("carton", "int8"),
    ("moq", "int8"),
    ("prod", "float8"),
    ("prod_sd", "float8"),
    ("mode", "int4"),
]
MODES = list(Mode.values)  # the mode of a pair is an index into this list (sea first)


def _supply(org, pairs: pd.DataFrame) -> pd.DataFrame:
    """Supply terms per pair (defaults where a product has none): carton, MOQ, production
    days and sd, and the mode as an index into MODES."""
    terms = copy_arrays(_SUPPLY_SQL, {"org": org.pk, "modes": MODES}, _SUPPLY_COLUMNS)
    pid = pairs["product_id"].to_numpy(np.int64)
    at = row_lookup(
        terms["product_id"], np.zeros_like(terms["product_id"]), pid, np.zeros_like(pid)
    )
    has = at >= 0
    take = np.where(has, at, 0)

    def col(name, default, dtype):
        if not len(terms["product_id"]):
            return np.full(len(pid), default, dtype)
        return np.where(has, terms[name][take], default).astype(dtype)

    return pd.DataFrame(
        {
            "carton": col("carton", 1, np.int64),
            "moq": col("moq", 0, np.int64),
            "prod": col("prod", DEFAULT_PRODUCTION[0], float),
            "prod_sd": col("prod_sd", DEFAULT_PRODUCTION[1], float),
            "mode_code": col("mode", 1, np.int64) - 1,
        }
    )


def _open_inbound(org, pairs: pd.DataFrame) -> np.ndarray:
    rows = pd.DataFrame.from_records(
        InboundItem.objects.for_org(org)
        .exclude(shipment__status=InboundShipment.Status.CHECKED_IN)
        .values_list("product_id", "shipment__warehouse_id", "units"),
        columns=["product_id", "warehouse_id", "units"],
    )
    if rows.empty:
        return np.zeros(len(pairs), dtype=np.int64)
    agg = rows.groupby(["product_id", "warehouse_id"], as_index=False)["units"].sum()
    m = pairs[["product_id", "warehouse_id"]].merge(
        agg, how="left", on=["product_id", "warehouse_id"]
    )
    return m["units"].fillna(0).to_numpy(np.int64)


def _unit_volume(org, pairs: pd.DataFrame) -> np.ndarray:
    """ft³ per unit: the stock report's figure, else the product's dimensions, else a default
    (the catalog is asked only about the pairs without a reported volume)."""
    from apps.catalog.selectors import product_list

    reported = pairs["unit_ft3"].astype(float).to_numpy()
    missing = np.isnan(reported) | (reported <= 0)
    vol = reported.copy()
    if missing.any():
        ids = np.unique(pairs["product_id"].to_numpy(np.int64)[missing])
        qs = product_list(org=org)
        if len(ids) <= 5_000:
            qs = qs.filter(pk__in=ids.tolist())
        dims = pd.DataFrame.from_records(
            list(qs.order_by().values_list("pk", "length_mm", "width_mm", "height_mm")),
            columns=["product_id", "l", "w", "h"],
        )
        m = pairs.loc[missing, ["product_id"]].merge(dims, how="left", on="product_id")
        mm3 = (
            pd.to_numeric(m["l"], errors="coerce")
            * pd.to_numeric(m["w"], errors="coerce")
            * pd.to_numeric(m["h"], errors="coerce")
        )
        vol[missing] = (mm3 / MM3_PER_FT3).to_numpy(float)
    return np.where(np.isnan(vol) | (vol <= 0), DEFAULT_UNIT_FT3, vol)


def _profit_per_ft3(org, pairs: pd.DataFrame, rows: np.ndarray, unit_ft3: np.ndarray):
    """Profit per ft³ of the given pair rows (NaN where unknown) and the currency of each: the
    pair's store's listing of the product, else the product's listing in its first store."""
    profit = np.full(len(pairs), np.nan)
    currency = np.full(len(pairs), "USD", dtype=object)
    if len(rows) == 0:
        return profit, currency
    pid = pairs["product_id"].to_numpy(np.int64)[rows]
    sid = pairs["store_id"].to_numpy(np.int64)[rows]
    wanted = np.unique(pid)
    listings = listing_frame(org=org, product_ids=wanted if len(wanted) <= 5_000 else None)
    listings = listings.sort_values(["product_id", "store_id"], ignore_index=True)
    if listings.empty:
        return profit, currency
    lp = listings["product_id"].to_numpy(np.int64)
    ls = listings["store_id"].to_numpy(np.int64)
    chosen = row_lookup(lp, ls, pid, sid)
    first_p, first_at = np.unique(lp, return_index=True)
    at = np.minimum(np.searchsorted(first_p, pid), len(first_p) - 1)
    fallback = np.where(first_p[at] == pid, first_at[at], -1)
    chosen = np.where(chosen >= 0, chosen, fallback)
    has = chosen >= 0
    used, inverse = np.unique(chosen[has], return_inverse=True)
    per_unit = profit_per_unit(org=org, listings=listings.iloc[used].reset_index(drop=True))
    target = rows[has]
    vol = unit_ft3[target]
    with np.errstate(divide="ignore", invalid="ignore"):
        profit[target] = np.where(vol > 0, per_unit[inverse] / vol, np.nan)
    currency[target] = listings["currency"].to_numpy(object)[used][inverse]
    return profit, currency
