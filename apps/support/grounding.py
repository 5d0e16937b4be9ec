"""Grounding of a reply: every order number, tracking number, date and amount it states must
appear in the context the draft was built from (order, shipments, product, knowledge base).
Anything else is flagged as an error (it blocks approval) with its position, so the editor can
mark it. Dates are compared as calendar days, amounts as numbers, ids verbatim."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

ORDER_ID = re.compile(r"\b\d{3}-\d{7}-\d{7}\b|\b\d{2}-\d{5}-\d{5}\b")
# Tracking numbers: long tokens mixing capitals and digits (1Z…, YT…, 4PX…CN, JD…), or 12+ digits.
TRACKING = re.compile(r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{10,30}\b|\b\d{12,22}\b")
MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "januar": 1,
    "februar": 2,
    "märz": 3,
    "mai": 5,
    "juni": 6,
    "juli": 7,
    "oktober": 10,
    "dezember": 12,
    "janvier": 1,
    "février": 2,
    "mars": 3,
    "avril": 4,
    "juin": 6,
    "juillet": 7,
    "août": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
DATES = [
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), "ymd"),
    (re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"), "ymd"),
    (re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b"), "dmy"),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b"), "mdy_or_dmy"),
    (
        re.compile(rf"\b(\d{{1,2}})\.?\s+(?:de\s+)?({_MONTH})(?:\s+de)?\s+(\d{{4}})\b", re.I),
        "d_mon_y",
    ),
    (re.compile(rf"\b({_MONTH})\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I), "mon_d_y"),
]
AMOUNT = re.compile(
    r"(?:(?P<cur1>[$€£¥]|USD|EUR|GBP|JPY|CNY)\s?(?P<n1>\d[\d.,\s]*\d|\d))"
    r"|(?:(?P<n2>\d[\d.,\s]*\d|\d)\s?(?P<cur2>[$€£¥]|USD|EUR|GBP|JPY|CNY|円|元))"
)


@dataclass(frozen=True)
class Claim:
    kind: str  # order_id | tracking | date | amount
    text: str
    value: str  # normalised
    start: int
    end: int


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _dates(text: str) -> list[tuple[str, int, int, list[date]]]:
    found = []
    for regex, style in DATES:
        for m in regex.finditer(text):
            g = m.groups()
            options: list[date | None]
            if style == "ymd":
                options = [_safe_date(int(g[0]), int(g[1]), int(g[2]))]
            elif style == "dmy":
                options = [_safe_date(int(g[2]), int(g[1]), int(g[0]))]
            elif style == "mdy_or_dmy":
                options = [
                    _safe_date(int(g[2]), int(g[0]), int(g[1])),
                    _safe_date(int(g[2]), int(g[1]), int(g[0])),
                ]
            elif style == "d_mon_y":
                options = [_safe_date(int(g[2]), MONTHS[g[1].lower()], int(g[0]))]
            else:
                options = [_safe_date(int(g[2]), MONTHS[g[0].lower()], int(g[1]))]
            valid = [d for d in options if d is not None]
            if valid:
                found.append((m.group(0), m.start(), m.end(), valid))
    return found


def number_value(raw: str) -> Decimal | None:
    """'1.234,50' / '1,234.50' / '12,5' / '12.50' → Decimal."""
    s = raw.replace(" ", "").replace("\u00a0", "")
    if "," in s and "." in s:
        s = (
            s.replace(".", "").replace(",", ".")
            if s.rfind(",") > s.rfind(".")
            else s.replace(",", "")
        )
    elif "," in s:
        head, _, tail = s.rpartition(",")
        s = f"{head.replace(',', '')}.{tail}" if len(tail) in (1, 2) else s.replace(",", "")
    try:
        return Decimal(s).normalize()
    except InvalidOperation:
        return None


def claims(text: str) -> list[Claim]:
    text = text or ""
    out: list[Claim] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in ORDER_ID.finditer(text):
        out.append(Claim("order_id", m.group(0), m.group(0), m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for raw, a, b, days in _dates(text):
        if free(a, b):
            out.append(Claim("date", raw, "|".join(d.isoformat() for d in days), a, b))
            taken.append((a, b))
    for m in TRACKING.finditer(text):
        if free(m.start(), m.end()):
            out.append(Claim("tracking", m.group(0), m.group(0).upper(), m.start(), m.end()))
            taken.append((m.start(), m.end()))
    for m in AMOUNT.finditer(text):
        raw_number = m.group("n1") or m.group("n2") or ""
        value = number_value(raw_number.strip())
        if value is not None and free(m.start(), m.end()):
            out.append(Claim("amount", m.group(0).strip(), str(value), m.start(), m.end()))
            taken.append((m.start(), m.end()))
    return sorted(out, key=lambda c: c.start)


def context_values(context: Any) -> dict[str, set[str]]:
    """Every id, date and amount found anywhere in the context (strings, numbers, dates in any
    nesting), normalised like the claims are."""
    values: dict[str, set[str]] = {
        "order_id": set(),
        "tracking": set(),
        "date": set(),
        "amount": set(),
    }

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple | set):
            for v in value:
                walk(v)
        elif isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            values["amount"].add(str(Decimal(str(value)).normalize()))
        elif isinstance(value, date):
            values["date"].add(value.isoformat()[:10])
        elif isinstance(value, str):
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}(T.*)?", value):
                values["date"].add(value[:10])
            for c in claims(value):
                if c.kind == "date":
                    values["date"].update(c.value.split("|"))
                else:
                    values[c.kind].add(c.value)
            for token in re.findall(r"[A-Za-z0-9]{8,30}", value):
                values["tracking"].add(token.upper())
            n = number_value(value) if re.fullmatch(r"-?[\d.,]+", value.strip()) else None
            if n is not None:
                values["amount"].add(str(n))

    walk(context)
    values["order_id"] |= values["tracking"]  # ids may also stand as plain tokens
    return values


def ungrounded(text: str, context: Any) -> list[Claim]:
    known = context_values(context)
    missing = []
    for claim in claims(text):
        if claim.kind == "date":
            if not set(claim.value.split("|")) & known["date"]:
                missing.append(claim)
        elif claim.kind == "order_id":
            if claim.value not in known["order_id"] and claim.value not in known["tracking"]:
                missing.append(claim)
        elif claim.value not in known[claim.kind]:
            missing.append(claim)
    return missing
