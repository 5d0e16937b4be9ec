"""Review transitions announced as domain events (webhooks: draft.created/approved/applied).

Called where the transition is written, inside its transaction, so the outbox row commits or
rolls back with the draft (apps/core/events.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from apps.core.events import events_emit

from .models import DraftStatus

_EVENT_OF: dict[str, str] = {
    DraftStatus.PENDING.value: "draft.created",
    DraftStatus.APPROVED.value: "draft.approved",
    DraftStatus.APPLIED.value: "draft.applied",
}


def _payload(draft, status: str) -> dict[str, Any]:
    return {
        "draft_id": draft.pk,
        "kind": draft.kind,
        "status": status,
        "target_type": f"{draft.target_type.app_label}.{draft.target_type.model}"
        if draft.target_type_id
        else "",
        "target_id": draft.target_id,
    }


def drafts_announce(drafts: Iterable, to_status: str) -> None:
    """One event per draft that moved to `to_status` (other statuses announce nothing)."""
    event = _EVENT_OF.get(str(to_status))
    drafts = list(drafts)
    if event is None or not drafts:
        return
    events_emit(
        org=drafts[0].organization_id,
        event=event,
        payloads=[_payload(d, str(to_status)) for d in drafts],
    )


def drafts_created_announce(*, org_id: int, kind: str, count: int, job_id: int | None) -> None:
    """A set-based creation (thousands of drafts in one statement): one summary event."""
    if count:
        events_emit(
            org=org_id,
            event="draft.created",
            payloads=[{"kind": kind, "count": count, "job_id": job_id, "bulk": True}],
        )
