"""The review state machine: create, claim, approve (apply), reject, supersede, fail.

Every transition goes through `_transition`, which refuses moves the state machine does not
allow and writes one ReviewEvent. A target whose aspect version (the one the draft's kind
changes, e.g. the listing's price_version for a price draft) moved since the draft was made is
never overwritten: the draft becomes `superseded` instead.

Lock order, everywhere (here, apps.review.bulk, apps.review.batch and every caller of them such
as the repricer): **draft rows first, then the target rows.** Approval locks the draft, then its
target; the set-based paths lock the open drafts of their targets before they update a target.
Two writers therefore never wait on each other in a cycle, and two reviewers approving at once
apply exactly once. Set-based status changes keep their condition in the UPDATE's WHERE
(`status IN ('pending', 'approved')`) and write events only for the rows they really changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import role_at_least
from apps.accounts.selectors import membership_for
from apps.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from .diffing import edit_distance, field_diffs, payload_text
from .fields import clean_edits
from .models import OPEN_STATUSES, Draft, DraftStatus, Policy, ReviewEvent
from .policies import policy_active
from .registry import DraftKind, aspect_version, back_translation_stale, get_kind, is_flagged
from .selectors import draft_target
from .staleness import STALE_MESSAGE, edited_evidence, original_proposal
from .webhook_events import drafts_announce

if TYPE_CHECKING:
    from apps.accounts.models import Organization
    from apps.core.models import Job

S = DraftStatus
ALLOWED: dict[str, frozenset[str]] = {
    "": frozenset({S.PENDING, S.FAILED}),
    S.PENDING: frozenset({S.APPROVED, S.REJECTED, S.SUPERSEDED, S.FAILED}),
    S.APPROVED: frozenset({S.APPLIED, S.SUPERSEDED, S.FAILED}),
    S.APPLIED: frozenset(),
    S.REJECTED: frozenset(),
    S.SUPERSEDED: frozenset(),
    S.FAILED: frozenset(),
}
CLAIM_LEASE = timedelta(minutes=10)
_DRAFT_FIELDS = [f for f in Draft._meta.concrete_fields if not f.primary_key]
REJECT_REASONS = (
    "inaccurate",
    "off_brand",
    "policy_violation",
    "poor_quality",
    "not_needed",
    "other",
)


class InvalidTransition(Conflict):
    title = "Invalid transition"


class DraftSuperseded(Conflict):
    title = "Draft superseded"


@dataclass(frozen=True)
class Provenance:
    """Where a draft came from: shown to reviewers, aggregated in feedback metrics."""

    provider: str = "offline"
    model_name: str = ""
    prompt_version: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    cost: Decimal = Decimal("0")
    cost_currency: str = "USD"
    job_id: int | None = None


def _transition(
    draft: Draft,
    to: str,
    *,
    actor=None,
    note: str = "",
    payload: Any = None,
    policy: Policy | None = None,
) -> ReviewEvent:
    """Move a draft to `to`, or refuse. The caller holds the draft's row lock (or created it)."""
    current = "" if draft._state.adding else draft.status
    if to not in ALLOWED[current]:
        raise InvalidTransition(f"A {current or 'new'} draft cannot become {to}.")
    draft.status = to
    if current:
        # One UPDATE of the draft's row that keeps the status condition in its WHERE: a draft
        # another transaction decided since it was read (a caller without the row lock) is
        # refused, never rewritten.
        draft.updated_at = timezone.now()
        values = {f.attname: getattr(draft, f.attname) for f in _DRAFT_FIELDS}
        moved = (
            Draft.objects.for_org(draft.organization_id)
            .filter(pk=draft.pk, status=current)
            .update(**values)
        )
        if not moved:
            draft.status = current
            raise InvalidTransition(f"This draft is no longer {current}.")
    else:
        draft.save()
    event = ReviewEvent.objects.create(
        organization_id=draft.organization_id,
        draft=draft,
        actor=actor,
        policy=policy,
        from_status=current,
        to_status=to,
        note=note[:2000],
        payload=payload,
    )
    drafts_announce([draft], to)  # webhooks' outbox, in this transaction
    return event


def _target_type_and_check(org, kind: DraftKind, target) -> ContentType:
    if target.organization_id != org.id:
        raise NotFound("No such target.")
    target_type = ContentType.objects.get_for_model(target)
    if f"{target_type.app_label}.{type(target).__name__}" != kind.target_model:
        raise ValidationFailed(f"A {kind.kind} draft cannot target a {target_type.model}.")
    return target_type


