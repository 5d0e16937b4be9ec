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
from datetime import date
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
from .models import InboundShipment, PlanRun, RestockSuggestion
from .plan_data import (
    MODES,
    PlanInputs,
    _open_inbound,
    _profit_per_ft3,
    _supply,
    _unit_volume,
    load_inputs,
)
from .retention import suggestions_prune

if TYPE_CHECKING:
    from apps.accounts.models import Organization

REVIEW_DAYS = 14
HORIZON = 180
# (mean, sd) days when there is no history of our own (production: plan_data).
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
    t4 = time.perf_counter()
    timings["pruned"] = suggestions_prune(org=org)
    timings["prune"] = time.perf_counter() - t4
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
