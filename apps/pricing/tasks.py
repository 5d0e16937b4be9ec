"""Repricing on queue "pricing": one task per store (never per offer), fanned out by beat.

`reprice_due_stores_task` runs every 15 minutes (CELERY_BEAT_SCHEDULE) and enqueues one
`reprice_store_task` per active store that has an enabled strategy assigned; stores spread
over however many workers consume "pricing". A store already being repriced is skipped.
Scheduled runs are incremental (only listings whose inputs changed, apps.pricing.incremental);
"Reprice now" runs in full.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import connection

from apps.core import services as jobs

log = logging.getLogger(__name__)
JOB_KIND = "reprice_store"  # the same kind the "Reprice now" button creates


@shared_task(name="apps.pricing.tasks.reprice_due_stores_task", ignore_result=True)
def reprice_due_stores_task() -> int:
    """Fan out: one reprice task per active store with an enabled strategy."""
    from .services import stores_due_for_repricing

    due = stores_due_for_repricing()
    for org_id, store_id in due:
        reprice_store_task.delay(org_id, store_id, "schedule")
    return len(due)


@shared_task(name="apps.pricing.tasks.reprice_store_task", ignore_result=True, acks_late=True,
             time_limit=60 * 30, soft_time_limit=60 * 28)  # fmt: skip
def reprice_store_task(
    org_id: int, store_id: int, trigger: str = "manual", job_id: int | None = None
) -> dict:
    """Reprice one store, reporting to `job_id` (created when not given: the schedule).
    Serialised per store with an advisory lock: a run still going when the next schedule
    fires makes the newer task return at once."""
    from apps.accounts.models import Organization
    from apps.catalog.models import Store

    from .engine.run import reprice_store

    org = Organization.objects.filter(pk=org_id).first()
    store = Store.objects.for_org(org).filter(pk=store_id).first() if org else None
    if org is None or store is None:
        if job_id is not None:
            jobs.job_fail(job_id=job_id, error="The store no longer exists.")
        return {"skipped": "gone"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [0x5052, store_id])
        if not cursor.fetchone()[0]:
            if job_id is not None:
                jobs.job_fail(job_id=job_id, error="The store is being repriced already.")
            return {"skipped": "already running"}
    try:
        if job_id is None:
            job_id = jobs.job_create(org=org, kind=JOB_KIND, label=f"Reprice {store.name}").pk
        total = store.listings.filter(status="active").count()
        jobs.job_start(job_id=job_id, total=total)
        try:
            out = reprice_store(
                org=org,
                store=store,
                trigger=trigger,
                job_id=job_id,
                incremental=trigger == "schedule",  # the beat: only listings that changed
            )
        except Exception as exc:
            jobs.job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
            raise
        result = {"run_id": out.run_id, **out.counts}
        jobs.job_finish(job_id=job_id, result=result)
        return result
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [0x5052, store_id])
