"""The demo shows repricing: costs, 30 days of competitor history and a strategy per store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min

from apps.accounts.models import Organization
from apps.catalog.models import Store
from apps.pricing.models import CompetitorOffer, CostProfile, Strategy, StrategyAssignment
from apps.pricing.simulator import simulate

pytestmark = pytest.mark.django_db


def test_every_demo_store_has_an_enabled_strategy_costs_and_competitor_history():
    call_command("seed_demo", stdout=None)
    for slug in ("demo", "demo-home"):
        org = Organization.objects.get(slug=slug)
        for store in Store.objects.for_org(org):
            assigned = StrategyAssignment.objects.for_org(org).filter(store=store, listing=None)
            assert assigned.filter(strategy__enabled=True, category="").count() == 1, store.name
            assert CostProfile.objects.for_org(org).filter(store=store).exists() or slug != "demo"
    org = Organization.objects.get(slug="demo")
    offers = CompetitorOffer.objects.for_org(org)
    span = offers.aggregate(first=Min("observed_at"), last=Max("observed_at"))
    assert timedelta(days=29) < span["last"] - span["first"] <= timedelta(days=31)
    assert set(offers.values_list("fulfilment", flat=True)) == {"fba", "fbm"}
    # Exactly one Buy Box holder per listing and observation round.
    holders = (
        offers.filter(is_buy_box=True).values("listing", "observed_at").annotate(n=Count("id"))
    )
    assert holders and {h["n"] for h in holders} == {1}
    # One per store (Amazon US and DE, eBay UK, the Shopify shop).
    assert Strategy.objects.for_org(org).filter(enabled=True).count() == 4


def test_the_simulator_prices_a_demo_store():
    call_command("seed_demo", stdout=None)
    org = Organization.objects.get(slug="demo")
    store = Store.objects.for_org(org).get(name="Voltora US")
    sim = simulate(org=org, store=store)
    assert sim.offers > 40 and sim.priced == sim.offers
    assert sim.bad_input == 0 and sim.margin_before is not None