def _supersede_open(
    org, target_type, target_id: int, kind: str, note: str, unique_key: str = ""
) -> None:
    """Supersede the open draft of this target and kind with the same key (the kind's
    `unique_key`): drafts with other keys stay open side by side."""
    open_drafts = (
        Draft.objects.for_org(org)
        .select_for_update()
        .filter(
            target_type=target_type,
            target_id=target_id,
            kind=kind,
            unique_key=unique_key,
            status__in=OPEN_STATUSES,
        )
    )
    for older in open_drafts:
        _transition(older, S.SUPERSEDED, note=note)


def _unique_key(handler: DraftKind, target, payload: dict) -> str:
    key = str(handler.unique_key(target, payload) or "")
    if len(key) > 200:
        raise ValidationFailed("A draft's unique key is at most 200 characters.")
    return key


def _provenance_fields(provenance: Provenance | None) -> dict[str, Any]:
    p = provenance or Provenance()
    return {
        "provider": p.provider,
        "model_name": p.model_name,
        "prompt_version": p.prompt_version,
        "tokens_in": p.tokens_in,
        "tokens_out": p.tokens_out,
        "cost": p.cost,
        "cost_currency": p.cost_currency,
        "job_id": p.job_id,
    }


@transaction.atomic
def draft_create(
    *,
    org: Organization,
    kind: str,
    target,
    proposed: dict,
    rationale: str = "",
    evidence: list | None = None,
    provenance: Provenance | None = None,
    priority: int = 0,
    due_at=None,
    actor=None,
) -> Draft:
    """A new pending draft for `target`; supersedes the open one; auto-applies if policy says."""
    handler = get_kind(kind)
    target_type = _target_type_and_check(org, handler, target)
    unique_key = _unique_key(handler, target, proposed)
    _supersede_open(org, target_type, target.pk, kind, "Replaced by a newer draft.", unique_key)
    checks = [c.as_dict() for c in handler.validate(target, proposed)]
    draft = Draft(
        organization=org,
        kind=kind,
        target_type=target_type,
        target_id=target.pk,
        unique_key=unique_key,
        target_version=aspect_version(handler, target),
        current=handler.snapshot(target),
        proposed=proposed,
        rationale=rationale,
        evidence=evidence or [],
        checks=checks,
        priority=priority,
        due_at=due_at,
        **handler.columns(target),
        **_provenance_fields(provenance),
    )
    _transition(draft, S.PENDING, actor=actor, payload=proposed)
    policy = _auto_approving_policy(org, handler, target, proposed, checks)
    if policy is not None:
        policy_obj, reason = policy
        _approve_locked(draft, actor=None, edited=None, note=reason, policy=policy_obj)
    return draft


def _auto_approving_policy(org, handler: DraftKind, target, payload: dict, checks: list[dict]):
    if handler.auto_approve is None or any(c["severity"] == "error" for c in checks):
        return None
    if is_flagged(checks):
        return None  # flagged for a person (e.g. scores lower than what it replaces)
    policy = policy_active(org=org, kind=handler.kind)
    if policy is None:
        return None
    allowed, reason = handler.auto_approve(policy, target, payload)
    return (policy, f"Auto-approved by policy: {reason}") if allowed else None


@transaction.atomic
def draft_create_failed(
    *,
    org: Organization,
    kind: str,
    target,
    error: str,
    proposed: dict | None = None,
    provenance: Provenance | None = None,
    actor=None,
) -> Draft:
    """Record a generation that failed (LLM error, invalid output): visible, never applied.

    It does not supersede an open draft: a failed retry must not throw away a good draft.
    """
    handler = get_kind(kind)
    target_type = _target_type_and_check(org, handler, target)
    draft = Draft(
        organization=org,
        kind=kind,
        target_type=target_type,
        target_id=target.pk,
        unique_key=_unique_key(handler, target, proposed or {}),
        target_version=aspect_version(handler, target),
        current=handler.snapshot(target),
        proposed=proposed or {},
        error=error[:4000],
        **handler.columns(target),
        **_provenance_fields(provenance),
    )
    _transition(draft, S.FAILED, actor=actor, note=error[:2000])
    return draft


