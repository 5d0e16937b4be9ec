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
