"""Offline parsing of a B2B inquiry (rules and regular expressions; en, de, es, fr).

`parse(text)` returns the structured request with, per field, the text it was read from
(`evidence`), and `method = "offline_rules"`. Numbers are read in either notation
("5.000 Stück", "5,000 pcs", "12,50 €", "USD 12.50", "2k units"). Unknown fields stay empty: a
person completes them on the inquiry page. `product_match` finds the product in the catalog by
SKU, then model, then name words.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ..grounding import _dates, number_value
from . import rates

TEXT_MAX = 20000
NUM = r"\d{1,3}(?:[.,\s]\d{3})+|\d+(?:[.,]\d+)?"
UNITS = (
    r"pcs|pc|pieces?|units?|sets?|items?|stück|stk|einheiten|teile|sätze|unidades|uds|piezas"
    r"|juegos|pièces|pieces|unités|ex(?:\.|emplaires)?|lots?"
)
QUANTITY_UNIT = re.compile(rf"(?<![\w.,])(?P<n>{NUM})\s*(?P<k>k)?\s*(?:{UNITS})\b", re.I)
QUANTITY_LABEL = re.compile(
    rf"\b(?:quantity|qty|menge|stückzahl|cantidad|quantité|quantite|order of|pedido de)"
    rf"\s*(?:of|von|de|:)?\s*(?P<n>{NUM})\s*(?P<k>k)?\b",
    re.I,
)
INCOTERM = re.compile(r"\b(EXW|FCA|FAS|FOB|CFR|CIF|CPT|CIP|DAP|DPU|DDP)\b")
CUR = r"USD|EUR|GBP|CNY|US\$|\$|€|£"
PRICE_WORDS = (
    r"target(?:\s+price)?|price\s+target|budget|zielpreis|preisvorstellung|precio\s+objetivo"
    r"|precio\s+máximo|presupuesto|prix\s+cible|prix\s+visé|prix\s+max(?:imum)?"
)
TARGET_PRICE = re.compile(
    rf"(?:{PRICE_WORDS})[^\d$€£]{{0,40}}?(?:(?P<c1>{CUR})\s?(?P<n1>{NUM})|(?P<n2>{NUM})\s?(?P<c2>{CUR}))",
    re.I,
)
DEADLINE_WORDS = re.compile(
    r"\b(?:by|before|deadline|no later than|bis(?:\s+zum)?|spätestens|liefertermin|antes\s+del?"
    r"|fecha\s+límite|plazo|avant\s+le|au\s+plus\s+tard|date\s+limite)\b",
    re.I,
)
WITHIN = re.compile(
    r"\b(?:within|in|innerhalb(?:\s+von)?|en|dans\s+les|sous)\s+(?P<n>\d{1,3})\s*"
    r"(?P<u>weeks?|wochen|semanas|semaines|days|tagen|tage|días|dias|jours)\b",
    re.I,
)
CUSTOM = re.compile(
    r"[^.!?\n]*\b(?:logo|oem|odm|private\s+label|custom(?:i[sz]ed)?|packaging|printing"
    r"|verpackung|aufdruck|bedruck\w*|eigenmarke|personali[sz]ad\w*|logotipo|embalaje|marca"
    r"\s+propia|personnalis\w*|emballage|marque\s+blanche|couleur|farbe|color)\b[^.!?\n]*",
    re.I,
)
B2B_WORDS = re.compile(
    r"\b(?:wholesale|bulk|quotation|quote|rfq|moq|distributor|reseller|großhandel|angebot"
    r"|händler|mindestbestellmenge|al\s+por\s+mayor|cotización|presupuesto|distribuidor"
    r"|en\s+gros|devis|grossiste|distributeur|incoterms?)\b",
    re.I,
)
CURRENCY_OF = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP"}


@dataclass
class Parsed:
    quantity: int | None = None
    destination_country: str = ""
    destination_port: str = ""
    incoterm: str = ""
    target_price: str = ""  # Decimal as a string
    target_currency: str = ""
    deadline: str = ""  # ISO date
    customisation: str = ""
    product_hints: list[str] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)
    method: str = "offline_rules"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _number(raw: str, k: str | None = None) -> Decimal | None:
    raw = raw.strip()
    # "5.000" / "5,000" / "5 000" as thousands when three digits follow the separator.
    if re.fullmatch(r"\d{1,3}(?:[.,\s]\d{3})+", raw):
        value: Decimal | None = Decimal(re.sub(r"[.,\s]", "", raw))
    else:
        value = number_value(raw)
    if value is not None and k:
        value *= 1000
    return value


def _quantity(text: str, p: Parsed) -> None:
    for regex in (QUANTITY_UNIT, QUANTITY_LABEL):
        for m in regex.finditer(text):
            value = _number(m.group("n"), m.group("k"))
            if value is not None and 0 < value <= 10_000_000 and value == value.to_integral():
                p.quantity = int(value)
                p.evidence["quantity"] = m.group(0).strip()
                return


def _destination(text: str, p: Parsed) -> None:
    low = text.lower()
    for name, code in sorted(rates.PORTS.items(), key=lambda kv: -len(kv[0])):
        m = re.search(rf"\b{re.escape(name)}\b", low)
        if m:
            p.destination_port = name.title()
            p.destination_country = code
            p.evidence["destination"] = text[m.start() : m.end()]
            return
    for name, code in sorted(rates.COUNTRIES.items(), key=lambda kv: -len(kv[0])):
        m = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", low)
        if m:
            p.destination_country = code
            p.evidence["destination"] = text[m.start() : m.end()]
            return


def _price(text: str, p: Parsed) -> None:
    m = TARGET_PRICE.search(text)
    if not m:
        return
    value = number_value((m.group("n1") or m.group("n2") or "").strip())
    cur = (m.group("c1") or m.group("c2") or "").upper()
    if value is None or value <= 0 or value > Decimal("1000000"):
        return
    p.target_price = str(value)
    p.target_currency = CURRENCY_OF.get(cur, cur)
    p.evidence["target_price"] = m.group(0).strip()


def _deadline(text: str, p: Parsed, today: date) -> None:
    found = _dates(text)
    for raw, start, _end, days in found:
        if DEADLINE_WORDS.search(text[max(0, start - 40) : start]) or len(found) == 1:
            p.deadline = days[0].isoformat()
            p.evidence["deadline"] = raw
            return
    m = WITHIN.search(text)
    if m:
        n = int(m.group("n"))
        weeks = m.group("u").lower()[:3] in ("wee", "woc", "sem")
        p.deadline = (today + timedelta(days=n * 7 if weeks else n)).isoformat()
        p.evidence["deadline"] = m.group(0)


def parse(text: str, *, today: date | None = None) -> Parsed:
    text = (text or "")[:TEXT_MAX]
    today = today or date.today()
    p = Parsed()
    _quantity(text, p)
    _destination(text, p)
    m = INCOTERM.search(text)
    if m:
        p.incoterm = m.group(1)
        p.evidence["incoterm"] = m.group(0)
    _price(text, p)
    _deadline(text, p, today)
    custom = [c.group(0).strip() for c in CUSTOM.finditer(text)]
    if custom:
        p.customisation = "; ".join(dict.fromkeys(custom))[:500]
        p.evidence["customisation"] = custom[0][:200]
    p.product_hints = sorted(set(re.findall(r"\b[A-Z][A-Z0-9]{1,}-?[A-Z0-9]*\d[A-Z0-9-]*\b", text)))
    return p


def looks_b2b(text: str) -> bool:
    """Content detection for mails of non-marketplace channels: wholesale vocabulary with a
    quantity, or an Incoterm with a quantity, or two wholesale words."""
    text = (text or "")[:TEXT_MAX]
    words = len(B2B_WORDS.findall(text))
    p = Parsed()
    _quantity(text, p)
    has_qty = bool(p.quantity and p.quantity >= 20)
    return (words >= 1 and has_qty) or bool(INCOTERM.search(text) and has_qty) or words >= 2


def product_match(*, org, text: str, hints: list[str]) -> tuple[Any, str]:
    """(product, how) by SKU, then model attribute, then the most name/brand words in common."""
    from apps.catalog.models import Product

    products = Product.objects.for_org(org).only("id", "sku", "name", "brand", "attributes")
    low = text.lower()
    tokens = set(re.findall(r"[\w-]{3,}", low))
    for product in products.iterator():
        if product.sku and (product.sku.lower() in tokens or product.sku in hints):
            return product, "sku"
    best, score = None, 0
    for product in products.iterator():
        model = str((product.attributes or {}).get("model") or "").lower()
        if model and len(model) >= 3 and re.search(rf"(?<![\w-]){re.escape(model)}(?![\w-])", low):
            return product, "model"
        words = set(re.findall(r"[\w-]{4,}", f"{product.name} {product.brand}".lower()))
        common = len(words & tokens)
        if common > score:
            best, score = product, common
    if best is not None and score >= 2:
        return best, "name"
    return None, ""
