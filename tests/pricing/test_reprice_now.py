"""The "Reprice now" button: queues one run per store on a real worker, never two at once."""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command

from apps.accounts.models import Membership, Organization
from apps.catalog.models import Store
from apps.core.models import Job
from apps.pricing.models import RepricingRun


def _demo_manager_client(client):
    call_command("seed_demo", verbosity=0)
    org = Organization.objects.get(slug="demo")
    user = Membership.objects.get(organization=org, user__username="manager").user
    client.force_login(user)
    session = client.session
    session["active_org_id"] = org.pk
    session.save()
    return org


@pytest.mark.worker
def test_reprice_now_runs_the_store_on_the_worker_and_shows_the_job(client, celery_worker):
    org = _demo_manager_client(client)
    store = Store.objects.for_org(org).get(name="Voltora US")
    before = RepricingRun.objects.for_org(org).filter(store=store).count()

    response = client.post("/pricing/reprice/", {"store": store.pk})
    assert response.status_code == 302
    job = Job.objects.for_org(org).filter(kind="reprice_store").latest("created_at")
    assert response["Location"].endswith(f"/pricing/jobs/{job.pk}/")

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and Job.objects.for_org(org).get(pk=job.pk).is_active:
        time.sleep(0.2)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    runs = RepricingRun.objects.for_org(org).filter(store=store)
    assert runs.count() == before + 1
    assert runs.latest("started_at").trigger == RepricingRun.Trigger.MANUAL


def test_a_second_click_while_a_run_is_active_is_refused(
    db, client, django_capture_on_commit_callbacks
):
    org = _demo_manager_client(client)
    store = Store.objects.for_org(org).get(name="Voltora DE")
    with django_capture_on_commit_callbacks(execute=False):
        first = client.post("/pricing/reprice/", {"store": store.pk})
        second = client.post("/pricing/reprice/", {"store": store.pk}, follow=True)
    assert first.status_code == 302
    assert "being repriced already" in second.content.decode()
    assert Job.objects.for_org(org).filter(kind="reprice_store", status="queued").count() == 1


def test_viewers_cannot_reprice_and_foreign_stores_are_404(client, other_org, client_for):
    from django.contrib.auth import get_user_model

    from tests.factories import StoreFactory

    theirs = StoreFactory(organization=other_org)
    org = _demo_manager_client(client)
    assert client.post("/pricing/reprice/", {"store": theirs.pk}).status_code == 404
    viewer = client_for(get_user_model().objects.get(username="viewer"))
    mine = Store.objects.for_org(org).get(name="Voltora US")
    assert viewer.post("/pricing/reprice/", {"store": mine.pk}).status_code == 403
    assert not Job.objects.for_org(org).filter(kind="reprice_store").exists()
