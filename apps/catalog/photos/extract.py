"""Offline facts from product and packaging photos: OCR, barcodes, the dominant colour.

    facts = photo_facts(image, photo="catalog/1/images/ab.png")   # list[dict], one per fact

Each fact is a dict {"id", "key", "value", "unit", "photo", "evidence", "source", "confidence"}:
`evidence` is the OCR line, the barcode it was read from or how the colour was measured, so a
reviewer sees why the fact is proposed before accepting it into the product.

- OCR: Tesseract (Debian's tesseract-ocr with eng, deu and chi_sim data) through tesserocr,
  one engine per thread and language set, so the language data load once per worker.
- Barcodes and QR codes: zxing-cpp (a PyPI wheel that bundles the C++ reader: no system
  library); a GTIN is kept only when its GS1 check digit is right.
- Units: the listing studio's own quantity parser (`content.grounding.quantities_in`), so a
  fact read off a label compares with claims in copy exactly as the seller's own attributes do.
"""

from __future__ import annotations

import glob
import os
import re
import threading
from decimal import Decimal
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from apps.catalog.content.facts import BASE_UNITS, MATERIAL_OF, MATERIAL_RE, certifications_in

OCR_LANGUAGES = "eng+deu+chi_sim"
OCR_SIDE = 1000  # a label's text stays readable; the engine's time grows with the pixels
FACT_KEYS = (
    "category",
    "brand",
    "model",
    "capacity",
    "power",
    "ports",
    "colour",
    "material",
    "dimensions",
    "certifications",
    "gtin",
)

# --- GTIN ------------------------------------------------------------------------------------


def gtin_check_digit(body: str) -> int:
    """The GS1 check digit of the digits before it (weights 3,1,3,… from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def gtin_valid(code: str) -> bool:
    """A GTIN-8, -12 (UPC-A), -13 (EAN) or -14 with a right check digit."""
    code = (code or "").strip()
    if not (code.isdigit() and code.isascii() and len(code) in (8, 12, 13, 14)):
        return False
    return gtin_check_digit(code[:-1]) == int(code[-1])


def gtin_normalise(code: str) -> str:
    """GTIN-12 and -8 as GTIN-13/-14 keep their number; stored as read (leading zeros kept)."""
    return code.strip()


GTIN_TEXT_RE = re.compile(
    r"(?:EAN|GTIN|UPC|条码|條碼)[\s\-:：#]*(?:13|12|14|8)?[\s:：]*(\d[\d ]{6,17}\d)", re.IGNORECASE
)
DIGITAL_LINK_RE = re.compile(r"(?:^|/|\(|\b)01[/)]?(\d{14})")


def barcodes_in(image: Image.Image) -> list[dict[str, str]]:
    """Barcodes and QR codes: [{"format", "text"}] (zxing-cpp)."""
    import zxingcpp

    gray = image.convert("L")
    found = zxingcpp.read_barcodes(gray)
    if not found and max(gray.size) > 1000:  # small bars read better at full size, big at half
        found = zxingcpp.read_barcodes(gray.reduce(2))
    return [{"format": str(b.format).rsplit(".", 1)[-1], "text": b.text} for b in found]


def gtin_facts(
    barcodes: list[dict[str, str]], lines: list[str], photo: str
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """GTIN facts from barcodes (then printed digits), and the codes refused with why."""
    facts: list[dict[str, Any]] = []
    refused: list[dict[str, str]] = []
    seen: set[str] = set()
    candidates = []
    for code in barcodes:
        text = code["text"].strip()
        link = DIGITAL_LINK_RE.search(text)
        digits = link.group(1) if link else text
        if digits.isdigit() and len(digits) in (8, 12, 13, 14):
            candidates.append((digits, f"{code['format']}: {text}", "barcode", 0.99))
    for line in lines:
        for m in GTIN_TEXT_RE.finditer(line):
            candidates.append((m.group(1).replace(" ", ""), line.strip(), "ocr", 0.8))
    for digits, evidence, source, confidence in candidates:
        if digits in seen:
            continue
        seen.add(digits)
        if not gtin_valid(digits):
            refused.append(
                {
                    "code": digits,
                    "evidence": evidence,
                    "reason": "wrong GTIN check digit"
                    if len(digits) in (8, 12, 13, 14)
                    else "not a GTIN length",
                }
            )
            continue
        if any(f["key"] == "gtin" for f in facts):
            continue
        facts.append(_fact("gtin", gtin_normalise(digits), photo, evidence, source, confidence))
    return facts, refused


# --- OCR -------------------------------------------------------------------------------------

_local = threading.local()
# Tesseract's OpenMP threads fight each other when workers run photos in parallel.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def tessdata_path() -> str:
    """Debian's language data (tesseract-ocr-eng, -deu, -chi-sim), or TESSDATA_PREFIX."""
    if os.environ.get("TESSDATA_PREFIX"):
        return os.environ["TESSDATA_PREFIX"].rstrip("/") + "/"
    found = sorted(glob.glob("/usr/share/tesseract-ocr/*/tessdata"))
    return (found[-1] if found else "/usr/share/tesseract-ocr/5/tessdata") + "/"


