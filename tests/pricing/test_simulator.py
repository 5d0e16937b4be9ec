"""The simulator previews a strategy on a constructed store: the counts, margins and samples
match what the cost model says, and nothing is written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from apps.catalog.models import Listing
from apps.pricing.cost import cost_breakdown
from apps.pricing.models import (
    PriceChange,
    RepricingRun,
    Strategy,
)
from apps.pricing.simulator import simulate

pytestmark = pytest.mark.django_db


def test_simulation_counts_moves_margins_and_floor_without_writing(org, store, strategy):
    before = dict(Listing.objects.for_org(org).values_list("product__sku", "price"))
    sim = simulate(org=org, store=store, strategy=strategy)
    assert (sim.offers, sim.priced, sim.bad_input) == (4, 4, 1)
    assert sim.bad_reasons == {"missing_cost": 1}
    assert (sim.up, sim.down, sim.unchanged) == (1, 1, 2)
    moved = {s["listing"].product.sku: s for s in sim.samples}
    assert set(moved) == {"SIM-A", "SIM-B"}
    assert moved["SIM-A"]["new"] < Decimal("30.00") and moved["SIM-B"]["new"] > Decimal("15.00")
    assert str(moved["SIM-A"]["new"]).endswith(".99")
    # Margins agree with the cost model at the old and the new prices (priced, good offers).
    listings = {x.product.sku: x for x in Listing.objects.for_org(org).select_related(
        "product", "store__marketplace")}  # fmt: skip
    new_prices = {"SIM-A": moved["SIM-A"]["new"], "SIM-B": moved["SIM-B"]["new"],
                  "SIM-C": Decimal("9.99")}  # fmt: skip
    old_m, new_m = [], []
    for sku, new in new_prices.items():
        b = cost_breakdown(org=org, listing=listings[sku])
        old_m.append(b.margin_pct(listings[sku].price))
        new_m.append(b.margin_pct(new))
    assert abs(sim.margin_before - sum(old_m) / 3) < Decimal("0.02")
    assert abs(sim.margin_after - sum(new_m) / 3) < Decimal("0.02")
    # B's floor: break-even 20.00 × 1.10 = 22.00, as a .99 ending at or above it.
    assert moved["SIM-B"]["floor"] >= Decimal("22.00")
    # A dry run writes nothing.
    assert dict(Listing.objects.for_org(org).values_list("product__sku", "price")) == before
    assert not PriceChange.objects.for_org(org).exists()
    assert not RepricingRun.objects.for_org(org).exists()


def test_changed_settings_are_previewed_before_they_are_saved(org, store, strategy):
    with translation.override("en"):
        held = simulate(org=org, store=store, strategy=strategy, overrides={"max_change_pct": 0})
    assert held.down == 0  # nothing may fall with a 0% step; only the below-floor climb moves
    assert held.up == 1 and held.raised_to_floor == 1
    assert "(changed)" in held.strategy_name
    strategy.refresh_from_db()
    assert strategy.max_change_pct == 50


def test_the_simulator_page_shows_the_preview(org, user, client_for, store, strategy):
    response = client_for(user).post(
        reverse("pricing:simulator"), {"store": store.id, "strategy": strategy.id}
    )
    assert response.status_code == 200
    sim = response.context["result"]
    assert (sim.up, sim.down) == (1, 1)
    body = response.content.decode()
    assert 'data-testid="sim-up">1' in body and "SIM-A" in body


def test_the_simulator_refuses_another_organizations_strategy(
    org, user, client_for, store, other_org
):
    theirs = Strategy.objects.create(organization=other_org, name="Theirs")
    response = client_for(user).post(
        reverse("pricing:simulator"), {"store": store.id, "strategy": theirs.id}
    )
    assert response.status_code == 200 and response.context["result"] is None
    assert "strategy" in response.context["form"].errors
