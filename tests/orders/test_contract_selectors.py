"""The three functions other apps read orders through (CONTRACTS.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from apps.orders.models import Order
from apps.orders.selectors import (
    DEFAULT_SETTLEMENT_DAYS,
    daily_units_by_product,
    order_get_by_marketplace_id,
    receivables_by_currency_day,
)
from tests.factories import OrderFactory, OrderItemFactory, ProductFactory, StoreFactory


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


D = date(2025, 9, 8)


def test_daily_units_skip_cancelled_and_subtract_refunds(org):
    store = StoreFactory(organization=org)
    product = ProductFactory(organization=org)
    kept = OrderFactory(organization=org, store=store, ordered_at=_at(D))
    OrderItemFactory(
        organization=org,
        order=kept,
        product=product,
        quantity=3,
        line_total=Decimal("30.00"),
        refunded_quantity=1,
        refunded_amount=Decimal("10.00"),
    )
    OrderItemFactory(
        organization=org,
        order=kept,
        product=product,
        quantity=2,
        line_total=Decimal("20.00"),
        item_status="cancelled",
        item_key="x",
    )
    cancelled = OrderFactory(
        organization=org, store=store, ordered_at=_at(D), status=Order.Status.CANCELLED
    )
    OrderItemFactory(organization=org, order=cancelled, product=product, quantity=5)
    late = OrderFactory(organization=org, store=store, ordered_at=_at(D + timedelta(days=1), 23))
    OrderItemFactory(
        organization=org, order=late, product=product, quantity=1, line_total=Decimal("9.50")
    )

    frame = daily_units_by_product(org=org, start=D, end=D + timedelta(days=1))

    assert list(frame.columns) == ["product_id", "store_id", "day", "units", "revenue", "currency"]
    rows = frame.to_dict("records")
    assert rows == [
        {
            "product_id": product.id,
            "store_id": store.id,
            "day": D,
            "units": 2,
            "revenue": Decimal("20.0000"),
            "currency": "USD",
        },
        {
            "product_id": product.id,
            "store_id": store.id,
            "day": D + timedelta(days=1),
            "units": 1,
            "revenue": Decimal("9.5000"),
            "currency": "USD",
        },
    ]
    assert isinstance(rows[0]["revenue"], Decimal)


def test_daily_units_filter_by_store_and_never_cross_tenants(org, other_org):
    mine = StoreFactory(organization=org)
    product = ProductFactory(organization=org)
    order = OrderFactory(organization=org, store=mine, ordered_at=_at(D))
    OrderItemFactory(organization=org, order=order, product=product, quantity=4)
    theirs = OrderFactory(organization=other_org, ordered_at=_at(D))
    OrderItemFactory(
        organization=other_org, order=theirs, product=ProductFactory(organization=other_org)
    )

    assert daily_units_by_product(org=org, start=D, end=D)["units"].tolist() == [4]
    assert daily_units_by_product(org=org, start=D, end=D, store_ids=[mine.id + 999]).empty
    assert daily_units_by_product(org=other_org, start=D, end=D)["product_id"].tolist() != [
        product.id
    ]


def test_order_get_by_marketplace_id_is_tenant_scoped(org, other_org):
    order = OrderFactory(organization=org, marketplace_order_id="113-4829175-2038461")
    OrderFactory(organization=other_org, marketplace_order_id="999-0000000-0000000")

    assert (
        order_get_by_marketplace_id(org=org, marketplace_order_id=" 113-4829175-2038461") == order
    )
    assert order_get_by_marketplace_id(org=org, marketplace_order_id="999-0000000-0000000") is None
    assert (
        order_get_by_marketplace_id(org=other_org, marketplace_order_id=order.marketplace_order_id)
        is None
    )
    assert order_get_by_marketplace_id(org=org, marketplace_order_id="") is None


def test_receivables_open_from_order_day_until_settled(org, other_org):
    OrderFactory(
        organization=org,
        ordered_at=_at(D),
        order_total=Decimal("100.00"),
        refunded_total=Decimal("10.00"),
        settled_at=_at(D + timedelta(days=2)),
    )
    OrderFactory(organization=org, ordered_at=_at(D), currency="EUR", order_total=Decimal("50"))
    OrderFactory(
        organization=org,
        ordered_at=_at(D),
        order_total=Decimal("70"),
        status=Order.Status.CANCELLED,
    )
    OrderFactory(organization=other_org, ordered_at=_at(D), order_total=Decimal("999"))

    rows = receivables_by_currency_day(
        org=org, start=D - timedelta(days=1), end=D + timedelta(days=3)
    )

    assert rows == [
        (D, "EUR", Decimal("50.0000")),
        (D, "USD", Decimal("90.0000")),
        (D + timedelta(days=1), "EUR", Decimal("50.0000")),
        (D + timedelta(days=1), "USD", Decimal("90.0000")),
        (D + timedelta(days=2), "EUR", Decimal("50.0000")),
        (D + timedelta(days=3), "EUR", Decimal("50.0000")),
    ]
    last_open = D + timedelta(days=DEFAULT_SETTLEMENT_DAYS - 1)
    assert receivables_by_currency_day(
        org=org, start=last_open, end=last_open + timedelta(days=1)
    ) == [(last_open, "EUR", Decimal("50.0000"))]
    assert receivables_by_currency_day(org=org, start=D, end=D - timedelta(days=1)) == []