def _engine(languages: str):
    """One Tesseract engine per thread and language set (loading chi_sim takes a while)."""
    import tesserocr

    engines = getattr(_local, "engines", None)
    if engines is None:
        engines = _local.engines = {}
    if languages not in engines:
        engines[languages] = tesserocr.PyTessBaseAPI(
            path=tessdata_path(), lang=languages, psm=tesserocr.PSM.AUTO
        )
    return engines[languages]


def ocr_prepare(image: Image.Image, side: int = OCR_SIDE) -> Image.Image:
    gray = ImageOps.exif_transpose(image).convert("L")
    if max(gray.size) > side:
        gray = ImageOps.contain(gray, (side, side), Image.Resampling.BILINEAR)
    return gray


def ocr_lines(image: Image.Image, languages: str = OCR_LANGUAGES) -> list[str]:
    """The text lines Tesseract reads on the image (empty lines dropped)."""
    api = _engine(languages)
    api.SetImage(ocr_prepare(image))
    text = api.GetUTF8Text() or ""
    api.Clear()
    lines = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines() if line.strip()]
    return [CJK_GAP.sub("", line) for line in lines]  # Tesseract spaces out Chinese characters


CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])")


# --- colour ----------------------------------------------------------------------------------

COLOURS = {  # name -> RGB anchor; the nearest in Lab-ish space names the colour
    "black": (20, 20, 20),
    "white": (245, 245, 245),
    "grey": (128, 128, 128),
    "silver": (192, 192, 192),
    "red": (200, 30, 30),
    "orange": (240, 130, 20),
    "yellow": (240, 220, 40),
    "green": (40, 160, 60),
    "blue": (30, 90, 200),
    "navy": (20, 30, 90),
    "purple": (120, 50, 160),
    "pink": (240, 130, 180),
    "brown": (120, 70, 30),
    "beige": (220, 200, 160),
    "gold": (200, 160, 60),
    "copper": (184, 115, 51),
}
_NAMES = list(COLOURS)
_ANCHORS = np.array([COLOURS[n] for n in _NAMES], dtype=np.float32)


def colour_name(rgb) -> str:
    d = ((_ANCHORS - np.asarray(rgb, dtype=np.float32)) ** 2 * [0.3, 0.59, 0.11]).sum(axis=1)
    return _NAMES[int(d.argmin())]


def dominant_colour(image: Image.Image, mask: np.ndarray | None = None) -> tuple[str, float]:
    """The subject's most common colour name and its share of the subject's pixels.

    Without a mask the subject is what differs from the frame's border colour."""
    small = ImageOps.contain(image.convert("RGB"), (160, 160))
    arr = np.asarray(small).reshape(-1, 3).astype(np.int16)
    if mask is None:
        h, w = small.height, small.width
        grid = arr.reshape(h, w, 3)
        border = np.concatenate([grid[0], grid[-1], grid[:, 0], grid[:, -1]])
        bg = np.median(border, axis=0)
        keep = (np.abs(arr - bg) > 30).any(axis=1)
    else:
        keep = (
            np.asarray(Image.fromarray(mask.astype(np.uint8) * 255).resize(small.size)).reshape(-1)
            > 127
        )
    pixels = arr[keep] if keep.sum() > 20 else arr
    d = (((_ANCHORS[None, :, :] - pixels[:, None, :]) ** 2) * [0.3, 0.59, 0.11]).sum(axis=2)
    counts = np.bincount(d.argmin(axis=1), minlength=len(_NAMES))
    best = int(counts.argmax())
    return _NAMES[best], float(counts[best] / max(1, counts.sum()))


