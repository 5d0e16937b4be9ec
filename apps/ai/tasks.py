from __future__ import annotations

from celery import shared_task

from apps.accounts.models import Organization
from apps.core import services as jobs


@shared_task(name="apps.ai.tasks.generation_batch_task", ignore_result=True, acks_late=True,
             time_limit=60 * 30, soft_time_limit=60 * 28)  # fmt: skip
def generation_batch_task(org_id: int, job_id: int, kind: str, target_ids: list[int],
                          options: dict | None = None) -> dict:  # fmt: skip
    """One batch of a generation job of any generation kind (queue "ai"). A redelivery after a
    worker died resumes: targets that already have a draft from this job are skipped."""
    from .services import generation_batch_run

    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return {"skipped": "organization deleted"}
    try:
        return generation_batch_run(org=org, job_id=job_id, kind=kind, target_ids=target_ids,
                                    options=options)  # fmt: skip
    except Exception as exc:
        jobs.job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
        raise
