"""POST /api/v1/drafts/{id}/regenerate/: the review page's Regenerate button through the API.

The same service as the dashboard (`draft_regenerate`) queues the owning app's generation job;
the answer is that job, and the new draft it writes joins the queue for the same target."""

from __future__ import annotations

import pytest

from apps.core.models import Job
from apps.review.models import Draft, DraftStatus
from apps.review.services import draft_create, draft_reject
from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

CONTENT = {
    "title": "Voltora 15W Wireless Charger",
    "bullets": ["Fast"],
    "description": "Quick.",
    "search_terms": "qi charger",
}


@pytest.fixture
def batches(monkeypatch, settings):
    """Generation batches queued by the job (run them with `generation_batch_task(*args)`)."""
    settings.OPENAI_BASE_URL = ""  # the offline backend
    queued: list[tuple] = []
    monkeypatch.setattr("apps.ai.tasks.generation_batch_task.delay", lambda *a: queued.append(a))
    return queued


@pytest.fixture
def reviewer(org, api_client_for):
    return api_client_for(org, role="reviewer")


def _rejected(org, kind="listing_content", proposed=None):
    listing = ListingFactory(organization=org, title="Voltora Charger")
    draft = draft_create(org=org, kind=kind, target=listing, proposed=proposed or CONTENT)
    return draft_reject(org=org, actor=None, draft_id=draft.pk, reason="inaccurate")


def test_a_rejected_draft_is_regenerated_into_a_new_draft_of_the_same_target(
    reviewer, org, batches, django_capture_on_commit_callbacks
):
    from apps.ai.tasks import generation_batch_task

    old = _rejected(org)
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer.post(f"/api/v1/drafts/{old.pk}/regenerate/")
    assert response.status_code == 202, response.content
    body = response.json()
    job = Job.objects.for_org(org).get(pk=body["id"])
    assert (body["kind"], body["total"], body["status"]) == ("ai.generation", 1, "queued")
    assert body["result"]["kind"] == "listing_content"
    assert body["status_url"] == f"/api/v1/jobs/{job.pk}/"
    assert len(batches) == 1 and batches[0][1] == job.pk and list(batches[0][3]) == [old.target_id]

    generation_batch_task(*batches[0])  # what the AI worker runs
    new = Draft.objects.for_org(org).exclude(pk=old.pk).get()
    assert (new.kind, new.target_id, new.job_id) == ("listing_content", old.target_id, job.pk)
    assert new.status == DraftStatus.PENDING and new.proposed["title"]
    old.refresh_from_db()
    assert old.status == DraftStatus.REJECTED  # kept as it was, for the record


def test_a_pending_draft_is_not_regenerated(reviewer, org, batches):
    listing = ListingFactory(organization=org)
    draft = draft_create(org=org, kind="listing_content", target=listing, proposed=CONTENT)
    response = reviewer.post(f"/api/v1/drafts/{draft.pk}/regenerate/")
    assert response.status_code == 409
    assert response.json()["type"] == "urn:crossborder:problem:invalid-transition"
    assert not Job.objects.for_org(org).exists() and batches == []


def test_a_kind_without_regeneration_is_400(reviewer, org, batches):
    old = _rejected(org, kind="price_change", proposed={"price": "21.99", "currency": "USD"})
    response = reviewer.post(f"/api/v1/drafts/{old.pk}/regenerate/")
    assert response.status_code == 400
    assert "not regenerated" in response.json()["detail"]
    assert not Job.objects.for_org(org).exists()


def test_a_translation_without_a_source_listing_is_400_not_a_silent_no_op(reviewer, org, batches):
    old = _rejected(org, kind="listing_translation")
    response = reviewer.post(f"/api/v1/drafts/{old.pk}/regenerate/")
    assert response.status_code == 400
    assert "translate from" in response.json()["detail"]
    assert not Job.objects.for_org(org).exists()


def test_another_organizations_draft_is_404_and_nothing_is_queued(
    other_api_client, org, other_org, batches
):
    old = _rejected(org)
    response = other_api_client.post(f"/api/v1/drafts/{old.pk}/regenerate/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    assert not Job.objects.for_org(org).exists() and not Job.objects.for_org(other_org).exists()
    assert batches == []


def test_a_viewer_cannot_regenerate(org, api_client_for, batches):
    old = _rejected(org)
    viewer = api_client_for(org, role="viewer")
    assert viewer.post(f"/api/v1/drafts/{old.pk}/regenerate/").status_code == 403
    assert not Job.objects.for_org(org).exists()


def test_the_dashboard_button_still_queues_the_same_job(org, user, client_for, batches):
    old = _rejected(org)
    response = client_for(user).post(f"/review/{old.pk}/regenerate/")
    assert response.status_code == 302
    job = Job.objects.for_org(org).get()
    assert job.kind == "ai.generation" and job.result["kind"] == "listing_content"
