"""Product photos made with Pillow, with known text, GTIN and subject mask: for the demo data,
the tests and the benchmark (no photo files are shipped).

    box_photo(label_lines, gtin="4006381333931")   # a box with a printed label and an EAN-13
    object_on_texture(side=1600)                      # (photo, true mask) for cut-out tests
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

DEFAULT_LABEL = (
    "Brand: VOLTORA",
    "Model: PB-2000",
    "Power Bank 20000 mAh",
    "Output 22.5 W",
    "Ports: 2x USB-C, USB-A",
    "Size 150 x 70 x 27 mm",
    "CE FCC RoHS",
)


def _font(size: int) -> ImageFont.FreeTypeFont:
    from noto_cjk_sans_otc import FONT_PATH

    return ImageFont.truetype(str(FONT_PATH), size, index=2)


def ean13_image(code: str, *, module: int = 4, height: int = 160) -> Image.Image:
    """An EAN-13 barcode (zxing-cpp's writer), with its quiet zone, as a white-backed image."""
    import zxingcpp

    barcode = zxingcpp.create_barcode(code, zxingcpp.BarcodeFormat.EAN13)
    img = Image.fromarray(np.asarray(barcode.to_image(scale=module, add_quiet_zones=True)))
    return img.convert("RGB").resize((img.width, height), Image.Resampling.NEAREST)


def qr_image(text: str, *, module: int = 8) -> Image.Image:
    import zxingcpp

    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode)
    return Image.fromarray(
        np.asarray(barcode.to_image(scale=module, add_quiet_zones=True))
    ).convert("RGB")


def box_photo(
    label_lines=DEFAULT_LABEL,
    *,
    gtin: str | None = "4006381333931",
    qr_text: str | None = None,
    side: int = 1600,
    box_colour=(30, 90, 200),
    background=(228, 224, 216),
    font_size: int = 0,
    seed: int = 0,
) -> Image.Image:
    """A product box on a table: a coloured box with a white label (text lines), an EAN-13
    and optionally a QR code, slightly noisy like a phone photo."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (side, side), background)
    draw = ImageDraw.Draw(image)
    m = side // 12
    draw.rectangle((m, m, side - m, side - m), fill=box_colour)
    label = (m * 2, m * 2, side - m * 2, side - m * 2)
    draw.rectangle(label, fill=(250, 250, 248))
    size = font_size or side // 26
    font = _font(size)
    y = label[1] + size
    for line in label_lines:
        draw.text((label[0] + size, y), line, font=font, fill=(15, 15, 15))
        y += int(size * 1.5)
    if gtin:
        code = ean13_image(
            gtin[:12] if len(gtin) == 13 else gtin, module=max(3, side // 400), height=side // 9
        )
        image.paste(code, (label[0] + size, label[3] - code.height - size))
    if qr_text:
        qr = qr_image(qr_text, module=max(4, side // 250))
        image.paste(qr, (label[2] - qr.width - size, label[3] - qr.height - size))
    arr = np.asarray(image).astype(np.int16)
    arr = arr + rng.normal(0, 2.0, arr.shape).astype(np.int16)
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8))


def texture(side: int, seed: int = 0) -> Image.Image:
    """A busy backdrop: wood-like stripes, blotches and noise in muted browns and greys."""
    rng = np.random.default_rng(seed)
    y = np.arange(side)[:, None]
    x = np.arange(side)[None, :]
    stripes = 0.5 + 0.5 * np.sin(x / 9.0 + 3 * np.sin(y / 40.0))
    base = np.stack([110 + 40 * stripes, 95 + 30 * stripes, 80 + 20 * stripes], axis=2)
    noise = rng.normal(0, 10, (side // 8, side // 8, 1))
    blotch = np.asarray(
        Image.fromarray(((noise[:, :, 0] + 40) * 3).clip(0, 255).astype(np.uint8)).resize(
            (side, side), Image.Resampling.BICUBIC
        ),
        float,
    )[:, :, None]
    arr = base + (blotch - 120) * 0.25 + rng.normal(0, 6, (side, side, 3))
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8))


def object_on_texture(side: int = 1200, seed: int = 0) -> tuple[Image.Image, np.ndarray]:
    """A product-like object (a rounded body with a cap and a handle hole) on a textured
    background, and its exact mask."""
    image = texture(side, seed)
    mask = Image.new("L", (side, side), 0)
    d = ImageDraw.Draw(mask)
    s = side
    d.rounded_rectangle(
        (int(s * 0.33), int(s * 0.25), int(s * 0.67), int(s * 0.85)), radius=s // 14, fill=255
    )
    d.rectangle((int(s * 0.42), int(s * 0.15), int(s * 0.58), int(s * 0.26)), fill=255)
    d.ellipse((int(s * 0.45), int(s * 0.45), int(s * 0.55), int(s * 0.55)), fill=0)  # a hole
    body = Image.new("RGB", (side, side), (40, 120, 200))
    shade = ImageDraw.Draw(body)
    shade.rectangle(
        (int(s * 0.33), int(s * 0.60), int(s * 0.67), int(s * 0.85)), fill=(230, 230, 235)
    )  # a white band
    shade.rectangle(
        (int(s * 0.42), int(s * 0.15), int(s * 0.58), int(s * 0.26)), fill=(25, 25, 30)
    )  # a black cap
    image.paste(body, (0, 0), mask.filter(ImageFilter.GaussianBlur(1.0)))
    return image, np.asarray(mask) > 127
