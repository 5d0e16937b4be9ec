"""Photo uploads (bounded, with a clear refusal for each kind of bad file), the facts read off
the photos, and how an accepted fact enters the product.

The facts never enter the product directly: the `photo_facts` generation kind
(apps/catalog/photos/generation.py) proposes them as a `product_facts` draft, the reviewer
ticks the facts that are true (fact by fact, each with its photo and evidence), and approving
the draft writes only the ticked ones (`facts_apply`). Grounding of generated copy then reads
them like any other product fact (`content.facts.fact_sheet`).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from apps.catalog.images.services import UPLOAD_FORMATS, image_save
from apps.catalog.photos.models import ProductPhoto
from apps.core.errors import ValidationFailed

if TYPE_CHECKING:
    from apps.accounts.models import Organization

PHOTO_MAX_BYTES = 20 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000  # 40 megapixels: a phone's full-size photo fits
PHOTO_MIN_SIDE = 200
MAX_PHOTOS_PER_PRODUCT = 30


def photo_read(data: bytes) -> Image.Image:
    """A PNG, JPEG or WebP photo, fully decoded, or a ValidationFailed saying what is wrong:
    not an image, too large (bytes or pixels), too small, or truncated."""
    if not data:
        raise ValidationFailed(str(_("The file is empty.")), field="image", code="empty")
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationFailed(
            str(_("The photo is larger than 20 MB; export it smaller and upload it again.")),
            field="image",
            code="too_large",
        )
    try:
        image = Image.open(io.BytesIO(data))
        fmt = image.format
        w, h = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationFailed(
            str(_("This file is not an image; upload a PNG, JPEG or WebP photo.")),
            field="image",
            code="not_an_image",
        ) from exc
    if fmt not in UPLOAD_FORMATS:
        raise ValidationFailed(
            str(_("%(f)s images are not accepted; upload a PNG, JPEG or WebP photo."))
            % {"f": fmt or "?"},
            field="image",
            code="format",
        )
    if w * h > PHOTO_MAX_PIXELS:
        raise ValidationFailed(
            str(_("The photo has %(w)d × %(h)d px; at most 40 megapixels are accepted."))
            % {"w": w, "h": h},
            field="image",
            code="too_many_pixels",
        )
    if min(w, h) < PHOTO_MIN_SIDE:
        raise ValidationFailed(
            str(_("The photo is only %(w)d × %(h)d px; at least 200 px on each side are needed."))
            % {"w": w, "h": h},
            field="image",
            code="too_small",
        )
    try:
        image.load()
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationFailed(
            str(_("The photo is damaged or cut off (truncated); upload the whole file again.")),
            field="image",
            code="truncated",
        ) from exc
    return image


@transaction.atomic
def photo_upload(
    *, org: Organization, actor, product, data: bytes, role: str = ProductPhoto.Role.PRODUCT
) -> ProductPhoto:
    """Store a photo of the organization's product (its role: product, packaging, background)."""
    from apps.catalog.services import _ensure_own

    _ensure_own(product, org, "product")
    if role not in ProductPhoto.Role.values:
        raise ValidationFailed(str(_("Unknown photo role.")), field="role")
    if ProductPhoto.objects.for_org(org).filter(product=product).count() >= MAX_PHOTOS_PER_PRODUCT:
        raise ValidationFailed(
            str(_("A product has at most 30 photos; delete one first.")), field="image"
        )
    image = photo_read(data)
    path = image_save(org=org, image=image, fmt=image.format)
    return ProductPhoto.objects.create(
        organization=org,
        product=product,
        role=role,
        path=path,
        width=image.width,
        height=image.height,
        size_bytes=len(data),
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )


def photo_open(photo: ProductPhoto) -> Image.Image:
    from apps.catalog.images.services import image_open

    return image_open(org=photo.organization, path=photo.path)


# --- accepted facts into the product ---------------------------------------------------------

# A fact's key -> the attribute it is stored under (units in the key, as the fact sheet reads).
ATTRIBUTE_OF_UNIT = {
    ("capacity", "mAh"): "capacity_mah",
    ("capacity", "ml"): "capacity_ml",
    ("capacity", "Wh"): "capacity_wh",
    ("power", "W"): "power_w",
}
PLAIN_ATTRIBUTES = {
    "model": "model",
    "ports": "ports",
    "colour": "colour",
    "material": "material",
    "gtin": "gtin",
}


def product_changes(product, facts: list[dict[str, Any]]) -> dict[str, Any]:
    """The product fields the given (accepted) facts set."""
    from apps.catalog.photos.extract import dimensions_mm, gtin_valid

    data: dict[str, Any] = {}
    attributes = dict(product.attributes or {})
    for fact in facts:
        key, value = fact.get("key"), fact.get("value")
        if key == "brand":
            data["brand"] = str(value)[:100]
        elif key == "category":
            data["category"] = _catalogue_category(product, str(value))[:100]
        elif key == "dimensions":
            sides = dimensions_mm(fact)
            if sides:
                data.update(length_mm=sides[0], width_mm=sides[1], height_mm=sides[2])
        elif key == "certifications":
            values = value if isinstance(value, list) else [value]
            attributes["certifications"] = sorted(
                {*attributes.get("certifications", []), *map(str, values)}
            )
        elif key == "gtin" and not gtin_valid(str(value)):
            continue  # never stored with a wrong check digit
        elif (key, fact.get("unit")) in ATTRIBUTE_OF_UNIT:
            attributes[ATTRIBUTE_OF_UNIT[(key, fact["unit"])]] = _number(value)
        elif key in PLAIN_ATTRIBUTES:
            attributes[PLAIN_ATTRIBUTES[key]] = value
    if attributes != (product.attributes or {}):
        data["attributes"] = attributes
    return data


def _catalogue_category(product, value: str) -> str:
    """The organization's own name for the category when it has one ("Power banks" for a
    `power_bank` read off a box), else the value as read."""
    from apps.catalog.models import Product
    from apps.catalog.photos.extract import category_key

    wanted = category_key(value)
    names = (Product.objects.for_org(product.organization_id).exclude(category="")
             .values_list("category", flat=True).distinct()[:500])  # fmt: skip
    return next((n for n in names if category_key(n) == wanted), value)


def _number(value: Any) -> Any:
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return value
    return int(number) if number == number.to_integral_value() else float(number)


def facts_apply(product, payload: dict[str, Any]) -> None:
    """Write the ticked facts (payload["accepted"] lists their ids) into the product."""
    from apps.catalog.services import product_update

    accepted = set(payload.get("accepted") or [])
    facts = [f for f in payload.get("facts") or [] if f.get("id") in accepted]
    data = product_changes(product, facts)
    if data:
        product_update(org=product.organization, actor=None, product=product, data=data)
