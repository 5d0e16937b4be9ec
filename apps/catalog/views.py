"""Catalog dashboard pages: products and listings, lists and details."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.dashboard import can_write, int_param, member_required, paginate, render_page
from apps.core.errors import DomainError, NotFound

from .content_checks import check_listing_content
from .models import Listing, Product
from .selectors import (
    listing_get,
    listing_list,
    listing_list_for_product,
    product_categories,
    product_get,
    product_list,
    store_list,
)


def _get_product_for_user(request, product_id: int) -> tuple[Product, bool]:
    """The product if it belongs to the active organization (else 404), and whether the
    user may change it."""
    try:
        product = product_get(org=request.org, product_id=product_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return product, can_write(request)


def _get_listing_for_user(request, listing_id: int) -> tuple[Listing, bool]:
    try:
        listing = listing_get(org=request.org, listing_id=listing_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return listing, can_write(request)


@member_required
def products(request):
    search = request.GET.get("q", "").strip()
    category = request.GET.get("category", "")
    page = paginate(
        request, product_list(org=request.org, search=search, category=category).order_by("sku")
    )
    context = {
        "page": page,
        "search": search,
        "category": category,
        "categories": product_categories(org=request.org),
    }
    return render_page(request, "catalog/products.html", "table", context)


@member_required
def product_detail(request, product_id: int):
    product, writable = _get_product_for_user(request, product_id)
    context = {
        "product": product,
        "can_write": writable,
        "listings": listing_list_for_product(org=request.org, product_id=product.id),
    }
    return render(request, "catalog/product_detail.html", context)


@member_required
def listings(request):
    store_id = int_param(request, "store")
    status = request.GET.get("status", "")
    if status not in Listing.Status.values:
        status = ""
    search = request.GET.get("q", "").strip()
    qs = listing_list(org=request.org, store_id=store_id, status=status, search=search)
    context = {
        "page": paginate(request, qs.order_by("store__name", "product__sku")),
        "stores": store_list(org=request.org),
        "statuses": Listing.Status.choices,
        "store_id": store_id,
        "status": status,
        "search": search,
    }
    return render_page(request, "catalog/listings.html", "table", context)


@member_required
def listing_detail(request, listing_id: int):
    listing, writable = _get_listing_for_user(request, listing_id)
    context = {
        "listing": listing,
        "can_write": writable,
        "checks": _content_checks(listing),
        "problems": _content_problems(listing),
        "bullets": [
            {"text": b, "length": len(b), "over": _over(len(b), listing, "bullet_max")}
            for b in (listing.bullets or [])
        ],
    }
    return render(request, "catalog/listing_detail.html", context)


def _content_problems(listing: Listing) -> list:
    """What the review screen would flag in the current copy (limits, refused claims)."""
    marketplace = listing.store.marketplace
    payload = {
        "title": listing.title,
        "bullets": listing.bullets or [],
        "description": listing.description,
        "search_terms": listing.search_terms,
    }
    return check_listing_content(marketplace.limits or {}, payload, channel=marketplace.channel)


def _over(value: int, listing: Listing, key: str) -> bool:
    limit = listing.store.marketplace.limits.get(key)
    return limit is not None and value > limit


def _content_checks(listing: Listing) -> list[dict]:
    """Each piece of copy measured the way its marketplace counts it, next to the limit."""
    limits = listing.store.marketplace.limits or {}
    rows = [
        (_("Title"), len(listing.title), "title_max", _("characters")),
        (_("Bullet points"), len(listing.bullets or []), "bullets_max", _("bullets")),
        (_("Description"), len(listing.description), "description_max", _("characters")),
        # Amazon counts backend search terms in UTF-8 bytes, not characters.
        (
            _("Search terms"),
            len(listing.search_terms.encode("utf-8")),
            "search_terms_max_bytes",
            _("bytes (UTF-8)"),
        ),
    ]
    return [
        {
            "label": label,
            "value": value,
            "limit": limits.get(key),
            "unit": unit,
            "over": limits.get(key) is not None and value > limits[key],
        }
        for label, value, key, unit in rows
    ]


GENERATE_MAX = 5000  # one click queues at most this many listings


@require_POST
@member_required
def generate_content(request):
    """Queue AI drafts of listing copy: for one listing, or every listing matching the list's
    filter. Drafts land in the review queue; nothing on the listing changes until approved."""
    from apps.ai.services import generation_start

    if not can_write(request):
        raise PermissionDenied
    if request.POST.get("scope") == "filter":
        status = request.POST.get("status", "")
        qs = listing_list(
            org=request.org,
            store_id=int_param(request, "store", source=request.POST),
            status=status if status in Listing.Status.values else "",
            search=request.POST.get("q", "").strip(),
        )
        ids = list(qs.order_by("id").values_list("id", flat=True)[:GENERATE_MAX])
    else:
        ids = [int(i) for i in request.POST.getlist("listing") if i.isdigit()]
    try:
        job = generation_start(org=request.org, actor=request.user, listing_ids=ids)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(request.POST.get("next") or "catalog:listings")
    messages.success(
        request,
        _("Writing drafts for %(n)d listings; they join the review queue as they are ready.")
        % {"n": job.total},
    )
    return redirect("review:job", job_id=job.pk)
