"""/api/v1/jobs/: read-only progress of the organization's long-running tasks."""

from __future__ import annotations

from apps.core.services import job_advance, job_start

from .helpers import assert_problem, ids


def test_jobs_list_shows_only_own_jobs(api_client, mine, theirs):
    assert ids(api_client.get("/api/v1/jobs/")) == {mine.job.id}


def test_a_job_reports_its_progress(viewer_client, mine):
    job_start(job_id=mine.job.id)
    job_advance(job_id=mine.job.id, done=4, failed=1)
    body = viewer_client.get(f"/api/v1/jobs/{mine.job.id}/").json()
    assert (body["status"], body["done"], body["failed"], body["percent"]) == (
        "running",
        4,
        1,
        50,
    )
    assert body["is_active"] is True


def test_jobs_filter_by_status(api_client, mine):
    assert ids(api_client.get("/api/v1/jobs/?status=queued")) == {mine.job.id}
    assert ids(api_client.get("/api/v1/jobs/?status=failed")) == set()


def test_another_orgs_job_is_404(api_client, theirs):
    assert_problem(api_client.get(f"/api/v1/jobs/{theirs.job.id}/"), 404)


def test_jobs_cannot_be_created_through_the_api(api_client):
    assert_problem(api_client.post("/api/v1/jobs/", {"kind": "x"}), 405)


def test_a_job_is_cancelled_like_the_dashboards_cancel_button(api_client, org, mine):
    from apps.catalog.exports.listings import EXPORT_KIND
    from apps.core.services import job_create

    job = job_create(org=org, kind=EXPORT_KIND, total=10)
    response = api_client.post(f"/api/v1/jobs/{job.id}/cancel/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    # A kind whose tasks cannot stop is not cancellable.
    assert_problem(api_client.post(f"/api/v1/jobs/{mine.job.id}/cancel/"), 404)


def test_cancelling_needs_a_write_scope_and_the_callers_own_job(org, mine, theirs, api_client):
    from rest_framework.test import APIClient

    from apps.accounts.services import api_key_issue

    raw = api_key_issue(org=org, name="ro", scopes=["catalog:read"]).raw_key
    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert_problem(reader.post(f"/api/v1/jobs/{mine.job.id}/cancel/"), 403)
    assert_problem(api_client.post(f"/api/v1/jobs/{theirs.job.id}/cancel/"), 404)
