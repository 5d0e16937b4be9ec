"""Bulk upsert of costs: product unit costs by SKU, listing cost profiles by SKU + store."""

from __future__ import annotations

from decimal import Decimal

from apps.catalog.models import Product
from apps.pricing.models import CostProfile
from tests.factories import ListingFactory, ProductFactory, StoreFactory

from .bulk_helpers import check_limits_and_scope, post, statuses

URL = "/api/v1/costs/bulk-upsert/"


def test_mixed_batch_saves_the_valid_items(api_client, org):
    listing = ListingFactory(organization=org, product__sku="C-1")
    ProductFactory(organization=org, sku="C-2", unit_cost=Decimal("5.00"))
    store = listing.store.pk
    response = post(api_client, URL, [
        {"sku": "C-1", "store": store, "unit_cost": "7.25", "first_leg_per_unit": "1.10",
         "other_per_unit": "0.30"},
        {"sku": "C-2", "unit_cost": "5.00"},
        {"sku": "C-2", "unit_cost": "-1"},
        {"sku": "C-2", "store": store, "first_leg_per_unit": "1"},
        {"sku": "NOPE", "unit_cost": "1"},
        {"sku": "C-1", "first_leg_per_unit": "1"},
        {"sku": "C-1"},
    ])  # fmt: skip
    assert statuses(response) == [
        "created", "unchanged", "error", "error", "error", "error", "error"
    ]  # fmt: skip
    results = response.json()["results"]
    assert "unit_cost" in results[2]["errors"]
    assert results[3]["errors"] == {"sku": ["No listing of this SKU in that store."]}
    assert results[4]["errors"] == {"sku": ["Unknown SKU."]}
    assert "store" in results[5]["errors"] and "non_field_errors" in results[6]["errors"]
    profile = CostProfile.objects.for_org(org).get(listing=listing)
    assert results[0]["id"] == profile.id
    assert (profile.first_leg_per_unit, profile.other_per_unit) == (Decimal("1.1"), Decimal("0.3"))
    assert profile.currency == listing.currency
    assert Product.objects.for_org(org).get(sku="C-1").unit_cost == Decimal("7.25")


def test_resending_is_unchanged_and_a_change_is_an_update(api_client, org):
    listing = ListingFactory(organization=org, product__sku="C-1")
    item = {"sku": "C-1", "store": listing.store.pk, "unit_cost": "3", "price_ceiling": "40"}
    first = post(api_client, URL, [item]).json()["results"][0]
    again = post(api_client, URL, [item]).json()["results"][0]
    assert (first["status"], again["status"], again["id"]) == ("created", "unchanged", first["id"])
    version = Product.objects.for_org(org).get(sku="C-1").version
    assert statuses(post(api_client, URL, [{**item, "price_ceiling": "41"}])) == ["updated"]
    assert Product.objects.for_org(org).get(sku="C-1").version == version  # unit cost kept
    assert statuses(post(api_client, URL, [{"sku": "C-1", "unit_cost": "4"}])) == ["updated"]


def test_another_organizations_store_and_sku_are_errors(api_client, org, other_org):
    theirs = ListingFactory(organization=other_org, product__sku="THEIRS")
    ListingFactory(organization=org, product__sku="MINE")
    response = post(api_client, URL, [
        {"sku": "THEIRS", "unit_cost": "1"},
        {"sku": "MINE", "store": theirs.store.pk, "first_leg_per_unit": "1"},
    ])  # fmt: skip
    assert statuses(response) == ["error", "error"]
    assert response.json()["results"][1]["errors"] == {"store": ["Unknown store."]}
    assert Product.objects.for_org(other_org).get(sku="THEIRS").unit_cost == Decimal("42.50")
    assert not CostProfile.objects.for_org(other_org).exists()


def test_limits_scope_and_idempotency(api_client, org):
    StoreFactory(organization=org)
    ProductFactory(organization=org, sku="C-1")
    check_limits_and_scope(api_client, org, URL, "pricing", {"sku": "C-1", "unit_cost": "2"})
