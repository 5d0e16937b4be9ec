"""Jobs: a long task reports progress that the dashboard widget shows, per organization."""

from __future__ import annotations

import csv
import time

import pytest

from apps.catalog.exports import listings as exports
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


# The one generic job page and the organization's job list ------------------------------------


def test_the_job_page_shows_label_kind_progress_links_and_cancel(org, user, outsider, client_for):
    job = job_create(org=org, kind="review.bulk", label="Approve 40 drafts", total=40, actor=user)
    job_start(job_id=job.pk)
    job_advance(job_id=job.pk, done=10)
    page = client_for(user).get(f"/jobs/{job.pk}/").content.decode()
    assert "Approve 40 drafts" in page
    assert '<span class="muted" data-testid="job-kind">Bulk decision</span>' in page
    assert 'aria-valuenow="25"' in page
    assert 'data-testid="job-cancel"' in page  # review.bulk is cancellable, user started it
    assert 'data-testid="back-to-queue"' in page  # the kind's link
    assert f'hx-get="/jobs/{job.pk}/" hx-trigger="every 2s"' in page  # polls while active
    assert client_for(outsider).get(f"/jobs/{job.pk}/").status_code == 404


def test_every_apps_job_url_is_the_one_generic_page(org, user, client_for):
    job = job_create(org=org, kind="reprice_store", label="Reprice Voltora US", actor=user)
    client = client_for(user)
    for url in (f"/jobs/{job.pk}/", f"/pricing/jobs/{job.pk}/", f"/review/jobs/{job.pk}/"):
        page = client.get(url).content.decode()
        assert 'data-testid="job-status"' in page and "Reprice Voltora US" in page
        assert '<span class="muted" data-testid="job-kind">Repricing</span>' in page
        assert 'data-testid="price-changes"' in page
        assert 'data-testid="job-cancel"' not in page  # repricing does not honour cancel


def test_the_job_page_polls_a_fragment_and_stops_when_the_job_ends(org, user, client_for):
    from apps.core.services import job_finish

    job = job_create(org=org, kind="ai.generation", total=2, actor=user)
    job_start(job_id=job.pk)
    fragment = client_for(user).get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()
    assert "AI drafts" in fragment.content.decode()  # the kind's registered label
    job_finish(job_id=job.pk, result={})
    done = client_for(user).get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and "Succeeded" in done


def test_an_unregistered_job_kind_is_shown_in_words(org, user, client_for):
    job = job_create(org=org, kind="ads.search_term_sync", total=1, actor=user)
    page = client_for(user).get(f"/jobs/{job.pk}/").content.decode()
    assert "Ads search term sync" in page


def test_a_job_is_cancelled_from_its_page(org, user, client_for):
    job = job_create(org=org, kind="review.bulk", total=5, actor=user)
    job_start(job_id=job.pk)
    response = client_for(user).post(
        f"/jobs/{job.pk}/cancel/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="job-status"
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="job-status"' in body
    assert "Cancelled" in body and "job-cancel" not in body
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED


def test_a_kind_that_ignores_cancellation_cannot_be_cancelled(org, user, client_for):
    job = job_create(org=org, kind="reprice_store", actor=user)
    job_start(job_id=job.pk)
    assert client_for(user).post(f"/jobs/{job.pk}/cancel/").status_code == 404
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING


def test_the_jobs_page_lists_the_organizations_jobs_newest_first_filtered_by_status(
    org, other_org, user, client_for
):
    from apps.core.services import job_fail

    first = job_create(org=org, kind="reprice_store", label="First job")
    second = job_create(org=org, kind="review.bulk", label="Second job")
    job_fail(job_id=second.pk, error="boom")
    job_create(org=other_org, kind="reprice_store", label="Someone else's job")
    client = client_for(user)
    page = client.get("/jobs/").content.decode()
    assert page.index("Second job") < page.index("First job")
    assert "Someone else" not in page
    assert "Bulk decision" in page and "Repricing" in page  # kinds in words
    failed = client.get("/jobs/?status=failed", HTTP_HX_REQUEST="true").content.decode()
    assert "Second job" in failed and "First job" not in failed and "<html" not in failed
    assert f'href="/jobs/{first.pk}/"' in client.get("/jobs/?status=bogus").content.decode()
    overview = client.get("/").content.decode()
    assert 'href="/jobs/" class="" data-testid="nav-jobs"' in overview


def test_the_jobs_pages_render_in_chinese(org, user, client_for):
    job = job_create(org=org, kind="review.bulk", label="x", actor=user)
    client = client_for(user)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "全部任务" in client.get("/").content.decode()
    listing = client.get("/jobs/").content.decode()
    assert "任务" in listing and "发起人" in listing and "批量处理" in listing
    assert "批量处理" in client.get(f"/jobs/{job.pk}/").content.decode()
