from __future__ import annotations

from celery import shared_task

from .services import jobs_fail_stale


@shared_task(name="apps.core.tasks.fail_stale_jobs_task", ignore_result=True)
def fail_stale_jobs_task() -> int:
    return jobs_fail_stale()


@shared_task(name="apps.core.tasks.purge_idempotency_records_task", ignore_result=True)
def purge_idempotency_records_task() -> int:
    from .idempotency import idempotency_purge

    return idempotency_purge()