# --- facts from text -------------------------------------------------------------------------

LABELLED = {
    "brand": re.compile(r"^\s*(?:brand|marke|品牌|商标)\s*[:：]\s*(.{2,60})$", re.I),
    "model": re.compile(
        r"(?:model(?:\s*no\.?)?|modell|型号|型號|item\s*no\.?)\s*[:：#]?\s*"
        r"([A-Z0-9][A-Z0-9\-_/.]{2,30})",
        re.I,
    ),
    "material": re.compile(r"^\s*(?:material|werkstoff|材质|材料)\s*[:：]\s*(.{2,60})$", re.I),
}
CATEGORIES = {  # category -> spellings on packaging (en, de, zh)
    "power_bank": ("power bank", "powerbank", "portable charger", "移动电源", "充电宝"),
    "charger": ("charger", "ladegerät", "netzteil", "充电器", "快充"),
    "cable": ("cable", "kabel", "数据线", "充电线"),
    "headphones": ("headphones", "earbuds", "kopfhörer", "耳机"),
    "speaker": ("speaker", "lautsprecher", "音箱"),
    "lamp": ("lamp", "led light", "lampe", "leuchte", "台灯", "灯"),
    "bottle": ("bottle", "flasche", "水杯", "保温杯", "水瓶"),
    "kitchen": ("pan", "pot", "knife", "pfanne", "messer", "锅", "刀"),
    "phone_case": ("phone case", "handyhülle", "手机壳"),
}
PORTS_RE = re.compile(
    r"(?:(\d)\s*[x×]\s*)?(USB[- ]?C|USB[- ]?A|Type[- ]?C|Micro[- ]?USB|"
    r"Lightning|HDMI|RJ45|3\.5\s?mm)",
    re.I,
)
DIMENSIONS_RE = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*[x×*]\s*(\d+(?:[.,]\d+)?)\s*[x×*]\s*(\d+(?:[.,]\d+)?)\s*(mm|cm|in)\b",
    re.I,
)
CATEGORY_ALIASES = {
    "power_banks": "power_bank",
    "powerbank": "power_bank",
    "chargers": "charger",
    "cables": "cable",
    "audio": "headphones",
    "earbuds": "headphones",
    "speakers": "speaker",
    "lamps": "lamp",
    "bottles": "bottle",
}


def category_key(category: str) -> str:
    """A category name as the key above: "Power banks" -> "power_bank"."""
    key = re.sub(r"[\s\-]+", "_", (category or "").strip().lower())
    return CATEGORY_ALIASES.get(key, key)


# The quantity kinds a label states, and the fact each fills.
QUANTITY_FACTS = {
    "charge": "capacity",
    "volume": "capacity",
    "power": "power",
    "energy": "capacity",
}


def _fact(
    key: str, value: Any, photo: str, evidence: str, source: str, confidence: float, unit: str = ""
) -> dict[str, Any]:
    return {
        "id": key,
        "key": key,
        "value": value,
        "unit": unit,
        "photo": photo,
        "evidence": evidence[:300],
        "source": source,
        "confidence": round(confidence, 2),
    }


def _port_name(raw: str) -> str:
    low = raw.lower().replace(" ", "").replace("-", "")
    if low in ("usbc", "typec"):
        return "USB-C"
    if low == "usba":
        return "USB-A"
    if low == "microusb":
        return "Micro-USB"
    if low.startswith("3.5"):
        return "3.5 mm jack"
    return {"hdmi": "HDMI", "lightning": "Lightning", "rj45": "RJ45"}.get(low, raw)


