"""/api/v1/products/: the organization's SKUs."""

from __future__ import annotations

from decimal import Decimal

from apps.catalog.models import Listing, Product
from tests.factories import ProductFactory

from .helpers import assert_problem, ids


def test_product_list_shows_only_own_products(api_client, mine, theirs):
    assert ids(api_client.get("/api/v1/products/")) == {mine.product.id}


def test_money_is_a_string_next_to_its_currency(api_client, mine):
    row = api_client.get(f"/api/v1/products/{mine.product.id}/").json()
    assert row["unit_cost"] == "42.5000"
    assert row["cost_currency"] == "CNY"
    assert row["version"] == 1


def test_products_filter_by_sku_category_brand_and_search(api_client, org):
    cable = ProductFactory(organization=org, sku="CAB-1", name="USB-C cable", category="Cables")
    lamp = ProductFactory(organization=org, sku="LMP-1", name="Desk lamp", brand="Lumo")
    assert ids(api_client.get("/api/v1/products/?sku=CAB-1")) == {cable.id}
    assert ids(api_client.get("/api/v1/products/?category=Cables")) == {cable.id}
    assert ids(api_client.get("/api/v1/products/?brand=lumo")) == {lamp.id}
    assert ids(api_client.get("/api/v1/products/?search=desk")) == {lamp.id}


def test_products_are_paginated_by_cursor(api_client, org):
    ProductFactory.create_batch(5, organization=org)
    body = api_client.get("/api/v1/products/?page_size=2&count=true").json()
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert "cursor=" in body["next"] and body["previous"] is None


def test_a_product_is_created_with_decimal_cost(api_client, org):
    response = api_client.post(
        "/api/v1/products/",
        {"sku": "NEW-1", "name": "磁吸支架", "unit_cost": "12.3456", "cost_currency": "CNY",
         "attributes": {"colour": "black"}},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    product = Product.objects.for_org(org).get(sku="NEW-1")
    assert product.unit_cost == Decimal("12.3456")
    assert response.json()["unit_cost"] == "12.3456"


def test_a_sku_is_unique_within_the_organization_only(api_client, other_api_client, mine):
    body = {"sku": mine.product.sku, "name": "Same SKU"}
    assert assert_problem(api_client.post("/api/v1/products/", body), 400)["field"] == "sku"
    assert other_api_client.post("/api/v1/products/", body).status_code == 201


def test_an_update_bumps_the_version_and_a_stale_version_is_409(api_client, mine):
    url = f"/api/v1/products/{mine.product.id}/"
    response = api_client.patch(url, {"name": "Renamed", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    assert_problem(api_client.patch(url, {"name": "Again", "version": 1}, format="json"), 409)
    assert api_client.get(url).json()["name"] == "Renamed"


def test_a_full_update_needs_sku_and_name(api_client, mine):
    url = f"/api/v1/products/{mine.product.id}/"
    body = assert_problem(api_client.put(url, {"brand": "X"}, format="json"), 400)
    assert set(body["errors"]) == {"sku", "name"}


def test_deleting_a_product_deletes_its_listings(api_client, org, mine):
    assert api_client.delete(f"/api/v1/products/{mine.product.id}/").status_code == 204
    assert not Product.objects.for_org(org).filter(pk=mine.product.id).exists()
    assert not Listing.objects.for_org(org).filter(pk=mine.listing.id).exists()
