"""Writes to Job rows. Long tasks call these so the dashboard's progress bar stays live."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .jobs import job_kind_mark_cancellable
from .models import Job

if TYPE_CHECKING:
    from apps.accounts.models import Organization


def job_kind_cancellable(kind: str) -> None:
    """Kinds whose tasks check for cancellation between chunks; apps declare theirs in ready()
    (or with `job_kind_register(..., cancellable=True)`, which also names the kind)."""
    job_kind_mark_cancellable(kind)


def job_is_cancelled(job_id: int) -> bool:
    return Job.objects.unscoped().filter(pk=job_id, status=Job.Status.CANCELLED).exists()


def job_create(*, org: Organization, kind: str, label: str = "", total: int = 0, actor=None) -> Job:
    return Job.objects.create(
        organization=org, kind=kind, label=label, total=total, created_by=actor
    )


def job_start(*, job_id: int, total: int | None = None, celery_task_id: str = "") -> None:
    now = timezone.now()
    changes: dict[str, Any] = {"status": Job.Status.RUNNING, "started_at": now, "heartbeat_at": now}
    if total is not None:
        changes["total"] = total
    if celery_task_id:
        changes["celery_task_id"] = celery_task_id
    Job.objects.unscoped().filter(pk=job_id).update(**changes)


def job_advance(*, job_id: int, done: int = 0, failed: int = 0) -> None:
    """Add to the counters atomically (several chunks of one job may run in parallel)."""
    Job.objects.unscoped().filter(pk=job_id).update(
        done=F("done") + done, failed=F("failed") + failed, heartbeat_at=timezone.now()
    )


def _announce_finished(job_ids) -> None:
    """`job.finished` for each job that just reached a final status (same transaction)."""
    from .events import events_emit

    rows = (
        Job.objects.unscoped()
        .filter(pk__in=list(job_ids))
        .values("id", "organization_id", "kind", "status", "done", "failed", "total")
    )
    by_org: dict[int, list[dict]] = {}
    for row in rows:
        org_id = row.pop("organization_id")
        row["job_id"] = row.pop("id")
        by_org.setdefault(org_id, []).append(row)
    for org_id, payloads in by_org.items():
        events_emit(org=org_id, event="job.finished", payloads=payloads)


@transaction.atomic
def job_finish(*, job_id: int, result: dict | None = None) -> bool:
    """Mark an active job succeeded. A job cancelled or failed meanwhile keeps its status (and
    gets the result); returns whether the job was still active."""
    now = timezone.now()
    active = Job.objects.unscoped().filter(pk=job_id, status__in=Job.ACTIVE)
    if active.update(status=Job.Status.SUCCEEDED, finished_at=now, result=result or {}):
        _announce_finished([job_id])
        return True
    Job.objects.unscoped().filter(pk=job_id).update(result=result or {})
    return False


def job_cancel(*, org: Organization, job_id: int, kinds: tuple[str, ...] | None = None) -> Job:
    """Cancel an organization's active job; its tasks check the status and stop."""
    from .errors import NotFound

    qs = Job.objects.for_org(org).filter(pk=job_id)
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    job = qs.first()
    if job is None:
        raise NotFound("No such job.")
    with transaction.atomic():
        if qs.filter(status__in=Job.ACTIVE).update(
            status=Job.Status.CANCELLED, finished_at=timezone.now()
        ):
            _announce_finished([job.pk])
    job.refresh_from_db()
    return job


@transaction.atomic
def job_fail(*, job_id: int, error: str) -> None:
    was_active = Job.objects.unscoped().filter(pk=job_id, status__in=Job.ACTIVE).exists()
    Job.objects.unscoped().filter(pk=job_id).update(
        status=Job.Status.FAILED, finished_at=timezone.now(), error=error[:4000]
    )
    if was_active:
        _announce_finished([job_id])


@transaction.atomic
def jobs_fail_stale(*, older_than: timedelta = timedelta(minutes=30)) -> int:
    """Mark running jobs whose worker stopped reporting as failed, so no bar spins forever."""
    cutoff = timezone.now() - older_than
    stale = Job.objects.unscoped().filter(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff)
    ids = list(stale.select_for_update(skip_locked=True).values_list("id", flat=True))
    count = (
        Job.objects.unscoped()
        .filter(pk__in=ids, status=Job.Status.RUNNING)
        .update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            error="The worker stopped reporting progress (lost or restarted).",
        )
    )
    _announce_finished(ids)
    return count
