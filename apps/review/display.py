"""How the review screen says a draft's rationale, evidence and extra values to people, in the
active language, instead of dumping their stored keys (`field: … · value: … · source: …`).

`review` knows no domain: the apps that write drafts register what only they know, in their
`AppConfig.ready()`: labels for the keys and sources their evidence uses (`register_labels`),
evidence kinds another panel already shows (`hide_evidence`), and renderers of the rationales
their code writes (`register_rationale`). Whatever nobody registered is humanized
(`attributes.power_w` -> "Power w"), never shown raw.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from .models import DraftStatus
from .registry import DraftKind

_LABELS: dict[str, Any] = {
    # The generic keys of an evidence item and the sources every kind uses.
    "source": gettext_lazy("Source"),
    "value": gettext_lazy("Value"),
    "product": gettext_lazy("Product facts"),
    "listing": gettext_lazy("Listing"),
    "reviews": gettext_lazy("Customer reviews"),
    "few_shot": gettext_lazy("Approved example"),
    "draft_id": gettext_lazy("Draft"),
}
_HIDDEN_EVIDENCE: set[str] = set()
_RATIONALES: list[Callable[[Any], str | None]] = []


def register_labels(labels: dict[str, Any]) -> None:
    """Labels (lazy translations) for evidence keys, field names and source names."""
    _LABELS.update(labels)


def hide_evidence(*kinds: str) -> None:
    """Evidence items of these `kind`s are shown by a panel of their own."""
    _HIDDEN_EVIDENCE.update(kinds)


def register_rationale(render: Callable[[Any], str | None]) -> None:
    """`render(draft)` says a rationale its app wrote in the active language, or None."""
    _RATIONALES.append(render)


def humanize(key: str) -> str:
    text = str(key).rsplit(".", 1)[-1].replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else "—"


def label_for(key: str, handler: DraftKind | None = None) -> str:
    """The reviewer-facing name of a payload field, evidence key or source."""
    spec = handler.field_spec(key) if handler is not None else None
    if spec is not None:
        return str(spec.label)
    if key in _LABELS:
        return str(_LABELS[key])
    if key.lower() in _LABELS:
        return str(_LABELS[key.lower()])
    if "." in key:
        return label_for(key.rsplit(".", 1)[-1], handler)
    return humanize(key)


def value_text(value: Any) -> str:
    """A stored value as text: lists joined, empty as a dash, no Python reprs."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{label_for(str(k))}: {value_text(v)}" for k, v in value.items())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _zh() -> bool:
    return (get_language() or "").lower().startswith("zh")


def evidence_rows(handler: DraftKind | None, evidence: Any) -> list[dict[str, Any]]:
    """One row per evidence item: what it is (`label`), its value, where it came from, and any
    other keys as labelled pairs."""
    rows: list[dict[str, Any]] = []
    for item in evidence if isinstance(evidence, list) else []:
        if not isinstance(item, dict):
            rows.append({"label": "", "value": value_text(item), "source": "", "pairs": []})
            continue
        if item.get("kind") in _HIDDEN_EVIDENCE:
            continue
        rest = {
            k: v
            for k, v in item.items()
            if k not in ("field", "value", "source", "kind", "label_en", "label_zh")
        }
        what = item.get("field") or item.get("kind") or ""
        # A fact the owning app labelled itself (English and Chinese) keeps its own label.
        own = item.get("label_zh") if _zh() and item.get("label_zh") else item.get("label_en")
        rows.append(
            {
                "label": str(own) if own else label_for(str(what), handler) if what else "",
                "value": value_text(item["value"]) if "value" in item else "",
                "source": label_for(str(item["source"])) if item.get("source") else "",
                "pairs": [(label_for(str(k), handler), value_text(v)) for k, v in rest.items()],
            }
        )
    return rows


def extra_values(handler: DraftKind | None, proposed: dict, declared: set[str]) -> list:
    """Proposed values the kind declares no field for, labelled."""
    return [
        (label_for(str(k), handler), value_text(v))
        for k, v in proposed.items()
        if k not in declared and v not in (None, "", [], {})
    ]


def rationale_text(draft: Any) -> str:
    for render in _RATIONALES:
        text = render(draft)
        if text:
            return text
    return draft.rationale or ""


_VERSION_NOTE = re.compile(r"^The target changed \(version (?P<old>\d+) → (?P<new>\d+)\)\.$")


def note_text(note: str) -> str:
    """The notes review's services write on transitions, in the active language; a person's own
    note is shown as written."""
    known = {
        "The target no longer exists.": _("The target no longer exists."),
        "The target changed since the draft.": _("The target changed since the draft."),
        "Replaced by a newer draft.": _("Replaced by a newer draft."),
    }
    if note in known:
        return known[note]
    match = _VERSION_NOTE.match(note or "")
    if match:
        return _("The target changed (version %(old)s → %(new)s).") % match.groupdict()
    return note


def status_label(status: str) -> str:
    return str(dict(DraftStatus.choices).get(status, status or "∅"))
