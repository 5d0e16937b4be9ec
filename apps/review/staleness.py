"""What a reviewer's edit makes stale in a draft's evidence (a back-translation of the old
text), and what the generator proposed before edits were saved (for the edit distance)."""

from __future__ import annotations

from .models import Draft
from .registry import DraftKind

STALE_MESSAGE = (
    "The text changed after it was translated back: the back-translation no longer shows what "
    "the buyer will read. Back-translate it again, or confirm that you have read the edited "
    "text (confirm_edited_text)."
)


def edited_evidence(handler: DraftKind, draft: Draft, final: dict) -> list:
    """The draft's evidence for the payload `final` (the kind's `on_edit` marks what the edit
    made stale, e.g. a back-translation of the old text)."""
    evidence = list(draft.evidence or [])
    if handler.on_edit is None or final == draft.proposed:
        return evidence
    return handler.on_edit(evidence, dict(draft.proposed), final)


def original_proposal(draft: Draft) -> dict:
    """What the generator proposed, before any edits a reviewer saved (apps.review.editing)."""
    saved = next((e for e in draft.evidence or [] if e.get("kind") == "original_proposal"), None)
    return dict(saved["proposed"]) if saved else dict(draft.proposed)
