"""Bulk upsert of orders with lines by store + marketplace order id (+ item key)."""

from __future__ import annotations

from decimal import Decimal

from apps.orders.models import Order, OrderItem
from tests.factories import ListingFactory, ProductFactory, StoreFactory

from .bulk_helpers import check_limits_and_scope, post, statuses

URL = "/api/v1/orders/bulk-upsert/"


def _order(store, moid="111-1", **over):
    return {"store": store.pk, "marketplace_order_id": moid, "buyer_country": "de",
            "ordered_at": "2026-11-29T10:00:00+01:00", "status": "shipped",
            "shipping_total": "4.99",
            "lines": [{"item_key": "L1", "sku": "O-1", "quantity": 2, "unit_price": "10.005"},
                      {"item_key": "L2", "sku": "O-2", "quantity": 1, "unit_price": "5"}],
            **over}  # fmt: skip


def test_mixed_batch_saves_the_valid_items(api_client, org):
    listing = ListingFactory(organization=org, product__sku="O-1")
    store = listing.store
    ProductFactory(organization=org, sku="O-2")
    response = post(api_client, URL, [
        _order(store),
        _order(store, "111-2", lines=[]),
        _order(store, "111-3", lines=[{"sku": "NOPE", "quantity": 1, "unit_price": "1"}]),
        _order(store, "111-4", buyer_country="Germany"),
        _order(store, "111-5", lines=[{"sku": "O-1", "quantity": 1, "unit_price": "1"},
                                      {"sku": "O-1", "quantity": 2, "unit_price": "1"}]),
        _order(store),
    ])  # fmt: skip
    assert statuses(response) == ["created", "error", "error", "error", "error", "error"]
    results = response.json()["results"]
    assert "lines" in results[1]["errors"] and "buyer_country" in results[3]["errors"]
    assert "unknown SKU NOPE" in results[2]["errors"]["lines"][0]
    assert "repeats the item key" in results[4]["errors"]["lines"][0]
    order = Order.objects.for_org(org).get(pk=results[0]["id"])
    assert (order.buyer_country, order.currency, order.source) == ("DE", "USD", "api")
    assert order.items_total == Decimal("25.01") and order.order_total == Decimal("30.00")
    lines = {i.item_key: i for i in OrderItem.objects.for_org(org).filter(order=order)}
    assert lines["L1"].listing_id == listing.pk and lines["L1"].line_total == Decimal("20.01")
    assert Order.objects.for_org(org).count() == 1


def test_resending_is_unchanged_and_changed_lines_are_an_update(api_client, org):
    ListingFactory(organization=org, product__sku="O-1")
    ProductFactory(organization=org, sku="O-2")
    store = StoreFactory(organization=org)
    first = post(api_client, URL, [_order(store)]).json()["results"][0]
    again = post(api_client, URL, [_order(store)]).json()["results"][0]
    assert (again["status"], again["id"]) == ("unchanged", first["id"])
    one_line = _order(store)
    one_line["lines"] = one_line["lines"][:1]
    assert statuses(post(api_client, URL, [one_line])) == ["updated"]
    assert OrderItem.objects.for_org(org).filter(order_id=first["id"]).count() == 1
    assert Order.objects.for_org(org).get(pk=first["id"]).items_total == Decimal("20.01")
    one_line["lines"][0]["refunded_amount"] = "3"
    assert statuses(post(api_client, URL, [one_line])) == ["updated"]


def test_another_organizations_store_and_skus_are_errors(api_client, org, other_org):
    their_store = StoreFactory(organization=other_org)
    ProductFactory(organization=other_org, sku="O-1")
    ProductFactory(organization=other_org, sku="O-2")
    mine = StoreFactory(organization=org)
    response = post(api_client, URL, [_order(their_store), _order(mine)])
    assert statuses(response) == ["error", "error"]
    assert response.json()["results"][0]["errors"] == {"store": ["Unknown store."]}
    assert not Order.objects.for_org(other_org).exists()
    assert not Order.objects.for_org(org).exists()


def test_limits_scope_and_idempotency(api_client, org):
    ProductFactory(organization=org, sku="O-1")
    ProductFactory(organization=org, sku="O-2")
    check_limits_and_scope(api_client, org, URL, "orders", _order(StoreFactory(organization=org)))


def test_amounts_beyond_the_columns_are_an_error_of_that_order(api_client, org):
    ProductFactory(organization=org, sku="O-1")
    ProductFactory(organization=org, sku="O-2")
    store = StoreFactory(organization=org)
    huge = _order(store, "HUGE", lines=[
        {"sku": "O-1", "quantity": 1_000_000, "unit_price": "9999999999"}])  # fmt: skip
    discounted = _order(store, "DISC", lines=[
        {"sku": "O-1", "quantity": 1, "unit_price": "5", "discount": "6"}])  # fmt: skip
    response = post(api_client, URL, [huge, discounted, _order(store)])
    assert statuses(response) == ["error", "error", "created"]
