"""The listing editor: copy with live counters, rule results, grounding marks, images and the
version history; a manager edits and saves the fields directly. Images are served here too,
only to members of the organization that owns them.
"""

from __future__ import annotations

import mimetypes
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.catalog.images import services as img
from apps.catalog.listings.revisions import REVISION_FIELDS, listing_checks, listing_edit
from apps.catalog.models import Listing, ListingRevision
from apps.catalog.selectors import listing_get
from apps.core.dashboard import can_write, member_required
from apps.core.errors import DomainError, NotFound
from apps.core.money import MAX_AMOUNT, quantize
from apps.review.diffing import word_diff
from apps.review.live_checks import live_check_messages
from apps.review.registry import get_kind

FIELD_LABELS = {
    "title": gettext_lazy("Title"),
    "bullets": gettext_lazy("Bullet points"),
    "description": gettext_lazy("Description"),
    "search_terms": gettext_lazy("Search terms"),
    "price": gettext_lazy("Price"),
    "currency": gettext_lazy("Currency"),
    "images": gettext_lazy("Images"),
}
HISTORY_LIMIT = 20


def _get_listing_for_user(request, listing_id: int) -> tuple[Listing, bool]:
    try:
        listing = listing_get(org=request.org, listing_id=listing_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return listing, can_write(request)


def _content(listing: Listing) -> dict:
    return {
        "title": listing.title,
        "bullets": list(listing.bullets or []),
        "description": listing.description,
        "search_terms": listing.search_terms,
    }


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


def _grounding(listing: Listing, content: dict) -> list[dict]:
    """Claims in the copy the product's facts do not support (apps/catalog/content/grounding.py).

    Shown as marks: a person's own direct edit is not blocked by grounding (generated drafts
    are, in the review screen), but the editor still points at unsupported claims.
    """
    try:
        from apps.catalog.content.facts import fact_sheet
        from apps.catalog.content.grounding import ground
    except ImportError:  # the grounding module is optional for this page
        return []
    checks = ground(content, fact_sheet(listing.product), language=listing.language)
    return [
        {
            "text": getattr(c, "claim", "") or str(c.message),
            "message": str(c.message),
            "field": c.field,
        }
        for c in checks
    ]


def _history(listing: Listing) -> list[dict]:
    revisions = (
        ListingRevision.objects.for_org(listing.organization_id)
        .filter(listing=listing)
        .select_related("actor")
        .order_by("-id")[:HISTORY_LIMIT]
    )
    rows = []
    for rev in revisions:
        fields = []
        for name in REVISION_FIELDS:
            if name not in rev.changes:
                continue
            old, new = rev.changes[name]
            old_text = "\n".join(map(str, old)) if isinstance(old, list) else str(old or "")
            new_text = "\n".join(map(str, new)) if isinstance(new, list) else str(new or "")
            fields.append({"label": FIELD_LABELS[name], "diff": word_diff(old_text, new_text)})
        rows.append({"revision": rev, "fields": fields})
    return rows


def _images(listing: Listing, org) -> dict:
    paths = list(listing.images or listing.product.images or [])
    report = None
    if paths:
        try:
            report = img.main_image_check(
                img.image_open(org=org, path=paths[0]),
                img.main_image_rules(listing.store.marketplace),
            )
        except NotFound:
            report = None
    return {"paths": paths, "report": report, "own": bool(listing.images)}


def _editor_context(request, listing: Listing, writable: bool, edited: dict | None = None):
    content = {**_content(listing), **(edited or {})}
    problems = listing_checks(listing, content)
    rules = get_kind("listing_content").client_rules(listing)
    rules["messages"] = live_check_messages(rules.get("messages"))
    price = edited.get("price") if edited and "price" in edited else listing.price
    if isinstance(price, Decimal) and price.is_finite() and abs(price) < MAX_AMOUNT:
        price = quantize(price, listing.currency)
    return {
        "listing": listing,
        "can_write": writable,
        "checks": _content_checks(listing),
        "problems": problems,
        "has_errors": any(c.severity == "error" for c in problems),
        "grounding": _grounding(listing, content),
        "edit": content,
        "edit_price": ""
        if price is None
        else f"{price:f}"
        if isinstance(price, Decimal)
        else price,
        "bullet_slots": max(5, len(content["bullets"]) + 1),
        "client_rules": rules,
        "history": _history(listing),
        "images": _images(listing, request.org),
    }


@member_required
def listing_detail(request, listing_id: int):
    listing, writable = _get_listing_for_user(request, listing_id)
    return render(
        request, "catalog/listing_detail.html", _editor_context(request, listing, writable)
    )


def _edited_from(request) -> dict:
    data: dict = {
        "title": " ".join(request.POST.get("title", "").split()),
        "bullets": [b.strip() for b in request.POST.getlist("bullets") if b.strip()],
        "description": request.POST.get("description", "").strip(),
        "search_terms": " ".join(request.POST.get("search_terms", "").split()),
    }
    raw = request.POST.get("price", "").strip().replace(",", ".")
    if raw:
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
        # NaN and Infinity are no amounts (comparing NaN would raise): shown back as an error
        data["price"] = value if value is not None and value.is_finite() else raw
    return data


@require_POST
@member_required
def listing_save(request, listing_id: int):
    """A manager's direct edit; rule errors block saving and keep what was typed."""
    listing, writable = _get_listing_for_user(request, listing_id)
    if not writable:
        raise PermissionDenied
    data = _edited_from(request)
    error = ""
    price = data.get("price")
    if price is not None and (not isinstance(price, Decimal) or price <= 0):
        error = _("The price must be a positive amount.")
    if not error:
        try:
            listing_edit(
                org=request.org,
                actor=request.user,
                listing=listing,
                data=data,
                expected_version=int(request.POST.get("version") or 0) or None,
            )
        except DomainError as exc:
            error = exc.message
    if error:
        messages.error(request, error)
        context = _editor_context(request, listing, writable, edited=data)
        context["edit_open"] = True
        return render(request, "catalog/listing_detail.html", context, status=400)
    messages.success(request, _("Saved. The change is in the version history."))
    return redirect("catalog:listing_detail", listing_id=listing.pk)


# --- images ----------------------------------------------------------------------------------


@member_required
def image(request, path: str):
    """An image file, only for members of the organization whose folder holds it."""
    if not img.image_belongs_to(org=request.org, path=path) or not default_storage.exists(path):
        raise Http404
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    response = FileResponse(default_storage.open(path, "rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@member_required
def image_upload(request, listing_id: int):
    listing, writable = _get_listing_for_user(request, listing_id)
    if not writable:
        raise PermissionDenied
    upload = request.FILES.get("image")
    if upload is None:
        messages.error(request, _("Choose a PNG, JPEG or WebP file to upload."))
        return redirect("catalog:listing_detail", listing_id=listing.pk)
    try:
        img.image_upload_size_check(upload.size)
        img.product_image_upload(
            org=request.org,
            actor=request.user,
            product=listing.product,
            data=upload.read(img.UPLOAD_MAX_BYTES + 1),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The image was added to the product."))
    return redirect("catalog:listing_detail", listing_id=listing.pk)


@require_POST
@member_required
def image_draft(request, listing_id: int):
    """Auto-fix the main image, or render a selling-point image: either way, a draft."""
    listing, writable = _get_listing_for_user(request, listing_id)
    if not writable:
        raise PermissionDenied
    make = (
        img.listing_selling_image_draft
        if request.POST.get("what") == "selling_points"
        else img.listing_image_fix_draft
    )
    try:
        draft = make(org=request.org, actor=request.user, listing=listing)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("catalog:listing_detail", listing_id=listing.pk)
    messages.success(request, _("The new image is waiting for review."))
    return redirect("review:detail", draft_id=draft.pk)
