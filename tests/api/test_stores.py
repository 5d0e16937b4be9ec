"""/api/v1/stores/: an organization's seller accounts."""

from __future__ import annotations

from apps.catalog.models import Store
from tests.factories import StoreFactory, marketplace

from .helpers import assert_problem, ids


def test_store_list_shows_only_own_stores_with_their_marketplace(api_client, mine, theirs):
    response = api_client.get("/api/v1/stores/")
    assert ids(response) == {mine.store.id}
    row = response.json()["results"][0]
    assert row["marketplace"] == "amazon_us"
    assert row["currency"] == "USD"
    assert "organization" not in row


def test_stores_filter_by_marketplace_code_and_active_flag(api_client, org):
    de = StoreFactory(organization=org, marketplace=marketplace("amazon_de"))
    off = StoreFactory(organization=org, is_active=False)
    assert ids(api_client.get("/api/v1/stores/?marketplace=amazon_de")) == {de.id}
    assert ids(api_client.get("/api/v1/stores/?is_active=false")) == {off.id}


def test_a_manager_creates_a_store_by_marketplace_code(api_client, org):
    response = api_client.post(
        "/api/v1/stores/", {"marketplace": "amazon_de", "name": "Voltora DE"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["marketplace"], body["currency"], body["language"]) == (
        "amazon_de",
        "EUR",
        "de-DE",
    )
    assert Store.objects.for_org(org).get(pk=body["id"]).name == "Voltora DE"


def test_organization_in_the_body_is_ignored(api_client, org, other_org):
    response = api_client.post(
        "/api/v1/stores/",
        {"marketplace": "amazon_us", "name": "Mine", "organization": other_org.id},
        format="json",
    )
    assert response.status_code == 201
    assert Store.objects.unscoped().get(pk=response.json()["id"]).organization == org


def test_an_unknown_marketplace_code_is_a_field_error(api_client):
    body = assert_problem(
        api_client.post("/api/v1/stores/", {"marketplace": "mars", "name": "S"}, format="json"),
        400,
    )
    assert "marketplace" in body["errors"]


def test_store_names_are_unique_per_organization_only(api_client, other_api_client, mine):
    body = {"marketplace": "amazon_us", "name": mine.store.name}
    assert_problem(api_client.post("/api/v1/stores/", body, format="json"), 400)
    assert other_api_client.post("/api/v1/stores/", body, format="json").status_code == 201


def test_a_store_is_renamed_but_keeps_its_marketplace(api_client, mine):
    url = f"/api/v1/stores/{mine.store.id}/"
    response = api_client.patch(url, {"name": "Renamed", "marketplace": "ebay_de"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Renamed"
    assert response.json()["marketplace"] == "amazon_us"


def test_a_store_without_orders_can_be_deleted(api_client, org):
    store = StoreFactory(organization=org)
    assert api_client.delete(f"/api/v1/stores/{store.id}/").status_code == 204
    assert not Store.objects.for_org(org).filter(pk=store.id).exists()


def test_a_store_with_orders_cannot_be_deleted(api_client, org, mine):
    body = assert_problem(api_client.delete(f"/api/v1/stores/{mine.store.id}/"), 409)
    assert body["code"] == "store_has_orders"
    assert Store.objects.for_org(org).filter(pk=mine.store.id).exists()
