"""Logistics API: every endpoint scoped to the caller's organization (foreign ids 404 or 400),
bulk rows through the importers' rules, bad input answered 400, never 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from apps.logistics.imports import tracking_import
from apps.logistics.models import Inventory
from apps.logistics.planner import plan

from .helpers import fba_warehouse, sample_products
from .test_planner import _history

pytestmark = pytest.mark.django_db
SAMPLE = Path("/work/shared/data/tracking-events.csv")
if not SAMPLE.exists():
    SAMPLE = Path(__file__).resolve().parents[1] / "data" / "tracking-events.csv"
API = "/api/v1"


@pytest.fixture
def data(org):
    wh = fba_warehouse(org)
    listing = sample_products(org, wh.store, ["KVX-API"])["KVX-API"]
    Inventory.objects.create(
        organization=org,
        product=listing.product,
        warehouse=wh,
        fulfillable=20,
        reported_at=timezone.now(),
    )
    _history(org, wh.store, listing, days=40, per_day=2)
    tracking_import(org=org, source=SAMPLE.read_bytes(), filename="t.csv")
    run = plan(org=org)
    return wh, listing, run


def test_lists_and_cross_tenant_404(data, api_client, other_api_client):
    wh, _listing, run = data
    for path in (
        "warehouses",
        "inventory",
        "parcels",
        "plan-runs",
        "restock-suggestions",
        "inbound-shipments",
    ):
        assert api_client.get(f"{API}/{path}/").status_code == 200, path
        body = other_api_client.get(f"{API}/{path}/").json()
        rows = body["results"] if isinstance(body, dict) and "results" in body else body
        assert rows == [], path
    assert other_api_client.get(f"{API}/warehouses/{wh.pk}/").status_code == 404
    assert other_api_client.get(f"{API}/plan-runs/{run.pk}/").status_code == 404
    parcel_id = api_client.get(f"{API}/parcels/").json()["results"][0]["id"]
    assert other_api_client.get(f"{API}/parcels/{parcel_id}/").status_code == 404
    # Every detail route: ours 200, another organization's 404.
    for path in ("inventory", "restock-suggestions"):
        body = api_client.get(f"{API}/{path}/").json()
        row_id = (body["results"] if isinstance(body, dict) else body)[0]["id"]
        assert api_client.get(f"{API}/{path}/{row_id}/").status_code == 200, path
        assert other_api_client.get(f"{API}/{path}/{row_id}/").status_code == 404, path
    # Foreign references in input do not exist for the caller.
    r = other_api_client.post(
        f"{API}/inventory/bulk/", {"warehouse": wh.pk, "rows": []}, format="json"
    )
    assert r.status_code == 400


def test_inventory_bulk_and_tracking_events(data, api_client):
    wh, _listing, _run = data
    r = api_client.post(
        f"{API}/inventory/bulk/",
        {
            "warehouse": wh.pk,
            "rows": [
                {"sku": "KVX-API", "afn-fulfillable-quantity": "55"},
                {"sku": "NOPE", "afn-fulfillable-quantity": "1"},
                {"sku": "OTHER", "afn-fulfillable-quantity": "-5"},
            ],
        },
        format="json",
    )
    assert r.status_code == 200
    body = r.json()
    assert body["updated"] == 1 and [e["line"] for e in body["errors"]] == [2, 3], body
    r = api_client.post(
        f"{API}/parcels/events/",
        {
            "rows": [
                {
                    "tracking_number": "NEW1",
                    "slug": "dhl",
                    "checkpoint_time": "2025-09-20T10:00:00+02:00",
                    "tag": "InTransit",
                    "location": "Leipzig, DE",
                    "message": "x",
                }
            ]
        },
        format="json",
    )
    assert r.status_code == 200 and r.json()["created"] == 1
    risky = api_client.get(f"{API}/parcels/at-risk/").json()
    assert any(p["tracking_number"] == "YT2525400731926548" for p in risky)


def test_shipments_plan_runs_and_bad_input(data, api_client, other_api_client):
    wh, listing, _run = data
    r = api_client.post(
        f"{API}/inbound-shipments/",
        {
            "reference": "SEA-1",
            "warehouse": wh.pk,
            "mode": "sea",
            "cartons": 10,
            "cost": "900.00",
            "currency": "USD",
            "items": [{"product": listing.product.pk, "units": 240}],
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    r = api_client.post(
        f"{API}/inbound-shipments/{sid}/milestone/",
        {"milestone": "departed", "at": "2026-01-02T03:00:00Z"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "in_transit"
    assert api_client.get(f"{API}/inbound-shipments/{sid}/").status_code == 200
    assert other_api_client.get(f"{API}/inbound-shipments/{sid}/").status_code == 404
    assert (
        other_api_client.post(
            f"{API}/inbound-shipments/{sid}/milestone/",
            {"milestone": "arrived", "at": "2026-01-02T03:00:00Z"},
            format="json",
        ).status_code
        == 404
    )
    bad = api_client.post(
        f"{API}/inbound-shipments/",
        {"reference": "X", "warehouse": wh.pk, "mode": "teleport", "cost": "-1"},
        format="json",
    )
    assert bad.status_code == 400
    assert (
        api_client.post(f"{API}/plan-runs/", {"service_level": "2"}, format="json").status_code
        == 400
    )
    assert (
        api_client.post(f"{API}/plan-runs/", {"service_level": "0.9"}, format="json").status_code
        == 201
    )
    assert (
        api_client.post(
            f"{API}/warehouses/",
            {"code": "x y", "name": "n", "kind": "own", "country": "usa"},
            format="json",
        ).status_code
        == 400
    )
