"""Helpers shared by the API tests: problem+json assertions and a full set of rows per org."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

from apps.catalog.models import Listing, Product, Store
from apps.core.models import Job
from apps.core.services import job_create
from apps.orders.models import ExchangeRate, Order
from tests.factories import (
    ExchangeRateFactory,
    ListingFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    StoreFactory,
)

PROBLEM = "application/problem+json"
_days = itertools.count()


def assert_problem(response, status: int) -> dict:
    """The response is an RFC 9457 problem with `status`; returns its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM), response["Content-Type"]
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    return body


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@dataclass
class Rows:
    store: Store
    product: Product
    listing: Listing
    order: Order
    job: Job
    rate: ExchangeRate


def make_rows(org, *, marketplace=None) -> Rows:
    """One row of every API resource for `org`."""
    store = StoreFactory(organization=org, **({"marketplace": marketplace} if marketplace else {}))
    product = ProductFactory(organization=org)
    listing = ListingFactory(organization=org, store=store, product=product)
    order = OrderFactory(organization=org, store=store)
    OrderItemFactory(
        organization=org, order=order, product=product, listing=listing, sku=product.sku
    )
    job = job_create(org=org, kind="listing_export", label="Export listings", total=10)
    rate = ExchangeRateFactory(
        organization=org,
        base="CNY",
        quote="USD",
        rate="0.1380000000",
        date=date(2026, 1, 1) - timedelta(days=next(_days)),  # one rate per pair and day
    )
    return Rows(store=store, product=product, listing=listing, order=order, job=job, rate=rate)
