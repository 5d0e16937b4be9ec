"""Analytics pages: the overview (the dashboard's home) and sales by store and category."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from apps.core.dashboard import int_param, member_required, render_page
from apps.core.views import jobs_context
from apps.orders.selectors import sales_by_category, sales_by_store

from .selectors import overview_get

PERIODS = (30, 90)


@login_required
def overview(request):
    """The home page (`/`, URL name `dashboard:overview`, composed in crossborder/urls.py)."""
    org = request.org
    if org is None:
        return render(request, "core/no_organization.html", status=403)
    context = overview_get(org=org)
    context.update(jobs_context(org))
    return render(request, "analytics/overview.html", context)


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
