"""Orders dashboard pages: the filtered list and one order with its lines."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

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

from .models import Order
from .selectors import order_get, order_list


def _get_order_for_user(request, order_id: int) -> tuple[Order, bool]:
    """The order if it belongs to the active organization (else 404), and whether the user
    may act on it."""
    try:
        order = order_get(org=request.org, order_id=order_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return order, can_write(request)


@member_required
def order_list_view(request):
    store_id = int_param(request, "store")
    status = request.GET.get("status", "")
    if status not in Order.Status.values:
        status = ""
    search = request.GET.get("q", "").strip()
    date_from, date_to = date_param(request, "from"), date_param(request, "to")
    qs = order_list(
        org=request.org,
        store_id=store_id,
        status=status,
        search=search,
        date_from=date_from,
        date_to=date_to,
    )
    context = {
        "page": paginate(request, qs),
        "stores": store_list(org=request.org),
        "statuses": Order.Status.choices,
        "store_id": store_id,
        "status": status,
        "search": search,
        "date_from": date_from,
        "date_to": date_to,
    }
    return render_page(request, "orders/list.html", "table", context)


@member_required
def order_detail(request, order_id: int):
    order, writable = _get_order_for_user(request, order_id)
    return render(
        request,
        "orders/detail.html",
        {"order": order, "items": order.items.all(), "can_write": writable},
    )
