"""Orders are distinct orders, not order lines, and the average order value is revenue over
them: a hand-computed case of three orders, one with two SKUs and one with a SKU twice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.analytics import inputs
from apps.analytics.models import ProfitFact
from apps.analytics.profit import Slice, profit_summary, profit_table
from apps.analytics.refresh import profit_refresh
from tests.analytics.helpers import DAY, german_store, providers, sell
from tests.factories import ListingFactory, OrderItemFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _line(org, order, product, price):
    return OrderItemFactory(
        organization=org, order=order, product=product, sku=product.sku, quantity=1,
        unit_price=Decimal(price), currency="EUR", line_total=Decimal(price),
    )  # fmt: skip


def test_orders_are_distinct_orders_and_order_value_is_revenue_per_order(org, monkeypatch):
    monkeypatch.setattr(inputs, "_provider", providers())
    store, a = german_store(org)
    b = ProductFactory(organization=org, unit_cost=Decimal("10"), cost_currency="CNY")
    ListingFactory(organization=org, product=b, store=store, currency="EUR")
    # order 1: A 10 + B 20; order 2: A 10 on two lines; order 3: B 30 (EUR; 1.20 USD that day)
    first = sell(org, store, a, qty=1, unit_price=Decimal("10")).order
    _line(org, first, b, "20")
    second = sell(org, store, a, qty=1, unit_price=Decimal("10")).order
    _line(org, second, a, "10")
    sell(org, store, b, qty=1, unit_price=Decimal("30"))
    profit_refresh(org=org, full=True)

    by_sku = {f.product_id: f for f in ProfitFact.objects.for_org(org)}
    assert by_sku[a.pk].orders == 2 and by_sku[a.pk].units == 3  # orders 1 and 2
    assert by_sku[b.pk].orders == 2 and by_sku[b.pk].units == 2  # orders 1 and 3

    s = Slice(DAY, DAY)
    summary = profit_summary(org=org, s=s)
    assert summary["orders"] == 3, "three orders, not five lines nor four SKU-orders"
    assert summary["revenue"] == Decimal("96.0000")  # 80 EUR × 1.20
    assert summary["aov"] == Decimal("32.00")  # 96 / 3
    rows = {r["product_id"]: r for r in profit_table(org=org, s=s, group="sku")}
    assert rows[a.pk]["aov"] == Decimal("18.00")  # 30 EUR × 1.20 / 2 orders
    assert rows[b.pk]["aov"] == Decimal("30.00")  # 50 EUR × 1.20 / 2 orders
    (store_row,) = profit_table(org=org, s=s, group="store")
    assert store_row["orders"] == 3 and store_row["aov"] == Decimal("32.00")
    sku_slice = profit_summary(org=org, s=Slice(DAY, DAY, product_id=a.pk))
    assert sku_slice["orders"] == 2 and sku_slice["aov"] == Decimal("18.00")
