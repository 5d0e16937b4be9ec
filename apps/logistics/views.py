"""Logistics pages: stock and days of cover, replenishment plan, shipments and parcels at risk,
lane performance."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.catalog.selectors import listing_list_low_stock
from apps.core.dashboard import can_write, int_param, member_required
from apps.core.errors import NotFound
from apps.integrations.tabular.errors import TabularFormatError
from apps.orders.selectors import order_list_unshipped_older_than

from . import selectors
from .chart import demand_chart, transit_histogram
from .models import StockoutDay
from .risk import parcel_risks, shipment_risks, transit_distribution

MAX_UPLOAD = 50 * 1024 * 1024
LATE_AFTER_DAYS = 2
LOW_STOCK_BELOW = 10


def _writer(request) -> None:
    if not can_write(request):
        raise PermissionDenied


def _nav(active: str) -> dict:
    return {"active": active}


@member_required
def index(request):
    """Stock per SKU and warehouse, with days of cover and the latest plan's stock-out date."""
    org = request.org
    run = selectors.plan_run_latest(org=org)
    plan = {}
    if run is not None:
        for s in selectors.suggestion_list(org=org, run=run).only(
            "product_id", "warehouse_id", "cover_days", "stockout_date", "demand_per_day"
        ):
            plan[(s.product_id, s.warehouse_id)] = s
    rows = []
    for inv in selectors.inventory_list(org=org)[:500]:
        s = plan.get((inv.product_id, inv.warehouse_id))
        rows.append({"inv": inv, "plan": s})
    context = {
        **_nav("index"),
        "rows": rows,
        "warehouses": selectors.warehouse_list(org=org),
        "run": run,
        "can_write": can_write(request),
        "late_after_days": LATE_AFTER_DAYS,
        "low_stock_below": LOW_STOCK_BELOW,
        "late_orders": order_list_unshipped_older_than(org=org, days=LATE_AFTER_DAYS),
        "low_stock": listing_list_low_stock(org=org, threshold=LOW_STOCK_BELOW),
    }
    return render(request, "logistics/index.html", context)


@member_required
@require_POST
def import_inventory(request):
    from .imports import fba_inventory_import

    _writer(request)
    upload = request.FILES.get("file")
    try:
        warehouse = selectors.warehouse_get(
            org=request.org, warehouse_id=int_param(request, "warehouse", request.POST) or 0
        )
    except NotFound as exc:
        raise Http404 from exc
    if upload is None or upload.size > MAX_UPLOAD:
        messages.error(request, _("Choose a report file (at most 50 MB)."))
        return redirect("logistics:index")
    try:
        outcome = fba_inventory_import(
            org=request.org,
            warehouse=warehouse,
            source=upload.read(),
            filename=upload.name,
            actor=request.user,
        )
    except TabularFormatError as exc:
        messages.error(request, str(exc))
        return redirect("logistics:index")
    _report(request, outcome)
    return redirect("logistics:index")


def _report(request, outcome) -> None:
    if outcome.is_duplicate:
        messages.info(request, outcome.duplicate_message())
        return
    run = outcome.run
    messages.success(
        request,
        _("%(ok)d rows imported, %(failed)d refused.")
        % {"ok": run.rows_ok, "failed": run.rows_failed},
    )
    for e in outcome.errors[:20]:
        messages.warning(
            request, _("Line %(line)d: %(reason)s") % {"line": e.line, "reason": e.reason}
        )


@member_required
@require_POST
def import_tracking(request):
    from .imports import tracking_import

    _writer(request)
    upload = request.FILES.get("file")
    if upload is None or upload.size > MAX_UPLOAD:
        messages.error(request, _("Choose a tracking file (at most 50 MB)."))
        return redirect("logistics:at_risk")
    try:
        outcome = tracking_import(
            org=request.org, source=upload.read(), filename=upload.name, actor=request.user
        )
    except TabularFormatError as exc:
        messages.error(request, str(exc))
        return redirect("logistics:at_risk")
    _report(request, outcome)
    return redirect("logistics:at_risk")


