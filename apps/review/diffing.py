"""Diffs of a draft, rendered per declared field type, and edit distances.

Each field of a kind declares a renderer (apps.review.fields.FieldSpec.renderer, by default
from its type): `words` (word diff of a text), `items` (item diff of a list, changed items word
by word), `value` (before → after, money with its currency) and `images` (thumbnails). An app
with a field no renderer fits registers its own with `register_renderer` and a template.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .fields import MONEY, FieldSpec

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
    current, proposed = current or {}, proposed or {}
    for name in fields or tuple(sorted(set(current) | set(proposed))):
        old, new = current.get(name), proposed.get(name)
        old_text, new_text = _as_text(old), _as_text(new)
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


# --- renderers per field type ----------------------------------------------------------------

RenderData = Callable[[FieldSpec, Any, Any, dict, dict], dict[str, Any]]


@dataclass(frozen=True)
class Renderer:
    """Computes a diff row's data (JSON-safe, also served by the API) and names the template
    that shows it; the template gets the row as `row`."""

    data: RenderData
    template: str


def _as_text(value: Any) -> str:
    return "\n".join(map(str, value)) if isinstance(value, list) else str(value or "")


def _words(spec: FieldSpec, old: Any, new: Any, current: dict, proposed: dict) -> dict:
    return {}  # the row's `diff` is the word diff already


def _item_ops(old: list[str], new: list[str]) -> tuple[list[list[dict]], list[list[dict]]]:
    """Per side, per item, the word ops that side shows: removed and added items whole,
    changed items (paired in place) word by word."""
    old_items: list[list[dict]] = []
    new_items: list[list[dict]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            old_items += [[{"op": "equal", "text": t}] for t in old[i1:i2]]
            new_items += [[{"op": "equal", "text": t}] for t in new[j1:j2]]
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            ops = word_diff(old[i1 + k], new[j1 + k])
            old_items.append([o for o in ops if o["op"] != "insert"])
            new_items.append([o for o in ops if o["op"] != "delete"])
        old_items += [[{"op": "delete", "text": t}] for t in old[i1 + paired : i2]]
        new_items += [[{"op": "insert", "text": t}] for t in new[j1 + paired : j2]]
    return old_items, new_items


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [] if value in (None, "") else [str(value)]


def _items(spec: FieldSpec, old: Any, new: Any, current: dict, proposed: dict) -> dict:
    old_items, new_items = _item_ops(_as_list(old), _as_list(new))
    return {"old_items": old_items, "new_items": new_items}


def _shown(spec: FieldSpec, value: Any, payload: dict) -> str:
    if value is None or value == "":
        return ""
    if spec.type == MONEY and payload.get(spec.currency_field):
        return f"{value} {payload[spec.currency_field]}"
    return str(value)


def _value(spec: FieldSpec, old: Any, new: Any, current: dict, proposed: dict) -> dict:
    return {"old_shown": _shown(spec, old, current), "new_shown": _shown(spec, new, proposed)}


def _images(spec: FieldSpec, old: Any, new: Any, current: dict, proposed: dict) -> dict:
    old_paths = [str(p) for p in old or []]
    new_paths = [str(p) for p in new or []]
    url = spec.image_url or (lambda path: "")

    def side(paths: list[str], other: list[str]) -> list[dict]:
        return [
            {"path": p, "url": url(p), "changed": i >= len(other) or other[i] != p}
            for i, p in enumerate(paths)
        ]

    return {"old_images": side(old_paths, new_paths), "new_images": side(new_paths, old_paths)}


RENDERERS: dict[str, Renderer] = {
    "words": Renderer(_words, "review/diff/_words.html"),
    "items": Renderer(_items, "review/diff/_items.html"),
    "value": Renderer(_value, "review/diff/_value.html"),
    "images": Renderer(_images, "review/diff/_images.html"),
}


def register_renderer(name: str, data: RenderData, template: str) -> None:
    """A renderer of the owning app's own, for fields none of the generic ones fits."""
    if name in RENDERERS and RENDERERS[name] != Renderer(data, template):
        raise ValueError(f"diff renderer {name!r} is registered twice")
    RENDERERS[name] = Renderer(data, template)


def rendered_diffs(specs: tuple[FieldSpec, ...], current: dict, proposed: dict) -> list[dict]:
    """Per diffed field: the generic row (old, new, changed, word diff) plus its renderer's
    data, labelled with the declaration's label."""
    rows = []
    diffed = [s for s in specs if s.diffed]
    plain = field_diffs(current, proposed, tuple(s.name for s in diffed))
    for spec, row in zip(diffed, plain, strict=True):
        renderer = RENDERERS[spec.renderer_name]
        extra = renderer.data(spec, row["old"], row["new"], current or {}, proposed or {})
        rows.append({**row, "label": str(spec.label), "renderer": spec.renderer_name, **extra})
    return rows
