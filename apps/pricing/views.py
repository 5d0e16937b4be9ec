"""Pricing module page. The engine comes later; today it shows what it will price from."""

from __future__ import annotations

from django.shortcuts import render

from apps.catalog.selectors import listing_price_vs_cost
from apps.core.dashboard import member_required


@member_required
def index(request):
    context = {"listings": listing_price_vs_cost(org=request.org)}
    return render(request, "pricing/index.html", context)
