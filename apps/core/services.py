"""Writes to Job rows. Long tasks call these so the dashboard's progress bar stays live."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Job


def job_create(*, org, kind: str, label: str = "", total: int = 0, actor=None) -> Job:
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


def job_finish(*, job_id: int, result: dict | None = None) -> None:
    Job.objects.unscoped().filter(pk=job_id).update(
        status=Job.Status.SUCCEEDED, finished_at=timezone.now(), result=result or {}
    )


def job_fail(*, job_id: int, error: str) -> None:
    Job.objects.unscoped().filter(pk=job_id).update(
        status=Job.Status.FAILED, finished_at=timezone.now(), error=error[:4000]
    )


@transaction.atomic
def jobs_fail_stale(*, older_than: timedelta = timedelta(minutes=30)) -> int:
    """Mark running jobs whose worker stopped reporting as failed, so no bar spins forever."""
    cutoff = timezone.now() - older_than
    return (
        Job.objects.unscoped()
        .filter(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff)
        .update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            error="The worker stopped reporting progress (lost or restarted).",
        )
    )