@member_required
def plan(request):
    """The latest replenishment plan, the forecast chart of one SKU and its inputs."""
    org = request.org
    run = selectors.plan_run_latest(org=org)
    lines = (
        list(selectors.suggestion_list(org=org, run=run).order_by("ship_by", "product__sku")[:300])
        if run
        else []
    )
    chosen = None
    product_id = int_param(request, "product")
    if lines:
        chosen = next((s for s in lines if s.product_id == product_id), None) or next(
            (s for s in lines if s.quantity > 0), lines[0]
        )
    chart = None
    if chosen is not None:
        chart = _chart_for(org, chosen)
    in_base, base = _profit_in_base(request, run, lines)
    context = {
        **_nav("plan"),
        "in_base": in_base,
        "base": base,
        "run": run,
        "lines": lines,
        "chosen": chosen,
        "chart": chart,
        "planned": selectors.plan_lines_planned(org=org)[:100],
        "can_write": can_write(request),
    }
    return render(request, "logistics/plan.html", context)


def _profit_in_base(request, run, lines) -> tuple[bool, str]:
    """`?in=base`: profit per ft³ also in the base currency at the rate of the plan's day."""
    from apps.orders.base_currency import (
        PAGE_PARAM,
        PAGE_VALUE,
        attach_base_amounts,
        utc_day,
        wants_base,
    )

    if run is None or not wants_base(request.GET, PAGE_PARAM, PAGE_VALUE):
        return False, ""
    day = utc_day(run.created_at)
    base = attach_base_amounts(org=request.org, rows=lines, amount="profit_per_ft3",
                               day=lambda _s: day)  # fmt: skip
    return True, base


def _chart_for(org, s) -> dict:
    from datetime import timedelta

    from .inputs import daily_units

    today = timezone.localdate()
    days = 56
    start = today - timedelta(days=days)
    sales = daily_units(
        org=org, start=start, end=today - timedelta(days=1), product_ids=[s.product_id]
    )
    history = [0.0] * days
    if s.warehouse.store_id:
        sales = sales[
            (sales["product_id"] == s.product_id) & (sales["store_id"] == s.warehouse.store_id)
        ]
    else:
        sales = sales[sales["product_id"] == s.product_id]
    for day, units in zip(sales["day"], sales["units"], strict=True):
        i = (day.date() - start).days
        if 0 <= i < days:
            history[i] += float(units)
    out_days = set(
        StockoutDay.objects.for_org(org)
        .filter(product_id=s.product_id, warehouse_id=s.warehouse_id, day__gte=start)
        .values_list("day", flat=True)
    )
    excluded = [(start + timedelta(days=i)) in out_days for i in range(days)]
    forecast = s.forecast if isinstance(s.forecast, list) else json.loads(s.forecast or "[]")
    return demand_chart(history, [float(v) for v in forecast], today=today, excluded=excluded)


@member_required
@require_POST
def plan_run(request):
    from .planner import plan as run_plan

    _writer(request)
    try:
        level = float(request.POST.get("service_level", "0.95"))
    except ValueError:
        level = 0.95
    level = min(max(level, 0.5), 0.999)
    run = run_plan(org=request.org, service_level=level)
    messages.success(
        request,
        _("Plan computed: %(n)d suggestions sent to the review queue.") % {"n": run.suggestions},
    )
    return redirect("logistics:plan")


@member_required
def plan_export(request, fmt: str):
    from .services import plan_export as export

    if fmt not in ("csv", "xlsx"):
        raise Http404
    body, content_type = export(org=request.org, fmt=fmt)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="restock-plan.{fmt}"'
    return response


