"""Replenishment planner: per SKU × destination warehouse, from order history to stored
suggestions and `restock` drafts, set-based (NumPy over all SKUs, COPY into the database).

    d      forecast demand per day over the lead time (apps.logistics.forecast)
    σ_d    the forecast's one-step error (demand variability)
    L, σ_L lead time per mode: production + transit + check-in, means and variances added
    SS     = z · √(L σ_d² + d² σ_L²)                      z at the chosen service level
    ROP    = d · L + SS
    order  when position (on hand + inbound) ≤ ROP + d · review; up to d · (L + review) + SS,
           rounded up to whole cartons and to the MOQ
    cover  = on hand / d;  stock-out = first day the cumulative forecast exceeds on hand
    ship-by = the day the position reaches ROP, plus production time (goods leave the factory)

When a warehouse's capacity (cubic feet per planning period, FBA's monthly limit) is smaller
than the suggested volume, SKUs are served by profit per cubic foot (pricing's cost model),
best first, the marginal one in whole cartons, the rest cut to zero (`capacity_cut`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from apps.core.copy import copy_frame_into
from apps.core.events import event_emit

from . import forecast as fc
from .inputs import listing_frame, profit_per_unit, units_sold_arrays
from .models import (
    InboundItem,
    InboundShipment,
    Mode,
    PlanRun,
    RestockSuggestion,
    Warehouse,
)

if TYPE_CHECKING:
    from apps.accounts.models import Organization

MM3_PER_FT3 = 304.8**3
DEFAULT_UNIT_FT3 = 0.05
REVIEW_DAYS = 14
HORIZON = 180
# (mean, sd) days when there is no history of our own.
DEFAULT_PRODUCTION = (15.0, 3.0)
DEFAULT_TRANSIT = {
    "sea": (35.0, 7.0),
    "air": (10.0, 3.0),
    "express": (6.0, 2.0),
    "rail": (25.0, 5.0),
}
DEFAULT_CHECKIN = {"fba": (7.0, 3.0), "3pl": (3.0, 1.0), "own": (2.0, 1.0)}
FORECAST_DAYS_STORED = 28


def safety_stock(z: float, d, sd_d, lead, sd_lead):
    """z · √(L σ_d² + d² σ_L²) (arrays or numbers)."""
    return z * np.sqrt(lead * np.square(sd_d) + np.square(d) * np.square(sd_lead))


def reorder_point(d, lead, ss):
    return d * lead + ss


def round_order(need, carton, moq):
    """Units to order: 0 when nothing is needed, else up to whole cartons, at least the MOQ
    (itself rounded up to whole cartons)."""
    need = np.asarray(need, dtype=np.float64)
    carton = np.maximum(np.asarray(carton, dtype=np.int64), 1)
    cartons = np.ceil(np.maximum(need, 0) / carton)
    qty = cartons * carton
    min_qty = np.ceil(np.asarray(moq, dtype=np.float64) / carton) * carton
    return np.where(need > 0, np.maximum(qty, min_qty), 0).astype(np.int64)


def allocate_capacity(qty, unit_ft3, carton, profit_per_ft3, capacity: float | None):
    """Quantities fitting `capacity` ft³: SKUs by profit per ft³ (unknown last), each whole,
    the first one that does not fit in whole cartons, the rest zero. Returns (qty, cut)."""
    qty = np.asarray(qty, dtype=np.int64).copy()
    if capacity is None or len(qty) == 0:
        return qty, np.zeros(len(qty), dtype=bool)
    vol = qty * unit_ft3
    if vol.sum() <= capacity:
        return qty, np.zeros(len(qty), dtype=bool)
    score = np.where(np.isnan(profit_per_ft3), -np.inf, profit_per_ft3)
    order = np.lexsort((np.arange(len(qty)), -score))
    cum = np.cumsum(vol[order])
    fits = cum <= capacity + 1e-9
    out = np.zeros(len(qty), dtype=np.int64)
    out[order[fits]] = qty[order[fits]]
    rest = np.nonzero(~fits)[0]
    if len(rest):
        first = order[rest[0]]
        room = capacity - (cum[rest[0] - 1] if rest[0] > 0 else 0)
        per_carton = carton[first] * unit_ft3[first]
        cartons = int(room // per_carton) if per_carton > 0 else 0
        out[first] = min(qty[first], cartons * int(carton[first]))
    cut = out < qty
    return out, cut


@dataclass
class PlanInputs:
    pairs: pd.DataFrame  # product_id, warehouse_id, store_id, kind, capacity, on_hand, inbound, ...
    y: np.ndarray
    valid: np.ndarray
    start: date


def _mode_stats(org, field_from: str, field_to: str, group: str) -> dict[str, tuple[float, float]]:
    """Mean and sd of days between two timestamps of our shipments, per mode or warehouse
    kind (at least 3 shipments)."""
    rows = (
        InboundShipment.objects.for_org(org)
        .filter(**{f"{field_from}__isnull": False, f"{field_to}__isnull": False})
        .values_list(group, field_from, field_to)
    )
    per: dict[str, list[float]] = {}
    for key, a, b in rows:
        per.setdefault(key, []).append((b - a).total_seconds() / 86400)
    return {k: (float(np.mean(v)), float(np.std(v, ddof=1))) for k, v in per.items() if len(v) >= 3}


def lead_times(org) -> tuple[dict, dict]:
    """Transit per mode and check-in per warehouse kind: ours where we have 3+ shipments."""
    transit = {**DEFAULT_TRANSIT, **_mode_stats(org, "shipped_at", "arrived_at", "mode")}
    checkin = {
        **DEFAULT_CHECKIN,
        **_mode_stats(org, "arrived_at", "checked_in_at", "warehouse__kind"),
    }
    return transit, checkin


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
    from .pgcopy import copy_arrays

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
    from .pgcopy import copy_arrays

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
    from .pgcopy import copy_arrays

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


def plan(
    *,
    org: Organization,
    service_level: float = 0.95,
    history_days: int = 365,
    today: date | None = None,
    create_drafts: bool = True,
) -> PlanRun:
    """Plan every SKU × warehouse, store the suggestions, queue `restock` drafts."""
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    today = today or timezone.localdate()
    inputs = load_inputs(org=org, today=today, history_days=history_days)
    timings["load"] = time.perf_counter() - t0
    pairs = inputs.pairs
    n = len(pairs)
    t1, c1 = time.perf_counter(), time.process_time()
    f = fc.forecast(inputs.y, inputs.valid, horizon=HORIZON)
    timings["forecast"] = time.perf_counter() - t1
    # CPU seconds of this process: on a shared machine the wall time also counts waiting.
    timings["forecast_cpu"] = time.process_time() - c1
    t2 = time.perf_counter()
    frame = _compute(org, inputs, f, service_level, today) if n else pd.DataFrame()
    timings["plan"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    run = _store(org, frame, f, service_level, history_days, create_drafts, timings)
    timings["store"] = time.perf_counter() - t3
    run.seconds = Decimal(f"{time.perf_counter() - t0:.3f}")
    run.timings = {k: round(v, 3) for k, v in timings.items()}
    if run.drafted is not None:  # marks a run whose drafts replaced all earlier ones
        run.timings["drafts"] = run.drafted
    run.save(update_fields=["seconds", "timings"])
    return run


def _compute(org, inputs: PlanInputs, f: fc.Forecast, service_level: float, today: date):
    pairs = inputs.pairs
    n = len(pairs)
    supply = _supply(org, pairs)
    transit, checkin = lead_times(org)
    mode = supply["mode_code"].to_numpy()
    t_table = np.array([transit.get(m, DEFAULT_TRANSIT["sea"]) for m in MODES], float)
    t_mean, t_sd = t_table[mode, 0], t_table[mode, 1]
    kinds, kind_at = np.unique(pairs["kind"].to_numpy(str), return_inverse=True)
    c_table = np.array([checkin.get(k, (3.0, 1.0)) for k in kinds], float).reshape(-1, 2)
    c_mean, c_sd = c_table[kind_at, 0], c_table[kind_at, 1]
    prod, prod_sd = supply["prod"].to_numpy(float), supply["prod_sd"].to_numpy(float)
    lead = prod + t_mean + c_mean
    lead_sd = np.sqrt(prod_sd**2 + t_sd**2 + c_sd**2)
    # Demand over the lead time: the forecast's mean over those days.
    cum = np.cumsum(f.values, axis=1, dtype=np.float64)
    li = np.clip(np.ceil(lead).astype(int), 1, HORIZON) - 1
    d = cum[np.arange(n), li] / (li + 1)
    sd_d = f.residual_sd.astype(np.float64)
    z = NormalDist().inv_cdf(service_level)
    ss = np.ceil(safety_stock(z, d, sd_d, lead, lead_sd))
    rop = np.ceil(reorder_point(d, lead, ss))
    on_hand = pairs["on_hand"].to_numpy(np.int64)
    inbound = np.maximum(pairs["inbound"].to_numpy(np.int64), _open_inbound(org, pairs))
    position = on_hand + inbound
    target = d * (lead + REVIEW_DAYS) + ss
    need = np.where(position <= rop + d * REVIEW_DAYS, np.ceil(target - position), 0)
    carton, moq = supply["carton"].to_numpy(np.int64), supply["moq"].to_numpy(np.int64)
    qty = round_order(need, carton, moq)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Demand under one unit in ten years is no demand: cover not finite (NULL).
        cover = np.where(d > 1 / 3650, np.minimum(on_hand / d, 99_999), np.nan)
        order_in = np.where(
            d > 1 / 3650, np.clip(np.floor((position - rop) / d), -3650, 3650), np.nan
        )
    beyond = cum[:, -1] <= on_hand
    first_out = np.argmax(cum > on_hand[:, None], axis=1)
    out_days = np.where(beyond, np.floor(cover), first_out)
    unit_ft3 = _unit_volume(org, pairs)
    frame = pd.DataFrame(
        {
            "product_id": pairs["product_id"].to_numpy(),
            "warehouse_id": pairs["warehouse_id"].to_numpy(),
            "mode": np.array(MODES, dtype=object)[mode],
            "demand_per_day": d,
            "demand_sd": sd_d,
            "lead_time_days": lead,
            "lead_time_sd": lead_sd,
            "safety_stock": ss.astype(np.int64),
            "reorder_point": rop.astype(np.int64),
            "on_hand": on_hand,
            "inbound": inbound,
            "needed": np.maximum(need, 0).astype(np.int64),
            "cover_days": cover,
            "out_days": out_days,
            "order_in": order_in,
            "prod": prod,
            "unit_ft3": unit_ft3,
            "carton": carton,
            "mae": f.holdout_mae,
        }
    )
    frame["quantity"], frame["capacity_cut"] = qty, False
    frame["profit_per_ft3"], frame["currency"] = np.nan, "USD"
    _allocate(org, pairs, frame, unit_ft3)
    frame["ship_by"] = _dates(today, frame["order_in"].to_numpy() + prod, clamp=True)
    frame["stockout_date"] = _dates(today, frame["out_days"].to_numpy())
    frame["volume_ft3"] = frame["quantity"] * unit_ft3
    frame["params"] = _params_text(f.params)
    frame["forecast"] = _forecast_json(f.values[:, :FORECAST_DAYS_STORED])
    return frame


def _allocate(org, pairs: pd.DataFrame, frame: pd.DataFrame, unit_ft3: np.ndarray) -> None:
    """Capacity per warehouse, in place: profit per ft³ where a limit binds (or for every
    suggested SKU of a small plan, for the page). A SKU without dimensions takes no room here
    (its volume is unknown, not NaN: a NaN would make every comparison false and hide a
    binding limit)."""
    unit_ft3 = np.nan_to_num(np.asarray(unit_ft3, dtype=float), nan=0.0)
    qty = frame["quantity"].to_numpy()
    small = (qty > 0).sum() <= 200
    for idx in pairs.groupby("warehouse_id").indices.values():
        cap = pairs["capacity"].iloc[idx[0]]
        capacity = None if cap is None or pd.isna(cap) else float(cap)
        binds = capacity is not None and float((qty[idx] * unit_ft3[idx]).sum()) > capacity
        if not (binds or small):
            continue
        rows = idx[qty[idx] > 0]
        profit, currency = _profit_per_ft3(org, pairs, rows, unit_ft3)
        frame.loc[frame.index[rows], "profit_per_ft3"] = profit[rows]
        frame.loc[frame.index[rows], "currency"] = currency[rows]
        if binds:
            new, cut = allocate_capacity(
                qty[idx],
                unit_ft3[idx],
                frame["carton"].to_numpy()[idx],
                frame["profit_per_ft3"].to_numpy(float)[idx],
                capacity,
            )
            frame.loc[frame.index[idx], "quantity"] = new
            frame.loc[frame.index[idx], "capacity_cut"] = cut


def _dates(today: date, days: np.ndarray, clamp: bool = False) -> np.ndarray:
    """today + days (whole days, at most ten years), as datetime64[D]; NaT where unknown."""
    days = np.asarray(days, dtype=float)
    if clamp:
        days = np.maximum(days, 0)
    known = ~np.isnan(days)
    steps = np.where(known, np.minimum(np.nan_to_num(days), 3650), 0).astype(np.int64)
    out = np.datetime64(today, "D") + steps.astype("timedelta64[D]")
    out[~known] = np.datetime64("NaT")
    return out


def _params_text(params: np.ndarray) -> np.ndarray:
    """ "α/β/γ" per SKU: the few grid points formatted once, then indexed."""
    if len(params) == 0:
        return np.array([], dtype=object)
    unique, inverse = np.unique(params, axis=0, return_inverse=True)
    labels = np.array([f"{a:.2f}/{b:.2f}/{g:.2f}" for a, b, g in unique], dtype=object)
    return labels[inverse.reshape(-1)]


def _forecast_json(values: np.ndarray) -> np.ndarray:
    """Each row as a JSON array of numbers with two decimals, by Arrow's string kernels (no
    Python formatting of millions of numbers)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n, h = values.shape
    if n == 0:
        return np.array([], dtype=object)
    rounded = np.round(values.astype(np.float64), 2) + 0.0  # + 0.0: no "-0"
    text = pc.cast(pa.array(rounded.reshape(-1)), pa.string())
    rows = pa.ListArray.from_arrays(pa.array(np.arange(0, n * h + 1, h, dtype=np.int32)), text)
    joined = pc.binary_join(rows, ",")
    return pc.binary_join_element_wise("[", joined, "]", "").to_numpy(zero_copy_only=False)


