"""Catalog services called directly: tenant checks and defaults hold whoever the caller is."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.catalog import services
from apps.catalog.models import Listing
from apps.core.errors import Conflict, NotFound, ValidationFailed
from tests.factories import ListingFactory, ProductFactory, StoreFactory, marketplace


def test_listing_create_refuses_a_product_or_store_of_another_org(org, other_org):
    store, product = StoreFactory(organization=org), ProductFactory(organization=org)
    foreign_store = StoreFactory(organization=other_org)
    foreign_product = ProductFactory(organization=other_org)
    with pytest.raises(ValidationFailed) as exc:
        services.listing_create(org=org, product=foreign_product, store=store)
    assert exc.value.field == "product"
    with pytest.raises(ValidationFailed) as exc:
        services.listing_create(org=org, product=product, store=foreign_store)
    assert exc.value.field == "store"
    assert Listing.objects.unscoped().count() == 0


def test_listing_create_defaults_currency_and_language_to_the_marketplace(org):
    store = StoreFactory(organization=org, marketplace=marketplace("amazon_uk"))
    listing = services.listing_create(
        org=org, product=ProductFactory(organization=org), store=store, price=Decimal("9.99")
    )
    assert (listing.currency, listing.language, listing.organization) == ("GBP", "en-GB", org)


def test_listing_create_keeps_an_explicit_currency_and_language(org):
    store = StoreFactory(organization=org, marketplace=marketplace("amazon_de"))
    listing = services.listing_create(
        org=org,
        product=ProductFactory(organization=org),
        store=store,
        currency="USD",
        language="en-GB",
    )
    assert (listing.currency, listing.language) == ("USD", "en-GB")


def test_listing_update_bumps_the_version_and_refuses_a_stale_one(org):
    listing = ListingFactory(organization=org)
    updated = services.listing_update(
        org=org, listing=listing, data={"stock": 3}, expected_version=1
    )
    assert updated.version == 2
    with pytest.raises(Conflict):
        services.listing_update(org=org, listing=listing, data={"stock": 4}, expected_version=1)
    listing.refresh_from_db()
    assert (listing.stock, listing.version) == (3, 2)


def test_listing_update_refuses_fields_it_does_not_own(org):
    listing = ListingFactory(organization=org)
    with pytest.raises(ValidationFailed):
        services.listing_update(org=org, listing=listing, data={"organization_id": 0})


def test_services_refuse_to_touch_another_orgs_rows(org, other_org):
    listing = ListingFactory(organization=other_org)
    with pytest.raises(NotFound):
        services.listing_update(org=org, listing=listing, data={"stock": 0})
    with pytest.raises(NotFound):
        services.listing_delete(org=org, listing=listing)
    with pytest.raises(NotFound):
        services.product_update(org=org, product=listing.product, data={"name": "x"})
    with pytest.raises(NotFound):
        services.product_delete(org=org, product=listing.product)
    with pytest.raises(NotFound):
        services.store_update(org=org, store=listing.store, data={"name": "x"})
    with pytest.raises(NotFound):
        services.store_delete(org=org, store=listing.store)
    assert Listing.objects.for_org(other_org).get().stock == listing.stock


def test_product_create_and_update_keep_skus_unique_per_org(org, other_org):
    services.product_create(org=org, sku="A-1", name="A")
    services.product_create(org=other_org, sku="A-1", name="A")
    b = services.product_create(org=org, sku="B-1", name="B")
    with pytest.raises(ValidationFailed):
        services.product_create(org=org, sku="A-1", name="again")
    with pytest.raises(ValidationFailed):
        services.product_update(org=org, product=b, data={"sku": "A-1"})


def test_store_create_refuses_a_duplicate_name(org):
    services.store_create(org=org, marketplace=marketplace("ebay_de"), name="DE")
    with pytest.raises(ValidationFailed):
        services.store_create(org=org, marketplace=marketplace("amazon_de"), name="DE")