def _lock_draft(org, draft_id: int) -> Draft:
    try:
        return Draft.objects.for_org(org).select_for_update().get(pk=draft_id)
    except Draft.DoesNotExist as exc:
        raise NotFound("No such draft.") from exc


def _lock_target(draft: Draft):
    model = draft.target_type.model_class()
    assert model is not None, "a draft's target type is an installed model"
    return (
        model._base_manager.select_for_update()
        .filter(pk=draft.target_id, organization_id=draft.organization_id)
        .first()
    )


def _merge_edits(draft: Draft, edited: dict | None) -> dict:
    """The proposal with the reviewer's edits, each checked against the kind's declared field
    (type and limits; money rounded to its currency): a hostile value is a 400 naming it."""
    if not edited:
        return dict(draft.proposed)
    cleaned = clean_edits(get_kind(draft.kind).fields, draft.proposed, edited)
    return {**draft.proposed, **cleaned}


def _edited_values(final: dict, edited: dict | None) -> dict | None:
    """The edits as applied (cleaned and rounded), for the approval event."""
    return {name: final[name] for name in edited} if edited else None


def _override(org: Organization, actor, reason: str) -> str:
    """The reason, once the actor may override (a manager or owner of `org`); "" for none."""
    reason = " ".join((reason or "").split())[:500]
    if not reason:
        return ""
    membership = membership_for(user=actor, org_id=org.pk) if actor is not None else None
    if membership is None or not role_at_least(membership.role, "manager"):
        raise PermissionDenied(
            "Only a manager or owner can override a check; an API key cannot.",
            field="override_reason",
        )
    return reason


def _approve_locked(
    draft: Draft,
    *,
    actor,
    edited: dict | None,
    note: str = "",
    policy: Policy | None = None,
    override: str = "",
    confirm_edited: bool = False,
) -> Draft:
    """Approve and apply a locked pending draft, or supersede it when its target moved.

    A draft whose back-translation describes an older text (edited since, now or before) is
    refused unless the reviewer confirms having read the edited text (`confirm_edited`)."""
    handler = get_kind(draft.kind)
    final = _merge_edits(draft, edited)  # a malformed edit is refused before anything moves
    evidence = edited_evidence(handler, draft, final)
    if back_translation_stale(evidence) and not confirm_edited:
        raise ValidationFailed(
            STALE_MESSAGE, code="back_translation_stale", field="confirm_edited_text"
        )
    target = _lock_target(draft)
    if target is None:
        _transition(draft, S.FAILED, actor=actor, note="The target no longer exists.")
        return draft
    now_version = aspect_version(handler, target)
    if now_version != draft.target_version:  # only the aspect this kind changes counts
        now = handler.snapshot(target)
        changed = [d for d in field_diffs(draft.current, now, handler.text_fields) if d["changed"]]
        _transition(
            draft,
            S.SUPERSEDED,
            actor=actor,
            payload={"now": now, "changed": changed},
            note=f"The target changed (version {draft.target_version} → {now_version}).",
        )
        return draft
    checks = [c.as_dict() for c in handler.validate(target, final)]
    errors = [c for c in checks if c["severity"] == "error"]
    overridden = override and errors and all(c["rule"] in handler.overridable for c in errors)
    if errors and not overridden:
        field = errors[0].get("field") or None
        raise ValidationFailed(
            "; ".join(c["message"] for c in errors),
            code="checks_failed",
            field=field,
            extra={"rules": errors},
        )
    if overridden:
        rules = ", ".join(c["rule"] for c in errors)
        note = f"{note}\nOverride of {rules}: {override}".strip()
    edits = _edited_values(final, edited)
    _transition(draft, S.APPROVED, actor=actor, note=note, payload=edits, policy=policy)
    handler.apply(target, final)
    decided_at = timezone.now()
    draft.final, draft.checks, draft.evidence = final, checks, evidence
    draft.reviewed_by, draft.reviewed_at, draft.applied_at = actor, decided_at, decided_at
    draft.applied_by_policy = policy
    draft.claimed_by, draft.claimed_until = None, None
    fields = handler.text_fields
    draft.edit_distance = edit_distance(
        payload_text(original_proposal(draft), fields), payload_text(final, fields)
    )
    _transition(draft, S.APPLIED, actor=actor, policy=policy)
    return draft


