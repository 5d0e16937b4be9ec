from __future__ import annotations

from celery import shared_task

from apps.accounts.models import Organization
from apps.core import services as jobs
from apps.core.models import Job


@shared_task(name="apps.catalog.tasks.listings_export_task", ignore_result=True, time_limit=3600)
def listings_export_task(org_id: int, job_id: int) -> None:
    from apps.catalog.exports.listings import listings_export_run

    org = Organization.objects.filter(pk=org_id).first()
    job = Job.objects.filter(organization_id=org_id, pk=job_id).first()
    if org is None or job is None or not job.is_active:
        return  # deleted or already handled (a redelivery after acks_late): nothing to do
    try:
        listings_export_run(org=org, job=job)
    except Exception as exc:
        jobs.job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(name="apps.catalog.tasks.marketplace_export_task", ignore_result=True, time_limit=3600)
def marketplace_export_task(org_id: int, job_id: int) -> None:
    from apps.catalog.exports.marketplace import marketplace_export_run

    org = Organization.objects.filter(pk=org_id).first()
    job = Job.objects.filter(organization_id=org_id, pk=job_id).first()
    if org is None or job is None or not job.is_active:
        return
    try:
        marketplace_export_run(org=org, job=job)
    except Exception as exc:
        jobs.job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
        raise
