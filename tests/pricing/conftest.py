"""Pricing fixtures: the store (four SKUs, three with a rival's offer, one without a cost) and
the match-lowest strategy that the simulator tests and the reprice/simulation API tests share.
A module that defines its own `store` or `strategy` fixture keeps it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.pricing.models import CompetitorOffer, Strategy, StrategyAssignment
from tests.factories import ListingFactory, StoreFactory


@pytest.fixture
def store(org):
    store = StoreFactory(organization=org, name="Sim US")
    now = timezone.now()
    rows = [("SIM-A", "10", "30.00", "25.00"), ("SIM-B", "20", "15.00", "30.00"),
            ("SIM-C", "5", "9.99", None), ("SIM-D", None, "12.99", "11.00")]  # fmt: skip
    for sku, cost, price, competitor in rows:
        listing = ListingFactory(
            organization=org, store=store, price=Decimal(price), product__sku=sku,
            product__unit_cost=None if cost is None else Decimal(cost),
            product__cost_currency="USD",
        )  # fmt: skip
        if competitor:
            CompetitorOffer.objects.create(
                organization=org, listing=listing, seller_id="RIVAL", price=Decimal(competitor),
                currency="USD", fulfilment="fba", observed_at=now - timedelta(hours=1),
            )  # fmt: skip
    return store


@pytest.fixture
def strategy(org, store):
    strategy = Strategy.objects.create(
        organization=org, name="Match lowest", kind="match_lowest", min_margin_pct=10,
        max_change_pct=50, no_competitor="hold", competitor_below_floor="floor",
        competitor_at_floor="floor",
    )  # fmt: skip
    StrategyAssignment.objects.create(organization=org, strategy=strategy, store=store)
    return strategy
