"""Edits a reviewer saves on a pending draft without approving it, and a fresh back-translation
of the text as edited.

Saving an edit re-runs the kind's checks (lint, grounding, …) on the edited payload and lets
the kind mark what the edit made stale in its evidence (`DraftKind.on_edit`: a back-translation
of the old text). What the generator proposed is kept once, as `original_proposal` evidence, so
the feedback metrics still measure edits against it. `draft_back_translate` asks the kind for a
back-translation of the payload as it is now (`DraftKind.back_translate`) and replaces the old
one, if the text did not move meanwhile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from apps.core.errors import Conflict, NotFound, ValidationFailed

from .models import Draft, DraftStatus, ReviewEvent
from .registry import get_kind
from .selectors import draft_target
from .services import _lock_draft, _lock_target, _merge_edits
from .staleness import edited_evidence

if TYPE_CHECKING:
    from apps.accounts.models import Organization

S = DraftStatus


def _save(draft: Draft, **values) -> None:
    values["updated_at"] = timezone.now()
    moved = (
        Draft.objects.for_org(draft.organization_id)
        .filter(pk=draft.pk, status=S.PENDING)
        .update(**values)
    )
    if not moved:
        raise Conflict("This draft is no longer pending.", code="not_pending")
    for name, value in values.items():
        setattr(draft, name, value)


def draft_edit(*, org: Organization, actor, draft_id: int, edited: dict) -> Draft:
    """Save a reviewer's edits on a pending draft (checked like an approval's edits), re-run
    its checks on the edited payload and mark stale evidence. 409 for a decided draft."""
    if not edited:
        raise ValidationFailed("Nothing to save: no edited field.", field="payload")
    with transaction.atomic():
        draft = _lock_draft(org, draft_id)
        if draft.status != S.PENDING:
            raise Conflict(f"This draft is {draft.status}; only pending drafts are edited.")
        handler = get_kind(draft.kind)
        final = _merge_edits(draft, edited)
        target = _lock_target(draft)
        if target is None:
            raise NotFound("The target no longer exists.")
        if final == draft.proposed:
            return draft
        evidence = edited_evidence(handler, draft, final)
        if not any(e.get("kind") == "original_proposal" for e in evidence):
            evidence.append({"kind": "original_proposal", "proposed": dict(draft.proposed)})
        checks = [c.as_dict() for c in handler.validate(target, final)]
        changed = {k: final[k] for k in final if final.get(k) != draft.proposed.get(k)}
        _save(draft, proposed=final, evidence=evidence, checks=checks)
        ReviewEvent.objects.create(
            organization_id=draft.organization_id,
            draft=draft,
            actor=actor,
            from_status=S.PENDING,
            to_status=S.PENDING,
            note="Edited; checks re-run on the edited text.",
            payload=changed,
        )
    return draft


def draft_back_translate(*, org: Organization, actor, draft_id: int) -> Draft:
    """Back-translate a pending draft's payload as it is now (the model call runs outside the
    row lock); refused when the kind has none, and a 409 when the text moved meanwhile."""
    draft = Draft.objects.for_org(org).filter(pk=draft_id).first()
    if draft is None:
        raise NotFound("No such draft.")
    if draft.status != S.PENDING:
        raise Conflict(f"This draft is {draft.status}; only pending drafts are back-translated.")
    handler = get_kind(draft.kind)
    if handler.back_translate is None:
        raise ValidationFailed("Drafts of this kind have no back-translation.")
    target = draft_target(draft)
    if target is None:
        raise NotFound("The target no longer exists.")
    seen = dict(draft.proposed)
    entry = handler.back_translate(target, seen)
    with transaction.atomic():
        draft = _lock_draft(org, draft_id)
        if draft.status != S.PENDING or draft.proposed != seen:
            raise Conflict("The draft changed while it was back-translated; try again.")
        evidence = [e for e in draft.evidence or [] if e.get("kind") != "back_translation"]
        _save(draft, evidence=[*evidence, entry])
        ReviewEvent.objects.create(
            organization_id=draft.organization_id,
            draft=draft,
            actor=actor,
            from_status=S.PENDING,
            to_status=S.PENDING,
            note="Back-translated again.",
        )
    return draft
