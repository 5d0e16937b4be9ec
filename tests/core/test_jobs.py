"""Jobs: a long task reports progress that the dashboard widget shows, per organization."""

from __future__ import annotations

import csv
import time

import pytest

from apps.catalog import exports
from apps.core.models import Job
from apps.core.services import job_advance, job_create, job_start, jobs_fail_stale
from tests.factories import ListingFactory, StoreFactory


def _wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.worker
def test_listings_export_runs_on_a_real_worker_and_reports_progress(
    org, other_org, user, client_for, celery_worker, monkeypatch
):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 3)  # several chunks, so progress moves in steps
    store = StoreFactory(organization=org)
    for i in range(7):
        ListingFactory(organization=org, store=store, title=f"Ladegerät {i}", price="19.99")
    ListingFactory(organization=other_org, title="Not mine")

    response = client_for(user).post("/exports/listings/")
    assert response.status_code == 302
    job = Job.objects.for_org(org).get()
    assert job.total == 7

    assert _wait_for(lambda: Job.objects.for_org(org).get().status == Job.Status.SUCCEEDED)
    job.refresh_from_db()
    assert (job.done, job.failed, job.percent) == (7, 0, 100)
    assert job.result["rows"] == 7

    download = client_for(user).get(f"/exports/{job.pk}/download/")
    assert download.status_code == 200
    raw = b"".join(download.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the UTF-8 correctly
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows) == 7
    assert {r["title"] for r in rows} == {f"Ladegerät {i}" for i in range(7)}
    assert all(r["price"] == "19.9900" and r["currency"] == "USD" for r in rows)


def test_another_organization_cannot_download_an_export(org, user, outsider, client_for):
    job = job_create(org=org, kind=exports.EXPORT_KIND, total=0)
    exports.listings_export_run(org=org, job=job)
    assert client_for(user).get(f"/exports/{job.pk}/download/").status_code == 200
    assert client_for(outsider).get(f"/exports/{job.pk}/download/").status_code == 404


def test_jobs_widget_shows_progress_of_own_jobs_only(org, other_org, user, client_for):
    mine = job_create(org=org, kind="demo", label="Repricing Amazon DE", total=200)
    job_start(job_id=mine.pk)
    job_advance(job_id=mine.pk, done=50)
    job_create(org=other_org, kind="demo", label="Someone else's job", total=10)

    response = client_for(user).get("/jobs/widget/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Repricing Amazon DE" in html
    assert 'aria-valuenow="25"' in html
    assert "Someone else" not in html
    assert 'hx-trigger="every 2s"' in html  # keeps polling while a job runs
    assert "<html" not in html  # the fragment only


def test_widget_stops_polling_when_no_job_is_active(org, user, client_for):
    response = client_for(user).get("/jobs/widget/")
    assert "hx-trigger" not in response.content.decode()


def test_stale_running_jobs_are_marked_failed(org):
    from datetime import timedelta

    from django.utils import timezone

    job = job_create(org=org, kind="demo", total=10)
    job_start(job_id=job.pk)
    Job.objects.for_org(org).filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    assert jobs_fail_stale() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "stopped reporting" in job.error


def test_a_running_job_can_be_cancelled_from_the_widget_by_its_org_only(
    org, user, outsider, client_for, member_with_role
):
    job = job_create(
        org=org, kind="ai.generation", label="Copy for 40 listings", total=40, actor=user
    )
    job_start(job_id=job.pk)
    widget = client_for(user).get("/jobs/widget/").content.decode()
    assert 'data-testid="job-cancel"' in widget

    assert client_for(outsider).post(f"/jobs/{job.pk}/cancel/").status_code == 404
    viewer = client_for(member_with_role("viewer"))
    assert viewer.post(f"/jobs/{job.pk}/cancel/").status_code == 403
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING

    response = client_for(user).post(f"/jobs/{job.pk}/cancel/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert "job-cancel" not in response.content.decode()


def test_a_cancelled_job_is_not_marked_succeeded_by_its_last_task(org):
    from apps.core.services import job_cancel, job_finish

    job = job_create(org=org, kind="ai.generation", total=2)
    job_start(job_id=job.pk)
    job_cancel(org=org, job_id=job.pk)
    assert job_finish(job_id=job.pk, result={"drafts": 1}) is False
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job.result == {"drafts": 1}


def test_a_cancelled_export_stops_between_chunks(org, monkeypatch):
    from apps.core.services import job_cancel

    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    store = StoreFactory(organization=org)
    for _ in range(6):
        ListingFactory(organization=org, store=store)
    job = job_create(org=org, kind=exports.EXPORT_KIND, total=6)
    calls = {"n": 0}
    real_rows = exports._rows

    def rows_then_cancel(o, after_id):
        calls["n"] += 1
        if calls["n"] == 2:
            job_cancel(org=org, job_id=job.pk)
        return real_rows(o, after_id)

    monkeypatch.setattr(exports, "_rows", rows_then_cancel)
    exports.listings_export_run(org=org, job=job)
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job.done == 2
