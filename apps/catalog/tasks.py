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


@shared_task(
    name="apps.catalog.tasks.listing_generated_scene_task",
    ignore_result=True,
    queue="ai",
    time_limit=600,
)
def listing_generated_scene_task(
    org_id: int, listing_id: int, photo_id: int, setting: str, actor_id: int | None = None
) -> None:
    """A scene on a generated background as a listing_image draft (a failed draft when the
    endpoint fails). Idempotent enough: a redelivery makes one more draft that supersedes."""
    from django.contrib.auth import get_user_model

    from apps.catalog.images.generated import listing_generated_scene_draft
    from apps.catalog.models import Listing
    from apps.catalog.photos.models import ProductPhoto
    from apps.core.errors import DomainError

    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return
    listing = (
        Listing.objects.for_org(org)
        .select_related("product", "store__marketplace")
        .filter(pk=listing_id)
        .first()
    )
    photo = ProductPhoto.objects.for_org(org).filter(pk=photo_id).first()
    if listing is None or photo is None:
        return
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        listing_generated_scene_draft(
            org=org, actor=actor, listing=listing, photo=photo, setting=setting
        )
    except DomainError as exc:  # a bad cut-out, no main image: shown in the queue, not lost
        from apps.review.services import draft_create_failed

        draft_create_failed(
            org=org,
            kind="listing_image",
            target=listing,
            error=exc.message,
            proposed={"images": list(listing.images or []), "role": "scene"},
            actor=actor,
        )
