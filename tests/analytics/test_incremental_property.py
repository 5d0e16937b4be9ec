"""Whatever changes between two refreshes, the incremental refresh leaves exactly the facts a
full rebuild makes (hypothesis): new, deleted, cancelled, refunded and moved orders and lines,
edited unit costs and fees, a new or changed exchange rate for a past day, traffic re-imported
or deleted."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.analytics import inputs
from apps.analytics.models import ProfitRefresh, TrafficDay
from apps.analytics.refresh import OVERLAP, profit_refresh
from apps.analytics.services import traffic_import
from apps.orders.models import ExchangeRate, Order, OrderItem
from apps.pricing.models import ReferralFee
from tests.analytics.helpers import german_store, providers, sell
from tests.analytics.test_profit_refresh import _facts
from tests.factories import ExchangeRateFactory, ListingFactory, ProductFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 10, 1, tzinfo=UTC)


def _touch(order) -> None:
    """What the orders module does when a line of the order changes or is deleted."""
    Order.objects.for_org(order.organization).filter(pk=order.pk).update(updated_at=timezone.now())


def _some_item(org, rng):
    items = list(OrderItem.objects.for_org(org).select_related("order").order_by("id"))
    return rng.choice(items) if items else None


def op_new_line(org, rng, world):
    sell(org, world["store"], rng.choice(world["products"]),
         at=START + timedelta(hours=rng.randint(0, 90)), qty=rng.randint(1, 3))  # fmt: skip


def op_second_line_same_order(org, rng, world):
    item = _some_item(org, rng)
    if item is not None:
        OrderItem.objects.create(
            organization=org, order=item.order, product=item.product, sku=item.sku,
            quantity=1, unit_price=Decimal("10"), currency="EUR", line_total=Decimal("10"),
        )  # fmt: skip
        _touch(item.order)


def op_delete_order(org, rng, world):
    item = _some_item(org, rng)
    if item is not None:
        item.order.delete()


def op_delete_line(org, rng, world):
    item = _some_item(org, rng)
    if item is not None:
        order = item.order
        item.delete()
        _touch(order)


def op_cancel_order(org, rng, world):
    item = _some_item(org, rng)
    if item is not None:
        item.order.status = "cancelled"
        item.order.save()


def op_return_order(org, rng, world):
    item = _some_item(org, rng)
    if item is not None:
        item.order.status = "returned"
        item.order.save()


def op_cancel_line(org, rng, world):
    item = _some_item(org, rng)
    if item is not None:
        item.item_status = "cancelled"
        item.save()


def op_refund_part_of_a_line(org, rng, world):
    item = _some_item(org, rng)
    if item is not None:
        item.refunded_quantity = 1
        item.refunded_amount = item.unit_price
        item.save()


def op_move_order_to_another_day(org, rng, world):
    item = _some_item(org, rng)
    if item is not None:
        item.order.ordered_at += timedelta(days=rng.choice([-2, -1, 1, 2]))
        item.order.save()


def op_unit_cost_edit(org, rng, world):
    product = rng.choice(world["products"])
    product.unit_cost = Decimal(rng.randint(5, 90))
    product.save()


def op_fee_edit(org, rng, world):
    fee = ReferralFee.objects.for_org(org).first()
    fee.percent = Decimal(rng.choice(["8", "12", "17"]))
    fee.minimum = Decimal(rng.choice(["0.30", "5.00"]))
    fee.save()


def op_rate_for_a_past_day(org, rng, world):
    day = date(2026, 3, 10) + timedelta(days=rng.randint(0, 3))
    rate = Decimal(rng.choice(["1.05", "1.15", "1.30"]))
    existing = ExchangeRate.objects.filter(
        organization=None, base="EUR", quote="USD", date=day
    ).first()
    if existing is None:
        ExchangeRateFactory(base="EUR", quote="USD", rate=rate, date=day)
    else:
        existing.rate = rate
        existing.save()


def op_traffic_reimport(org, rng, world):
    product = rng.choice(world["products"])
    start = date(2026, 3, 10) + timedelta(days=rng.randint(0, 2))
    traffic_import(
        org=org, store=world["store"], start=start, end=start + timedelta(days=1),
        records=[{"SKU": product.sku, "Sessions - Total": str(rng.randint(0, 90)),
                  "Page Views - Total": "100"}],
    )  # fmt: skip


def op_traffic_deleted(org, rng, world):
    row = TrafficDay.objects.for_org(org).order_by("?").first()
    if row is not None:
        row.delete()


OPS = [
    op_new_line,
    op_second_line_same_order,
    op_delete_order,
    op_delete_line,
    op_cancel_order,
    op_return_order,
    op_cancel_line,
    op_refund_part_of_a_line,
    op_move_order_to_another_day,
    op_unit_cost_edit,
    op_fee_edit,
    op_rate_for_a_past_day,
    op_traffic_reimport,
    op_traffic_deleted,
]


def _world(org):
    store, product = german_store(org)
    second = ProductFactory(organization=org, unit_cost=Decimal("25"), cost_currency="CNY")
    ListingFactory(organization=org, product=second, store=store, currency="EUR")
    for day in (date(2026, 3, 12), date(2026, 3, 13), date(2026, 3, 14)):
        ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.2"), date=day)
        ExchangeRateFactory(base="EUR", quote="CNY", rate=Decimal("8"), date=day)
    return {"store": store, "products": [product, second]}


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ops=st.lists(st.sampled_from(OPS), min_size=1, max_size=4),
    seed=st.integers(0, 10_000),
)
def test_incremental_refresh_equals_a_full_rebuild_whatever_changed(org, monkeypatch, ops, seed):
    monkeypatch.setattr(inputs, "_provider", providers())
    rng = random.Random(seed)
    with transaction.atomic():
        world = _world(org)
        for _n in range(12):
            op_new_line(org, rng, world)
        op_traffic_reimport(org, rng, world)
        profit_refresh(org=org, full=True)
        # the changes below come after the watermark (not merely within its overlap)
        ProfitRefresh.objects.for_org(org).update(orders_seen_at=timezone.now() + OVERLAP)
        for op in ops:
            op(org, rng, world)
        assert not profit_refresh(org=org).full
        incremental = _facts(org)
        profit_refresh(org=org, full=True)
        assert incremental == _facts(org), [op.__name__ for op in ops]
        transaction.set_rollback(True)
