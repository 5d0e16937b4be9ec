"""Draft kinds and their handlers, registered by the app that owns the target.

`review` knows nothing about listings or prices: the catalog app registers `listing_content`
and `price_change`, later apps register theirs. A handler says how to snapshot a target, how to
check a payload against the target's rules, whether a policy may auto-approve it, and how to
apply it (inside the review transaction, with the target row locked).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Check:
    """One validation result shown to the reviewer. Errors block approval; warnings inform."""

    rule: str
    severity: str  # "error" | "warning"
    message: str
    field: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": str(self.message),
            "field": self.field,
        }


@dataclass(frozen=True)
class DraftKind:
    kind: str
    label: str | Promise
    target_model: str  # "app_label.ModelName"
    snapshot: Callable[[Any], dict]
    apply: Callable[[Any, dict], None]
    version_of: Callable[[Any], int | None] = lambda target: getattr(target, "version", None)
    # The aspect of the target the kind changes ("content", "price", "stock", "images"): a draft
    # records `<aspect>_version` of its target and is superseded only when that aspect moved.
    # "": the target's overall `version_of`.
    aspect: str = ""
    facets: Callable[[Any], dict] = lambda target: {}
    validate: Callable[[Any, dict], list[Check]] = lambda target, payload: []
    # (policy, target, payload) -> (allowed, reason); None: the kind never auto-applies.
    auto_approve: Callable[[Any, Any, dict], tuple[bool, str]] | None = None
    # Fields shown as text diffs; the rest of the payload is shown as values.
    text_fields: tuple[str, ...] = field(default_factory=tuple)
    # Apply many (target, payload) pairs at once, set-based; None: `apply` is called per pair.
    apply_many: Callable[[list[tuple[Any, dict]]], None] | None = None
    # Queue a new generation for a superseded draft's target; None: not regenerable.
    regenerate: Callable[[Any, Any], None] | None = None
    # The numbers the review screen checks edits against live, in the browser:
    # target -> {"limits": {...}, "banned_terms": [...], "title_forbidden_chars": "..."}.
    client_rules: Callable[[Any], dict] | None = None


_KINDS: dict[str, DraftKind] = {}


def aspect_version(kind: DraftKind, target: Any) -> int | None:
    """The version of the aspect `kind` changes on `target` (its overall version if none)."""
    if kind.aspect:
        value = getattr(target, f"{kind.aspect}_version", None)
        if value is not None:
            return value
    return kind.version_of(target)


def register(kind: DraftKind) -> DraftKind:
    if kind.kind in _KINDS and _KINDS[kind.kind] != kind:
        raise ValueError(f"draft kind {kind.kind!r} is registered twice")
    _KINDS[kind.kind] = kind
    return kind


def get_kind(kind: str) -> DraftKind:
    try:
        return _KINDS[kind]
    except KeyError as exc:
        raise LookupError(f"no handler registered for draft kind {kind!r}") from exc


def all_kinds() -> list[DraftKind]:
    return sorted(_KINDS.values(), key=lambda k: k.kind)
