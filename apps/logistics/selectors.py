"""Logistics reads. Every selector takes the organization.

Cross-app functions (CONTRACTS.md, "logistics"): `cover_days_by_product`,
`stockout_before_inbound_product_ids`, `shipments_for_order`, `stock_value_series`,
`freight_per_unit_by_product`, `stock_risk_frame` (registered with pricing).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from django.db.models import QuerySet, Sum
from django.utils import timezone

from apps.core.errors import NotFound

from .inputs import daily_units
from .models import (
    InboundItem,
    InboundShipment,
    Inventory,
    Parcel,
    PlanRun,
    RestockSuggestion,
    SupplyTerms,
    TrackingEvent,
    Warehouse,
)
from .pgcopy import copy_arrays

if TYPE_CHECKING:
    from apps.accounts.models import Organization

DEMAND_WINDOW_DAYS = 28
DEFAULT_LEAD_DAYS = 60  # production + sea + check-in, when a SKU has no supply terms


# --- lists and gets --------------------------------------------------------------------------


def warehouse_list(*, org: Organization) -> QuerySet[Warehouse]:
    return Warehouse.objects.for_org(org).select_related("store")


def warehouse_get(*, org: Organization, warehouse_id: int) -> Warehouse:
    wh = warehouse_list(org=org).filter(pk=warehouse_id).first()
    if wh is None:
        raise NotFound("No such warehouse.")
    return wh


def inventory_list(*, org: Organization, warehouse_id: int | None = None) -> QuerySet[Inventory]:
    qs = Inventory.objects.for_org(org).select_related("product", "warehouse")
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    return qs.order_by("product__sku", "warehouse__code")


def shipment_list(*, org: Organization, status: str = "") -> QuerySet[InboundShipment]:
    qs = (
        InboundShipment.objects.for_org(org)
        .select_related("warehouse")
        .prefetch_related("items__product")
    )
    return qs.filter(status=status) if status else qs


def shipment_get(*, org: Organization, shipment_id: int) -> InboundShipment:
    s = shipment_list(org=org).filter(pk=shipment_id).first()
    if s is None:
        raise NotFound("No such shipment.")
    return s


def parcel_list(*, org: Organization, status: str = "") -> QuerySet[Parcel]:
    qs = Parcel.objects.for_org(org).select_related("order").prefetch_related("events")
    return qs.filter(status=status) if status else qs


def parcel_get(*, org: Organization, parcel_id: int) -> Parcel:
    p = parcel_list(org=org).filter(pk=parcel_id).first()
    if p is None:
        raise NotFound("No such parcel.")
    return p


def plan_run_latest(*, org: Organization) -> PlanRun | None:
    return PlanRun.objects.for_org(org).order_by("-created_at", "-id").first()


def suggestion_list(
    *, org: Organization, run: PlanRun | None = None
) -> QuerySet[RestockSuggestion]:
    qs = RestockSuggestion.objects.for_org(org).select_related("product", "warehouse")
    if run is not None:
        qs = qs.filter(run=run)
    return qs


def suggestion_get(*, org: Organization, suggestion_id: int) -> RestockSuggestion:
    s = suggestion_list(org=org).filter(pk=suggestion_id).first()
    if s is None:
        raise NotFound("No such suggestion.")
    return s


def plan_lines_planned(*, org: Organization) -> QuerySet[RestockSuggestion]:
    """Approved suggestions: the purchase/shipment plan."""
    return (
        suggestion_list(org=org)
        .filter(status=RestockSuggestion.Status.PLANNED)
        .order_by("ship_by", "product__sku")
    )


# --- cross-app functions ---------------------------------------------------------------------


def _demand_per_day(org: Organization, product_ids=None) -> dict[int, Decimal]:
    """Units per day per product: the latest plan's forecast where it has one, else the mean
    of the last 28 days of orders."""
    today = timezone.localdate()
    sales = daily_units(
        org=org, start=today - timedelta(days=DEMAND_WINDOW_DAYS), end=today - timedelta(days=1)
    )
    out: dict[int, Decimal] = {}
    if len(sales):
        totals = sales.groupby("product_id")["units"].sum()
        out = {int(p): Decimal(int(u)) / DEMAND_WINDOW_DAYS for p, u in totals.items()}
    run = plan_run_latest(org=org)
    if run is not None:
        rows = (
            RestockSuggestion.objects.for_org(org)
            .filter(run=run)
            .values("product_id")
            .annotate(d=Sum("demand_per_day"))
        )
        if product_ids is not None:
            rows = rows.filter(product_id__in=list(product_ids))
        out.update({r["product_id"]: r["d"] for r in rows})
    return out


def _on_hand(org: Organization, product_ids=None) -> dict[int, int]:
    qs = Inventory.objects.for_org(org).filter(warehouse__is_active=True)
    if product_ids is not None:
        qs = qs.filter(product_id__in=list(product_ids))
    return {r["product_id"]: r["u"] for r in qs.values("product_id").annotate(u=Sum("fulfillable"))}


def cover_days_by_product(*, org: Organization, product_ids=None) -> dict[int, Decimal | None]:
    """Days of cover per product: fulfillable units in all active warehouses / forecast units
    per day. None when there is no demand (cover not finite). Products without any inventory
    row are absent."""
    on_hand = _on_hand(org, product_ids)
    demand = _demand_per_day(org, product_ids)
    out: dict[int, Decimal | None] = {}
    for pid, units in on_hand.items():
        d = demand.get(pid) or Decimal(0)
        out[pid] = (Decimal(units) / d).quantize(Decimal("0.1")) if d > 0 else None
    return out


def _next_arrival(org: Organization) -> dict[int, date]:
    rows = (
        InboundItem.objects.for_org(org)
        .exclude(shipment__status=InboundShipment.Status.CHECKED_IN)
        .values_list("product_id", "shipment__promised_date", "shipment__mode")
    )
    out: dict[int, date] = {}
    today = timezone.localdate()
    for pid, promised, mode in rows:
        when = promised or today + timedelta(days=_default_transit(mode))
        if pid not in out or when < out[pid]:
            out[pid] = when
    return out


def _default_transit(mode: str) -> int:
    from .planner import DEFAULT_TRANSIT

    return int(DEFAULT_TRANSIT.get(mode, DEFAULT_TRANSIT["sea"])[0])


def stockout_before_inbound_product_ids(*, org: Organization) -> set[int]:
    """Products whose stock runs out before new stock arrives: cover shorter than the days to
    the next open inbound shipment's promised arrival, or, with nothing inbound, shorter than
    the product's lead time (production + transit + check-in)."""
    cover = cover_days_by_product(org=org)
    arrival = _next_arrival(org)
    terms = {
        t.product_id: t for t in SupplyTerms.objects.for_org(org).filter(product_id__in=list(cover))
    }
    today = timezone.localdate()
    out = set()
    for pid, days in cover.items():
        if days is None:
            continue
        if pid in arrival:
            limit = (arrival[pid] - today).days
        else:
            t = terms.get(pid)
            limit = t.production_days + _default_transit(t.mode) + 7 if t else DEFAULT_LEAD_DAYS
        if days < limit:
            out.add(pid)
    return out


