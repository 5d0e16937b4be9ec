"""Draft kinds and their handlers, registered by the app that owns the target.

`review` knows nothing about listings or prices: the catalog app registers `listing_content`
and `price_change`, later apps register theirs. A handler says how to snapshot a target, how to
check a payload against the target's rules, whether a policy may auto-approve it, and how to
apply it (inside the review transaction, with the target row locked). It also declares what
makes a draft unique among the target's open drafts (`unique_key`), what the queue shows of
the target (`display`), which payload fields a reviewer may edit and within which typed limits,
and how each field's diff renders (`fields`, see apps.review.fields).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

from .fields import FieldSpec, TargetDisplay


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
    # What the queue shows of a target: label, store (if any), link. None: the target's str().
    display: Callable[[Any], TargetDisplay] | None = None
    # Optional filter columns copied onto the draft: {"marketplace", "language", "category"}.
    facets: Callable[[Any], dict] = lambda target: {}
    # What makes a draft unique among the target's open drafts of this kind: a new draft
    # supersedes only the open draft with the same key ("" for one open draft per target).
    unique_key: Callable[[Any, dict], str] = lambda target, payload: ""
    # The payload's fields: types, edit limits, diff renderers (apps.review.fields). Fields not
    # declared are shown as plain values and refused in edits.
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)
    # Templates of the owning app shown with the draft (e.g. a back-translation panel); each
    # gets `draft` in its context.
    panels: tuple[str, ...] = field(default_factory=tuple)
    # Templates shown above the diff (e.g. the quality of current copy vs proposal).
    head_panels: tuple[str, ...] = field(default_factory=tuple)
    # A text_list field where a reviewer's confirmations of flagged claims go (checks with a
    # `claim`, e.g. grounding): "" when the kind has no confirmable claims.
    claims_field: str = ""
    validate: Callable[[Any, dict], list[Check]] = lambda target, payload: []
    # Rule ids of error checks a manager may override on approval by giving a reason (a price
    # outside its floor/ceiling); every other error blocks whoever approves.
    overridable: tuple[str, ...] = ()
    # (policy, target, payload) -> (allowed, reason); None: the kind never auto-applies.
    auto_approve: Callable[[Any, Any, dict], tuple[bool, str]] | None = None
    # Apply many (target, payload) pairs at once, set-based; None: `apply` is called per pair.
    apply_many: Callable[[list[tuple[Any, dict]]], None] | None = None
    # Queue a new generation for a superseded draft's target and return its Job; None: the
    # kind is not regenerable.
    regenerate: Callable[[Any, Any], Any] | None = None
    # The numbers the review screen checks edits against live, in the browser:
    # target -> {"limits": {...}, "banned_terms": [...], "title_forbidden_chars": "..."}.
    client_rules: Callable[[Any], dict] | None = None
    # (evidence, proposed before, payload after an edit) -> the evidence that describes the
    # edited payload (e.g. a back-translation marked stale); None: edits leave evidence as is.
    on_edit: Callable[[list, dict, dict], list] | None = None
    # (target, payload) -> a fresh back-translation evidence entry for the payload as it is
    # now (may raise a domain error, e.g. no endpoint); None: the kind has no such action.
    back_translate: Callable[[Any, dict], dict] | None = None

    @property
    def text_fields(self) -> tuple[str, ...]:
        """The diffed fields, in declaration order: what the diff shows and the edit distance
        measures (kept under its old name for callers of the registry)."""
        return tuple(f.name for f in self.fields if f.diffed)

    def field_spec(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    def target_display(self, target: Any) -> TargetDisplay:
        if self.display is None:
            return TargetDisplay(label=str(target))
        return self.display(target)

    def columns(self, target: Any) -> dict:
        """The draft's columns copied from its target: title and store from `display`, the
        optional filter facets."""
        columns = dict(self.facets(target))
        if self.display is not None or "title" not in columns:
            shown = self.target_display(target)
            columns.update(title=shown.label[:300], store_id=shown.store_id)
        return columns


def back_translation_stale(evidence: list | None) -> bool:
    """A back-translation entry describes an earlier text than the one the draft holds."""
    return any(
        isinstance(e, dict) and e.get("kind") == "back_translation" and e.get("stale")
        for e in evidence or []
    )


def is_flagged(checks: list[dict] | None) -> bool:
    """A check with `flag` asks for a person: the queue badges and filters it, and neither a
    policy nor a bulk approval applies the draft."""
    return any(isinstance(c, dict) and c.get("flag") for c in checks or [])


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
