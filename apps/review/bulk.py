"""Bulk approve / reject of many drafts as a Job, set-based where the draft kind allows it.

Why set-based: a repricing run can leave tens of thousands of price drafts; approving them one by
one costs several queries each. Here a chunk is locked with one query (SKIP LOCKED, so a reviewer
working the same queue is not blocked), targets are locked and version-checked with one query,
applied with the kind's `apply_many` (one UPDATE ... FROM VALUES for prices), and drafts and
events are written with one bulk UPDATE and one bulk INSERT. The semantics stay those of
`draft_approve`: only pending drafts apply, a target whose aspect (the one the draft's kind
changes) moved supersedes its draft, a draft whose checks fail stays pending and is counted as
failed. Lock order as everywhere in review: the chunk's drafts first, then their targets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.core import services as jobs
from apps.core.models import Job

from .models import Draft, DraftStatus, ReviewEvent
from .registry import aspect_version, back_translation_stale, get_kind, is_flagged
from .selectors import DraftFilters, draft_list
from .services import REJECT_REASONS, _transition
from .webhook_events import drafts_announce

if TYPE_CHECKING:
    from apps.accounts.models import Organization

S = DraftStatus
CHUNK = 1000
BULK_KIND = "review.bulk"


def drafts_bulk_start(
    *,
    org: Organization,
    actor,
    action: str,
    ids: Iterable[int] | None = None,
    filters: DraftFilters | None = None,
    reason: str = "",
) -> Job:
    """Create the job for a selection (ids) or for everything matching a filter; queue it."""
    from apps.core.errors import ValidationFailed

    from .tasks import drafts_bulk_task

    if action not in ("approve", "reject"):
        raise ValidationFailed("The action must be approve or reject.", field="action")
    if action == "reject" and reason not in REJECT_REASONS:
        raise ValidationFailed("A rejection needs a known reason.", field="reason")
    qs = draft_list(org=org, filters=filters or DraftFilters())
    if ids is not None:
        qs = qs.filter(id__in=list(ids))
    draft_ids = list(qs.filter(status=S.PENDING).values_list("id", flat=True))
    label = f"Bulk {action} of {len(draft_ids)} drafts"
    with transaction.atomic():
        job = jobs.job_create(
            org=org, kind=BULK_KIND, label=label, total=len(draft_ids), actor=actor
        )
        actor_id = getattr(actor, "pk", None)
        transaction.on_commit(
            lambda: drafts_bulk_task.delay(org.id, job.id, actor_id, action, draft_ids, reason)
        )
    return job


def drafts_bulk_run(
    *, org: Organization, actor, job_id: int | None, action: str, ids: list[int], reason: str = ""
) -> dict[str, int]:
    """Process the ids chunk by chunk, each chunk in its own transaction."""
    totals = {"applied": 0, "rejected": 0, "superseded": 0, "failed": 0, "skipped": 0,
              "flagged": 0}  # fmt: skip
    if job_id:
        jobs.job_start(job_id=job_id, total=len(ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        if job_id and _cancelled(job_id):
            break
        with transaction.atomic():
            if action == "approve":
                result = drafts_approve_many(org=org, actor=actor, ids=chunk)
            else:
                result = drafts_reject_many(org=org, actor=actor, ids=chunk, reason=reason)
        for key, value in result.items():
            totals[key] = totals.get(key, 0) + value
        if job_id:
            done = result["applied"] + result["rejected"] + result["superseded"]
            done += result["skipped"] + result.get("flagged", 0)  # flagged: left to a person
            jobs.job_advance(job_id=job_id, done=done, failed=result["failed"])
    return totals


def _cancelled(job_id: int) -> bool:
    return jobs.job_is_cancelled(job_id)


def _lock_pending(org, ids: list[int]) -> list[Draft]:
    return list(
        Draft.objects.for_org(org)
        .filter(id__in=ids, status=S.PENDING)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("target_type")
        .order_by("id")
    )


def _events(drafts: list[Draft], from_status: str, to_status: str, actor, note: str = ""):
    return [
        ReviewEvent(
            organization_id=d.organization_id,
            draft_id=d.pk,
            actor=actor,
            from_status=from_status,
            to_status=to_status,
            note=note,
        )
        for d in drafts
    ]


def drafts_reject_many(*, org: Organization, actor, ids: list[int], reason: str) -> dict[str, int]:
    drafts = _lock_pending(org, ids)
    now = timezone.now()
    Draft.objects.for_org(org).filter(id__in=[d.pk for d in drafts], status=S.PENDING).update(
        status=S.REJECTED,
        reject_reason=reason,
        reviewed_by=actor,
        reviewed_at=now,
        claimed_by=None,
        claimed_until=None,
        updated_at=now,
    )
    ReviewEvent.objects.bulk_create(_events(drafts, S.PENDING, S.REJECTED, actor, reason))
    return {
        "applied": 0,
        "rejected": len(drafts),
        "superseded": 0,
        "failed": 0,
        "skipped": len(ids) - len(drafts),
    }


def drafts_approve_many(*, org: Organization, actor, ids: list[int]) -> dict[str, int]:
    """Approve and apply a chunk; the caller holds the transaction."""
    drafts = _lock_pending(org, ids)
    result = {
        "applied": 0,
        "rejected": 0,
        "superseded": 0,
        "failed": 0,
        "skipped": len(ids) - len(drafts),
        "flagged": 0,
    }
    by_kind: dict[str, list[Draft]] = defaultdict(list)
    for d in drafts:
        by_kind[d.kind].append(d)
    for kind, group in by_kind.items():
        for key, value in _approve_group(get_kind(kind), group, actor).items():
            result[key] += value
    return result


def _approve_group(handler, drafts: list[Draft], actor) -> dict[str, int]:
    model = drafts[0].target_type.model_class()
    assert model is not None, "a draft's target type is an installed model"
    targets = {
        t.pk: t
        for t in model._base_manager.select_for_update()
        .filter(organization_id=drafts[0].organization_id, pk__in=[d.target_id for d in drafts])
        .order_by("pk")
    }
    ready, superseded, failed, flagged = [], [], [], []
    for d in drafts:
        target = targets.get(d.target_id)
        if target is None or aspect_version(handler, target) != d.target_version:
            superseded.append(d) if target is not None else failed.append(d)
            continue
        checks = handler.validate(target, d.proposed)
        if any(c.severity == "error" for c in checks):
            failed.append(d)  # stays pending: a person must look at it
        elif is_flagged([c.as_dict() for c in checks]) or back_translation_stale(d.evidence):
            # e.g. scores lower than what it replaces, or edited after its back-translation:
            # a person decides
            flagged.append(d)
        else:
            ready.append((d, target))
    for d in superseded:
        _transition(d, S.SUPERSEDED, actor=actor, note="The target changed since the draft.")
    missing = [d for d in failed if d.target_id not in targets]
    for d in missing:
        _transition(d, S.FAILED, actor=actor, note="The target no longer exists.")
    _apply_ready(handler, ready, actor)
    return {"applied": len(ready), "superseded": len(superseded), "failed": len(failed),
            "flagged": len(flagged)}  # fmt: skip


def _apply_ready(handler, ready: list[tuple[Draft, Any]], actor) -> None:
    if not ready:
        return
    pairs = [(target, d.proposed) for d, target in ready]
    if handler.apply_many is not None:
        handler.apply_many(pairs)
    else:
        for target, payload in pairs:
            handler.apply(target, payload)
    now = timezone.now()
    drafts = [d for d, _ in ready]
    # Unedited bulk approval: the final payload is the proposed one, set in one statement.
    Draft.objects.for_org(drafts[0].organization_id).filter(
        id__in=[d.pk for d in drafts], status=S.PENDING
    ).update(
        status=S.APPLIED,
        final=F("proposed"),
        edit_distance=0,
        reviewed_by=actor,
        reviewed_at=now,
        applied_at=now,
        claimed_by=None,
        claimed_until=None,
        updated_at=now,
    )
    ReviewEvent.objects.bulk_create(
        _events(drafts, S.PENDING, S.APPROVED, actor, "Bulk approval")
        + _events(drafts, S.APPROVED, S.APPLIED, actor)
    )
    drafts_announce(drafts, S.APPROVED)
    drafts_announce(drafts, S.APPLIED)