# The latest plan per product, summed over its warehouses (binary COPY into arrays).
_PLAN_RISK_SQL = f"""
SELECT product_id::int8, sum(on_hand)::float8, sum(demand_per_day)::float8,
       coalesce(max(stockout_date) - DATE '1970-01-01', -1)::int8
FROM {RestockSuggestion._meta.db_table}
WHERE organization_id = %(org)s AND run_id = %(run)s
GROUP BY product_id
"""
_PLAN_RISK_COLUMNS = [
    ("product_id", "int8"),
    ("on_hand", "float8"),
    ("demand", "float8"),
    ("out_day", "int8"),
]


def stock_risk_frame(*, org: Organization) -> pd.DataFrame:
    """Stock-out risk per product for pricing (registered in `apps.pricing.inputs`): the latest
    plan's days of cover (on hand / forecast demand, summed over the product's warehouses;
    NaN without demand), its projected stock-out date (the last warehouse to run out), and
    the earliest arrival of an open inbound shipment (promised date, else today + the mode's
    default transit). Products outside the latest plan are absent. Two queries, no per-SKU
    work: pricing maps the frame onto its offers as arrays."""
    from apps.pricing.inputs import empty_frame

    run = plan_run_latest(org=org)
    if run is None:
        return empty_frame()
    lines = copy_arrays(_PLAN_RISK_SQL, {"org": org.pk, "run": run.pk}, _PLAN_RISK_COLUMNS)
    if not len(lines["product_id"]):
        return empty_frame()
    demand, on_hand = lines["demand"], lines["on_hand"]
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = np.where(demand > 1 / 3650, np.minimum(on_hand / demand, 99_999), np.nan)
    out_day = lines["out_day"]
    stockout = np.where(out_day >= 0, out_day, 0).astype("datetime64[D]")
    stockout[out_day < 0] = np.datetime64("NaT")
    out = pd.DataFrame(
        {
            "product_id": lines["product_id"],
            "cover_days": np.round(cover, 1),
            "stockout_date": stockout.astype("datetime64[ns]"),
        }
    )
    arrivals = _next_arrival_frame(org)
    out = out.merge(arrivals, how="left", on="product_id")
    return out


