"""Shared set-up of the profit tests: a German store, costs in CNY and EUR, rates per day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pandas as pd

from apps.analytics import inputs
from apps.pricing.models import CostProfile, FulfilmentFeeTier, ReferralFee
from tests.factories import (
    ExchangeRateFactory,
    ListingFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    StoreFactory,
    marketplace,
)

DAY = date(2026, 3, 11)


def providers(*, ads: pd.DataFrame | None = None, freight: dict | None = None):
    """A stand-in for `inputs._provider`: ads/logistics present (with these figures) or not."""

    def provider(module: str, name: str):
        if (module, name) == inputs.AD_SPEND and ads is not None:
            return lambda **kw: ads
        if (module, name) == inputs.FREIGHT and freight is not None:
            return lambda **kw: freight
        return None

    return provider


def german_store(org, *, unit_cost=Decimal("40"), first_leg=Decimal("10")):
    org.default_currency = "USD"
    org.timezone = "Asia/Shanghai"
    org.save()
    de = marketplace("amazon_de")
    store = StoreFactory(organization=org, marketplace=de, name="Kovexa DE")
    product = ProductFactory(
        organization=org, unit_cost=unit_cost, cost_currency="CNY", category="Chargers"
    )
    ListingFactory(
        organization=org,
        product=product,
        store=store,
        currency="EUR",
        price=Decimal("59.50"),
        language="de-DE",
    )
    ReferralFee.objects.create(
        organization=org,
        marketplace=de,
        category="",
        percent=Decimal("15"),
        minimum=Decimal("0.30"),
        currency="EUR",
    )
    FulfilmentFeeTier.objects.create(
        organization=org,
        marketplace=de,
        name="standard",
        rank=0,
        fee=Decimal("3.00"),
        currency="EUR",
    )
    CostProfile.objects.create(
        organization=org, store=store, currency="CNY", first_leg_per_unit=first_leg
    )
    # the day before has different rates: a conversion on the wrong day shows
    for day, usd, cny in ((date(2026, 3, 10), "1.10", "7.5"), (DAY, "1.20", "8.0")):
        ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal(usd), date=day)
        ExchangeRateFactory(base="EUR", quote="CNY", rate=Decimal(cny), date=day)
    return store, product


def sell(
    org,
    store,
    product,
    *,
    at=None,
    qty=2,
    unit_price=Decimal("59.50"),
    status="shipped",
    order_id=None,
):
    # 20:00 UTC on the 10th is 04:00 on the 11th in Shanghai: the organization's day
    at = at or datetime(2026, 3, 10, 20, 0, tzinfo=UTC)
    kw = {"marketplace_order_id": order_id} if order_id else {}
    order = OrderFactory(
        organization=org,
        store=store,
        ordered_at=at,
        currency="EUR",
        status=status,
        buyer_country="DE",
        **kw,
    )
    return OrderItemFactory(
        organization=org,
        order=order,
        product=product,
        sku=product.sku,
        quantity=qty,
        unit_price=unit_price,
        currency="EUR",
        line_total=unit_price * qty,
    )
