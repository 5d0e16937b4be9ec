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

import math
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
from .inputs import daily_units, profit_per_unit
from .models import (
    InboundItem,
    InboundShipment,
    Inventory,
    PlanRun,
    RestockSuggestion,
    StockoutDay,
    SupplyTerms,
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


def load_inputs(*, org: Organization, today: date, history_days: int) -> PlanInputs:
    """The pairs to plan (every inventory row of an active warehouse) and their demand
    matrix: one row per pair, one column per day, stock-out days not valid."""
    inv = pd.DataFrame.from_records(
        Inventory.objects.for_org(org)
        .filter(warehouse__is_active=True)
        .values_list(
            "product_id",
            "warehouse_id",
            "warehouse__store_id",
            "warehouse__kind",
            "warehouse__capacity_ft3",
            "fulfillable",
            "reserved",
            "inbound",
            "unit_volume_ft3",
        ),
        columns=[
            "product_id",
            "warehouse_id",
            "store_id",
            "kind",
            "capacity",
            "on_hand",
            "reserved",
            "inbound",
            "unit_ft3",
        ],
    )
    start = today - timedelta(days=history_days)
    days = history_days
    n = len(inv)
    y = np.zeros((n, days), dtype=np.float32)
    valid = np.ones((n, days), dtype=bool)
    if n == 0:
        return PlanInputs(inv, y, valid, start)
    inv["store_id"] = inv["store_id"].fillna(0).astype(np.int64)
    inv["row"] = np.arange(n)
    sales = daily_units(org=org, start=start, end=today - timedelta(days=1))
    if (inv["store_id"] == 0).any() and len(sales):
        sales = pd.concat([sales, sales.assign(store_id=0)], ignore_index=True)
    if len(sales):
        # Row of each sale by a hash lookup of (product, store), then one bincount: no merge of
        # millions of rows, duplicates (several lines a day) summed on the way.
        keys = pd.Index(
            inv["product_id"].to_numpy(np.int64) * (1 << 24) + inv["store_id"].to_numpy(np.int64)
        )
        rows = keys.get_indexer(
            sales["product_id"].to_numpy(np.int64) * (1 << 24)
            + sales["store_id"].to_numpy(np.int64)
        )
        col = (sales["day"].to_numpy("datetime64[D]") - np.datetime64(start, "D")).astype(np.int64)
        ok = (rows >= 0) & (col >= 0) & (col < days)
        flat = rows[ok].astype(np.int64) * days + col[ok]
        y += (
            np.bincount(flat, weights=sales["units"].to_numpy()[ok], minlength=n * days)
            .reshape(n, days)
            .astype(np.float32)
        )
    out = pd.DataFrame.from_records(
        StockoutDay.objects.for_org(org)
        .filter(day__gte=start, day__lt=today)
        .values_list("product_id", "warehouse_id", "day"),
        columns=["product_id", "warehouse_id", "day"],
    )
    if len(out):
        m = out.merge(inv[["product_id", "warehouse_id", "row"]], on=["product_id", "warehouse_id"])
        col = (pd.to_datetime(m["day"]) - pd.Timestamp(start)).dt.days.to_numpy()
        valid[m["row"].to_numpy(), col] = False
    return PlanInputs(inv, y, valid, start)


def _supply(org, pairs: pd.DataFrame) -> pd.DataFrame:
    terms = pd.DataFrame.from_records(
        SupplyTerms.objects.for_org(org).values_list(
            "product_id", "carton_units", "moq", "production_days", "production_days_sd", "mode"
        ),
        columns=["product_id", "carton", "moq", "prod", "prod_sd", "mode"],
    )
    out = pairs[["product_id"]].merge(terms, on="product_id", how="left")
    out["carton"] = out["carton"].fillna(1).astype(np.int64)
    out["moq"] = out["moq"].fillna(0).astype(np.int64)
    out["prod"] = out["prod"].fillna(DEFAULT_PRODUCTION[0]).astype(float)
    out["prod_sd"] = out["prod_sd"].fillna(DEFAULT_PRODUCTION[1]).astype(float)
    out["mode"] = out["mode"].fillna("sea")
    return out


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
    from apps.catalog.selectors import product_list

    dims = pd.DataFrame.from_records(
        product_list(org=org)
        .filter(pk__in=pairs["product_id"].unique().tolist())
        .values_list("pk", "length_mm", "width_mm", "height_mm"),
        columns=["product_id", "l", "w", "h"],
    )
    m = pairs[["product_id"]].merge(dims, how="left", on="product_id")
    mm3 = m["l"].astype(float) * m["w"].astype(float) * m["h"].astype(float)
    from_dims = (mm3 / MM3_PER_FT3).to_numpy()
    reported = pairs["unit_ft3"].astype(float).to_numpy()
    vol = np.where(np.isnan(reported) | (reported <= 0), from_dims, reported)
    return np.where(np.isnan(vol) | (vol <= 0), DEFAULT_UNIT_FT3, vol)


def _profit_per_ft3(org, pairs: pd.DataFrame, rows: np.ndarray, unit_ft3: np.ndarray):
    """Profit per ft³ of the given pair rows (NaN where unknown) and the currency of each."""
    from apps.catalog.selectors import listing_list

    profit = np.full(len(pairs), np.nan)
    currency = np.array(["USD"] * len(pairs), dtype=object)
    if len(rows) == 0:
        return profit, currency
    sub = pairs.iloc[rows]
    listings = list(
        listing_list(org=org)
        .filter(product_id__in=sub["product_id"].unique().tolist())
        .select_related("product", "store__marketplace")
        .order_by("product_id", "store_id")
    )
    by_key = {(lst.product_id, lst.store_id): lst for lst in listings}
    first = {}
    for lst in listings:
        first.setdefault(lst.product_id, lst)
    chosen = {}
    for i, p, s in zip(rows, sub["product_id"], sub["store_id"], strict=True):
        lst = by_key.get((p, s)) or first.get(p)
        if lst is not None:
            chosen[i] = lst
    profits = profit_per_unit(
        org=org, listings=list({lst.pk: lst for lst in chosen.values()}.values())
    )
    for i, lst in chosen.items():
        if lst.pk in profits:
            value, cur = profits[lst.pk]
            profit[i] = value / unit_ft3[i]
            currency[i] = cur
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
    run = _store(org, frame, f, service_level, history_days, create_drafts)
    timings["store"] = time.perf_counter() - t3
    run.seconds = Decimal(f"{time.perf_counter() - t0:.3f}")
    run.timings = {k: round(v, 3) for k, v in timings.items()}
    run.save(update_fields=["seconds", "timings"])
    return run


def _compute(org, inputs: PlanInputs, f: fc.Forecast, service_level: float, today: date):
    pairs = inputs.pairs
    n = len(pairs)
    supply = _supply(org, pairs)
    transit, checkin = lead_times(org)
    t_mean = supply["mode"].map(lambda m: transit.get(m, DEFAULT_TRANSIT["sea"])[0]).to_numpy(float)
    t_sd = supply["mode"].map(lambda m: transit.get(m, DEFAULT_TRANSIT["sea"])[1]).to_numpy(float)
    c_mean = pairs["kind"].map(lambda k: checkin.get(k, (3.0, 1.0))[0]).to_numpy(float)
    c_sd = pairs["kind"].map(lambda k: checkin.get(k, (3.0, 1.0))[1]).to_numpy(float)
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
            "mode": supply["mode"].to_numpy(),
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
    frame["params"] = [f"{a:.2f}/{b:.2f}/{g:.2f}" for a, b, g in f.params]
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


def _dates(today: date, days: np.ndarray, clamp: bool = False) -> list:
    base = np.datetime64(today, "D")
    out = []
    for v in days:
        if v is None or (isinstance(v, float) and math.isnan(v)) or np.isnan(v):
            out.append(None)
        else:
            v = max(v, 0) if clamp else v
            out.append(str(base + np.timedelta64(int(min(v, 3650)), "D")))
    return out


def _forecast_json(values: np.ndarray) -> list[str]:
    rounded = np.round(values.astype(np.float64), 2)
    return ["[" + ",".join(f"{x:g}" for x in row) + "]" for row in rounded]


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
def _store(org, frame: pd.DataFrame, f: fc.Forecast, service_level, history_days, create_drafts):
    run = PlanRun.objects.create(
        organization=org,
        service_level=Decimal(str(service_level)),
        history_days=history_days,
        skus=len(frame),
        suggestions=int((frame["quantity"] > 0).sum()) if len(frame) else 0,
        mae=None if f.mae is None else Decimal(f"{f.mae:.4f}"),
        wape=None if f.wape is None else Decimal(f"{f.wape:.4f}"),
    )
    if frame.empty:
        return run
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
        out[col] = out[col].astype(float).round(4)
    out["lead_time_days"] = out["lead_time_days"].round(2)
    out["lead_time_sd"] = out["lead_time_sd"].round(2)
    with connection.cursor() as cursor:
        copy_frame_into(cursor, "logistics_restocksuggestion", out[SUGGESTION_COLUMNS])
    if run.suggestions:
        event_emit(
            org=org,
            event="restock.suggested",
            payload={"plan_run_id": run.pk, "suggestions": run.suggestions},
        )
    if create_drafts:
        restock_drafts_create(org=org, run=run)
    return run


def restock_drafts_create(*, org: Organization, run: PlanRun) -> int:
    """One pending `restock` draft per suggestion of `run` with a quantity; open restock drafts
    of earlier runs are superseded (their suggestions are out of date)."""
    from django.contrib.contenttypes.models import ContentType

    from apps.review.batch import drafts_create_many, drafts_supersede_open

    ct = ContentType.objects.get_for_model(RestockSuggestion)
    older = list(
        RestockSuggestion.objects.for_org(org)
        .filter(status=RestockSuggestion.Status.SUGGESTED)
        .exclude(run=run)
        .values_list("pk", flat=True)
    )
    if older:
        drafts_supersede_open(
            org=org,
            kind="restock",
            target_type_id=ct.pk,
            targets=older,
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
        cursor.execute("DROP TABLE IF EXISTS restock_src")
    return created
