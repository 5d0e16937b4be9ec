"""/api/v1/orders/: list, detail with items, and create with items in one transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.orders.models import Order, OrderItem
from tests.factories import ListingFactory, OrderFactory, StoreFactory, marketplace

from .helpers import assert_problem, ids


@pytest.fixture
def new_order(mine):
    return {
        "store": mine.store.id,
        "marketplace_order_id": "113-0000001-0000001",
        "buyer_country": "us",
        "ordered_at": "2026-03-01T10:00:00Z",
        "shipping_total": "4.99",
        "tax_total": "1.10",
        "items": [
            {"listing": mine.listing.id, "quantity": 3, "unit_price": "19.99"},
            {"sku": "LOOSE-1", "quantity": 1, "unit_price": "0.333"},
        ],
    }


def test_order_list_shows_only_own_orders_without_items(api_client, mine, theirs):
    response = api_client.get("/api/v1/orders/")
    assert ids(response) == {mine.order.id}
    row = response.json()["results"][0]
    assert "items" not in row
    assert (row["order_total"], row["currency"], row["marketplace"]) == (
        "19.9900",
        "USD",
        "amazon_us",
    )


def test_order_detail_nests_its_items(api_client, mine):
    body = api_client.get(f"/api/v1/orders/{mine.order.id}/").json()
    assert [(i["sku"], i["listing"], i["line_total"]) for i in body["items"]] == [
        (mine.product.sku, mine.listing.id, "19.9900")
    ]


def test_orders_filter_by_store_status_period_and_buyer_country(api_client, org, mine):
    store = StoreFactory(organization=org, marketplace=marketplace("amazon_de"))
    old = OrderFactory(
        organization=org,
        store=store,
        status="delivered",
        buyer_country="DE",
        ordered_at=timezone.now() - timedelta(days=40),
    )
    assert ids(api_client.get(f"/api/v1/orders/?store={store.id}")) == {old.id}
    assert ids(api_client.get("/api/v1/orders/?status=delivered")) == {old.id}
    assert ids(api_client.get("/api/v1/orders/?status=delivered&status=shipped")) == {
        old.id,
        mine.order.id,
    }
    assert ids(api_client.get("/api/v1/orders/?buyer_country=de")) == {old.id}
    since = (timezone.now() - timedelta(days=10)).isoformat()
    assert ids(api_client.get("/api/v1/orders/", {"ordered_at_after": since})) == {mine.order.id}
    assert ids(api_client.get("/api/v1/orders/", {"ordered_at_before": since})) == {old.id}


def test_an_order_is_created_with_its_items_and_decimal_totals(api_client, org, mine, new_order):
    response = api_client.post("/api/v1/orders/", new_order, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [i["line_total"] for i in body["items"]] == ["59.9700", "0.3300"]
    assert body["items"][0]["product"] == mine.product.id  # taken from the listing
    assert body["items"][0]["sku"] == mine.product.sku
    assert (body["items_total"], body["order_total"]) == ("60.3000", "66.3900")
    assert (body["currency"], body["buyer_country"], body["status"]) == ("USD", "US", "pending")
    assert OrderItem.objects.for_org(org).filter(order_id=body["id"]).count() == 2


def test_zero_decimal_currencies_round_to_whole_units(api_client, org, mine):
    store = StoreFactory(organization=org, marketplace=marketplace("amazon_jp"))
    body = {
        "store": store.id,
        "marketplace_order_id": "250-1",
        "buyer_country": "JP",
        "ordered_at": "2026-03-01T10:00:00+09:00",
        "items": [{"product": mine.product.id, "quantity": 2, "unit_price": "1490.5"}],
    }
    response = api_client.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["currency"], response.json()["order_total"]) == ("JPY", "2981.0000")


@pytest.mark.parametrize("target", ["store", "product", "listing"])
def test_an_order_cannot_reference_another_orgs_rows(api_client, org, theirs, new_order, target):
    if target == "store":
        new_order["store"] = theirs.store.id
        field_errors = "store"
    else:
        new_order["items"][1][target] = getattr(theirs, target).id
        field_errors = "items"
    body = assert_problem(api_client.post("/api/v1/orders/", new_order, format="json"), 400)
    assert "does not exist" in str(body["errors"][field_errors])
    assert not Order.objects.for_org(org).filter(marketplace_order_id="113-0000001-0000001")
    assert OrderItem.objects.for_org(org).count() == 1


def test_an_item_cannot_use_a_listing_of_another_store(api_client, org, new_order):
    elsewhere = ListingFactory(organization=org)
    new_order["items"][1]["listing"] = elsewhere.id
    body = assert_problem(api_client.post("/api/v1/orders/", new_order, format="json"), 400)
    assert body["field"] == "items[1].listing"
    assert Order.objects.for_org(org).count() == 1


def test_an_order_needs_items_and_a_unique_marketplace_id(api_client, mine, new_order):
    body = assert_problem(
        api_client.post("/api/v1/orders/", {**new_order, "items": []}, format="json"), 400
    )
    assert "items" in body["errors"]
    duplicate = {**new_order, "marketplace_order_id": mine.order.marketplace_order_id}
    body = assert_problem(api_client.post("/api/v1/orders/", duplicate, format="json"), 400)
    assert body["field"] == "marketplace_order_id"


def test_a_viewer_cannot_create_orders(viewer_client, new_order):
    assert_problem(viewer_client.post("/api/v1/orders/", new_order, format="json"), 403)
