"""The product's photos page: upload photos, read facts from them (a draft reviewed fact by
fact), and make a white-background main image or a scene image of a listing from a photo."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.catalog.photos import services
from apps.catalog.photos.models import ProductPhoto
from apps.catalog.selectors import listing_list_for_product
from apps.catalog.views import _get_product_for_user
from apps.core.dashboard import member_required
from apps.core.errors import DomainError


def _photo(request, product, photo_id) -> ProductPhoto | None:
    try:
        pk = int(photo_id)
    except (TypeError, ValueError):
        return None
    return ProductPhoto.objects.for_org(request.org).filter(product=product, pk=pk).first()


@member_required
def photos(request, product_id: int):
    product, writable = _get_product_for_user(request, product_id)
    if request.method == "POST":
        if not writable:
            raise PermissionDenied
        upload = request.FILES.get("image")
        if upload is None:
            messages.error(request, _("Choose a PNG, JPEG or WebP photo to upload."))
        else:
            try:
                services.photo_upload(
                    org=request.org,
                    actor=request.user,
                    product=product,
                    data=upload.read(),
                    role=request.POST.get("role", "product"),
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The photo was added."))
        return redirect("catalog:photos", product_id=product.pk)
    from apps.review.models import Draft

    rows = ProductPhoto.objects.for_org(request.org).filter(product=product)
    drafts = (
        Draft.objects.for_org(request.org)
        .filter(kind="product_facts", target_id=product.pk)
        .order_by("-pk")[:5]
    )
    from apps.ai.images import image_endpoint
    from apps.catalog.images.generated import SETTING_LABELS

    context = {
        "image_endpoint": image_endpoint() is not None,
        "scene_settings": list(SETTING_LABELS.items()),
        "product": product,
        "can_write": writable,
        "photos": [p for p in rows if p.role != ProductPhoto.Role.BACKGROUND],
        "backgrounds": [p for p in rows if p.role == ProductPhoto.Role.BACKGROUND],
        "roles": ProductPhoto.Role.choices,
        "listings": listing_list_for_product(org=request.org, product_id=product.pk),
        "fact_drafts": drafts,
    }
    return render(request, "catalog/photos.html", context)


@require_POST
@member_required
def photos_extract(request, product_id: int):
    """Read facts from the product's photos: a generation job whose draft is reviewed."""
    from apps.ai.services import generation_start

    product, writable = _get_product_for_user(request, product_id)
    if not writable:
        raise PermissionDenied
    try:
        generation_start(
            org=request.org, actor=request.user, kind="photo_facts", target_ids=[product.pk]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Reading the photos; the facts will wait in the review queue."))
    return redirect("catalog:photos", product_id=product.pk)


@require_POST
@member_required
def photo_image_draft(request, product_id: int):
    """A white-background main image or a scene image of one listing, from one photo."""
    from apps.catalog.images import cutout
    from apps.catalog.models import Listing

    product, writable = _get_product_for_user(request, product_id)
    if not writable:
        raise PermissionDenied
    photo = _photo(request, product, request.POST.get("photo"))
    try:
        listing_id = int(request.POST.get("listing", ""))
    except ValueError:
        listing_id = 0
    listing = (
        Listing.objects.for_org(request.org)
        .select_related("store__marketplace", "product")
        .filter(product=product, pk=listing_id)
        .first()
    )
    if photo is None or listing is None:
        raise Http404(_("No such photo or listing."))
    background = _photo(request, product, request.POST.get("background"))
    if request.POST.get("what") == "generated":
        return _generated_scene(request, product, listing, photo)
    try:
        if request.POST.get("what") == "scene":
            draft = cutout.listing_scene_draft(
                org=request.org,
                actor=request.user,
                listing=listing,
                photo=photo,
                background=background,
            )
        else:
            draft = cutout.listing_cutout_main_draft(
                org=request.org, actor=request.user, listing=listing, photo=photo
            )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("catalog:photos", product_id=product.pk)
    messages.success(request, _("The new image is waiting for review."))
    return redirect("review:detail", draft_id=draft.pk)


def _generated_scene(request, product, listing, photo):
    """Queue a scene on a generated background (a Celery task on queue "ai"): the endpoint
    can take a minute, so the draft (or a failed draft with the reason) follows in the queue."""
    from django.db import transaction

    from apps.ai.images import image_endpoint
    from apps.catalog.images.generated import SETTINGS
    from apps.catalog.tasks import listing_generated_scene_task

    setting = (request.POST.get("setting") or "")[:32]
    if image_endpoint() is None:
        messages.error(
            request,
            _(
                "Generated scenes need an image-generation endpoint "
                "(CROSSBORDER_IMAGE_BASE_URL); use an uploaded background or the studio backdrop."
            ),
        )
    elif setting not in SETTINGS:
        messages.error(request, _("Choose one of the offered scene settings."))
    elif not (listing.images or listing.product.images):
        messages.error(
            request, _("The listing has no main image yet: make the white main image first.")
        )
    else:
        args = (request.org.pk, listing.pk, photo.pk, setting, request.user.pk)
        transaction.on_commit(lambda: listing_generated_scene_task.delay(*args))
        messages.success(
            request,
            _(
                "Generating the scene; the image (or the reason it failed) will wait in the "
                "review queue."
            ),
        )
    return redirect("catalog:photos", product_id=product.pk)