SUGGESTION_COLUMNS = [
    "created_at",
    "updated_at",
    "organization_id",
    "run_id",
    "product_id",
    "warehouse_id",
    "status",
    "mode",
    "demand_per_day",
    "demand_sd",
    "lead_time_days",
    "lead_time_sd",
    "safety_stock",
    "reorder_point",
    "on_hand",
    "inbound",
    "needed",
    "quantity",
    "cover_days",
    "stockout_date",
    "ship_by",
    "volume_ft3",
    "profit_per_ft3",
    "currency",
    "capacity_cut",
    "mae",
    "params",
    "forecast",
    "version",
]


@transaction.atomic
def _store(
    org,
    frame: pd.DataFrame,
    f: fc.Forecast,
    service_level,
    history_days,
    create_drafts,
    timings: dict | None = None,
):
    run = PlanRun.objects.create(
        organization=org,
        service_level=Decimal(str(service_level)),
        history_days=history_days,
        skus=len(frame),
        suggestions=int((frame["quantity"] > 0).sum()) if len(frame) else 0,
        mae=None if f.mae is None else Decimal(f"{f.mae:.4f}"),
        wape=None if f.wape is None else Decimal(f"{f.wape:.4f}"),
    )
    run.drafted = None
    if frame.empty:
        return run
    with connection.cursor() as cursor:
        # A plan is recomputed from the data at any time: its commit need not wait for the
        # WAL to reach the disk (a crash right after loses at most this run, never consistency).
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
    ts = timezone.now()
    out = frame.assign(
        created_at=ts,
        updated_at=ts,
        organization_id=org.pk,
        run_id=run.pk,
        status="suggested",
        version=1,
    )
    out["cover_days"] = out["cover_days"].round(1)
    for col in ("demand_per_day", "demand_sd", "mae", "profit_per_ft3", "volume_ft3"):
        out[col] = out[col].astype(float).replace([np.inf, -np.inf], np.nan).round(4)
    out["lead_time_days"] = out["lead_time_days"].round(2)
    out["lead_time_sd"] = out["lead_time_sd"].round(2)
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        copy_frame_into(cursor, "logistics_restocksuggestion", out[SUGGESTION_COLUMNS])
    t1 = time.perf_counter()
    if run.suggestions:
        event_emit(
            org=org,
            event="restock.suggested",
            payload={"plan_run_id": run.pk, "suggestions": run.suggestions},
        )
    if create_drafts:
        run.drafted = restock_drafts_create(org=org, run=run)
    if timings is not None:
        timings["store_copy"] = t1 - t0
        timings["store_drafts"] = time.perf_counter() - t1
    return run


