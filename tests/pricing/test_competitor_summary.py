"""The competitor summary kept by the upsert, and the engine reading it gives today's answers."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from apps.orders.models import ExchangeRate
from apps.pricing.bulk import OfferValues, competitor_offers_upsert
from apps.pricing.competitors import rebuild_competitor_summary
from apps.pricing.engine.run import reprice_store
from apps.pricing.models import (
    CompetitorLatest,
    CompetitorOffer,
    CompetitorSummary,
    Strategy,
    StrategyAssignment,
)
from tests.factories import ListingFactory, ProductFactory

from .test_engine_write import listing, setup_store

D = Decimal
RATING, ZERO = D("95"), D("0")


def offer(listing_id, seller, price, *, hours_ago=1.0, fulfilment="fbm", buy_box=False,
          rating=RATING, currency="USD", shipping=ZERO, now=None):  # fmt: skip
    return OfferValues(
        listing_id=listing_id,
        seller_id=seller,
        seller_name=seller,
        price=price,
        shipping=shipping,
        currency=currency,
        fulfilment=fulfilment,
        rating=rating,
        is_buy_box=buy_box,
        observed_at=(now or timezone.now()) - timedelta(hours=hours_ago),
    )


def summary(obj):
    return CompetitorSummary.objects.for_org(obj.organization_id).get(listing=obj)


def test_upsert_keeps_each_sellers_latest_and_the_listing_summary(org):
    store, _ = setup_store(org)
    a = listing(org, store, D("19.99"), sku="A")
    now = timezone.now()
    competitor_offers_upsert(org=org, offers=[
        offer(a.pk, "S1", D("15.00"), fulfilment="fba", buy_box=True, now=now),
        offer(a.pk, "S2", D("14.00"), shipping=D("2.00"), now=now),
    ])  # fmt: skip
    s = summary(a)
    assert (s.sellers, s.fba, s.fbm, s.other) == (2, 1, 1, 0)
    assert (s.lowest_total, s.lowest_seller, s.lowest_currency) == (D("15.00"), "S1", "USD")
    assert (s.buy_box_total, s.buy_box_seller) == (D("15.00"), "S1")
    first = s.version

    # A new seller, cheaper: one more row, a new lowest, the version moves.
    competitor_offers_upsert(org=org, offers=[offer(a.pk, "S3", D("13.50"), now=now)])
    s = summary(a)
    assert (s.sellers, s.lowest_total, s.lowest_seller) == (3, D("13.50"), "S3")
    assert s.version == first + 1

    # A newer, lower price of an existing seller replaces its row (history kept).
    competitor_offers_upsert(org=org, offers=[
        offer(a.pk, "S1", D("12.00"), fulfilment="fba", hours_ago=0, now=now)
    ])  # fmt: skip
    assert CompetitorOffer.objects.for_org(org).filter(listing=a, seller_id="S1").count() == 2
    latest = CompetitorLatest.objects.for_org(org).get(listing=a, seller_id="S1")
    assert (latest.total, latest.is_buy_box) == (D("12.00"), False)
    s = summary(a)
    assert (s.lowest_total, s.lowest_seller, s.sellers) == (D("12.00"), "S1", 3)
    assert (s.buy_box_total, s.buy_box_seller) == (None, "")  # S1's Buy Box flag is gone
    assert s.version == first + 2

    # The Buy Box moves to S2.
    competitor_offers_upsert(org=org, offers=[
        offer(a.pk, "S2", D("14.00"), shipping=D("2.00"), buy_box=True, hours_ago=0, now=now)
    ])  # fmt: skip
    s = summary(a)
    assert (s.buy_box_total, s.buy_box_seller) == (D("16.00"), "S2")
    assert s.latest_observed_at == now

    # A stale observation arriving late (older than the seller's latest) changes nothing.
    version = s.version
    counts = competitor_offers_upsert(org=org, offers=[
        offer(a.pk, "S3", D("9.00"), hours_ago=30, now=now)
    ])  # fmt: skip
    assert counts.created == 1
    s = summary(a)
    assert (s.version, s.lowest_total, s.lowest_seller) == (version, D("12.00"), "S1")
    assert CompetitorLatest.objects.for_org(org).get(listing=a, seller_id="S3").total == D("13.5")

    # Re-sending the same observation is "unchanged" and leaves the version alone.
    competitor_offers_upsert(org=org, offers=[offer(a.pk, "S3", D("13.50"), now=now)])
    assert summary(a).version == version


def test_upsert_never_touches_another_organization(org, other_org):
    store, _ = setup_store(org)
    theirs_store, _ = setup_store(other_org, prefix="O")
    mine = listing(org, store, D("19.99"), sku="A")
    theirs = listing(other_org, theirs_store, D("19.99"), sku="A")
    competitor_offers_upsert(org=other_org, offers=[offer(theirs.pk, "S1", D("15.00"))])
    before = CompetitorSummary.objects.for_org(other_org).get(listing=theirs)
    competitor_offers_upsert(org=org, offers=[offer(mine.pk, "S1", D("11.00"))])
    # Ids of another organization's listing, sent by mistake: nothing of theirs moves.
    competitor_offers_upsert(org=org, offers=[
        offer(theirs.pk, "S1", D("1.00"), hours_ago=0), offer(theirs.pk, "S2", D("1.00"))
    ])  # fmt: skip
    after = CompetitorSummary.objects.for_org(other_org).get(listing=theirs)
    assert (after.version, after.lowest_total) == (before.version, D("15.00"))
    assert not CompetitorSummary.objects.for_org(org).filter(listing=theirs).exists()
    assert not CompetitorLatest.objects.for_org(org).filter(listing=theirs).exists()
    assert summary(mine).lowest_total == D("11.00")


def test_single_saves_and_the_rebuild_agree_with_the_upsert(org):
    store, _ = setup_store(org)
    a = listing(org, store, D("19.99"), sku="A", competitor=D("14.00"), seller="S1")
    assert summary(a).lowest_total == D("14.00")  # a single ORM save (signal)
    competitor_offers_upsert(org=org, offers=[offer(a.pk, "S2", D("13.00"))])
    kept = list(CompetitorLatest.objects.for_org(org).order_by("seller_id").values_list(
        "seller_id", "offer_id", "total"))  # fmt: skip
    rebuild_competitor_summary(org_id=org.pk)
    rebuilt = list(CompetitorLatest.objects.for_org(org).order_by("seller_id").values_list(
        "seller_id", "offer_id", "total"))  # fmt: skip
    assert kept == rebuilt
    assert (summary(a).sellers, summary(a).lowest_total) == (2, D("13.00"))


def _random_market(org, rng: random.Random):
    """Listings under strategies with every competitor filter, random observations."""
    store, base = setup_store(org)
    store.seller_id = "ME"
    store.save(update_fields=["seller_id"])
    ExchangeRate.objects.get_or_create(
        organization=None, base="EUR", quote="USD",
        date=timezone.localdate() - timedelta(days=1), defaults={"rate": D("1.08")},
    )  # fmt: skip
    strategies = [base]
    for i, (kind, types, rating, own, age, hold) in enumerate([
        ("beat_lowest_amount", ["fba"], None, True, 24, False),
        ("step_under_buy_box", ["fba", "fbm"], D("90"), False, 48, True),
        ("beat_lowest_pct", [], D("80"), True, 6, True),
        ("match_lowest", ["other"], None, False, 72, False),
    ]):  # fmt: skip
        strategies.append(Strategy.objects.create(
            organization=org, name=f"s{i}", kind=kind, enabled=True, fulfilment_types=types,
            min_rating=rating, ignore_own_stores=own, max_age_hours=age, hold_buy_box=hold,
            beat_amount=D("0.10"), beat_pct=D("2"), max_change_pct=D("20"),
        ))  # fmt: skip
    now = timezone.now()
    offers = []
    for n in range(60):
        product = ProductFactory(organization=org, sku=f"R{n}", unit_cost=D("36"))
        obj = ListingFactory(organization=org, store=store, product=product,
                             price=D(rng.randint(1200, 2800)) / 100)  # fmt: skip
        chosen = rng.choice(strategies)
        if chosen is not base:
            StrategyAssignment.objects.create(organization=org, strategy=chosen, store=store,
                                              listing=obj)  # fmt: skip
        for seller in rng.sample(["ME", "S1", "S2", "S3", "S4", "S5"], rng.randint(0, 5)):
            for _ in range(rng.randint(1, 3)):
                offers.append(offer(
                    obj.pk, seller, D(rng.randint(0, 2600)) / 100,
                    hours_ago=rng.choice([rng.uniform(-3, 0), rng.uniform(0, 80), 5.0]),
                    fulfilment=rng.choice(["fba", "fbm", "other"]),
                    buy_box=rng.random() < 0.3,
                    rating=rng.choice([None, D("70"), D("85"), D("95")]),
                    currency=rng.choice(["USD", "USD", "USD", "EUR", "JPY"]),
                    shipping=rng.choice([D("0"), D("1.99")]), now=now,
                ))  # fmt: skip
    competitor_offers_upsert(org=org, offers=offers)
    return store, now


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_engine_with_the_summary_gives_the_same_prices_and_reasons(org, seed):
    """Randomized stores (every competitor filter, stale, future-dated, foreign-currency and
    zero-priced observations, own offers): the summary and the raw observations agree."""
    store, now = _random_market(org, random.Random(seed))
    assert CompetitorLatest.objects.for_org(org).exists()
    for later in (timedelta(0), timedelta(hours=7), timedelta(hours=30)):
        at = now + later
        fast = reprice_store(org=org, store=store, dry_run=True, now=at).results
        ref = reprice_store(org=org, store=store, dry_run=True, now=at,
                            raw_competitors=True).results  # fmt: skip
        assert len(fast) == len(ref) == 60
        for column in ("listing_id", "new", "changed", "status", "bad_reason", "binding",
                       "reason", "comp_low", "comp_offer_id", "buy_box", "floor"):  # fmt: skip
            assert np.array_equal(fast[column].to_numpy(), ref[column].to_numpy()), (
                seed,
                later,
                column,
            )