def _next_arrival_frame(org: Organization) -> pd.DataFrame:
    """Earliest arrival per product over the open inbound shipments (one query)."""
    from .planner import DEFAULT_TRANSIT

    rows = pd.DataFrame.from_records(
        InboundItem.objects.for_org(org)
        .exclude(shipment__status=InboundShipment.Status.CHECKED_IN)
        .order_by()
        .values_list("product_id", "shipment__promised_date", "shipment__mode")
        .distinct(),
        columns=["product_id", "promised", "mode"],
    )
    if rows.empty:
        return pd.DataFrame(
            {
                "product_id": pd.Series(dtype="int64"),
                "next_arrival": pd.Series(dtype="datetime64[ns]"),
            }
        )
    today = pd.Timestamp(timezone.localdate())
    transit = rows["mode"].map({m: v[0] for m, v in DEFAULT_TRANSIT.items()})
    transit = transit.fillna(DEFAULT_TRANSIT["sea"][0]).astype("int64")
    default = today + pd.to_timedelta(transit, unit="D")
    rows["next_arrival"] = pd.to_datetime(rows["promised"]).fillna(default)
    return rows.groupby("product_id", as_index=False)["next_arrival"].min()


def shipments_for_order(*, org: Organization, order_id: int) -> list[dict]:
    """The parcels of an order with their tracking (events by instant) and delay risk."""
    from .risk import parcel_risks

    parcels = list(Parcel.objects.for_org(org).filter(order_id=order_id).prefetch_related("events"))
    out = []
    for parcel, risk in parcel_risks(org=org, parcels=parcels):
        out.append(
            {
                "carrier": parcel.carrier,
                "tracking_number": parcel.tracking_number,
                "status": parcel.status,
                "promised_date": parcel.promised_date,
                "last_event_at": parcel.last_event_at,
                "at_risk": risk.at_risk,
                "risk_reasons": [str(m) for m in risk.messages],
                "events": [
                    {
                        "at": e.at,
                        "status": e.status,
                        "location": e.location,
                        "description": e.description,
                    }
                    for e in sorted(parcel.events.all(), key=lambda e: (e.at, e.pk))
                ],
            }
        )
    return out


