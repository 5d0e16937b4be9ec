"""Orders API: bulk lines, file import, risk list, FX exposure, risk destinations; and every
endpoint answers 404 (or refuses the id) across organizations."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.orders.models import Order, RiskDestination
from tests.factories import OrderFactory, OrderItemFactory, StoreFactory

AMAZON = (
    Path(__file__).resolve().parents[2] / "apps/orders/demo_data/amazon-all-orders-report.tsv"
).read_bytes()


def _row(**extra):
    return {"order_id": "API-1", "sku": "A", "quantity": "2", "unit_price": "10.00",
            "currency": "EUR", "ordered_at": "2025-09-08T10:00:00+02:00", **extra}  # fmt: skip


def test_bulk_lines_are_written_and_bad_rows_reported(org, api_client):
    store = StoreFactory(organization=org)
    rows = [_row(), _row(order_id="API-2", quantity="many")]
    response = api_client.post(
        "/api/v1/orders/bulk/", {"store": store.id, "rows": rows}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["orders_created"] == 1 and body["items_created"] == 1
    assert [e["line"] for e in body["errors"]] == [2]
    again = api_client.post(
        "/api/v1/orders/bulk/", {"store": store.id, "rows": rows[:1]}, format="json"
    ).json()
    assert (again["orders_created"], again["orders_updated"], again["items_updated"]) == (0, 0, 0)


def test_bulk_refuses_another_organizations_store_and_oversized_input(org, other_org, api_client):
    foreign = StoreFactory(organization=other_org)
    response = api_client.post(
        "/api/v1/orders/bulk/", {"store": foreign.id, "rows": [_row()]}, format="json"
    )
    assert response.status_code == 400
    assert not Order.objects.for_org(other_org).exists()
    huge = {"store": StoreFactory(organization=org).id, "rows": [_row()] * 5001}
    assert api_client.post("/api/v1/orders/bulk/", huge, format="json").status_code == 400
    bad = {"store": StoreFactory(organization=org).id, "rows": [{"order_id": "x" * 65}]}
    assert api_client.post("/api/v1/orders/bulk/", bad, format="json").status_code == 400


def test_file_import_endpoint(org, api_client):
    store = StoreFactory(organization=org)
    upload = SimpleUploadedFile("all.tsv", AMAZON, content_type="text/tab-separated-values")
    response = api_client.post(
        "/api/v1/orders/import/", {"store": store.id, "format": "amazon", "file": upload},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["lines"] == 30
    junk = SimpleUploadedFile("x.csv", b"hello,world\n1,2\n")
    response = api_client.post(
        "/api/v1/orders/import/", {"store": store.id, "format": "amazon", "file": junk},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 400
    assert "Missing columns" in response.content.decode()


def test_order_detail_carries_new_fields_and_foreign_orders_are_404(org, other_org, api_client):
    mine = OrderFactory(organization=org, risk_score=55, risk_reasons=["first_order"])
    OrderItemFactory(organization=org, order=mine, refunded_quantity=1)
    theirs = OrderFactory(organization=other_org)
    body = api_client.get(f"/api/v1/orders/{mine.id}/").json()
    assert body["risk_score"] == 55 and body["risk_reasons"] == ["first_order"]
    assert body["items"][0]["refunded_quantity"] == 1
    assert api_client.get(f"/api/v1/orders/{theirs.id}/").status_code == 404


def test_risk_list_is_tenant_scoped(org, other_org, api_client):
    OrderFactory(organization=org, marketplace_order_id="MINE", risk_score=70)
    OrderFactory(organization=org, marketplace_order_id="LOW", risk_score=10)
    OrderFactory(organization=other_org, marketplace_order_id="THEIRS", risk_score=90)
    body = api_client.get("/api/v1/orders/risk/").json()
    assert [o["marketplace_order_id"] for o in body["results"]] == ["MINE"]
    assert api_client.get("/api/v1/orders/risk/?min=abc").status_code == 400


def test_fx_exposure_endpoint(org, other_org, api_client):
    org.default_currency = "USD"
    org.save()
    OrderFactory(organization=org, ordered_at=datetime.now(UTC))
    OrderFactory(organization=other_org, ordered_at=datetime.now(UTC), currency="EUR")
    body = api_client.get("/api/v1/orders/fx-exposure/?days=7").json()
    assert body["base"] == "USD"
    assert {p["currency"] for p in body["points"]} == {"USD"}
    assert "stock_available" in body
    assert api_client.get("/api/v1/orders/fx-exposure/?days=x").status_code == 400


def test_risk_destinations_are_per_organization(org, other_org, api_client, other_api_client):
    response = api_client.post("/api/v1/risk-destinations/", {"country": "XK", "points": 30})
    assert response.status_code == 201
    row_id = response.json()["id"]
    assert other_api_client.get(f"/api/v1/risk-destinations/{row_id}/").status_code == 404
    assert other_api_client.delete(f"/api/v1/risk-destinations/{row_id}/").status_code == 404
    assert other_api_client.get("/api/v1/risk-destinations/").json()["results"] == []
    assert api_client.post("/api/v1/risk-destinations/", {"country": "xk1"}).status_code == 400
    assert RiskDestination.objects.for_org(org).count() == 1
