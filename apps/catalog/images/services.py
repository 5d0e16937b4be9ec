"""Product images with Pillow: the main-image check, the auto-fix and selling-point images.

Images live in Django's default storage under `catalog/<org_id>/images/`; they are served only
through a tenant-checked view (`catalog:image`), never a public media URL. Neither the auto-fix
nor the selling-point image changes a listing: both become `listing_image` drafts in the review
queue, and only an approval sets the listing's images.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from apps.core.errors import ValidationFailed
from apps.review.registry import Check

if TYPE_CHECKING:
    from apps.accounts.models import Organization

# Marketplace rules for the main image. Amazon's are the strictest and the default; a
# marketplace can override any key in Marketplace.limits["main_image"].
MAIN_IMAGE_RULES: dict[str, Any] = {
    "min_side": 1000,
    "max_side": 10000,
    "min_fill": 0.85,
    "white_border_share": 0.98,  # share of border pixels that must be pure white
    "formats": ["JPEG", "PNG", "TIFF", "GIF", "WEBP"],
    "modes": ["RGB", "RGBA", "L", "CMYK", "P"],
}
UPLOAD_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
UPLOAD_MAX_BYTES = 25 * 1024 * 1024
FIXED_SIDE = 2000
SELLING_SIDE = 1600
WHITE_MIN = 250  # a channel this bright counts as white (JPEG noise around 255)
Image.MAX_IMAGE_PIXELS = 120_000_000  # a 10,000 px square plus margin; larger is refused


@dataclass
class ImageReport:
    checks: list[Check] = field(default_factory=list)
    measured: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not any(c.severity == "error" for c in self.checks)


def main_image_rules(marketplace) -> dict[str, Any]:
    limits = getattr(marketplace, "limits", None) or {}
    return {**MAIN_IMAGE_RULES, **(limits.get("main_image") or {})}


# --- measuring -------------------------------------------------------------------------------


def _rgb(image: Image.Image) -> np.ndarray:
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return np.asarray(image.convert("RGB"))


def _border(arr: np.ndarray) -> np.ndarray:
    """The outer band of the frame (1% of the shorter side, at least 2 px), as pixels."""
    h, w = arr.shape[:2]
    band = max(2, min(h, w) // 100)
    parts = [arr[:band], arr[-band:], arr[band:-band, :band], arr[band:-band, -band:]]
    return np.concatenate([p.reshape(-1, 3) for p in parts])


def _product_box(arr: np.ndarray, background: np.ndarray, tolerance: int = 12):
    """Bounding box (left, top, right, bottom) of pixels that differ from the background."""
    mask = (np.abs(arr.astype(np.int16) - background.astype(np.int16)) > tolerance).any(axis=2)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if not len(rows):
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def main_image_check(image: Image.Image, rules: dict[str, Any] | None = None) -> ImageReport:
    """Check a main image against the marketplace's rules; every failure says why."""
    rules = {**MAIN_IMAGE_RULES, **(rules or {})}
    report = ImageReport()
    w, h = image.size
    fmt = (image.format or "PNG").upper()
    report.measured.update(width=w, height=h, format=fmt, mode=image.mode)
    if fmt not in rules["formats"]:
        allowed = ", ".join(rules["formats"])
        msg = _("The format %(f)s is not allowed; use %(a)s.") % {"f": fmt, "a": allowed}
        report.checks.append(Check("image.format", "error", msg))
    if image.mode not in rules["modes"]:
        msg = _("The colour mode %(m)s is not allowed; use RGB.") % {"m": image.mode}
        report.checks.append(Check("image.mode", "error", msg))
    longest = max(w, h)
    if longest < rules["min_side"]:
        msg = _("The longest side is %(n)d px; at least %(min)d px are needed for zoom.")
        report.checks.append(
            Check("image.min_side", "error", msg % {"n": longest, "min": rules["min_side"]})
        )
    if longest > rules["max_side"]:
        msg = _("The longest side is %(n)d px; the limit is %(max)d px.")
        report.checks.append(
            Check("image.max_side", "error", msg % {"n": longest, "max": rules["max_side"]})
        )
    arr = _rgb(image)
    border = _border(arr)
    white_share = float((border >= WHITE_MIN).all(axis=1).mean())
    report.measured["white_border"] = round(white_share, 4)
    if white_share < rules["white_border_share"]:
        msg = _("The background is not pure white: %(p)d%% of the border is white (RGB 255).")
        report.checks.append(
            Check("image.background", "error", msg % {"p": int(white_share * 100)})
        )
    # Measured against the frame's own background, so a grey backdrop does not count as product.
    box = _product_box(arr, _background_colour(arr))
    fill = 0.0 if box is None else max((box[2] - box[0]) / w, (box[3] - box[1]) / h)
    report.measured["fill"] = round(fill, 4)
    if fill < rules["min_fill"]:
        msg = _("The product fills %(p)d%% of the frame; at least %(min)d%% is needed.")
        report.checks.append(
            Check(
                "image.fill",
                "error",
                msg % {"p": int(fill * 100), "min": round(rules["min_fill"] * 100)},
            )
        )
    return report


