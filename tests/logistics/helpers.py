"""Small builders shared by the logistics tests."""

from __future__ import annotations

from apps.logistics.models import Warehouse
from tests.factories import ListingFactory, ProductFactory, StoreFactory


def fba_warehouse(org, store=None, capacity=None, code="FBA-US"):
    store = store or StoreFactory(organization=org)
    return Warehouse.objects.create(
        organization=org,
        code=code,
        name="FBA US",
        kind="fba",
        country="US",
        store=store,
        capacity_ft3=capacity,
    )


def sample_products(org, store, skus):
    out = {}
    for sku in skus:
        product = ProductFactory(organization=org, sku=sku)
        out[sku] = ListingFactory(organization=org, product=product, store=store)
    return out
