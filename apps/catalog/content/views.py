"""Dashboard actions of the listing studio: generate listings for products × stores, translate
a listing, upload a product's customer reviews."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.catalog.buyer_reviews.imports import product_reviews_import
from apps.catalog.content import studio
from apps.catalog.views import _get_listing_for_user, _get_product_for_user
from apps.core.dashboard import can_write, member_required
from apps.core.errors import DomainError


def _ids(request, name: str) -> list[int]:
    return [int(v) for v in request.POST.getlist(name) if v.isdigit()]


def _checked(request, name: str) -> bool:
    return request.POST.get(name) in ("on", "1", "true")


@require_POST
@member_required
def generate_listings(request):
    if not can_write(request):
        raise PermissionDenied
    try:
        job = studio.listings_generate(org=request.org, actor=request.user,
                                       product_ids=_ids(request, "product"),
                                       store_ids=_ids(request, "store"),
                                       include_good=_checked(request, "include_good"))  # fmt: skip
    except DomainError as exc:
        if exc.code == "all_good":
            text = _(
                "Every chosen listing already has good copy; tick “include listings whose "
                "copy is already good” to rewrite it anyway."
            )
            messages.info(request, text)
        else:
            messages.error(request, exc.message)
        return redirect("catalog:products")
    messages.success(
        request,
        _("Writing drafts for %(n)d listings; they join the review queue as they are ready.")
        % {"n": job.total},
    )
    skipped_message(request, job.result.get("skipped_good", 0), job.result.get("quality_threshold"))
    return redirect("review:job", job_id=job.pk)


def skipped_message(request, skipped: int, threshold) -> None:
    if skipped:
        messages.info(request, _("%(n)d listings skipped: their copy already scores %(t)s or more "
                                 "(tick “include listings whose copy is already good” to rewrite "
                                 "them).") % {"n": skipped, "t": threshold})  # fmt: skip


@require_POST
@member_required
def translate_listing(request, listing_id: int):
    listing, writable = _get_listing_for_user(request, listing_id)
    if not writable:
        raise PermissionDenied
    try:
        job = studio.listing_translate(org=request.org, actor=request.user, listing=listing,
                                       store_ids=_ids(request, "store"))  # fmt: skip
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("catalog:listing_detail", listing_id=listing.pk)
    messages.success(
        request,
        _("Translating into %(n)d stores; the drafts join the review queue.") % {"n": job.total},
    )
    return redirect("review:job", job_id=job.pk)


@require_POST
@member_required
def upload_reviews(request, product_id: int):
    product, writable = _get_product_for_user(request, product_id)
    if not writable:
        raise PermissionDenied
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file of reviews (CSV, TSV or XLSX)."))
        return redirect("catalog:product_detail", product_id=product.pk)
    try:
        result = product_reviews_import(org=request.org, actor=request.user, data=upload,
                                        filename=upload.name, product=product)  # fmt: skip
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("catalog:product_detail", product_id=product.pk)
    if result.duplicate_of:
        messages.info(request, result.message)
        return redirect("catalog:product_detail", product_id=product.pk)
    messages.success(
        request,
        _("%(created)d reviews imported, %(dup)d already there, %(errors)d lines skipped.")
        % {"created": result.created, "dup": result.duplicates, "errors": len(result.errors)},
    )
    for error in result.errors[:20]:
        messages.warning(
            request, _("Line %(line)d: %(reason)s") % {"line": error.line, "reason": error.reason}
        )
    return redirect("catalog:product_detail", product_id=product.pk)
