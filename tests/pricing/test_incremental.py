"""Scheduled runs price only the listings whose inputs changed since their last run."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.catalog.models import Listing, Product
from apps.pricing.bulk import OfferValues, competitor_offers_upsert
from apps.pricing.engine.run import reprice_store
from apps.pricing.models import ListingInventory, RepriceMarker, RepricingRun
from apps.review.models import Policy

from .test_engine_write import listing, setup_store

D = Decimal


@pytest.fixture
def shop(org):
    """Three listings priced by "match lowest"; their changes go to review (no policy)."""
    store, strategy = setup_store(org)
    ls = {
        "a": listing(org, store, D("19.99"), sku="A", competitor=D("18.99")),
        "b": listing(org, store, D("19.99"), sku="B", competitor=D("19.99")),
        "c": listing(org, store, D("19.99"), sku="C", competitor=D("17.99")),
    }
    return store, strategy, ls


def run(org, store, **kwargs):
    return reprice_store(org=org, store=store, incremental=True, **kwargs)


def observe(org, obj, price, *, hours_ago=0.0, seller="C1"):
    competitor_offers_upsert(org=org, offers=[OfferValues(
        listing_id=obj.pk, seller_id=seller, seller_name=seller, price=price, shipping=D(0),
        currency="USD", fulfilment="fbm", rating=None, is_buy_box=False,
        observed_at=timezone.now() - timedelta(hours=hours_ago),
    )])  # fmt: skip


def test_first_run_is_full_and_a_run_without_changes_prices_nothing(org, shop):
    store, _, _ = shop
    first = run(org, store)
    assert (first.report_mode, first.counts["offers"], first.counts["drafted"]) == ("full", 3, 2)
    assert RepriceMarker.objects.for_org(org).count() == 3

    again = run(org, store)
    assert again.report_mode == "incremental"
    assert (again.counts["offers"], again.counts["skipped"]) == (0, 3)
    saved = RepricingRun.objects.for_org(org).get(pk=again.run_id)
    assert (saved.offers, saved.report["skipped"], saved.report["mode"]) == (0, 3, "incremental")


def test_a_changed_cost_competitor_or_stock_makes_only_that_listing_due(org, shop):
    store, _, ls = shop
    run(org, store)
    Product.objects.for_org(org).filter(pk=ls["a"].product_id).update(unit_cost=D("40"))
    observe(org, ls["b"], D("18.49"))
    Listing.objects.for_org(org).filter(pk=ls["c"].pk).update(stock=3)
    out = run(org, store)
    assert (out.report_mode, out.counts["offers"], out.counts["skipped"]) == ("incremental", 3, 0)

    out = run(org, store)
    assert out.counts["offers"] == 0
    ListingInventory.objects.create(organization=org, listing=ls["b"], units_per_day=D("2"))
    out = run(org, store)
    assert (out.counts["offers"], out.counts["skipped"]) == (1, 2)
    # An observation that changes nothing (re-sent) does not make the listing due.
    observe(org, ls["b"], D("18.49"), hours_ago=0.5, seller="C9")
    out = run(org, store)
    assert out.counts["offers"] == 1  # a new seller is a new input


def test_a_store_wide_edit_makes_the_next_run_full(org, shop):
    store, strategy, _ = shop
    run(org, store)
    strategy.max_change_pct = D("25")
    strategy.save()
    out = run(org, store)
    assert (out.report_mode, out.counts["offers"]) == ("full", 3)
    assert run(org, store).counts["offers"] == 0
    Policy.objects.create(organization=org, kind="price_change", auto_approve=True,
                          max_change_pct=D("50"))  # fmt: skip
    assert run(org, store).report_mode == "full"


def test_manual_runs_and_the_command_without_incremental_are_full(org, shop):
    store, _, _ = shop
    run(org, store)
    assert reprice_store(org=org, store=store).counts["offers"] == 3
    call_command("reprice", "--store", str(store.pk))
    assert RepricingRun.objects.for_org(org).latest("created_at").offers == 0
    call_command("reprice", "--store", str(store.pk), "--full")
    assert RepricingRun.objects.for_org(org).latest("created_at").offers == 3


def test_an_applied_change_that_settled_is_not_repriced_for_the_engines_own_write(org, shop):
    store, _, ls = shop
    Policy.objects.create(organization=org, kind="price_change", auto_approve=True,
                          max_change_pct=D("50"))  # fmt: skip
    first = run(org, store)
    assert first.counts["applied"] == 2
    assert Listing.objects.for_org(org).get(pk=ls["a"].pk).price == D("18.99")  # settled
    # C climbs down by the 10 % step limit: not settled, so it stays due until it arrives.
    assert Listing.objects.for_org(org).get(pk=ls["c"].pk).price == D("18.99")
    second = run(org, store)
    assert (second.counts["offers"], second.counts["applied"]) == (1, 1)
    assert Listing.objects.for_org(org).get(pk=ls["c"].pk).price == D("17.99")
    assert run(org, store).counts["offers"] == 0


def test_a_counted_observation_ageing_past_the_max_age_makes_the_listing_due(org, shop):
    store, strategy, ls = shop
    observe(org, ls["a"], D("18.49"), hours_ago=strategy.max_age_hours - 1, seller="OLD")
    now = timezone.now()
    run(org, store, now=now)
    assert run(org, store, now=now + timedelta(minutes=15)).counts["offers"] == 0
    out = run(org, store, now=now + timedelta(hours=2))
    assert (out.counts["offers"], out.counts["skipped"]) == (1, 2)
    marker = RepriceMarker.objects.for_org(org).get(listing=ls["a"])
    assert marker.due_at > now + timedelta(hours=2)  # the next-freshest observation's expiry


def test_a_reactivated_listing_is_due_again(org, shop):
    store, _, ls = shop
    run(org, store)
    Listing.objects.for_org(org).filter(pk=ls["b"].pk).update(status="inactive")
    assert run(org, store).counts["offers"] == 0
    Listing.objects.for_org(org).filter(pk=ls["b"].pk).update(status="active")
    assert run(org, store).counts["offers"] == 1
