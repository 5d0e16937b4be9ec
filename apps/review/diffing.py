"""Word-level diffs and edit distances between the proposed and the final text of a draft."""

from __future__ import annotations

import difflib
import re
from decimal import Decimal
from typing import Any

_TOKEN = re.compile(r"\s+|[^\s]+")


def payload_text(payload: dict | None, fields: tuple[str, ...]) -> str:
    """The reviewable text of a payload: its text fields joined (lists item by item)."""
    if not payload:
        return ""
    parts: list[str] = []
    for name in fields or tuple(sorted(payload)):
        value = payload.get(name)
        if isinstance(value, list):
            parts.extend(str(v) for v in value)
        elif value is not None:
            parts.append(str(value))
    return "\n".join(parts)


def word_diff(old: str, new: str) -> list[dict[str, str]]:
    """Opcodes over words (whitespace kept), for a side-by-side view: equal/insert/delete."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    ops: list[dict[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append({"op": "equal", "text": "".join(a[i1:i2])})
            continue
        if i2 > i1:
            ops.append({"op": "delete", "text": "".join(a[i1:i2])})
        if j2 > j1:
            ops.append({"op": "insert", "text": "".join(b[j1:j2])})
    return ops


def field_diffs(current: dict, proposed: dict, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Per field: old and new values and, for text, the word diff."""
    rows = []
    for name in fields or tuple(sorted(set(current) | set(proposed))):
        old, new = current.get(name), proposed.get(name)
        old_text = "\n".join(map(str, old)) if isinstance(old, list) else str(old or "")
        new_text = "\n".join(map(str, new)) if isinstance(new, list) else str(new or "")
        rows.append(
            {
                "field": name,
                "old": old,
                "new": new,
                "changed": old_text != new_text,
                "diff": word_diff(old_text, new_text),
            }
        )
    return rows


def edit_distance(proposed: str, final: str) -> Decimal:
    """Word-level Levenshtein distance over the longer text's length: 0 unedited, 1 rewritten."""
    a, b = proposed.split(), final.split()
    if not a and not b:
        return Decimal("0")
    previous = list(range(len(b) + 1))
    for i, word_a in enumerate(a, start=1):
        current = [i]
        for j, word_b in enumerate(b, start=1):
            cost = 0 if word_a == word_b else 1
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost))
        previous = current
    return (Decimal(previous[-1]) / Decimal(max(len(a), len(b)))).quantize(Decimal("0.0001"))
