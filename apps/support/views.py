"""Customer-service module page: where buyers are, and the latest orders they may ask about."""

from __future__ import annotations

from django.shortcuts import render

from apps.core.dashboard import member_required
from apps.orders.selectors import order_list_recent, orders_by_buyer_country


@member_required
def index(request):
    context = {
        "by_country": orders_by_buyer_country(org=request.org, days=30),
        "recent_orders": order_list_recent(org=request.org, limit=20),
    }
    return render(request, "support/index.html", context)
