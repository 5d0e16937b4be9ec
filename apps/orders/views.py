"""Orders dashboard pages: the filtered list and one order with its lines."""

from __future__ import annotations

from datetime import timedelta

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from apps.catalog.selectors import store_list
from apps.core.dashboard import (
    can_write,
    date_param,
    int_param,
    member_required,
    paginate,
    render_page,
)
from apps.core.errors import NotFound

from .base_currency import PAGE_PARAM, PAGE_VALUE, attach_base_amounts, utc_day, wants_base
from .forms import OrderUploadForm
from .models import Order, RiskDestination
from .selectors import order_get, order_list, order_list_risky


def _base_context(request, page) -> dict:
    """`?in=base`: each order's total also in the organization's base currency at the rate of
    its order day (one rate query for the page)."""
    if not wants_base(request.GET, PAGE_PARAM, PAGE_VALUE):
        return {"in_base": False, "base": ""}
    base = attach_base_amounts(org=request.org, rows=page.object_list, amount="order_total",
                               day=lambda o: utc_day(o.ordered_at))  # fmt: skip
    return {"in_base": True, "base": base}


def _get_order_for_user(request, order_id: int) -> tuple[Order, bool]:
    """The order if it belongs to the active organization (else 404), and whether the user
    may act on it."""
    try:
        order = order_get(org=request.org, order_id=order_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return order, can_write(request)


def _list_filters(request) -> dict:
    status = request.GET.get("status", "")
    return {
        "store_id": int_param(request, "store"),
        "status": status if status in Order.Status.values else "",
        "search": request.GET.get("q", "").strip(),
        "date_from": date_param(request, "from"),
        "date_to": date_param(request, "to"),
    }


@member_required
def order_list_view(request):
    filters = _list_filters(request)
    page = paginate(request, order_list(org=request.org, **filters))
    page.object_list = list(page.object_list)
    context = {
        **_base_context(request, page),
        **filters,
        "page": page,
        "stores": store_list(org=request.org),
        "statuses": Order.Status.choices,
    }
    return render_page(request, "orders/list.html", "table", context)


def _export_response(request, orders, fmt: str, name: str) -> HttpResponse:
    from .exports import export

    if fmt not in ("csv", "xlsx"):
        raise Http404
    in_base = wants_base(request.GET, PAGE_PARAM, PAGE_VALUE)
    body, content_type = export(org=request.org, orders=orders, fmt=fmt, in_base=in_base)
    response = HttpResponse(body, content_type=content_type)
    suffix = "-base" if in_base else ""
    response["Content-Disposition"] = f'attachment; filename="{name}{suffix}.{fmt}"'
    return response


@member_required
def order_export(request, fmt: str):
    """The filtered order list as CSV/XLSX (`?in=base` adds the base-currency columns)."""
    orders = order_list(org=request.org, **_list_filters(request)).order_by("-ordered_at", "-id")
    return _export_response(request, orders, fmt, "orders")


@member_required
def order_detail(request, order_id: int):
    order, writable = _get_order_for_user(request, order_id)
    return render(
        request,
        "orders/detail.html",
        {"order": order, "items": order.items.all(), "can_write": writable},
    )


@member_required
def order_import(request):
    """Upload an order file (Amazon All Orders, Shopify export, order lines) into a store."""
    from apps.integrations.tabular.errors import TabularFormatError

    from .imports import order_file_import

    stores = store_list(org=request.org)
    result = None
    writable = can_write(request)
    if request.method == "POST" and writable:
        form = OrderUploadForm(request.POST, request.FILES, stores=stores)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            store = stores.get(pk=form.cleaned_data["store"])
            try:
                result = order_file_import(
                    org=request.org, store=store, data=upload, filename=upload.name,
                    format=form.cleaned_data["format"], actor=request.user,
                )  # fmt: skip
            except TabularFormatError as exc:
                form.add_error("file", str(exc))
    else:
        form = OrderUploadForm(stores=stores)
    context = {
        "form": form,
        "result": result,
        "shown_errors": result.errors[:200] if result else [],
        "can_write": writable,
    }
    return render(request, "orders/import.html", context)


def _risk_filters(request) -> dict:
    from .risk import REVIEW_SCORE

    min_score = int_param(request, "min") or REVIEW_SCORE
    return {"min_score": max(1, min(100, min_score)), "store_id": int_param(request, "store")}


@member_required
def order_risk_list(request):
    """Orders to review before their payment settles, highest risk first, with reasons."""
    from .risk import reason_labels

    filters = _risk_filters(request)
    page = paginate(request, order_list_risky(org=request.org, **filters))
    page.object_list = list(page.object_list)
    for order in page:
        order.reason_labels = reason_labels(order.risk_reasons)
    context = {
        **_base_context(request, page),
        **filters,
        "page": page,
        "stores": store_list(org=request.org),
        "destinations": RiskDestination.objects.for_org(request.org),
    }
    return render_page(request, "orders/risk.html", "table", context)


@member_required
def order_risk_export(request, fmt: str):
    """The order-risk list as CSV/XLSX (`?in=base` adds the base-currency columns)."""
    orders = order_list_risky(org=request.org, **_risk_filters(request))
    return _export_response(request, orders, fmt, "order-risk")


EXPOSURE_DAYS = (30, 90, 180)


def exposure_context(request) -> dict:
    from .chart import exposure_chart
    from .exposure import fx_exposure

    days = int_param(request, "days") or 90
    if days not in EXPOSURE_DAYS:
        days = 90
    end = date_param(request, "end") or timezone.now().date()
    start = end - timedelta(days=days - 1)
    exposure = fx_exposure(org=request.org, start=start, end=end)
    return {
        "exposure": exposure,
        "chart": exposure_chart(exposure.series_by_currency(), base=exposure.base),
        "latest": exposure.latest_by_currency(),
        "days": days,
        "day_choices": EXPOSURE_DAYS,
        "end": end,
    }


@member_required
def fx_exposure_view(request):
    return render(request, "orders/exposure.html", exposure_context(request))
