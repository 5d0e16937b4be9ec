"""Ads module page: the listings each store could advertise."""

from __future__ import annotations

from django.shortcuts import render

from apps.catalog.selectors import listing_counts_by_store
from apps.core.dashboard import member_required


@member_required
def index(request):
    return render(request, "ads/index.html", {"stores": listing_counts_by_store(org=request.org)})


@member_required
def campaign(request, pk: int):
    return index(request)
