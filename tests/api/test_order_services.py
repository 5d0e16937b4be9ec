"""order_create and exchange_rate_create called directly."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.errors import ValidationFailed
from apps.core.money import quantize
from apps.orders.models import ExchangeRate, Order
from apps.orders.services import ItemInput, exchange_rate_create, order_create
from tests.factories import ListingFactory, ProductFactory, StoreFactory, marketplace


def create(org, store, items, **kwargs):
    return order_create(
        org=org,
        store=store,
        marketplace_order_id=uuid.uuid4().hex[:20],
        buyer_country="de",
        ordered_at=timezone.now(),
        items=items,
        **kwargs,
    )


def test_order_create_refuses_items_of_another_org(org, other_org):
    store = StoreFactory(organization=org)
    foreign_product = ProductFactory(organization=other_org)
    foreign_listing = ListingFactory(organization=other_org)
    for item in (
        ItemInput(quantity=1, unit_price=Decimal("1"), product=foreign_product),
        ItemInput(quantity=1, unit_price=Decimal("1"), listing=foreign_listing),
    ):
        with pytest.raises(ValidationFailed, match="does not exist"):
            create(org, store, [item])
    with pytest.raises(ValidationFailed):
        create(org, StoreFactory(organization=other_org), [ItemInput(1, Decimal("1"), sku="A")])
    assert Order.objects.unscoped().count() == 0


def test_order_create_refuses_a_listing_of_another_product(org):
    listing = ListingFactory(organization=org)
    item = ItemInput(
        quantity=1,
        unit_price=Decimal("1"),
        listing=listing,
        product=ProductFactory(organization=org),
    )
    with pytest.raises(ValidationFailed, match="another product"):
        create(org, listing.store, [item])


money = st.decimals(min_value=0, max_value=10_000, places=4)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(st.tuples(st.integers(1, 50), money), min_size=1, max_size=6),
    shipping=money,
    tax=money,
    code=st.sampled_from(["amazon_us", "amazon_jp"]),
)
def test_order_totals_are_the_sum_of_rounded_lines(org, lines, shipping, tax, code):
    store = StoreFactory(organization=org, marketplace=marketplace(code))
    items = [ItemInput(quantity=q, unit_price=p, sku="S") for q, p in lines]
    order = create(org, store, items, shipping_total=shipping, tax_total=tax)
    saved = list(order.items.all())
    assert [i.line_total for i in saved] == [quantize(p * q, order.currency) for q, p in lines]
    assert order.items_total == sum((i.line_total for i in saved), Decimal("0"))
    order.refresh_from_db()
    assert order.order_total == order.items_total + order.shipping_total + order.tax_total
    assert order.order_total == quantize(order.order_total, order.currency)


def test_exchange_rate_create_is_always_the_callers_own(org, other_org):
    rate = exchange_rate_create(
        org=org, base="CNY", quote="EUR", rate=Decimal("0.127"), date=date(2026, 3, 2)
    )
    assert rate.organization == org
    exchange_rate_create(
        org=other_org, base="CNY", quote="EUR", rate=Decimal("0.128"), date=date(2026, 3, 2)
    )
    with pytest.raises(ValidationFailed):
        exchange_rate_create(
            org=org, base="CNY", quote="EUR", rate=Decimal("0.2"), date=date(2026, 3, 2)
        )
    assert ExchangeRate.objects.filter(organization__isnull=True).count() == 0