def draft_approve(
    *,
    org: Organization,
    actor,
    draft_id: int,
    edited: dict | None = None,
    note: str = "",
    override_reason: str = "",
    confirm_edited: bool = False,
) -> Draft:
    """Approve (optionally with edits) and apply. 409 if already decided or superseded.

    `override_reason`: a manager's (or owner's) reason to apply despite the kind's overridable
    errors (a price below its floor); recorded on the approval event."""
    with transaction.atomic():
        draft = _lock_draft(org, draft_id)
        if draft.status == S.APPLIED:
            raise Conflict("This draft was already applied.", code="already_applied")
        if draft.status != S.PENDING:
            raise InvalidTransition(f"This draft is {draft.status}; only pending drafts apply.")
        override = _override(org, actor, override_reason)
        _approve_locked(
            draft,
            actor=actor,
            edited=edited,
            note=note,
            override=override,
            confirm_edited=confirm_edited,
        )
    if draft.status == S.SUPERSEDED:  # committed: the supersede stays recorded
        raise DraftSuperseded("The target changed since this draft was made; regenerate it.")
    return draft


@transaction.atomic
def draft_reject(*, org: Organization, actor, draft_id: int, reason: str, note: str = "") -> Draft:
    if reason not in REJECT_REASONS:
        raise ValidationFailed(
            f"Unknown reason; use one of {', '.join(REJECT_REASONS)}.", field="reason"
        )
    draft = _lock_draft(org, draft_id)
    if draft.status != S.PENDING:
        raise InvalidTransition(f"This draft is {draft.status}; only pending drafts reject.")
    draft.reject_reason = reason
    draft.reviewed_by, draft.reviewed_at = actor, timezone.now()
    draft.claimed_by, draft.claimed_until = None, None
    _transition(draft, S.REJECTED, actor=actor, note=note or reason)
    return draft


@transaction.atomic
def draft_claim(
    *, org: Organization, user, filters: Q | None = None, limit: int = 1
) -> list[Draft]:
    """Lease up to `limit` pending drafts no one else is reviewing (FOR UPDATE SKIP LOCKED)."""
    now = timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now) | Q(claimed_by=user)
    qs = Draft.objects.for_org(org).filter(free, status=S.PENDING)
    if filters is not None:
        qs = qs.filter(filters)
    ids = list(
        qs.order_by("-priority", "created_at")
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("id", flat=True)[:limit]
    )
    Draft.objects.for_org(org).filter(id__in=ids).update(
        claimed_by=user, claimed_until=now + CLAIM_LEASE
    )
    return list(Draft.objects.for_org(org).filter(id__in=ids).order_by("-priority", "created_at"))


def draft_release(*, org: Organization, user, draft_id: int) -> None:
    Draft.objects.for_org(org).filter(pk=draft_id, claimed_by=user).update(
        claimed_by=None, claimed_until=None
    )


@transaction.atomic
def policy_set(
    *,
    org: Organization,
    actor,
    kind: str,
    auto_approve: bool,
    max_change_pct: Decimal | None = None,
    options: dict | None = None,
) -> Policy:
    get_kind(kind)  # unknown kinds are refused
    if max_change_pct is not None and not (Decimal("0") <= max_change_pct <= Decimal("100")):
        raise ValidationFailed("The limit must be between 0 and 100 %.", field="max_change_pct")
    policy, _ = Policy.objects.for_org(org).update_or_create(
        organization=org,
        kind=kind,
        defaults={
            "auto_approve": auto_approve,
            "max_change_pct": max_change_pct,
            "options": options or {},
            "updated_by": actor,
        },
    )
    return policy


def draft_regenerate(*, org: Organization, actor, draft_id: int) -> Job:
    """Ask the owning app for a fresh draft of a superseded, failed or rejected draft's target.

    The new draft arrives through the owning app's generation job (returned, so a caller can
    follow it), so it sees the target's current values and version; this draft stays as it
    is, for the record. The dashboard's Regenerate button and the API both call this.
    """
    draft = Draft.objects.for_org(org).filter(pk=draft_id).first()
    if draft is None:
        raise NotFound("No such draft.")
    if draft.status not in (S.SUPERSEDED, S.FAILED, S.REJECTED):
        raise InvalidTransition("Only superseded, failed or rejected drafts are regenerated.")
    handler = get_kind(draft.kind)
    if handler.regenerate is None:
        raise ValidationFailed("Drafts of this kind are not regenerated from the queue.")
    target = draft_target(draft)
    if target is None:
        raise NotFound("The target no longer exists.")
    return handler.regenerate(org, target)
