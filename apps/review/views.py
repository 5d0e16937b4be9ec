"""Review-queue page. Drafts arrive with the review models; meanwhile it shows the listings
that will be the first candidates for AI-written content."""

from __future__ import annotations

from django.shortcuts import render

# A read-only panel until drafts exist; review's own logic must stay free of domain imports.
from apps.catalog.selectors import listing_list_missing_content
from apps.core.dashboard import member_required


@member_required
def index(request):
    missing = listing_list_missing_content(org=request.org)
    context = {
        "missing_count": missing.count(),
        "missing_sample": missing.order_by("store__name", "product__sku")[:10],
    }
    return render(request, "review/index.html", context)
