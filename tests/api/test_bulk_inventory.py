"""Bulk upsert of inventory by SKU + warehouse code."""

from __future__ import annotations

import pytest

from apps.logistics.models import Inventory, Warehouse
from tests.factories import ListingFactory, ProductFactory, StoreFactory

from .bulk_helpers import check_limits_and_scope, post, statuses

URL = "/api/v1/inventory/bulk-upsert/"


@pytest.fixture
def warehouse(org):
    store = StoreFactory(organization=org)
    return Warehouse.objects.create(organization=org, code="fba-us", name="FBA US", kind="fba",
                                    country="US", store=store)  # fmt: skip


def test_mixed_batch_saves_the_valid_items(api_client, org, warehouse):
    p1 = ProductFactory(organization=org, sku="INV-1")
    ProductFactory(organization=org, sku="INV-2")
    listing = ListingFactory(organization=org, product=p1, store=warehouse.store, stock=0)
    response = post(api_client, URL, [
        {"sku": "INV-1", "warehouse": "fba-us", "fulfillable": 12, "reserved": 2},
        {"sku": "INV-2", "warehouse": "fba-us", "fulfillable": -1},
        {"sku": "NOPE", "warehouse": "fba-us", "fulfillable": 1},
        {"sku": "INV-2", "warehouse": "nowhere", "fulfillable": 1},
        {"sku": "INV-1", "warehouse": "fba-us", "fulfillable": 3},
        "not an object",
    ])  # fmt: skip
    assert statuses(response) == ["created", "error", "error", "error", "error", "error"]
    body = response.json()
    assert body["summary"] == {"created": 1, "updated": 0, "unchanged": 0, "error": 5}
    results = body["results"]
    assert "fulfillable" in results[1]["errors"]
    assert results[2]["errors"] == {"sku": ["Unknown SKU."]}
    assert results[3]["errors"] == {"warehouse": ["Unknown warehouse code."]}
    assert "Repeats item 0" in results[4]["errors"]["sku"][0]
    assert results[0]["sku"] == "INV-1" and results[0]["warehouse"] == "fba-us"
    row = Inventory.objects.for_org(org).get(product=p1)
    assert (row.fulfillable, row.reserved, results[0]["id"]) == (12, 2, row.id)
    listing.refresh_from_db()
    assert listing.stock == 12
    assert Inventory.objects.for_org(org).count() == 1


def test_resending_is_unchanged_and_a_change_is_an_update(api_client, org, warehouse):
    ProductFactory(organization=org, sku="INV-1")
    items = [{"sku": "INV-1", "warehouse": "fba-us", "fulfillable": 5}]
    first = post(api_client, URL, items).json()["results"][0]
    again = post(api_client, URL, items).json()["results"][0]
    assert (again["status"], again["id"]) == ("unchanged", first["id"])
    items[0]["fulfillable"] = 6
    assert statuses(post(api_client, URL, items)) == ["updated"]


def test_another_organizations_sku_and_warehouse_are_unknown(api_client, org, other_org):
    ProductFactory(organization=other_org, sku="THEIRS")
    Warehouse.objects.create(organization=other_org, code="their-wh", name="x", kind="own",
                             country="CN")  # fmt: skip
    ProductFactory(organization=org, sku="MINE")
    response = post(api_client, URL, [
        {"sku": "THEIRS", "warehouse": "their-wh", "fulfillable": 1},
        {"sku": "MINE", "warehouse": "their-wh", "fulfillable": 1},
    ])  # fmt: skip
    assert statuses(response) == ["error", "error"]
    assert Inventory.objects.for_org(other_org).count() == 0


def test_limits_scope_and_idempotency(api_client, org, warehouse):
    ProductFactory(organization=org, sku="INV-1")
    item = {"sku": "INV-1", "warehouse": "fba-us", "fulfillable": 1}
    check_limits_and_scope(api_client, org, URL, "logistics", item)
