"""Logistics module page: late shipments and low stock, from orders and listings."""

from __future__ import annotations

from django.shortcuts import render

from apps.catalog.selectors import listing_list_low_stock
from apps.core.dashboard import member_required
from apps.orders.selectors import order_list_unshipped_older_than

LATE_AFTER_DAYS = 2
LOW_STOCK_BELOW = 10


@member_required
def index(request):
    context = {
        "late_after_days": LATE_AFTER_DAYS,
        "low_stock_below": LOW_STOCK_BELOW,
        "late_orders": order_list_unshipped_older_than(org=request.org, days=LATE_AFTER_DAYS),
        "low_stock": listing_list_low_stock(org=request.org, threshold=LOW_STOCK_BELOW),
    }
    return render(request, "logistics/index.html", context)
