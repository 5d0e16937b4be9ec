"""The tenant scoping mechanism fails closed and never mixes organizations."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from apps.catalog.models import Listing, Product
from apps.core.models import TenantModel
from apps.core.tenancy import TenantScopeError, tenant_scope, unscoped
from tests.factories import ListingFactory, ProductFactory, StoreFactory


def tenant_models():
    return [m for m in apps.get_models() if issubclass(m, TenantModel)]


def test_every_domain_model_of_the_shared_model_is_a_tenant_model():
    names = {m.__name__ for m in tenant_models()}
    assert {"Store", "Product", "Listing", "Order", "OrderItem", "Job"} <= names


@pytest.mark.parametrize("model", tenant_models(), ids=lambda m: m.__name__)
def test_unscoped_query_of_any_tenant_model_raises(db, model):
    with pytest.raises(TenantScopeError):
        list(model.objects.all())
    with pytest.raises(TenantScopeError):
        model.objects.filter(pk=1).count()
    with pytest.raises(TenantScopeError):
        model.objects.filter(pk=1).update(updated_at=None)
    with pytest.raises(TenantScopeError):
        model.objects.filter(pk=1).delete()


def test_tenant_scope_filters_to_the_active_organization(org, other_org):
    mine = ProductFactory(organization=org)
    ProductFactory(organization=other_org)
    with tenant_scope(org):
        assert list(Product.objects.all()) == [mine]
        assert Product.objects.count() == 1


def test_explicit_org_filter_and_for_org_are_allowed(org, other_org):
    mine = ProductFactory(organization=org)
    ProductFactory(organization=other_org)
    assert list(Product.objects.for_org(org)) == [mine]
    assert list(Product.objects.filter(organization=org)) == [mine]
    assert list(Product.objects.filter(organization_id=org.id, sku=mine.sku)) == [mine]


def test_a_negated_or_or_filter_on_organization_does_not_count_as_scoped(org):
    from django.db.models import Q

    with pytest.raises(TenantScopeError):
        list(Product.objects.filter(Q(organization=org) | Q(sku="x")))
    with pytest.raises(TenantScopeError):
        list(Product.objects.exclude(organization=org))


def test_scope_of_one_org_cannot_read_another_orgs_rows_even_when_asked(org, other_org):
    theirs = ProductFactory(organization=other_org)
    with tenant_scope(org):
        assert not Product.objects.filter(pk=theirs.pk).exists()
        assert Product.objects.filter(organization=other_org).count() == 0


def test_related_managers_of_a_loaded_row_work_without_scope(org):
    listing = ListingFactory(organization=org)
    assert list(listing.store.listings.all()) == [listing]


def test_unscoped_is_the_named_escape_hatch(org, other_org):
    ProductFactory(organization=org)
    ProductFactory(organization=other_org)
    with unscoped():
        assert Product.objects.count() == 2
    assert Product.objects.unscoped().count() == 2


def test_bulk_create_without_organization_is_refused(org):
    with pytest.raises(TenantScopeError):
        Product.objects.bulk_create([Product(sku="X", name="x")])


def test_duplicate_sku_in_one_organization_is_refused_by_the_database(org, other_org):
    ProductFactory(organization=org, sku="VT-100")
    ProductFactory(organization=other_org, sku="VT-100")  # another org may reuse it
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.bulk_create([Product(organization=org, sku="VT-100", name="dup")])


def test_duplicate_listing_for_product_and_store_is_refused_by_the_database(org):
    listing = ListingFactory(organization=org)
    with pytest.raises(IntegrityError), transaction.atomic():
        Listing.objects.bulk_create(
            [
                Listing(
                    organization=org,
                    product=listing.product,
                    store=listing.store,
                    language="en-US",
                    currency="USD",
                )
            ]
        )


def test_currency_must_be_an_iso_code_in_the_database(org):
    store = StoreFactory(organization=org)
    product = ProductFactory(organization=org)
    with pytest.raises(IntegrityError), transaction.atomic():
        Listing.objects.bulk_create(
            [Listing(organization=org, product=product, store=store, language="en", currency="usd")]
        )


def test_listing_version_increases_on_every_change_including_bulk_updates(org):
    listing = ListingFactory(organization=org)
    assert listing.version == 1
    listing.title = "New title"
    listing.save()
    listing.refresh_from_db()
    assert listing.version == 2
    Listing.objects.for_org(org).filter(pk=listing.pk).update(price="21.99")
    listing.refresh_from_db()
    assert listing.version == 3


def test_listing_version_stays_when_nothing_changed(org):
    listing = ListingFactory(organization=org)
    listing.save()
    Listing.objects.for_org(org).filter(pk=listing.pk).update(price=listing.price)
    listing.refresh_from_db()
    assert listing.version == 1


def test_deleting_an_organization_removes_its_rows_but_a_store_with_orders_stays_protected(
    org, other_org
):
    from django.db.models import RestrictedError

    from apps.catalog.models import Store
    from apps.orders.models import Order
    from tests.factories import OrderItemFactory

    item = OrderItemFactory(organization=org)
    OrderItemFactory(organization=other_org)
    with pytest.raises(RestrictedError), transaction.atomic():
        Store.objects.for_org(org).get(pk=item.order.store_id).delete()
    with unscoped():
        org.delete()
    assert Order.objects.unscoped().filter(organization_id=org.id).count() == 0
    assert Order.objects.for_org(other_org).count() == 1
