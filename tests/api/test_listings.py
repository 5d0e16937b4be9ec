"""/api/v1/listings/: products offered in stores, versioned for optimistic concurrency."""

from __future__ import annotations

from apps.catalog.models import Listing
from tests.factories import ListingFactory, ProductFactory, StoreFactory, marketplace

from .helpers import assert_problem, ids


def test_listing_list_shows_only_own_listings(api_client, mine, theirs):
    response = api_client.get("/api/v1/listings/")
    assert ids(response) == {mine.listing.id}
    row = response.json()["results"][0]
    assert (row["product_sku"], row["marketplace"], row["price"], row["currency"]) == (
        mine.product.sku,
        "amazon_us",
        "19.9900",
        "USD",
    )


def test_listings_filter_by_store_marketplace_status_language_and_sku(api_client, org, mine):
    de_store = StoreFactory(organization=org, marketplace=marketplace("amazon_de"))
    de = ListingFactory(
        organization=org, store=de_store, language="de-DE", currency="EUR", status="inactive"
    )
    assert ids(api_client.get(f"/api/v1/listings/?store={de_store.id}")) == {de.id}
    assert ids(api_client.get("/api/v1/listings/?marketplace=amazon_de")) == {de.id}
    assert ids(api_client.get("/api/v1/listings/?status=inactive")) == {de.id}
    assert ids(api_client.get("/api/v1/listings/?language=en-US")) == {mine.listing.id}
    assert ids(api_client.get(f"/api/v1/listings/?sku={de.product.sku}")) == {de.id}


def test_filtering_by_a_foreign_store_id_finds_nothing(api_client, mine, theirs):
    assert ids(api_client.get(f"/api/v1/listings/?store={theirs.store.id}")) == set()


def test_a_new_listing_takes_the_marketplaces_currency_and_language(api_client, org, mine):
    store = StoreFactory(organization=org, marketplace=marketplace("amazon_jp"))
    response = api_client.post(
        "/api/v1/listings/",
        {"product": mine.product.id, "store": store.id, "title": "充電器", "price": "2980"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["currency"], body["language"], body["version"]) == ("JPY", "ja-JP", 1)
    assert body["store_name"] == store.name


def test_a_listing_cannot_use_another_orgs_product_or_store(api_client, org, mine, theirs):
    for body, field in (
        ({"product": theirs.product.id, "store": mine.store.id}, "product"),
        ({"product": ProductFactory(organization=org).id, "store": theirs.store.id}, "store"),
    ):
        problem = assert_problem(api_client.post("/api/v1/listings/", body, format="json"), 400)
        assert "does not exist" in problem["errors"][field][0]
    assert Listing.objects.for_org(org).count() == 1
    assert Listing.objects.unscoped().filter(store=theirs.store).count() == 1


def test_a_product_is_listed_once_per_store(api_client, mine):
    body = {"product": mine.product.id, "store": mine.store.id}
    assert assert_problem(api_client.post("/api/v1/listings/", body), 400)["field"] == "product"


def test_an_update_returns_the_bumped_version(api_client, mine):
    url = f"/api/v1/listings/{mine.listing.id}/"
    response = api_client.patch(url, {"price": "17.50", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["price"], response.json()["version"]) == ("17.5000", 2)
    assert response.json()["product_sku"] == mine.product.sku


def test_an_update_that_changes_nothing_keeps_the_version(api_client, mine):
    url = f"/api/v1/listings/{mine.listing.id}/"
    response = api_client.patch(url, {"stock": mine.listing.stock}, format="json")
    assert response.json()["version"] == 1


def test_a_client_holding_an_old_version_gets_409_and_changes_nothing(api_client, org, mine):
    url = f"/api/v1/listings/{mine.listing.id}/"
    # Someone else (the repricer's set-based UPDATE) changed the listing meanwhile.
    Listing.objects.for_org(org).filter(pk=mine.listing.id).update(price="18.00")
    body = assert_problem(
        api_client.patch(url, {"title": "Mine", "version": 1}, format="json"), 409
    )
    assert "version 2" in body["detail"]
    listing = Listing.objects.for_org(org).get(pk=mine.listing.id)
    assert (listing.title, listing.version) == (mine.listing.title, 2)
    assert api_client.patch(url, {"title": "Mine", "version": 2}, format="json").status_code == 200


def test_an_update_cannot_move_a_listing_to_another_product_or_store(api_client, org, mine):
    other = StoreFactory(organization=org)
    url = f"/api/v1/listings/{mine.listing.id}/"
    api_client.patch(url, {"store": other.id, "product": 0}, format="json")
    listing = Listing.objects.for_org(org).get(pk=mine.listing.id)
    assert (listing.store_id, listing.product_id) == (mine.store.id, mine.product.id)


def test_a_negative_price_or_unknown_currency_is_a_field_error(api_client, mine):
    url = f"/api/v1/listings/{mine.listing.id}/"
    body = assert_problem(api_client.patch(url, {"price": "-1", "currency": "EURO"}), 400)
    assert set(body["errors"]) == {"price", "currency"}


def test_a_listing_is_deleted(api_client, org, mine):
    assert api_client.delete(f"/api/v1/listings/{mine.listing.id}/").status_code == 204
    assert not Listing.objects.for_org(org).filter(pk=mine.listing.id).exists()
