"""Orders written through `POST /api/v1/orders/bulk-upsert/` are risk-scored as imported ones
are (issue 14): same rules, same keys, in the same transaction."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.orders.models import Order, RiskDestination
from tests.api.bulk_helpers import post
from tests.factories import ProductFactory, StoreFactory

URL = "/api/v1/orders/bulk-upsert/"


@pytest.fixture
def store(org):
    ProductFactory(organization=org, sku="R-1")
    return StoreFactory(organization=org)


def _order(store, moid, **over):
    return {"store": store.pk, "marketplace_order_id": moid, "buyer_country": "de",
            "ordered_at": "2026-11-29T10:00:00+00:00",
            "lines": [{"sku": "R-1", "quantity": 1, "unit_price": "10"}], **over}  # fmt: skip


def test_a_bulk_upserted_risky_order_is_on_the_review_list(org, api_client, client_for, user):
    from tests.api.bulk_helpers import post

    RiskDestination.objects.create(organization=org, country="XK", points=45)
    ProductFactory(organization=org, sku="R-1")
    store = StoreFactory(organization=org)
    order = {"store": store.pk, "marketplace_order_id": "RISK-1", "buyer_country": "xk",
             "ordered_at": "2026-11-29T10:00:00+00:00",
             "lines": [{"sku": "R-1", "quantity": 1, "unit_price": "10"}]}  # fmt: skip
    result = post(api_client, "/api/v1/orders/bulk-upsert/", [order]).json()["results"][0]
    saved = Order.objects.for_org(org).get(pk=result["id"])
    assert (saved.risk_score, saved.risk_reasons) == (45, ["risky_destination"])
    listed = api_client.get("/api/v1/orders/risk/").json()["results"]
    assert [(r["marketplace_order_id"], r["risk_reasons"]) for r in listed] == [
        ("RISK-1", ["risky_destination"])
    ]
    html = client_for(user).get(reverse("orders:risk")).content.decode()
    assert "RISK-1" in html and "Destination on the risk list" in html


def test_bulk_upsert_keys_match_the_order_file_import(org, store, api_client):
    """The buyer key is the one the order-lines import stores: an order imported from a file
    makes a later bulk-upserted order of the same buyer a repeat order, not a first one."""
    row = {"order_id": "F-1", "sku": "R-1", "quantity": "1", "unit_price": "10",
           "currency": "USD", "ordered_at": "2026-11-20T10:00:00Z", "buyer_country": "DE",
           "buyer_email": " Ana@Example.com ", "ship_postal_code": "10115",
           "ship_city": "Berlin", "ship_address": "Hauptstr. 1"}  # fmt: skip
    r = api_client.post("/api/v1/orders/bulk/", {"store": store.pk, "rows": [row]}, format="json")
    assert r.status_code == 200, r.content
    imported = Order.objects.for_org(org).get(marketplace_order_id="F-1")
    assert imported.risk_reasons == ["first_order"]
    sent = _order(
        store,
        "B-1",
        buyer_email="ana@example.com",
        ship_postal_code="101 15",
        ship_city="Berlin ",
        ship_address="Hauptstr 1",
        billing_country="fr",
    )
    post(api_client, URL, [sent])  # fmt: skip
    order = Order.objects.for_org(org).get(marketplace_order_id="B-1")
    assert (order.buyer_key, order.address_key) == (imported.buyer_key, imported.address_key)
    assert order.risk_reasons == ["country_mismatch"] and order.risk_score == 25


def test_no_address_sent_means_no_address_grouping(org, store, api_client):
    post(api_client, URL, [_order(store, f"N-{i}") for i in range(4)])
    orders = Order.objects.for_org(org).filter(marketplace_order_id__startswith="N-")
    assert {(o.address_key, o.buyer_key, o.risk_score) for o in orders} == {("", "", 0)}


def test_an_update_without_risk_inputs_keeps_the_stored_ones(org, store, api_client):
    post(api_client, URL, [_order(store, "K-1", buyer_email="x@example.com",
                                  billing_country="US")])  # fmt: skip
    first = Order.objects.for_org(org).get(marketplace_order_id="K-1")
    assert first.buyer_key and first.billing_country == "US"
    result = post(api_client, URL, [_order(store, "K-1", status="shipped")]).json()
    assert result["results"][0]["status"] == "updated"
    again = Order.objects.for_org(org).get(pk=first.pk)
    assert (again.buyer_key, again.billing_country, again.status) == (
        first.buyer_key, "US", "shipped")  # fmt: skip
    assert "country_mismatch" in again.risk_reasons
    assert post(api_client, URL, [_order(store, "K-1", status="shipped")]).json()["results"][0][
        "status"] == "unchanged"  # fmt: skip