def stock_value_series(
    *, org: Organization, start: date, end: date
) -> list[tuple[date, str, Decimal]]:
    """Stock value per day and currency (units × product unit cost, in the cost currency).

    Units per day are reconstructed backwards from the current inventory (fulfillable +
    reserved in active warehouses): stock on day D = today's + units sold after D − units
    checked in after D. Goods in transit are not counted."""
    from apps.catalog.selectors import product_list

    today = timezone.localdate()
    inv = (
        Inventory.objects.for_org(org)
        .filter(warehouse__is_active=True)
        .values("product_id")
        .annotate(u=Sum("fulfillable"), r=Sum("reserved"))
    )
    units = {r["product_id"]: (r["u"] or 0) + (r["r"] or 0) for r in inv}
    if not units or end < start:
        return []
    costs = {
        pk: (cost, cur)
        for pk, cost, cur in product_list(org=org)
        .filter(pk__in=list(units), unit_cost__isnull=False)
        .values_list("pk", "unit_cost", "cost_currency")
    }
    delta: dict[date, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    sales = daily_units(org=org, start=start, end=today)
    for pid, day, u in zip(sales["product_id"], sales["day"], sales["units"], strict=True):
        delta[day.date()][int(pid)] += int(u)  # sold on `day`: stock before it was higher
    received = (
        InboundItem.objects.for_org(org)
        .filter(shipment__checked_in_at__date__gte=start)
        .values_list("product_id", "shipment__checked_in_at", "units")
    )
    for pid, at, u in received:
        delta[timezone.localdate(at)][pid] -= u
    out = []
    current = dict(units)
    day = today
    series: dict[date, dict[int, int]] = {}
    while day >= start:
        if day <= end:
            series[day] = dict(current)
        for pid, u in delta.get(day, {}).items():
            if pid in current:
                current[pid] = max(0, current[pid] + u)
        day -= timedelta(days=1)
    for d in sorted(series):
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for pid, u in series[d].items():
            if pid in costs:
                cost, cur = costs[pid]
                totals[cur] += cost * u
        out.extend((d, cur, total) for cur, total in sorted(totals.items()))
    return out


def freight_per_unit_by_product(*, org: Organization) -> dict[int, tuple[Decimal, str]]:
    """Actual first-leg freight per unit: each shipment's cost shared over its items by units;
    per product the unit-weighted mean over its shipments in the currency of its latest
    shipment (shipments in other currencies are left out rather than mixed)."""
    rows = (
        InboundItem.objects.for_org(org)
        .filter(shipment__cost__gt=0)
        .values_list(
            "product_id",
            "units",
            "shipment_id",
            "shipment__cost",
            "shipment__currency",
            "shipment__shipped_at",
        )
    )
    totals = defaultdict(int)
    data = list(rows)
    for _pid, units, sid, *_rest in data:
        totals[sid] += units
    latest: dict[int, tuple] = {}
    for pid, _u, _sid, _cost, cur, shipped in data:
        key = (shipped is not None, shipped)
        if pid not in latest or key > latest[pid][0]:
            latest[pid] = (key, cur)
    money: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for pid, units, sid, cost, cur, _shipped in data:
        if cur != latest[pid][1] or not totals[sid]:
            continue
        money[pid][0] += cost * units / totals[sid]
        money[pid][1] += units
    return {
        pid: ((m / u).quantize(Decimal("0.0001")), latest[pid][1])
        for pid, (m, u) in money.items()
        if u
    }


def tracking_events(*, org: Organization, parcel_id: int) -> QuerySet[TrackingEvent]:
    return TrackingEvent.objects.for_org(org).filter(parcel_id=parcel_id).order_by("at", "id")


def freight_rate_by_mode(*, org: Organization, country: str, mode: str) -> dict | None:
    """Actual freight per kg and transit days of the organization's first-leg shipments of
    `mode` to warehouses in `country` (for quotations): the weight-weighted mean cost per kg in
    the currency of the latest such shipment and the median transit days of the arrived ones.
    None when no shipment with cost and weight exists on that lane."""
    rows = list(
        InboundShipment.objects.for_org(org)
        .filter(warehouse__country=country, mode=mode, cost__gt=0, weight_kg__gt=0)
        .order_by("-shipped_at", "-id")
        .values_list("cost", "currency", "weight_kg", "shipped_at", "arrived_at")[:200]
    )
    if not rows:
        return None
    currency = rows[0][1]
    same = [r for r in rows if r[1] == currency]
    cost = sum((r[0] for r in same), Decimal(0))
    weight = sum((r[2] for r in same), Decimal(0))
    days = sorted((r[4] - r[3]).days for r in same if r[3] and r[4] and r[4] >= r[3])
    return {
        "per_kg": (cost / weight).quantize(Decimal("0.0001")),
        "currency": currency,
        "samples": len(same),
        "transit_days": days[len(days) // 2] if days else None,
    }