# --- fixing ----------------------------------------------------------------------------------


def _background_colour(arr: np.ndarray) -> np.ndarray:
    return np.median(_border(arr), axis=0).astype(np.uint8)


def _background_mask(arr: np.ndarray, background: np.ndarray, tolerance: int = 24) -> np.ndarray:
    """Background pixels connected to the frame's edge (a grey inside the product stays)."""
    near = (np.abs(arr.astype(np.int16) - background.astype(np.int16)) <= tolerance).all(axis=2)
    h, w = near.shape
    scale = max(1, max(h, w) // 400)  # flood fill a small copy, then scale the mask back up
    small = Image.fromarray((near[::scale, ::scale] * 255).astype(np.uint8), "L").copy()
    sw, sh = small.size
    for x, y in [(0, 0), (sw - 1, 0), (0, sh - 1), (sw - 1, sh - 1), (sw // 2, 0), (0, sh // 2)]:
        if small.getpixel((x, y)) == 255:
            ImageDraw.floodfill(small, (x, y), 128, thresh=0)
    connected = np.asarray(small) == 128
    big = np.repeat(np.repeat(connected, scale, axis=0), scale, axis=1)[:h, :w]
    return near & big


def image_autofix(image: Image.Image, *, side: int = FIXED_SIDE, fill: float = 0.9) -> Image.Image:
    """Trim to the product, put it on pure white, centre it in a square, resize to `side`."""
    image = ImageOps.exif_transpose(image)
    arr = _rgb(image).copy()
    background = _background_colour(arr)
    arr[_background_mask(arr, background)] = 255
    box = _product_box(arr, np.array([255, 255, 255]))
    if box is None:
        raise ValidationFailed(str(_("The image is empty: no product to centre.")))
    product = Image.fromarray(arr).crop(box)
    pw, ph = product.size
    canvas_side = max(round(max(pw, ph) / fill), 1)
    canvas = Image.new("RGB", (canvas_side, canvas_side), (255, 255, 255))
    canvas.paste(product, ((canvas_side - pw) // 2, (canvas_side - ph) // 2))
    return canvas.resize((side, side), Image.Resampling.LANCZOS)


# --- selling-point images --------------------------------------------------------------------


def _font(size: int, language: str) -> ImageFont.FreeTypeFont:
    from noto_cjk_sans_otc import FONT_PATH

    # The collection's faces: 0 Japanese, 1 Korean, 2 Simplified Chinese (Latin in all).
    lang = language.lower()
    index = 0 if lang.startswith("ja") else 1 if lang.startswith("ko") else 2
    return ImageFont.truetype(str(FONT_PATH), size, index=index)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    """Lines that fit `width`: by words for Latin scripts, by characters for CJK."""
    tokens = text.split(" ") if " " in text else list(text)
    sep = " " if " " in text else ""
    lines, line = [], ""
    for token in tokens:
        candidate = f"{line}{sep}{token}" if line else token
        if draw.textlength(candidate, font=font) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = token
    return [*lines, line] if line else lines


def selling_point_image(
    product: Image.Image, callouts: list[str], *, language: str, side: int = SELLING_SIDE
) -> Image.Image:
    """The product on the left, 3–5 numbered callouts on the right, in the target language."""
    if not 3 <= len(callouts) <= 5:
        raise ValidationFailed(str(_("A selling-point image needs 3 to 5 callouts.")))
    side = max(side, SELLING_SIDE)
    canvas = Image.new("RGB", (side, side), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    margin = side // 20
    product_box = side * 11 // 20
    fitted = ImageOps.contain(image_autofix(product, side=product_box), (product_box, product_box))
    py = (side - fitted.height) // 2
    canvas.paste(fitted, (margin // 2, py))
    x0 = margin // 2 + product_box + margin // 2
    text_width = side - x0 - margin
    font = _font(side // 32, language)
    badge_font = _font(side // 30, language)
    slot = min((side - 2 * margin) // len(callouts), side // 4)
    first_top = (side - slot * len(callouts)) // 2  # the callouts centred beside the product
    accent = (232, 93, 4)
    for i, text in enumerate(callouts):
        top = first_top + i * slot
        r = side // 36
        cx, cy = x0 + r, top + r + 4
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=accent)
        draw.text((cx, cy), str(i + 1), font=badge_font, fill="white", anchor="mm")
        anchor_y = py + fitted.height * (i + 1) // (len(callouts) + 1)
        draw.line((x0 - margin // 3, anchor_y, cx - r, cy), fill=accent, width=max(2, side // 400))
        lines = _wrap(draw, text, font, text_width - 3 * r)[:4]
        for j, line in enumerate(lines):
            draw.text((cx + 2 * r, top + j * int(font.size * 1.35)), line, font=font, fill="black")
    return canvas


# --- storage ---------------------------------------------------------------------------------


def image_dir(org_id: int) -> str:
    return f"catalog/{org_id}/images/"


def image_save(*, org: Organization, image: Image.Image, fmt: str = "PNG") -> str:
    """Store an image under the organization's folder; return its storage path."""
    buf = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(buf, "JPEG", quality=92, optimize=True)
    else:
        image.save(buf, fmt, optimize=True)
    ext = UPLOAD_FORMATS.get(fmt, fmt.lower())
    return default_storage.save(
        f"{image_dir(org.id)}{uuid.uuid4().hex}.{ext}", ContentFile(buf.getvalue())
    )


def image_belongs_to(*, org: Organization, path: str) -> bool:
    return bool(path) and path.startswith(image_dir(org.id)) and ".." not in path


def image_open(*, org: Organization, path: str) -> Image.Image:
    """An image of this organization (NotFound otherwise), fully loaded."""
    from apps.core.errors import NotFound

    if not image_belongs_to(org=org, path=path) or not default_storage.exists(path):
        raise NotFound("No such image.")
    with default_storage.open(path, "rb") as fh:
        image = Image.open(fh)
        image.load()
    return image


def image_upload_size_check(size: int) -> None:
    """Refuse an upload larger than UPLOAD_MAX_BYTES (before reading it, when the size is known)."""
    if size > UPLOAD_MAX_BYTES:
        raise ValidationFailed(str(_("The image is larger than 25 MB.")), field="image")


def image_read_upload(data: bytes) -> Image.Image:
    """A PNG, JPEG or WebP upload, or a clear refusal."""
    image_upload_size_check(len(data))
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationFailed(
            str(_("This file is not an image we can read; upload a PNG, JPEG or WebP file.")),
            field="image",
        ) from exc
    if image.format not in UPLOAD_FORMATS:
        raise ValidationFailed(
            str(_("%(f)s images are not accepted; upload a PNG, JPEG or WebP file."))
            % {"f": image.format or "?"},
            field="image",
        )
    return image


# --- services --------------------------------------------------------------------------------


def listing_main_image(listing) -> str:
    images = listing.images or listing.product.images or []
    return images[0] if images else ""


@transaction.atomic
def product_image_upload(*, org: Organization, actor, product, data: bytes) -> str:
    """Store an uploaded product image and add it to the product's images."""
    from apps.catalog.services import product_update

    image = image_read_upload(data)
    path = image_save(org=org, image=image, fmt=image.format)
    product_update(org=org, actor=actor, product=product, data={"images": [*product.images, path]})
    return path


def _image_draft(
    *,
    org: Organization,
    actor,
    listing,
    images: list[str],
    role: str,
    rationale: str,
    evidence,
    provenance=None,
):
    from apps.review.services import draft_create

    return draft_create(
        org=org,
        kind="listing_image",
        target=listing,
        proposed={"images": images, "role": role},
        rationale=rationale,
        evidence=evidence,
        actor=actor,
        provenance=provenance,
    )


def listing_image_fix_draft(*, org: Organization, actor, listing):
    """Auto-fix the listing's main image into a new one, proposed as a draft."""
    from apps.core.errors import NotFound

    path = listing_main_image(listing)
    if not path:
        raise NotFound(str(_("This listing has no image to fix; upload one on the product.")))
    original = image_open(org=org, path=path)
    before = main_image_check(original, main_image_rules(listing.store.marketplace))
    fixed_path = image_save(org=org, image=image_autofix(original), fmt="JPEG")
    current = list(listing.images or listing.product.images or [])
    return _image_draft(
        org=org,
        actor=actor,
        listing=listing,
        images=[fixed_path, *current[1:]],
        role="main",
        rationale=str(
            _("Trimmed, centred on pure white, padded to a square, resized to 2,000 px.")
        ),
        evidence=[{"check": c.rule, "message": str(c.message)} for c in before.checks],
    )


def selling_point_callouts(product, language: str) -> list[str]:
    """3–5 short facts in the target language, from the product's fact sheet."""
    from apps.catalog.content.offline import language_of, specs

    lang = language_of(language)
    try:  # the fact sheet (grounded, with units) when the listing studio provides it
        from apps.catalog.content.facts import fact_sheet

        facts = fact_sheet(product)
        attributes = facts.get("attributes", facts) if isinstance(facts, dict) else {}
    except ImportError:
        attributes = product.attributes or {}
    pairs = specs(attributes or product.attributes or {}, lang)
    sep = "：" if lang in ("zh", "ja") else ": "
    return [f"{label}{sep}{value}" for label, value in pairs][:5]


def listing_selling_image_draft(*, org: Organization, actor, listing):
    """A selling-point image (product + callouts in the listing's language), as a draft."""
    from apps.core.errors import NotFound

    path = listing_main_image(listing)
    if not path:
        raise NotFound(
            str(_("This listing has no image to start from; upload one on the product."))
        )
    callouts = selling_point_callouts(listing.product, listing.language)
    if len(callouts) < 3:
        raise ValidationFailed(
            str(_("The product has fewer than 3 facts to show; add attributes first."))
        )
    rendered = selling_point_image(
        image_open(org=org, path=path), callouts, language=listing.language
    )
    new_path = image_save(org=org, image=rendered, fmt="PNG")
    current = list(listing.images or listing.product.images or [])
    return _image_draft(
        org=org,
        actor=actor,
        listing=listing,
        images=[*current[:1], new_path, *current[1:]],
        role="selling_points",
        rationale=str(_("Selling-point image with callouts from the product's facts.")),
        evidence=[{"callout": c} for c in callouts],
    )
