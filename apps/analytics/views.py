"""Analytics module page: sales by store and category over 30 or 90 days."""

from __future__ import annotations

from apps.core.dashboard import int_param, member_required, render_page
from apps.orders.selectors import sales_by_category, sales_by_store

PERIODS = (30, 90)


@member_required
def index(request):
    days = int_param(request, "days")
    if days not in PERIODS:
        days = PERIODS[0]
    context = {
        "days": days,
        "periods": PERIODS,
        "by_store": sales_by_store(org=request.org, days=days),
        "by_category": sales_by_category(org=request.org, days=days),
    }
    return render_page(request, "analytics/index.html", "tables", context)