def restock_drafts_create(*, org: Organization, run: PlanRun) -> int:
    """One pending `restock` draft per suggestion of `run` with a quantity; open restock drafts
    of earlier runs are superseded (their suggestions are out of date)."""
    from django.contrib.contenttypes.models import ContentType

    from apps.review.batch import drafts_create_many, drafts_supersede_open

    ct = ContentType.objects.get_for_model(RestockSuggestion)
    # Only runs since the last one that drafted can still have open drafts (that run
    # superseded all earlier ones): the set stays one run's size however many runs there are.
    last = (
        PlanRun.objects.for_org(org)
        .filter(pk__lt=run.pk, timings__has_key="drafts")
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMP TABLE restock_old ON COMMIT DROP AS
            SELECT id AS target_id FROM logistics_restocksuggestion
            WHERE organization_id = %s AND status = 'suggested' AND quantity > 0
              AND run_id <> %s AND run_id >= %s
            """,
            [org.pk, run.pk, last or 0],
        )
        older = cursor.rowcount
    if older:
        drafts_supersede_open(
            org=org,
            kind="restock",
            target_type_id=ct.pk,
            targets="restock_old",
            note="Replaced by a newer replenishment plan.",
        )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMP TABLE restock_src ON COMMIT DROP AS
            SELECT s.id AS target_id, s.version AS target_version, w.store_id,
                   '' AS marketplace, '' AS language, left(p.category, 100) AS category,
                   left(p.sku || ' → ' || w.code, 300) AS title,
                   jsonb_build_object('on_hand', s.on_hand, 'inbound', s.inbound,
                                      'reorder_point', s.reorder_point) AS current,
                   jsonb_build_object('quantity', s.quantity, 'ship_by', s.ship_by::text,
                                      'mode', s.mode) AS proposed,
                   '' AS rationale,
                   jsonb_build_array(jsonb_build_object(
                       'demand_per_day', s.demand_per_day, 'safety_stock', s.safety_stock,
                       'cover_days', s.cover_days, 'stockout_date', s.stockout_date::text,
                       'capacity_cut', s.capacity_cut)) AS evidence,
                   CASE WHEN s.stockout_date IS NOT NULL AND s.stockout_date <= s.ship_by
                        THEN 10 ELSE 0 END AS priority
            FROM logistics_restocksuggestion s
            JOIN logistics_warehouse w ON w.id = s.warehouse_id
            JOIN catalog_product p ON p.id = s.product_id
            WHERE s.organization_id = %s AND s.run_id = %s AND s.quantity > 0
            """,
            [org.pk, run.pk],
        )
    created = drafts_create_many(
        org=org, kind="restock", target_type_id=ct.pk, source="restock_src"
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS restock_src, restock_old")
    return created