def text_facts(lines: list[str], photo: str) -> list[dict[str, Any]]:
    """Facts printed on a label: labelled fields, quantities with units, ports, materials,
    certifications, the category by its name on the box."""
    from apps.catalog.content.grounding import quantities_in
    from apps.catalog.rules.engine import _bounded

    facts: dict[str, dict[str, Any]] = {}

    def add(fact: dict[str, Any]) -> None:
        facts.setdefault(fact["key"], fact)

    for line in lines:
        for key, pattern in LABELLED.items():
            m = pattern.search(line)
            if m:
                add(_fact(key, m.group(1).strip(" .;,"), photo, line, "ocr", 0.85))
        m = DIMENSIONS_RE.search(line)
        if m:
            nums = [n.replace(",", ".") for n in m.groups()[:3]]
            add(
                _fact(
                    "dimensions", " × ".join(nums), photo, line, "ocr", 0.8, unit=m.group(4).lower()
                )
            )
        dims_span = m.span() if m else (0, 0)
        for claim in quantities_in(line, "en"):
            if dims_span[0] <= claim.start < dims_span[1]:
                continue
            key = QUANTITY_FACTS.get(claim.kind)
            if key:
                value = f"{claim.value.normalize():f}"
                add(_fact(key, value, photo, line, "ocr", 0.8, unit=BASE_UNITS[claim.kind]))
        ports: dict[str, int] = {}
        for pm in PORTS_RE.finditer(line):
            name = _port_name(pm.group(2))
            ports[name] = ports.get(name, 0) + int(pm.group(1) or 1)
        if ports and "ports" not in facts:
            value = ", ".join(f"{n}× {p}" if n > 1 else p for p, n in ports.items())
            add(_fact("ports", value, photo, line, "ocr", 0.75))
        certs = certifications_in(line)
        if certs:
            if "certifications" in facts:
                merged = sorted({*facts["certifications"]["value"], *certs})
                facts["certifications"]["value"] = merged
            else:
                add(_fact("certifications", sorted(certs), photo, line, "ocr", 0.8))
        materials = {
            MATERIAL_OF[m.group(0).lower()]
            for m in MATERIAL_RE.finditer(line)
            if m.group(0).lower() in MATERIAL_OF and _bounded(line, m.start(), m.end())
        }
        if materials and "material" not in facts:
            add(_fact("material", ", ".join(sorted(materials)), photo, line, "ocr", 0.7))
        low = line.lower()
        for category, words in CATEGORIES.items():
            if any(w in low for w in words):
                add(_fact("category", category, photo, line, "ocr", 0.6))
                break
    return list(facts.values())


def photo_facts(
    image: Image.Image, *, photo: str, with_colour: bool = True, languages: str = OCR_LANGUAGES
) -> dict[str, Any]:
    """Everything one photo tells: {"facts": [...], "refused": [...], "text": [...],
    "barcodes": [...]}."""
    lines = ocr_lines(image, languages)
    barcodes = barcodes_in(image)
    facts = text_facts(lines, photo)
    gtins, refused = gtin_facts(barcodes, lines, photo)
    facts += gtins
    if with_colour:
        name, share = dominant_colour(image)
        facts.append(
            _fact(
                "colour",
                name,
                photo,
                f"dominant colour: {round(share * 100)}% of the subject's pixels",
                "colour",
                min(0.95, 0.4 + share),
            )
        )
    return {"facts": facts, "refused": refused, "text": lines, "barcodes": barcodes}


def merge_facts(per_photo: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict]]:
    """One fact per key across photos: the most confident (a barcode beats printed digits; the
    product photo's colour beats the box's)."""
    best: dict[str, dict[str, Any]] = {}
    refused: list[dict] = []
    for result in per_photo:
        refused += result.get("refused", [])
        for fact in result["facts"]:
            current = best.get(fact["key"])
            if current is None or fact["confidence"] > current["confidence"]:
                best[fact["key"]] = fact
    order = {k: i for i, k in enumerate(FACT_KEYS)}
    return sorted(best.values(), key=lambda f: order.get(f["key"], 99)), refused


def dimensions_mm(fact: dict[str, Any]) -> list[Decimal] | None:
    """The three sides of a dimensions fact in millimetres."""
    factor = {"mm": Decimal(1), "cm": Decimal(10), "in": Decimal("25.4")}.get(fact.get("unit"))
    try:
        sides = [Decimal(s.strip()) * factor for s in str(fact["value"]).split("×")]
    except Exception:
        return None
    return sides if len(sides) == 3 and factor else None
