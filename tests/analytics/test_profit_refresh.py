"""The profit read model: a hand-computed order line, incremental refresh equal to a full
rebuild, and missing cost sources reported rather than counted as zero."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from apps.analytics import inputs
from apps.analytics.models import ProfitFact
from apps.analytics.profit import Slice, missing_costs
from apps.analytics.refresh import profit_refresh
from tests.analytics.helpers import DAY, german_store, providers, sell
from tests.factories import OrderItemFactory, ProductFactory

pytestmark = pytest.mark.django_db

FIELDS = (
    "day",
    "store_id",
    "product_id",
    "orders",
    "units",
    "units_refunded",
    "revenue",
    "refunds",
    "vat",
    "product_cost",
    "freight",
    "marketplace_fees",
    "fulfilment_fees",
    "ad_spend",
    "net_profit",
    "sessions",
    "page_views",
)


def _facts(org):
    return sorted(
        ProfitFact.objects.for_org(org).values_list(*FIELDS),
        key=lambda r: (r[0], r[1], r[2] or 0),
    )


def test_profit_of_an_order_line_by_hand_with_all_costs_at_the_days_rate(org, monkeypatch):
    store, product = german_store(org)
    sell(org, store, product)
    ads = pd.DataFrame(
        {
            "product_id": [product.pk],
            "store_id": [store.pk],
            "day": [DAY],
            "spend": [Decimal("5.00")],
            "sales": [Decimal("59.50")],
            "currency": ["EUR"],
        }
    )
    freight = {product.pk: (Decimal("12"), "CNY")}
    monkeypatch.setattr(inputs, "_provider", providers(ads=ads, freight=freight))

    profit_refresh(org=org, full=True)

    fact = ProfitFact.objects.for_org(org).get()
    # Shanghai day of 2026-03-10 20:00 UTC; EUR→USD 1.20 and CNY→USD 1.20 / 8.0 = 0.15 that day
    assert fact.day == date(2026, 3, 11) and fact.currency == "USD"
    assert fact.units == 2 and fact.orders == 1
    assert fact.revenue == Decimal("142.8000")  # 2 × 59.50 EUR × 1.20
    assert fact.vat == Decimal("22.8000")  # 142.80 × 19 / 119 (prices include German VAT)
    assert fact.product_cost == Decimal("12.0000")  # 2 × 40 CNY × 0.15
    assert fact.freight == Decimal("3.6000")  # 2 × 12 CNY (logistics, not the profile) × 0.15
    assert fact.marketplace_fees == Decimal("21.4200")  # 2 × max(15 % × 59.50, 0.30) × 1.20
    assert fact.fulfilment_fees == Decimal("7.2000")  # 2 × 3.00 EUR × 1.20
    assert fact.ad_spend == Decimal("6.0000")  # 5.00 EUR × 1.20
    assert fact.net_profit == Decimal("69.7800")


def test_a_returned_line_is_refunded_and_keeps_its_costs(org, monkeypatch):
    monkeypatch.setattr(inputs, "_provider", providers())
    store, product = german_store(org)
    sell(org, store, product, status="returned")
    profit_refresh(org=org, full=True)
    fact = ProfitFact.objects.for_org(org).get()
    assert fact.units == 0 and fact.units_refunded == 2
    assert fact.refunds == fact.revenue == Decimal("142.8000") and fact.vat == 0
    # first leg from the cost profile (logistics absent): 2 × 10 CNY × 0.15
    assert fact.freight == Decimal("3.0000")
    assert fact.net_profit == -(Decimal("12") + Decimal("3") + Decimal("21.42") + Decimal("7.2"))


def test_a_missing_cost_source_is_reported_not_counted_as_zero(org, monkeypatch):
    monkeypatch.setattr(inputs, "_provider", providers())  # neither ads nor logistics
    store, product = german_store(org)
    bare = ProductFactory(organization=org, unit_cost=None)  # no cost, no listing: no fees
    sell(org, store, product)
    sell(org, store, bare)
    profit_refresh(org=org, full=True)

    fact = ProfitFact.objects.for_org(org).get(product=product)
    assert fact.ad_spend is None, "no ads module: unknown, not zero"
    other = ProfitFact.objects.for_org(org).get(product=bare)
    assert other.product_cost is None and other.marketplace_fees is None
    text = " ".join(missing_costs(org=org, s=Slice(DAY, DAY)))
    assert "Ad spend: not available yet" in text
    assert "estimated from the pricing cost profiles" in text
    assert "Product cost: missing on 1 SKU-days" in text
    assert "Marketplace fees: missing on 1 SKU-days" in text
    assert "no business report imported" in text


def test_a_missing_exchange_rate_is_reported(org, monkeypatch):
    monkeypatch.setattr(inputs, "_provider", providers())
    store, product = german_store(org)
    OrderItemFactory(
        organization=org,
        order__organization=org,
        order__store=store,
        order__ordered_at=datetime(2026, 3, 11, 8, tzinfo=UTC),
        product=product,
        currency="SEK",
        unit_price=Decimal(100),
        line_total=Decimal(100),
    )
    profit_refresh(org=org, full=True)
    assert any("No exchange rate from SEK to USD" in m for m in missing_costs(org=org))


def test_incremental_refresh_equals_a_full_rebuild(org, monkeypatch):
    monkeypatch.setattr(inputs, "_provider", providers())
    store, product = german_store(org)
    second = ProductFactory(organization=org, unit_cost=Decimal("25"), cost_currency="CNY")
    rng = random.Random(7)
    start = datetime(2026, 3, 10, 1, tzinfo=UTC)
    for _n in range(30):
        sell(
            org,
            store,
            rng.choice([product, second]),
            at=start + timedelta(hours=rng.randint(0, 40)),
            qty=rng.randint(1, 3),
            status=rng.choice(["shipped", "returned", "cancelled"]),
        )
    profit_refresh(org=org, full=True)
    # new lines on old and new days, and a status change on an old order
    for _n in range(20):
        sell(
            org,
            store,
            rng.choice([product, second]),
            at=start + timedelta(hours=rng.randint(0, 60)),
            qty=rng.randint(1, 3),
        )
    item = OrderItemFactory._meta.model.objects.for_org(org).order_by("id").first()
    item.order.status = "returned"
    item.order.save()
    result = profit_refresh(org=org)
    assert not result.full and 0 < result.days <= 4
    incremental = _facts(org)
    profit_refresh(org=org, full=True)
    assert incremental == _facts(org)


def test_a_refresh_with_nothing_new_touches_no_day(org, monkeypatch):
    monkeypatch.setattr(inputs, "_provider", providers())
    store, product = german_store(org)
    sell(org, store, product)
    profit_refresh(org=org, full=True)
    ProfitFact.objects.for_org(org).update(net_profit=Decimal("-1"))  # a marker
    # outside the overlap window: nothing changed since
    from apps.analytics.models import ProfitRefresh

    ProfitRefresh.objects.for_org(org).update(orders_seen_at=datetime(2100, 1, 1, tzinfo=UTC))
    assert profit_refresh(org=org).days == 0
    assert ProfitFact.objects.for_org(org).get().net_profit == Decimal("-1")


def test_refresh_reads_only_its_own_organization(org, other_org, monkeypatch):
    monkeypatch.setattr(inputs, "_provider", providers())
    store, product = german_store(org)
    sell(org, store, product)
    profit_refresh(org=org, full=True)
    profit_refresh(org=other_org, full=True)
    assert ProfitFact.objects.for_org(other_org).count() == 0
    assert ProfitFact.objects.for_org(org).count() == 1


def test_an_incremental_refresh_keeps_what_the_full_build_found_missing(org, monkeypatch):
    monkeypatch.setattr(inputs, "_provider", providers())
    store, product = german_store(org)
    OrderItemFactory(
        organization=org,
        order__organization=org,
        order__store=store,
        order__ordered_at=datetime(2026, 3, 11, 8, tzinfo=UTC),
        product=product,
        currency="SEK",
        unit_price=Decimal(100),
        line_total=Decimal(100),
    )
    profit_refresh(org=org, full=True)
    assert profit_refresh(org=org).days >= 0
    assert any("No exchange rate from SEK" in m for m in missing_costs(org=org))
