"""The AI-search readiness page: the distribution per store, each listing's score and what is
missing, and a button that proposes improved copy as a content draft."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.catalog.models import Listing
from apps.catalog.readiness.inputs import product_questions
from apps.catalog.readiness.score import readiness_draft, store_distribution
from apps.core.dashboard import can_write, member_required
from apps.core.errors import DomainError

PAGE_LIMIT = 200


@member_required
def readiness(request):
    if request.method == "POST":
        if not can_write(request):
            raise PermissionDenied
        listing = (
            Listing.objects.for_org(request.org)
            .select_related("product", "store__marketplace")
            .filter(pk=request.POST.get("listing") or 0)
            .first()
        )
        if listing is None:
            messages.error(request, _("No such listing."))
            return redirect("catalog:readiness")
        try:
            draft = readiness_draft(org=request.org, actor=request.user, listing=listing)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("catalog:readiness")
        if draft is None:
            messages.info(request, _("The product's facts have nothing to add; add facts first."))
            return redirect("catalog:readiness")
        messages.success(request, _("The improved copy is waiting for review."))
        return redirect("review:detail", draft_id=draft.pk)
    listings = (
        Listing.objects.for_org(request.org)
        .select_related("product", "store__marketplace")
        .order_by("store_id", "pk")[:PAGE_LIMIT]
    )
    first = listings[0] if listings else None
    inbox_available = (
        first is None
        or product_questions(org=request.org, product_id=first.product_id, limit=1) is not None
    )
    context = {
        "distribution": store_distribution(listings),
        "can_write": can_write(request),
        "inbox_available": inbox_available,
        "limit": PAGE_LIMIT,
    }
    return render(request, "catalog/readiness.html", context)