@member_required
def at_risk(request):
    org = request.org
    parcels = [(p, r) for p, r in parcel_risks(org=org) if r.at_risk]
    shipments = [(s, r) for s, r in shipment_risks(org=org) if r.at_risk]
    context = {
        **_nav("at_risk"),
        "parcels": parcels[:200],
        "shipments": shipments[:200],
        "open_parcels": selectors.parcel_list(org=org)
        .exclude(status__in=["Delivered", "Expired"])
        .count(),
        "can_write": can_write(request),
    }
    return render(request, "logistics/at_risk.html", context)


@member_required
@require_POST
def at_risk_draft(request):
    from .services import delay_message_drafts_create

    _writer(request)
    n = delay_message_drafts_create(org=request.org)
    messages.success(
        request, _("%(n)d delay messages drafted for review (nothing is sent).") % {"n": n}
    )
    return redirect("logistics:at_risk")


@member_required
def lanes(request):
    org = request.org
    kind = "shipment" if request.GET.get("kind") == "shipment" else "parcel"
    rows = []
    for label, stats in transit_distribution(org=org, kind=kind).items():
        rows.append(
            {
                "label": label,
                "stats": stats,
                "chart": transit_histogram(stats.values, p50=stats.p50, p90=stats.p90),
            }
        )
    return render(
        request, "logistics/lanes.html", {**_nav("lanes"), "rows": rows[:20], "kind": kind}
    )


# --- inbound shipments -----------------------------------------------------------------------


def _wants_base(request) -> bool:
    from apps.orders.base_currency import PAGE_PARAM, PAGE_VALUE, wants_base

    return wants_base(request.GET, PAGE_PARAM, PAGE_VALUE)


@member_required
def shipments(request):
    """Inbound shipments (first leg) with cost, milestones and delay risk; `?in=base` adds the
    cost in the base currency at the rate of the ship day."""
    from apps.core.dashboard import paginate, render_page

    from .inbound import ShipmentFilters, decorate, inbound_list
    from .models import InboundShipment, Mode

    org = request.org
    filters = ShipmentFilters.from_params(request.GET)
    page = paginate(request, inbound_list(org=org, filters=filters))
    page.object_list = list(page.object_list)
    in_base = _wants_base(request)
    base = decorate(org=org, shipments=page.object_list, in_base=in_base)
    context = {
        **_nav("shipments"),
        "page": page,
        "filters": filters,
        "in_base": in_base,
        "base": base,
        "modes": Mode.choices,
        "statuses": InboundShipment.Status.choices,
        "warehouses": selectors.warehouse_list(org=org),
    }
    return render_page(request, "logistics/shipments.html", "table", context)


@member_required
def shipments_export(request, fmt: str):
    """The filtered inbound shipments as CSV/XLSX (`?in=base` adds the base-currency columns)."""
    from .inbound import ShipmentFilters, export, inbound_list

    if fmt not in ("csv", "xlsx"):
        raise Http404
    in_base = _wants_base(request)
    qs = inbound_list(org=request.org, filters=ShipmentFilters.from_params(request.GET))
    body, content_type = export(org=request.org, shipments=qs, fmt=fmt, in_base=in_base)
    response = HttpResponse(body, content_type=content_type)
    suffix = "-base" if in_base else ""
    response["Content-Disposition"] = f'attachment; filename="inbound-shipments{suffix}.{fmt}"'
    return response


def _get_shipment_for_user(request, shipment_id: int):
    """The shipment if it belongs to the active organization (else 404)."""
    try:
        return selectors.shipment_get(org=request.org, shipment_id=shipment_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@member_required
def shipment_detail(request, shipment_id: int):
    """One inbound shipment: its items, milestones by time, risk, cost also in base currency."""
    from .inbound import decorate, milestone_rows

    shipment = _get_shipment_for_user(request, shipment_id)
    base = decorate(org=request.org, shipments=[shipment], in_base=True)
    context = {
        **_nav("shipments"),
        "s": shipment,
        "base": base,
        "items": list(shipment.items.all()),
        "milestones": milestone_rows(shipment),
    }
    return render(request, "logistics/shipment_detail.html", context)
