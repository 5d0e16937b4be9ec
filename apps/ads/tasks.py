"""Recommendation runs on the worker (queue "default"), one organization at a time.

The page and the API call `recommendations_start`, which creates a Job and enqueues
`recommendations_run_task` once the request's transaction commits; the task reports its steps
to the Job (the generic job page shows the progress) and its counts as the job's result.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import connection

from apps.core import services as jobs

log = logging.getLogger(__name__)
JOB_KIND = "ads_recommendations"
LOCK = 0x4144  # "AD": one run per organization at a time


@shared_task(name="apps.ads.tasks.recommendations_run_task", ignore_result=True, acks_late=True,
             time_limit=60 * 30, soft_time_limit=60 * 28)  # fmt: skip
def recommendations_run_task(org_id: int, job_id: int | None = None) -> dict:
    from apps.accounts.models import Organization

    from .recommendations import RUN_STEPS, recommendations_run

    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        if job_id is not None:
            jobs.job_fail(job_id=job_id, error="The organization no longer exists.")
        return {"skipped": "gone"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK, org_id])
        if not cursor.fetchone()[0]:
            if job_id is not None:
                jobs.job_fail(job_id=job_id, error="Recommendations are being computed already.")
            return {"skipped": "already running"}
    try:
        if job_id is None:
            job_id = jobs.job_create(org=org, kind=JOB_KIND, label="").pk
        jobs.job_start(job_id=job_id, total=RUN_STEPS)
        try:
            result = recommendations_run(
                org=org, progress=lambda: jobs.job_advance(job_id=job_id, done=1)
            )
        except Exception as exc:
            jobs.job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
            raise
        out = result.as_json()
        jobs.job_finish(job_id=job_id, result=out)
        return out
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK, org_id])


@shared_task(name="apps.ads.tasks.search_terms_import_task", ignore_result=True, acks_late=True,
             time_limit=60 * 30, soft_time_limit=60 * 28)  # fmt: skip
def search_terms_import_task(org_id: int, job_id: int, path: str, store_id: int, filename: str,
                             actor_id: int | None = None) -> dict:  # fmt: skip
    from apps.accounts.models import Organization

    from .import_jobs import search_terms_import_run

    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        jobs.job_fail(job_id=job_id, error="The organization no longer exists.")
        return {"skipped": "gone"}
    return search_terms_import_run(org=org, job_id=job_id, path=path, store_id=store_id,
                                   filename=filename, actor_id=actor_id)  # fmt: skip


@shared_task(name="apps.ads.tasks.terms_translate_task", ignore_result=True, acks_late=True,
             time_limit=60 * 30, soft_time_limit=60 * 28)  # fmt: skip
def terms_translate_task(org_id: int, language: str = "") -> dict:
    from apps.accounts.models import Organization

    from .translation import terms_translate

    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return {"skipped": "gone"}
    return terms_translate(org=org, language=language or None)


@shared_task(name="apps.ads.tasks.search_term_uploads_purge_task", ignore_result=True)
def search_term_uploads_purge_task() -> int:
    """Beat, daily: saved search-term uploads no job took within a day are deleted."""
    from .import_jobs import search_term_uploads_purge

    return search_term_uploads_purge()
