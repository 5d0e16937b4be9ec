"""The pricing page's "Reprice now" and simulator through the API: the same services as the
dashboard, bounded inputs, one run per store at a time, another organization's ids refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.catalog.models import Listing
from apps.core.models import Job
from apps.pricing.models import (
    PriceChange,
    RepricingRun,
    Strategy,
)
from apps.pricing.simulator import simulate
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


# Reprice now ----------------------------------------------------------------------------------


def test_reprice_now_queues_one_run_of_the_store_and_links_its_job(
    api_client, org, store, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = api_client.post("/api/v1/reprice-runs/", {"store": store.pk}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    job = Job.objects.for_org(org).get(pk=body["id"])
    assert job.kind == "reprice_store" and job.status == "queued"
    assert body["kind"] == "reprice_store" and body["label"] == "Reprice Sim US"
    assert body["status_url"] == f"/api/v1/jobs/{job.pk}/"
    assert api_client.get(body["status_url"]).json()["id"] == job.pk
    assert len(queued) == 1
    # A second start while the first is queued is refused, and queues nothing.
    with django_capture_on_commit_callbacks(execute=False) as queued_again:
        again = api_client.post("/api/v1/reprice-runs/", {"store": store.pk}, format="json")
    assert again.status_code == 409
    assert again.json()["type"] == "urn:crossborder:problem:conflict"
    assert queued_again == []
    assert Job.objects.for_org(org).filter(kind="reprice_store").count() == 1


def test_reprice_now_runs_the_engine_when_the_job_runs(
    api_client, org, store, strategy, django_capture_on_commit_callbacks
):
    from apps.pricing.tasks import reprice_store_task

    with django_capture_on_commit_callbacks(execute=False):
        response = api_client.post("/api/v1/reprice-runs/", {"store": store.pk}, format="json")
    job = Job.objects.for_org(org).get(pk=response.json()["id"])
    # What the pricing worker runs for the queued job (the task of the dashboard's button).
    reprice_store_task(org_id=org.pk, store_id=store.pk, job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    run = RepricingRun.objects.for_org(org).get(store=store)
    assert run.trigger == RepricingRun.Trigger.MANUAL


def test_reprice_now_refuses_another_organizations_store_and_viewers(
    api_client, org, other_org, api_client_for, store
):
    theirs = StoreFactory(organization=other_org)
    response = api_client.post("/api/v1/reprice-runs/", {"store": theirs.pk}, format="json")
    assert response.status_code == 400 and "store" in response.json()["errors"]
    viewer = api_client_for(org, role="viewer")
    assert viewer.post("/api/v1/reprice-runs/", {"store": store.pk}, format="json").status_code == (
        403
    )
    assert not Job.objects.for_org(org).exists()
    assert not Job.objects.for_org(other_org).exists()


# Simulator -----------------------------------------------------------------------------------


def test_the_simulation_answers_what_the_dashboards_simulator_computes(
    api_client, org, store, strategy
):
    before = dict(Listing.objects.for_org(org).values_list("product__sku", "price"))
    response = api_client.post(
        "/api/v1/price-simulations/", {"store": store.pk, "strategy": strategy.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    expected = simulate(org=org, store=store, strategy=strategy)
    assert body["store"] == store.pk and body["strategy_name"] == "Match lowest"
    counts = ("offers", "priced", "up", "down", "unchanged", "at_floor", "raised_to_floor",
              "bad_input")  # fmt: skip
    assert {k: body[k] for k in counts} == {k: getattr(expected, k) for k in counts}
    assert (body["offers"], body["up"], body["down"], body["bad_input"]) == (4, 1, 1, 1)
    assert body["bad_reasons"] == {"missing_cost": 1}
    assert Decimal(body["margin_before"]) == expected.margin_before
    assert Decimal(body["margin_after"]) == expected.margin_after
    samples = {s["sku"]: s for s in body["samples"]}
    assert set(samples) == {"SIM-A", "SIM-B"}
    a = samples["SIM-A"]
    assert a["currency"] == "USD" and Decimal(a["old"]) == Decimal("30.00")
    assert Decimal(a["new"]) < Decimal("30.00") and Decimal(a["new"]) % 1 == Decimal("0.99")
    assert Decimal(samples["SIM-B"]["floor"]) >= Decimal("22.00")
    # Nothing was written.
    assert dict(Listing.objects.for_org(org).values_list("product__sku", "price")) == before
    assert not PriceChange.objects.for_org(org).exists()
    assert not RepricingRun.objects.for_org(org).exists()


def test_changed_settings_are_simulated_without_being_saved(api_client, org, store, strategy):
    body = api_client.post(
        "/api/v1/price-simulations/",
        {"store": store.pk, "strategy": strategy.pk, "max_change_pct": "0"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    ).json()
    assert body["down"] == 0 and body["up"] == 1 and body["raised_to_floor"] == 1
    assert "(changed)" in body["strategy_name"]
    strategy.refresh_from_db()
    assert strategy.max_change_pct == 50


def test_without_a_strategy_the_store_is_simulated_as_assigned(api_client, org, store, strategy):
    url = "/api/v1/price-simulations/"
    disabled = api_client.post(url, {"store": store.pk}, format="json").json()
    assert (disabled["up"], disabled["down"]) == (0, 0)  # the assigned strategy is off
    Strategy.objects.for_org(org).filter(pk=strategy.pk).update(enabled=True)
    body = api_client.post(url, {"store": store.pk}, format="json").json()
    assert (body["up"], body["down"]) == (1, 1)
    expected = simulate(org=org, store=store)
    assert (body["priced"], body["unchanged"]) == (expected.priced, expected.unchanged)


def test_a_viewer_may_simulate(org, store, strategy, api_client_for):
    viewer = api_client_for(org, role="viewer")
    response = viewer.post("/api/v1/price-simulations/", {"store": store.pk}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("min_margin_pct", "-100"),
        ("max_change_pct", "-1"),
        ("beat_pct", "100"),
        ("target_margin_pct", "100"),
        ("target_margin_pct", "1e30"),
        ("kind", "cheapest"),
    ],
)
def test_out_of_range_settings_are_400_naming_the_field(api_client, store, field, value):
    response = api_client.post(
        "/api/v1/price-simulations/", {"store": store.pk, field: value}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_setting_the_strategy_checks_refuse_is_400_naming_it(api_client, store, strategy):
    # Each bound holds alone; the ceiling below the minimum margin is the service's check.
    response = api_client.post(
        "/api/v1/price-simulations/",
        {"store": store.pk, "strategy": strategy.pk, "min_margin_pct": "500"},
        format="json",
    )
    assert response.status_code == 400
    assert "ceiling_margin_pct" in response.json()["errors"]


def test_another_organizations_store_or_strategy_is_refused(api_client, store, other_org):
    theirs = Strategy.objects.create(organization=other_org, name="Theirs")
    their_store = StoreFactory(organization=other_org)
    url = "/api/v1/price-simulations/"
    response = api_client.post(url, {"store": store.pk, "strategy": theirs.pk}, format="json")
    assert response.status_code == 400 and "strategy" in response.json()["errors"]
    response = api_client.post(url, {"store": their_store.pk}, format="json")
    assert response.status_code == 400 and "store" in response.json()["errors"]


def test_a_retried_start_with_its_idempotency_key_gets_the_same_job_not_a_409(
    api_client, org, store, django_capture_on_commit_callbacks
):
    url, key = "/api/v1/reprice-runs/", "reprice-7f3a"
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = api_client.post(url, {"store": store.pk}, format="json", HTTP_IDEMPOTENCY_KEY=key)
        retry = api_client.post(url, {"store": store.pk}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == retry.status_code == 202
    assert retry.json()["id"] == first.json()["id"]
    assert len(queued) == 1
    assert Job.objects.for_org(org).filter(kind="reprice_store").count() == 1
