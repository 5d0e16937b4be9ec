"""A product's fact sheet: its attributes, dimensions and weight as typed facts with units.

What generated copy may claim, and what claim grounding (`apps.catalog.content.grounding`) proves
claims against. The API is small on purpose:

    sheet = fact_sheet(product)          # or facts_from(attributes=..., length_mm=..., ...)
    sheet.quantities_of("length")        # [Quantity(kind="length", value=Decimal mm, ...)]
    sheet.materials                      # {"copper", "stainless_steel", ...} canonical ids
    sheet.certifications                 # {"CE", "FCC", "IPX5", ...}
    sheet.compatibility, sheet.package_contents   # tuples of the seller's own words
    sheet.as_dict()                      # JSON for prompts, the API and the review screen

Quantities are kept in one base unit per kind (mm, g, W, mAh, ml, V, °C, h, Wh) so a claim in
any unit compares with one subtraction; `UNITS` says how each spelling converts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

# spelling (lower-case) -> (kind, factor to the base unit)
UNITS: dict[str, tuple[str, Decimal]] = {
    "mm": ("length", Decimal(1)), "cm": ("length", Decimal(10)), "m": ("length", Decimal(1000)),
    "in": ("length", Decimal("25.4")), "inch": ("length", Decimal("25.4")),
    "inches": ("length", Decimal("25.4")), '"': ("length", Decimal("25.4")),
    "″": ("length", Decimal("25.4")), "ft": ("length", Decimal("304.8")),
    "g": ("mass", Decimal(1)), "kg": ("mass", Decimal(1000)), "lb": ("mass", Decimal("453.59237")),
    "lbs": ("mass", Decimal("453.59237")), "oz": ("mass", Decimal("28.349523125")),
    "w": ("power", Decimal(1)), "kw": ("power", Decimal(1000)),
    "mah": ("charge", Decimal(1)), "ah": ("charge", Decimal(1000)),
    "ml": ("volume", Decimal(1)), "l": ("volume", Decimal(1000)),
    "v": ("voltage", Decimal(1)), "wh": ("energy", Decimal(1)),
    "°c": ("temperature", Decimal(1)), "°f": ("temperature", Decimal(1)),  # converted apart
    "h": ("time", Decimal(1)), "hours": ("time", Decimal(1)), "hrs": ("time", Decimal(1)),
    "stunden": ("time", Decimal(1)), "heures": ("time", Decimal(1)), "ore": ("time", Decimal(1)),
    "horas": ("time", Decimal(1)), "時間": ("time", Decimal(1)),
}  # fmt: skip
BASE_UNITS = {"length": "mm", "mass": "g", "power": "W", "charge": "mAh", "volume": "ml",
              "voltage": "V", "temperature": "°C", "time": "h", "energy": "Wh"}  # fmt: skip
# Attribute-key suffixes that give a bare number its unit (capacity_mAh, power_w, length_m …).
KEY_UNITS = {"mm": "mm", "cm": "cm", "m": "m", "in": "in", "g": "g", "kg": "kg", "lb": "lb",
             "oz": "oz", "w": "w", "kw": "kw", "mah": "mah", "ah": "ah", "ml": "ml", "l": "l",
             "v": "v", "wh": "wh", "c": "°c", "f": "°f", "h": "h"}  # fmt: skip

# Canonical material -> spellings in en, de, fr, it, es, ja. Colours (silver, gold) are left
# out on purpose: "Silver" on a listing is usually the colour.
MATERIALS: dict[str, tuple[str, ...]] = {
    "stainless_steel": ("stainless steel", "stainless-steel", "inox", "edelstahl",
                        "acier inoxydable", "acciaio inox", "acciaio inossidabile",
                        "acero inoxidable", "ステンレス"),
    "steel": ("steel", "stahl", "acier", "acciaio", "acero", "スチール", "鋼"),
    "copper": ("copper", "kupfer", "cuivre", "rame", "cobre", "銅"),
    "brass": ("brass", "messing", "laiton", "ottone", "latón", "真鍮"),
    "aluminium": ("aluminium", "aluminum", "alluminio", "aluminio", "アルミ", "アルミニウム"),
    "aluminium_alloy": ("aluminium alloy", "aluminum alloy", "aluminiumlegierung",
                        "alliage d'aluminium", "lega di alluminio", "aleación de aluminio",
                        "アルミ合金"),
    "zinc_alloy": ("zinc alloy", "zinklegierung", "alliage de zinc", "lega di zinco",
                   "aleación de zinc", "亜鉛合金"),
    "titanium": ("titanium", "titan", "titane", "titanio", "チタン"),
    "iron": ("iron", "cast iron", "eisen", "gusseisen", "fonte", "ghisa", "hierro", "鉄"),
    "silicone": ("silicone", "silikon", "silicona", "シリコン", "シリコーン"),
    "bamboo": ("bamboo", "bambus", "bambou", "bambù", "bambú", "竹"),
    "glass": ("glass", "glas", "verre", "vetro", "vidrio", "ガラス"),
    "borosilicate_glass": ("borosilicate glass", "borosilikatglas", "verre borosilicaté",
                           "vetro borosilicato", "vidrio de borosilicato", "耐熱ガラス"),
    "plastic": ("plastic", "kunststoff", "plastique", "plastica", "plástico", "プラスチック"),
    "abs": ("abs",),
    "tpu": ("tpu",),
    "nylon": ("nylon", "ナイロン"),
    "leather": ("leather", "genuine leather", "leder", "cuir", "pelle", "cuero", "本革", "革"),
    "cotton": ("cotton", "baumwolle", "coton", "cotone", "algodón", "綿"),
    "polyester": ("polyester", "poliestere", "poliéster", "ポリエステル"),
    "wood": ("wood", "wooden", "holz", "bois", "legno", "madera", "木製"),
    "ceramic": ("ceramic", "keramik", "céramique", "ceramica", "cerámica", "セラミック"),
    "carbon_fibre": ("carbon fibre", "carbon fiber", "kohlefaser", "fibre de carbone",
                     "fibra di carbonio", "fibra de carbono", "カーボン"),
}  # fmt: skip
# A fact implies these broader claims ("stainless steel" supports "steel").
IMPLIES = {"stainless_steel": {"steel"}, "aluminium_alloy": {"aluminium"},
           "borosilicate_glass": {"glass"}, "abs": {"plastic"}, "tpu": {"plastic"}}  # fmt: skip
MATERIAL_OF = {spelling: canon for canon, spellings in MATERIALS.items() for spelling in spellings}
MATERIAL_RE = re.compile(
    "|".join(re.escape(s) for s in sorted(MATERIAL_OF, key=len, reverse=True)), re.IGNORECASE
)
CERT_RE = re.compile(r"(?<![\w-])(CE|FCC|RoHS|UL|ETL|UKCA|PSE|LFGB|MFi|FDA|"
                     r"IPX\d|IP\d\d|BPA[- ]free)(?![\w-])")  # fmt: skip
QUANTITY_KEYS = ("power", "capacity", "weight", "length", "voltage", "battery", "driver")


@dataclass(frozen=True)
class Quantity:
    kind: str  # length | mass | power | charge | volume | voltage | temperature | time | energy
    value: Decimal  # in BASE_UNITS[kind]
    source: str  # the attribute key or product field it came from
    text: str = ""  # as the seller wrote it, for display

    @property
    def unit(self) -> str:
        return BASE_UNITS[self.kind]


@dataclass(frozen=True)
class FactSheet:
    quantities: tuple[Quantity, ...] = ()
    materials: frozenset[str] = frozenset()
    material_text: tuple[str, ...] = ()
    certifications: frozenset[str] = frozenset()
    compatibility: tuple[str, ...] = ()
    package_contents: tuple[str, ...] = ()
    other: dict[str, Any] = field(default_factory=dict)

    def quantities_of(self, kind: str) -> list[Quantity]:
        return [q for q in self.quantities if q.kind == kind]

    def supports_material(self, canon: str) -> bool:
        implied = set(self.materials)
        for m in self.materials:
            implied |= IMPLIES.get(m, set())
        return canon in implied

    def as_dict(self) -> dict[str, Any]:
        return {
            "quantities": [{"kind": q.kind, "value": f"{q.value.normalize():f}", "unit": q.unit,
                            "source": q.source} for q in self.quantities],
            "materials": sorted(self.materials), "material_text": list(self.material_text),
            "certifications": sorted(self.certifications),
            "compatibility": list(self.compatibility),
            "package_contents": list(self.package_contents),
        }  # fmt: skip


def to_base(value: Decimal, unit: str) -> tuple[str, Decimal] | None:
    spec = UNITS.get(unit.lower())
    if spec is None:
        return None
    kind, factor = spec
    if unit.lower() == "°f":
        return kind, (value - 32) * 5 / 9
    return kind, value * factor


def finite_decimal(value: Any) -> Decimal | None:
    """An attribute value as a finite Decimal (numbers or numeric text; booleans are not)."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _key_unit(key: str) -> str | None:
    suffix = key.lower().rsplit("_", 1)[-1] if "_" in key else ""
    return KEY_UNITS.get(suffix)


