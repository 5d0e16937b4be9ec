"""Generation jobs: batches through a real Celery worker, progress, idempotent redelivery,
cancellation and tenant isolation."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from apps.ai.models import AiSettings
from apps.ai.services import JOB_KIND, generation_batch_run, generation_cancel, generation_start
from apps.core.errors import NotFound
from apps.core.models import Job
from apps.core.services import job_create, job_start
from apps.review.models import Draft, DraftStatus
from tests.factories import ListingFactory, StoreFactory, marketplace

from .conftest import VALID, Reply


def wait_for(job: Job, timeout: float = 30) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job still {job.status} after {timeout}s ({job.done}/{job.total})")


@pytest.mark.worker
def test_a_generation_job_through_the_worker_creates_one_pending_draft_per_listing(
    org, user, celery_worker, offline, settings
):
    settings.CROSSBORDER_AI_BATCH_SIZE = 3  # three tasks for seven listings
    de_store = StoreFactory(organization=org, marketplace=marketplace("amazon_de"))
    listings = [ListingFactory(organization=org) for _ in range(4)]
    listings += [ListingFactory(organization=org, store=de_store, language="de-DE",
                                currency="EUR") for _ in range(3)]  # fmt: skip
    job = wait_for(
        generation_start(
            org=org, actor=user, kind="listing_content", target_ids=[x.pk for x in listings]
        )
    )
    assert (job.status, job.total, job.done, job.failed, job.percent) == ("succeeded", 7, 7, 0, 100)
    drafts = list(Draft.objects.for_org(org).filter(job=job))
    assert sorted(d.target_id for d in drafts) == sorted(x.pk for x in listings)
    assert {d.status for d in drafts} == {DraftStatus.PENDING}
    assert {(d.provider, d.prompt_version) for d in drafts} == {("offline", "listing_content@v2")}
    assert {d.language for d in drafts} == {"en-US", "de-DE"}
    assert job.result["drafts"] == 7 and job.result["refused_ids"] == []


def test_a_redelivered_batch_skips_what_it_already_drafted(org, llm):
    server = llm(Reply.json(VALID))
    listings = [ListingFactory(organization=org) for _ in range(5)]
    ids = [x.pk for x in listings]
    job = job_create(org=org, kind=JOB_KIND, total=5)
    job_start(job_id=job.id)
    # The worker died after three drafts; the broker redelivers the whole batch (acks_late).
    generation_batch_run(org=org, job_id=job.id, kind="listing_content", target_ids=ids[:3])
    stats = generation_batch_run(org=org, job_id=job.id, kind="listing_content", target_ids=ids)
    assert (stats["skipped"], stats["generated"]) == (3, 2)
    job.refresh_from_db()
    assert (job.status, job.done) == ("succeeded", 5)
    assert Draft.objects.for_org(org).filter(job=job).count() == 5
    assert len(server.requests) == 5
    again = generation_batch_run(org=org, job_id=job.id, kind="listing_content", target_ids=ids)
    assert again == {"skipped": "job not active"}
    assert Draft.objects.for_org(org).filter(job=job).count() == 5


def test_cancelling_a_job_stops_the_rest(org, user, llm, transactional_db):
    AiSettings.objects.create(organization=org, max_concurrency=1)
    listings = [ListingFactory(organization=org) for _ in range(10)]
    job = job_create(org=org, kind=JOB_KIND, total=10, actor=user)

    def respond(body, n):
        if n == 3:  # a reviewer presses "cancel" while the third request is in flight
            try:
                generation_cancel(org=org, job_id=job.id)
            finally:
                connection.close()
        return Reply.json(VALID)

    server = llm(respond)
    generation_batch_run(org=org, job_id=job.id, kind="listing_content",
                         target_ids=[x.pk for x in listings])  # fmt: skip
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert len(server.requests) == 3
    assert Draft.objects.for_org(org).filter(job=job).count() == 3  # the one in flight is kept
    assert job.done == 3


def test_a_job_refuses_another_organizations_listings_and_reports_them(
    org, other_org, user, offline, django_capture_on_commit_callbacks
):
    mine = ListingFactory(organization=org)
    theirs = ListingFactory(organization=other_org)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = generation_start(
            org=org, actor=user, kind="listing_content", target_ids=[mine.pk, theirs.pk]
        )
    assert len(callbacks) == 1
    assert (job.total, job.result["refused_ids"]) == (1, [theirs.pk])
    with pytest.raises(NotFound):
        generation_start(org=org, actor=user, kind="listing_content", target_ids=[theirs.pk])


def test_a_forged_batch_with_another_organizations_listing_drafts_nothing_for_it(
    org, other_org, offline
):
    theirs = ListingFactory(organization=other_org)
    mine = ListingFactory(organization=org)
    job = job_create(org=org, kind=JOB_KIND, total=2)
    generation_batch_run(org=org, job_id=job.id, kind="listing_content",
                         target_ids=[mine.pk, theirs.pk])  # fmt: skip
    assert not Draft.objects.for_org(other_org).exists()
    assert list(Draft.objects.for_org(org).values_list("target_id", flat=True)) == [mine.pk]
    job.refresh_from_db()
    assert (job.done, job.failed, job.status) == (1, 1, "succeeded")


def test_another_organization_cannot_cancel_a_job(org, other_org):
    job = job_create(org=org, kind=JOB_KIND, total=1)
    with pytest.raises(NotFound):
        generation_cancel(org=other_org, job_id=job.id)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
