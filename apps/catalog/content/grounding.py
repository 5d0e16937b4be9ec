"""Claim grounding: every number with a unit, material, certification and compatibility claim
in listing copy must match the product's fact sheet (`apps.catalog.content.facts`).

Units convert (in/cm/mm/m, lb/kg/oz/g, °F/°C, mAh/Ah, W/kW, l/ml); a claim matches a fact of
its kind when they agree within the claim's own precision ("23 cm" is 225–235 mm, so it
grounds a 9 in = 228.6 mm part) or 2 %. Numbers are read the marketplace language's way
(20,000 in English, 20.000 in German, 20 000 in French). Imperial units are read on English
marketplaces only, where "in" is a unit and not a preposition.

Unsupported claims become `grounding.unsupported` error checks with their field and span; a
reviewer can confirm a claim by adding its text to the payload's `confirmed_claims`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from apps.catalog.content.facts import UNITS, FactSheet, certifications_in, materials_in, to_base
from apps.catalog.rules.engine import RuleCheck, _span, field_label, make_check, texts, ui_language
from apps.catalog.rules.loader import common_rule

EUROPEAN = {"de", "fr", "it", "es"}
_NUM = (r"\d+[-\s]\d+/\d+|\d+/\d+"  # 1-9/16, 1 9/16, 9/16
        r"|\d{1,3}(?:[,.\u202f\u00a0]\d{3})+(?:[.,]\d+)?"  # 20,000 · 20.000 · 20 000 · 1,234.5
        r"|\d+(?:[.,]\d+)?")  # fmt: skip
_UNIT_SPELLINGS = sorted(UNITS, key=len, reverse=True)
_UNIT = "|".join(re.escape(u) for u in _UNIT_SPELLINGS if u != "°c" and u != "°f")
QUANTITY_RE = re.compile(
    rf"(?<![\w.,/])(?<!\d\s)(?P<nums>(?:{_NUM})(?:\s*[×x]\s*(?:{_NUM})){{0,2}})\s?"
    rf"(?P<unit>°\s?[CF]|{_UNIT})(?![^\W\d_])",
    re.IGNORECASE,
)
NUM_RE = re.compile(_NUM)
IMPERIAL = {"in", "inch", "inches", '"', "″", "ft", "lb", "lbs", "oz", "°f"}
COMPAT_RE = re.compile(
    r"(?:compatible with|works with|kompatibel mit|compatible avec|"
    r"compatibile con|compatible con)\s+(?P<what>[^,.;:()\n]{2,60})",
    re.IGNORECASE,
)
COMPAT_SPLIT = re.compile(r"\s*(?:,|/|&|\band\b|\bor\b|\bund\b|\boder\b|\bet\b|\bou\b|\be\b|"
                          r"\bo\b|\by\b)\s*", re.IGNORECASE)  # fmt: skip


@dataclass(frozen=True)
class Claim:
    kind: str  # a quantity kind (length, mass, …), "material", "certification", "compatibility"
    text: str  # as written
    start: int
    end: int
    value: Decimal | None = None  # quantities, in the base unit
    precision: Decimal = Decimal(0)  # quantities: one step of the last digit, in the base unit
    key: str = ""  # materials / certifications: the canonical id


def parse_number(text: str, lang: str) -> tuple[Decimal, Decimal] | None:
    """(value, precision) of a number written the `lang` way; fractions allowed."""
    text = text.strip()
    frac = re.fullmatch(r"(?:(\d+)[-\s])?(\d+)/(\d+)", text)
    if frac:
        whole, num, den = (Decimal(g) if g else Decimal(0) for g in frac.groups())
        return (whole + num / den, 1 / den) if den else None
    text = text.replace("\u202f", "").replace("\u00a0", "")
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
    elif "," in text:
        thousands = re.fullmatch(r"\d{1,3}(,\d{3})+", text) and lang not in EUROPEAN
        decimal_mark = "." if thousands else ","
    elif "." in text:
        thousands = re.fullmatch(r"\d{1,3}(\.\d{3})+", text) and lang in EUROPEAN
        decimal_mark = "," if thousands else "."
    else:
        decimal_mark = "."
    other = "." if decimal_mark == "," else ","
    normal = text.replace(other, "").replace(decimal_mark, ".")
    try:
        value = Decimal(normal)
    except InvalidOperation:
        return None
    places = len(normal.split(".")[1]) if "." in normal else 0
    return value, Decimal(1).scaleb(-places)


def quantities_in(text: str, lang: str = "en") -> list[Claim]:
    """Every number with a unit: "22.5 W", "150 × 70 × 27 mm" (three claims), "9/16 in"."""
    claims = []
    for m in QUANTITY_RE.finditer(text or ""):
        unit = m.group("unit").replace(" ", "")
        lower = unit.lower()
        if lower in IMPERIAL and lang != "en":
            continue
        if lower == "in" and re.match(r"\s*\d", text[m.end() :]):
            continue  # "3 in 1"
        if unit == "G":
            continue  # 4G / 5G networks, not grams
        for n in NUM_RE.finditer(m.group("nums")):
            parsed = parse_number(n.group(0), lang)
            base = parsed and to_base(parsed[0], lower)
            if not base:
                continue
            kind, value = base
            step = to_base(parsed[1], lower)[1] if lower != "°f" else parsed[1] * 5 / 9
            if lower == "°c" or lower == "°f":
                step = parsed[1] if lower == "°c" else parsed[1] * 5 / 9
            start = m.start("nums") + n.start()
            end = m.end() if n.end() == len(m.group("nums")) else m.start("nums") + n.end()
            label = text[start:end] if end == m.end() else f"{n.group(0)} {unit}"
            claims.append(Claim(kind, label, start, m.end() if end == m.end() else end,
                                value, abs(step)))  # fmt: skip
    return claims


def claims_in(text: str, lang: str = "en") -> list[Claim]:
    claims = quantities_in(text, lang)
    from apps.catalog.content.facts import MATERIAL_OF, MATERIAL_RE
    from apps.catalog.rules.engine import _bounded

    for m in MATERIAL_RE.finditer(text or ""):
        canon = MATERIAL_OF.get(m.group(0).lower())
        if canon and _bounded(text, m.start(), m.end()):
            claims.append(Claim("material", m.group(0), m.start(), m.end(), key=canon))
    from apps.catalog.content.facts import CERT_RE, normalise_cert

    for m in CERT_RE.finditer(text or ""):
        claims.append(Claim("certification", m.group(0), m.start(), m.end(),
                            key=normalise_cert(m.group(0))))  # fmt: skip
    for m in COMPAT_RE.finditer(text or ""):
        what = m.group("what").strip()
        claims.append(Claim("compatibility", what, m.start("what"), m.start("what") + len(what)))
    return sorted(claims, key=lambda c: c.start)


def supported(claim: Claim, facts: FactSheet) -> bool:
    if claim.kind == "material":
        return facts.supports_material(claim.key)
    if claim.kind == "certification":
        return claim.key in facts.certifications
    if claim.kind == "compatibility":
        known = [c.lower() for c in facts.compatibility]
        parts = [p for p in COMPAT_SPLIT.split(claim.text.lower()) if p.strip()]
        return bool(parts) and all(any(k in p or p in k for k in known) for p in parts)
    tolerance_floor = claim.precision / 2
    for fact in facts.quantities_of(claim.kind):
        tolerance = max(tolerance_floor, abs(fact.value) * Decimal("0.02"))
        if abs(claim.value - fact.value) <= tolerance + Decimal("1e-9"):
            return True
    return False


def normalise_claim(text: str) -> str:
    return " ".join(str(text).lower().split())


def ground(payload: dict, facts: FactSheet, *, language: str = "en", rules_version: str = "",
           ui: str | None = None) -> list[RuleCheck]:  # fmt: skip
    """`grounding.unsupported` checks for every claim in the payload the facts do not support
    and the reviewer has not confirmed (payload["confirmed_claims"])."""
    lang = (language or "en").split("-")[0].lower()
    ui = ui or ui_language()
    confirmed = {normalise_claim(c) for c in payload.get("confirmed_claims") or []}
    rule = common_rule("grounding.unsupported")
    checks, seen = [], set()
    for name, item, text in texts(payload):
        for claim in claims_in(text, lang):
            key = normalise_claim(claim.text)
            if key in confirmed or (name, item, claim.start) in seen or supported(claim, facts):
                continue
            seen.add((name, item, claim.start))
            check = make_check(
                rule,
                rules_version,
                ui,
                name,
                claim=claim.text,
                where=field_label(name, item, "en"),
                _span=_span(name, item, claim.start, claim.end, text),
            )
            # Both languages name the field in their own words.
            zh = rule.text("zh", claim=claim.text, where=field_label(name, item, "zh"))
            checks.append(
                replace(check, message_zh=zh, message=zh if ui == "zh" else check.message)
            )
    return checks


def unsupported_claims(checks: Iterable[dict]) -> list[dict]:
    """The grounding checks among a draft's checks, for the review screen."""
    return [c for c in checks if c.get("rule") == "grounding.unsupported"]


__all__ = [
    "Claim",
    "certifications_in",
    "claims_in",
    "ground",
    "materials_in",
    "normalise_claim",
    "parse_number",
    "quantities_in",
    "supported",
]  # fmt: skip
