from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model

from apps.accounts.models import Organization
from apps.core import services as jobs


@shared_task(name="apps.review.tasks.drafts_bulk_task", ignore_result=True, time_limit=3600)
def drafts_bulk_task(
    org_id: int, job_id: int, actor_id: int | None, action: str, ids: list[int], reason: str = ""
) -> None:
    """Bulk approve/reject. Safe to redeliver: only still-pending drafts are touched."""
    from .bulk import drafts_bulk_run

    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        totals = drafts_bulk_run(
            org=org, actor=actor, job_id=job_id, action=action, ids=ids, reason=reason
        )
    except Exception as exc:
        jobs.job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
        raise
    jobs.job_finish(job_id=job_id, result=totals)
