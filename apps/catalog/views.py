"""Catalog dashboard pages: products and listings, lists and details."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.catalog.content.quality.listing import good_threshold
from apps.catalog.models import Listing, Product
from apps.catalog.selectors import (
    listing_get,
    listing_list,
    listing_list_for_product,
    product_categories,
    product_get,
    product_list,
    store_list,
)
from apps.core.dashboard import can_write, int_param, member_required, paginate, render_page
from apps.core.errors import DomainError, NotFound


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
        "stores": store_list(org=request.org).select_related("marketplace"),
        "can_write": can_write(request),
    }
    return render_page(request, "catalog/products.html", "table", context)


@member_required
def product_detail(request, product_id: int):
    product, writable = _get_product_for_user(request, product_id)
    context = {
        "product": product,
        "can_write": writable,
        "listings": listing_list_for_product(org=request.org, product_id=product.id),
        **_review_context(request, product),
    }
    return render(request, "catalog/product_detail.html", context)


def _review_context(request, product: Product) -> dict:
    from apps.catalog.buyer_reviews.mining import review_insight_get
    from apps.catalog.buyer_reviews.models import ProductReview

    reviews = ProductReview.objects.for_org(request.org).filter(product=product)
    return {
        "insight": review_insight_get(org=request.org, product_id=product.pk),
        "recent_reviews": reviews[:5],
    }


@member_required
def listings(request):
    store_id = int_param(request, "store")
    status = request.GET.get("status", "")
    if status not in Listing.Status.values:
        status = ""
    search = request.GET.get("q", "").strip()
    qs = listing_list(org=request.org, store_id=store_id, status=status, search=search)
    stores = store_list(org=request.org)
    context = {
        "page": paginate(request, qs.order_by("store__name", "product__sku")),
        # The newest listing shown: the bulk action acts on the rows the page showed, not on
        # listings created after it was rendered.
        "upto": qs.aggregate(upto=Max("id"))["upto"] or 0,
        "stores": stores,
        "export_stores": (export_stores := _export_stores(stores)),
        "amazon_operations": _amazon_operations()
        if any(e["format"] == "amazon_json" for e in export_stores)
        else [],
        "statuses": Listing.Status.choices,
        "store_id": store_id,
        "status": status,
        "search": search,
        "quality_threshold": good_threshold(),
    }
    return render_page(request, "catalog/listings.html", "table", context)


def _export_stores(stores) -> list[dict]:
    """Each store with the one marketplace file its channel takes (a Shopify CSV only for a
    Shopify store, …); stores of channels with no file format are not offered."""
    from apps.catalog.exports.marketplace import FORMATS, format_for_channel

    offered = []
    for store in stores:
        fmt = format_for_channel(store.marketplace.channel)
        if fmt is not None:
            offered.append({"store": store, "format": fmt, "label": FORMATS[fmt]["label"]})
    return offered


def _amazon_operations() -> list[tuple[str, str]]:
    from apps.catalog.exports.marketplace import AMAZON_OPERATIONS

    return list(AMAZON_OPERATIONS.items())


GENERATE_MAX = 5000  # one click queues at most this many listings


def _filtered_listing_ids(request) -> list[int]:
    """The listings the list showed when the button was pressed: the filter values posted with
    the action (rendered with the table, so they are the ones on screen after an htmx filter),
    capped at the newest listing the page showed (`upto`)."""
    status = request.POST.get("status", "")
    qs = listing_list(
        org=request.org,
        store_id=int_param(request, "store", source=request.POST),
        status=status if status in Listing.Status.values else "",
        search=request.POST.get("q", "").strip(),
    )
    upto = int_param(request, "upto", source=request.POST)
    if upto is not None:
        qs = qs.filter(id__lte=min(upto, 2**63 - 1))
    return list(qs.order_by("id").values_list("id", flat=True)[:GENERATE_MAX])


@require_POST
@member_required
def generate_content(request):
    """Queue AI drafts of listing copy: for one listing, or every listing matching the list's
    filter. Drafts land in the review queue; nothing on the listing changes until approved."""
    from apps.catalog.content.studio import listings_content_generate
    from apps.catalog.content.views import skipped_message

    if not can_write(request):
        raise PermissionDenied
    if request.POST.get("scope") == "filter":
        ids = _filtered_listing_ids(request)
    else:
        ids = [int(i) for i in request.POST.getlist("listing") if i.isdigit()]
    # One listing asked for by name is the user asking; a bulk action leaves good copy alone
    # unless the user ticks "include listings whose copy is already good".
    include_good = request.POST.get("include_good") == "on" or len(ids) == 1
    try:
        generation = listings_content_generate(
            org=request.org, actor=request.user, listing_ids=ids, include_good=include_good
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(request.POST.get("next") or "catalog:listings")
    skipped_message(request, len(generation.skipped_ids), generation.threshold)
    if generation.job is None:
        return redirect(request.POST.get("next") or "catalog:listings")
    messages.success(
        request,
        _("Writing drafts for %(n)d listings; they join the review queue as they are ready.")
        % {"n": generation.job.total},
    )
    return redirect("review:job", job_id=generation.job.pk)
