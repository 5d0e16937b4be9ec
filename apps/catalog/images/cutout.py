"""Background removal and scene images: the product cut out of a photo, then put on pure white
(the main image, through the main-image gate) or on a seller's background with a soft shadow.

    cut = cutout(image)             # Cutout(rgba, mask, method, quality)
    white_main_image(cut)           # 2,000 px square on pure white, product filling 90 %
    scene_image(cut, background)    # ≥ 1,600 px, the product standing on the scene

The cut-out is OpenCV's GrabCut, seeded from the subject's bounding box: the border's colours
(clustered, so a textured backdrop is several colours, not one) say what background looks
like; pixels far from all of them are the subject, their box seeds GrabCut (outside: background,
inside: probably background, the clear subject pixels: foreground). It runs on a copy of at
most WORK_SIDE px; the mask is scaled back up smoothly and its edge refined (closed, holes
filled, the largest parts kept, feathered by a pixel or two). Plain light backgrounds (a
product shot on white or light grey) take the Pillow flood fill of the main-image auto-fix
instead: faster, and exact on such photos. `mask_quality` tells a usable mask from a failed
one before anything is proposed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFilter, ImageOps, PngImagePlugin

from apps.core.errors import ValidationFailed

WORK_SIDE = 320
QUALITY_SIDE = 800  # the mask check runs on a copy at most this big
MAIN_SIDE = 2000
SCENE_SIDE = 1600
AI_LABEL = {
    "AI-Generated": "true",
    "Software": "crossborder (cut-out and composition)",
    # IPTC: "composite that includes algorithmically generated elements"
    "DigitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/"
    "compositeWithTrainedAlgorithmicMedia",
}


@dataclass
class MaskQuality:
    ok: bool
    share: float  # the subject's share of the frame
    parts: float  # the largest part's share of the subject
    edge: float  # how much stronger the image's edges are on the mask's outline than overall
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "share": round(self.share, 3),
            "parts": round(self.parts, 3),
            "edge": round(self.edge, 2),
            "problems": [str(p) for p in self.problems],
        }


@dataclass
class Cutout:
    rgba: Image.Image  # the photo with the background transparent
    mask: np.ndarray  # bool, the photo's size
    method: str  # "grabcut" | "plain_background"
    quality: MaskQuality


def _rgb_array(image: Image.Image) -> np.ndarray:
    return np.asarray(ImageOps.exif_transpose(image).convert("RGB"))


def _border_pixels(arr: np.ndarray) -> np.ndarray:
    h, w = arr.shape[:2]
    band = max(2, min(h, w) // 50)
    parts = [arr[:band], arr[-band:], arr[:, :band], arr[:, -band:]]
    return np.concatenate([p.reshape(-1, 3) for p in parts]).astype(np.float32)


def _plain_light(arr: np.ndarray) -> bool:
    border = _border_pixels(arr)
    return bool(np.median(border) >= 200 and border.std(axis=0).max() <= 6)


def _far_from_border(arr: np.ndarray, k: int = 5) -> np.ndarray:
    """Per pixel: distance to the nearest of the border's k colour clusters."""
    import cv2

    border = _border_pixels(arr)
    k = min(k, len(border))
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 1.0)
    _c, _labels, centres = cv2.kmeans(border, k, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    flat = arr.reshape(-1, 3).astype(np.float32)
    dist = np.min(((flat[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)
    # a cluster's own spread: textured backgrounds have wide clusters
    spread = float(
        np.percentile(np.min(((border[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1), 98)
    )
    return (np.sqrt(dist) / max(np.sqrt(spread), 8.0)).reshape(arr.shape[:2])


def subject_box(arr: np.ndarray) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the subject: pixels unlike every border colour, noise opened away."""
    import cv2

    far = (_far_from_border(arr) > 1.6).astype(np.uint8)
    far = cv2.morphologyEx(far, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    rows, cols = np.flatnonzero(far.any(axis=1)), np.flatnonzero(far.any(axis=0))
    if not len(rows):
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def _grabcut_mask(arr: np.ndarray) -> np.ndarray:
    import cv2

    h, w = arr.shape[:2]
    scale = min(1.0, WORK_SIDE / max(h, w))
    small = (
        cv2.resize(
            arr, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA
        )
        if scale < 1
        else arr
    )
    sh, sw = small.shape[:2]
    far = _far_from_border(small)
    box = subject_box(small)
    if box is None:
        raise ValidationFailed(str(_("No product stands out from the background.")))
    margin = max(2, min(sh, sw) // 50)
    x0, y0 = max(0, box[0] - margin), max(0, box[1] - margin)
    x1, y1 = min(sw, box[2] + margin), min(sh, box[3] + margin)
    seed = np.full((sh, sw), cv2.GC_BGD, np.uint8)
    seed[y0:y1, x0:x1] = cv2.GC_PR_BGD
    inside = np.zeros_like(seed, dtype=bool)
    inside[y0:y1, x0:x1] = True
    seed[inside & (far > 1.6)] = cv2.GC_PR_FGD
    sure = cv2.erode((far > 3.0).astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    seed[inside & sure] = cv2.GC_FGD
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    bgr = np.ascontiguousarray(small[:, :, ::-1])
    cv2.grabCut(bgr, seed, None, bgd, fgd, 3, cv2.GC_INIT_WITH_MASK)
    fg = ((seed == cv2.GC_FGD) | (seed == cv2.GC_PR_FGD)).astype(np.uint8)
    fg = _clean(fg)
    # Back to full size smoothly: the blurred mask thresholded at one half is the edge.
    soft = cv2.resize(fg.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    if scale < 1:
        k = max(3, int(1 / scale) | 1)
        soft = cv2.GaussianBlur(soft, (k, k), 0)
    return soft > 0.5


def _clean(fg: np.ndarray) -> np.ndarray:
    """Close small gaps, fill holes, keep the parts that matter (≥ 5 % of the largest)."""
    import cv2

    fg = cv2.morphologyEx(fg, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    count, labels, stats, _c = cv2.connectedComponentsWithStats(fg, connectivity=8)
    if count <= 1:
        return fg
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = 1 + np.flatnonzero(areas >= areas.max() * 0.05)
    fg = np.isin(labels, keep).astype(np.uint8)
    # holes: background not connected to the frame's edge
    inv = (1 - fg).astype(np.uint8)
    count, labels = cv2.connectedComponents(inv, connectivity=4)
    edge_labels = set(
        np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    )
    holes = ~np.isin(labels, list(edge_labels)) & (inv == 1)
    fg[holes] = 1
    return fg


def _plain_mask(arr: np.ndarray) -> np.ndarray:
    from apps.catalog.images.services import _background_colour, _background_mask

    return ~_background_mask(arr, _background_colour(arr), tolerance=18)


def mask_quality(arr: np.ndarray, mask: np.ndarray) -> MaskQuality:
    """Is this a product's cut-out? Its share of the frame, one main part, an outline on edges."""
    import cv2

    share = float(mask.mean())
    problems: list[str] = []
    if share < 0.02:
        problems.append(_("Almost nothing was kept: the product was not found."))
    if share > 0.95:
        problems.append(_("Almost everything was kept: the background was not removed."))
    m8 = mask.astype(np.uint8)
    count, _l, stats, _c = cv2.connectedComponentsWithStats(m8, connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA] if count > 1 else np.array([0])
    parts = float(areas.max() / max(1, areas.sum()))
    if parts < 0.8:
        problems.append(_("The cut-out falls apart into several pieces."))
    gray = cv2.cvtColor(np.ascontiguousarray(arr), cv2.COLOR_RGB2GRAY)
    grad = cv2.morphologyEx(gray, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)).astype(float)
    outline = cv2.morphologyEx(m8, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)).astype(bool)
    edge = float(grad[outline].mean() / max(1.0, grad.mean())) if outline.any() else 0.0
    if outline.any() and edge < 1.2:
        problems.append(_("The outline does not follow the product's edges."))
    return MaskQuality(not problems, share, parts, edge, problems)


def cutout(image: Image.Image) -> Cutout:
    """The product cut out of a photo (GrabCut; Pillow for plain light backgrounds)."""
    arr = _rgb_array(image)
    if _plain_light(arr):
        mask, method = _plain_mask(arr), "plain_background"
    else:
        try:
            mask, method = _grabcut_mask(arr), "grabcut"
        except ImportError:  # OpenCV missing: the flood fill is the best there is
            mask, method = _plain_mask(arr), "plain_background"
    step = max(1, max(mask.shape) // QUALITY_SIDE)
    quality = mask_quality(np.ascontiguousarray(arr[::step, ::step]), mask[::step, ::step])
    alpha = Image.fromarray((mask * 255).astype(np.uint8), "L").filter(
        ImageFilter.GaussianBlur(max(0.8, max(mask.shape) / 1600))
    )  # feathered edge
    rgba = Image.fromarray(arr).convert("RGBA")
    rgba.putalpha(alpha)
    return Cutout(rgba, mask, method, quality)


def _subject(cut: Cutout) -> Image.Image:
    box = cut.rgba.getchannel("A").point(lambda a: 255 if a > 8 else 0).getbbox()
    if box is None:
        raise ValidationFailed(str(_("The cut-out is empty: no product to place.")))
    return cut.rgba.crop(box)


def white_main_image(cut: Cutout, *, side: int = MAIN_SIDE, fill: float = 0.88) -> Image.Image:
    """The cut-out centred on pure white, filling `fill` of a `side` px square."""
    subject = _subject(cut)
    target = round(side * fill)
    subject = ImageOps.contain(subject, (target, target), Image.Resampling.LANCZOS)
    canvas = Image.new("RGBA", (side, side), (255, 255, 255, 255))
    canvas.alpha_composite(subject, ((side - subject.width) // 2, (side - subject.height) // 2))
    return canvas.convert("RGB")


def default_scene(side: int = SCENE_SIDE) -> Image.Image:
    """A neutral studio backdrop (wall fading into a table top) when none was uploaded."""
    top, bottom = np.array([236, 231, 224], float), np.array([196, 184, 168], float)
    t = np.linspace(0, 1, side)[:, None]
    horizon = int(side * 0.62)
    rows = np.where(np.arange(side)[:, None] < horizon, top - 18 * t, bottom + 10 * t)
    arr = np.repeat(rows[:, None, :], side, axis=1).clip(0, 255).astype(np.uint8)
    return Image.fromarray(arr, "RGB")


def scene_image(
    cut: Cutout,
    background: Image.Image | None = None,
    *,
    side: int = SCENE_SIDE,
    height_share: float = 0.58,
) -> Image.Image:
    """The cut-out standing on a scene with a soft contact shadow, at least `side` px square."""
    side = max(side, SCENE_SIDE)
    if background is None:
        scene = default_scene(side)
    else:
        scene = ImageOps.fit(
            ImageOps.exif_transpose(background).convert("RGB"),
            (side, side),
            Image.Resampling.LANCZOS,
        )
    subject = _subject(cut)
    subject = ImageOps.contain(
        subject, (round(side * 0.7), round(side * height_share)), Image.Resampling.LANCZOS
    )
    x = (side - subject.width) // 2
    y = round(side * 0.86) - subject.height  # standing on the lower part of the frame
    canvas = scene.convert("RGBA")
    # Soft shadow: a flattened, blurred ellipse where the product touches the ground, plus a
    # faint blurred copy of its silhouette, offset.
    shadow = Image.new("L", (side, side), 0)
    from PIL import ImageDraw

    draw = ImageDraw.Draw(shadow)
    cx, base = x + subject.width // 2, y + subject.height
    rx, ry = subject.width * 0.52, max(6, subject.height * 0.06)
    draw.ellipse((cx - rx, base - ry, cx + rx, base + ry), fill=150)
    silhouette = subject.getchannel("A").point(lambda a: a * 0.35)
    shadow.paste(silhouette, (x + side // 80, y + side // 60), silhouette)
    shadow = shadow.filter(ImageFilter.GaussianBlur(side / 90))
    dark = Image.new("RGBA", (side, side), (30, 25, 20, 255))
    dark.putalpha(shadow)
    canvas.alpha_composite(dark)
    canvas.alpha_composite(subject, (x, y))
    return canvas.convert("RGB")


def png_with_ai_label(image: Image.Image, description: str) -> bytes:
    """PNG bytes whose metadata say the picture was made by software (AI-generated)."""
    info = PngImagePlugin.PngInfo()
    for key, value in AI_LABEL.items():
        info.add_text(key, value)
    info.add_text("Description", description[:500])
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        f'Iptc4xmpExt:DigitalSourceType="{AI_LABEL["DigitalSourceType"]}"/>'
        "</rdf:RDF></x:xmpmeta>"
    )
    info.add_itxt("XML:com.adobe.xmp", xmp)
    buf = io.BytesIO()
    image.save(buf, "PNG", pnginfo=info, compress_level=6)
    return buf.getvalue()


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0


# --- drafts ----------------------------------------------------------------------------------


def _save_labelled(org, image: Image.Image, description: str) -> str:
    import uuid

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from apps.catalog.images.services import image_dir

    data = png_with_ai_label(image, description)
    return default_storage.save(f"{image_dir(org.id)}{uuid.uuid4().hex}.png", ContentFile(data))


def _checked_cutout(photo) -> Cutout:
    from apps.catalog.photos.services import photo_open

    cut = cutout(photo_open(photo))
    if not cut.quality.ok:
        raise ValidationFailed(
            str(
                _(
                    "The cut-out is not good enough to use: %(why)s Try a photo with the product "
                    "clearly apart from the background."
                )
                % {"why": " ".join(str(p) for p in cut.quality.problems)}
            ),
            code="mask_quality",
        )
    return cut


def listing_cutout_main_draft(*, org, actor, listing, photo):
    """The product cut out of `photo` on pure white, as the listing's main image (a draft that
    the main-image gate checks)."""
    from apps.catalog.images.services import (
        _image_draft,
        main_image_check,
        main_image_rules,
    )

    cut = _checked_cutout(photo)
    main = white_main_image(cut)
    report = main_image_check(main, main_image_rules(listing.store.marketplace))
    if not report.passed:
        raise ValidationFailed("; ".join(str(c.message) for c in report.checks))
    path = _save_labelled(org, main, f"Product cut out of {photo.path} ({cut.method}) on white.")
    current = list(listing.images or listing.product.images or [])
    draft = _image_draft(
        org=org,
        actor=actor,
        listing=listing,
        images=[path, *current[1:]],
        role="main",
        rationale=str(
            _("The product cut out of the photo (%(m)s), centred on pure white, 2,000 px square.")
            % {"m": cut.method}
        ),
        evidence=[
            {"source": "photo", "field": "before", "value": photo.path},
            {
                "source": "cutout",
                "field": "mask_quality",
                "value": json_dumps(cut.quality.as_dict()),
            },
        ],
    )
    return draft


def listing_scene_draft(*, org, actor, listing, photo, background=None):
    """A scene image: the cut-out on the seller's background (or a neutral studio scene) with a
    soft shadow, ≥ 1,600 px, added after the main image as a draft."""
    from apps.catalog.images.services import _image_draft
    from apps.catalog.photos.services import photo_open

    current = list(listing.images or listing.product.images or [])
    if not current:
        raise ValidationFailed(
            str(_("The listing has no main image yet: make the white main image first."))
        )
    cut = _checked_cutout(photo)
    scene_bg = photo_open(background) if background is not None else None
    scene = scene_image(cut, scene_bg)
    origin = background.path if background is not None else "studio backdrop"
    path = _save_labelled(org, scene, f"Product from {photo.path} composed on {origin}.")
    return _image_draft(
        org=org,
        actor=actor,
        listing=listing,
        images=[*current[:1], path, *current[1:]],
        role="scene",
        rationale=str(
            _(
                "The product cut out of the photo and placed on a scene with a soft "
                "shadow (%(n)d px)."
            )
            % {"n": scene.width}
        ),
        evidence=[
            {"source": "photo", "field": "before", "value": photo.path},
            {"source": "photo", "field": "background", "value": origin},
            {
                "source": "cutout",
                "field": "mask_quality",
                "value": json_dumps(cut.quality.as_dict()),
            },
        ],
    )


def json_dumps(value) -> str:
    import json

    return json.dumps(value)