def _items(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(p.strip() for p in re.split(r"[;,\n]", str(value or "")) if p.strip())


def materials_in(text: str) -> set[str]:
    return {MATERIAL_OF[m.group(0).lower()] for m in MATERIAL_RE.finditer(text or "")
            if m.group(0).lower() in MATERIAL_OF}  # fmt: skip


def certifications_in(text: str) -> set[str]:
    return {normalise_cert(m.group(0)) for m in CERT_RE.finditer(text or "")}


def normalise_cert(text: str) -> str:
    return text.upper().replace(" ", "-") if "bpa" in text.lower() else text.upper()


def facts_from(*, attributes: dict | None = None, weight_g: Any = None, length_mm: Any = None,
               width_mm: Any = None, height_mm: Any = None) -> FactSheet:  # fmt: skip
    """The fact sheet of raw product data (what `fact_sheet(product)` reads off a Product)."""
    from apps.catalog.content.grounding import (
        quantities_in,  # the same parser reads the seller's text values
    )

    quantities: list[Quantity] = []
    for name, value in (("length_mm", length_mm), ("width_mm", width_mm),
                        ("height_mm", height_mm)):  # fmt: skip
        if finite_decimal(value) is not None:
            quantities.append(Quantity("length", finite_decimal(value), name, f"{value} mm"))
    if finite_decimal(weight_g) is not None:
        quantities.append(Quantity("mass", finite_decimal(weight_g), "weight_g", f"{weight_g} g"))
    materials: set[str] = set()
    material_text: list[str] = []
    certs: set[str] = set()
    compat: tuple[str, ...] = ()
    contents: tuple[str, ...] = ()
    other: dict[str, Any] = {}
    for key, value in (attributes or {}).items():
        lower = key.lower()
        if lower in ("features", "selling_points", "reviews", "images"):
            continue
        if "material" in lower:
            material_text += list(_items(value))
            materials |= materials_in(" ".join(_items(value)))
        if lower.startswith("compatib"):
            compat += _items(value)
            continue
        if lower in ("package_contents", "in_the_box", "contents", "box_contents"):
            contents += _items(value)
            continue
        if lower.startswith("certif"):
            certs |= {normalise_cert(c) for c in _items(value)}
            continue
        if lower in ("ip", "ip_rating") and finite_decimal(value) is not None:
            certs.add(f"IPX{value}")
            continue
        unit, number = _key_unit(key), finite_decimal(value)
        if unit and number is not None:
            kind, base = to_base(number, unit)
            quantities.append(Quantity(kind, base, key, f"{value} {unit}"))
            continue
        if isinstance(value, str):
            certs |= certifications_in(value)
            for claim in quantities_in(value, "en"):
                quantities.append(Quantity(claim.kind, claim.value, key, claim.text))
        other[key] = value
    return FactSheet(tuple(quantities), frozenset(materials), tuple(material_text),
                     frozenset(certs), compat, contents, other)  # fmt: skip


def fact_sheet(product) -> FactSheet:
    """A Product's facts (attributes, dimensions in mm, weight in g) with units."""
    return facts_from(attributes=product.attributes, weight_g=product.weight_g,
                      length_mm=product.length_mm, width_mm=product.width_mm,
                      height_mm=product.height_mm)  # fmt: skip
