"""The engine against PostgreSQL: what it reads, the prices and records it writes, tenancy."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.catalog.models import Listing
from apps.orders.models import ExchangeRate
from apps.pricing.engine.run import reprice_store
from apps.pricing.models import (
    CompetitorOffer,
    CostProfile,
    FulfilmentFeeTier,
    PriceChange,
    ReferralFee,
    RepricingRun,
    Strategy,
    StrategyAssignment,
)
from apps.review.models import Draft, Policy, ReviewEvent
from apps.review.services import draft_create
from tests.factories import ListingFactory, ProductFactory, StoreFactory, marketplace

D = Decimal


def setup_store(org, *, prefix="P"):
    """USD store: landed 9.00 (36 CNY at 7.2 + 1.00 freight + 3.00 fee), referral 15 %.

    Break-even 9 / 0.85 = 10.5883, floor (+5 %) 11.1178 → 11.99, ceiling (+200 %) → 30.99.
    """
    ExchangeRate.objects.get_or_create(
        organization=None,
        base="USD",
        quote="CNY",
        date=timezone.localdate() - timedelta(days=1),
        defaults={"rate": D("7.2")},
    )
    store = StoreFactory(organization=org, marketplace=marketplace("amazon_us"))
    CostProfile.objects.create(
        organization=org, store=store, currency="USD", first_leg_per_unit=D("1.00")
    )
    FulfilmentFeeTier.objects.get_or_create(
        organization=org,
        marketplace=store.marketplace,
        name="standard",
        defaults={"fee": D("3"), "currency": "USD"},
    )
    ReferralFee.objects.get_or_create(
        organization=org,
        marketplace=store.marketplace,
        category="",
        defaults={"percent": D("15"), "currency": "USD"},
    )
    strategy = Strategy.objects.create(
        organization=org, name=f"{prefix} match", kind="match_lowest", enabled=True
    )
    StrategyAssignment.objects.create(organization=org, strategy=strategy, store=store)
    return store, strategy


COST = D("36")


def listing(org, store, price, *, sku, cost=COST, competitor=None, seller="C1"):
    product = ProductFactory(organization=org, sku=sku, unit_cost=cost)
    obj = ListingFactory(organization=org, store=store, product=product, price=price)
    if competitor is not None:
        CompetitorOffer.objects.create(
            organization=org,
            listing=obj,
            seller_id=seller,
            price=competitor,
            currency="USD",
            observed_at=timezone.now() - timedelta(hours=1),
        )
    return obj


@pytest.fixture
def scene(org):
    store, _strategy = setup_store(org)
    wide = Strategy.objects.create(
        organization=org, name="wide", kind="match_lowest", enabled=True, max_change_pct=50
    )
    a = listing(org, store, D("19.99"), sku="A", competitor=D("18.00"))
    b = listing(org, store, D("19.99"), sku="B", competitor=D("12.50"))
    StrategyAssignment.objects.create(organization=org, strategy=wide, store=store, listing=b)
    c = listing(org, store, D("9.99"), sku="C", competitor=D("18.00"))
    d = listing(org, store, D("17.99"), sku="D", competitor=D("17.99"))
    e = listing(org, store, D("19.99"), sku="E", cost=None, competitor=D("15"))
    Policy.objects.create(organization=org, kind="price_change", auto_approve=True,
                          max_change_pct=D("6"))  # fmt: skip
    return store, {"a": a, "b": b, "c": c, "d": d, "e": e}


def price(obj):
    return Listing.objects.for_org(obj.organization_id).get(pk=obj.pk).price


def test_reprice_writes_only_changed_prices_and_records_each_change(org, scene):
    store, ls = scene
    versions = {k: v.version for k, v in ls.items()}
    out = reprice_store(org=org, store=store)

    assert price(ls["a"]) == D("18.99")  # step limit: 10 % of 19.99, on a .99 ending
    assert price(ls["b"]) == D("19.99")  # 40 % move: drafted, not applied
    assert price(ls["c"]) == D("9.99")  # raised to the floor, but 20 %: drafted
    assert price(ls["d"]) == D("17.99")
    assert price(ls["e"]) == D("19.99")
    fresh = {k: Listing.objects.for_org(org).get(pk=v.pk).version for k, v in ls.items()}
    assert fresh["a"] == versions["a"] + 1
    assert fresh["d"] == versions["d"] and fresh["e"] == versions["e"]

    assert out.counts["changed"] == 3
    assert out.counts["applied"] == 1 and out.counts["drafted"] == 2
    assert out.counts["raised_to_floor"] == 1 and out.counts["bad_input"] == 1
    assert out.report["bad_input"][0] == {
        "listing_id": ls["e"].pk,
        "reason": "missing_cost",
        "price": "19.99",
        "floor": out.report["bad_input"][0]["floor"],
        "ceiling": out.report["bad_input"][0]["ceiling"],
    }

    changes = {c.listing_id: c for c in PriceChange.objects.for_org(org)}
    assert set(changes) == {ls["a"].pk, ls["b"].pk, ls["c"].pk}
    a = changes[ls["a"].pk]
    assert (a.old_price, a.new_price, a.currency) == (D("19.99"), D("18.99"), "USD")
    assert (a.binding, a.outcome, a.competitor_price, a.competitor_seller) == (
        "step_limit",
        "applied",
        D("18.00"),
        "C1",
    )
    assert a.policy is not None and a.draft_id is None
    assert (a.floor, a.ceiling, a.break_even) == (D("11.99"), D("30.99"), D("10.5883"))
    # margin at 18.99: (18.99 − 2.8485 − 9) / 18.99
    assert a.margin_pct == D("37.607")
    c = changes[ls["c"].pk]
    assert (c.new_price, c.binding, c.outcome) == (D("11.99"), "below_floor", "drafted")
    b = changes[ls["b"].pk]
    assert (b.new_price, b.binding, b.outcome) == (D("11.99"), "ending", "drafted")

    run = RepricingRun.objects.for_org(org).get(pk=out.run_id)
    assert (run.status, run.offers, run.changed, run.applied, run.drafted) == (
        "succeeded", 5, 3, 1, 2
    )  # fmt: skip
    assert run.bad_input == 1 and run.raised_to_floor == 1
    assert {"load", "compute", "write", "write_update"} <= set(run.timings)


def test_drafts_follow_review_semantics_and_supersede_open_ones(org, scene):
    store, ls = scene
    older = draft_create(
        org=org, kind="price_change", target=ls["b"], proposed={"price": "15.00", "currency": "USD"}
    )
    reprice_store(org=org, store=store)
    older.refresh_from_db()
    assert older.status == "superseded"
    assert list(
        ReviewEvent.objects.for_org(org).filter(draft=older).values_list("to_status", flat=True)
    ) == ["pending", "superseded"]
    drafts = Draft.objects.for_org(org).filter(kind="price_change", status="pending")
    by_target = {d.target_id: d for d in drafts}
    assert set(by_target) == {ls["b"].pk, ls["c"].pk}
    b = by_target[ls["b"].pk]
    assert b.proposed == {"price": "11.99", "currency": "USD", "floor": "11.99", "ceiling": "30.99"}
    assert b.current == {"price": "19.99", "currency": "USD"}
    assert b.target_version == Listing.objects.for_org(org).get(pk=ls["b"].pk).version
    assert b.store_id == store.pk and b.marketplace == "amazon_us" and b.provider == "repricer"
    assert b.events.get().to_status == "pending"
    change = PriceChange.objects.for_org(org).get(listing=ls["b"])
    assert change.draft_id == b.pk


def test_second_run_changes_nothing_new_and_counts_daily_limit(org, scene):
    store, _ls = scene
    reprice_store(org=org, store=store)
    Strategy.objects.for_org(org).update(max_changes_per_day=1)
    out = reprice_store(org=org, store=store)
    assert out.counts["changed"] == 0
    assert out.counts["daily_limit"] == 3


def test_dry_run_writes_nothing_and_returns_the_frame(org, scene):
    store, ls = scene
    out = reprice_store(org=org, store=store, dry_run=True)
    assert out.run_id is None and not PriceChange.objects.for_org(org).exists()
    assert price(ls["a"]) == D("19.99")
    row = out.results.set_index("listing_id").loc[ls["a"].pk]
    assert (row["new"], row["status"]) == (189900, "ok")


def test_strategy_override_prices_every_offer_with_it(org, scene):
    store, _ls = scene
    override = Strategy(organization=org, name="sim", kind="target_margin", target_margin_pct=30)
    out = reprice_store(org=org, store=store, dry_run=True, strategy_override=override)
    assert set(out.results["reason"]) <= {"target_margin"}


def test_a_run_for_one_organization_never_touches_another(org, other_org, scene):
    store, _ls = scene
    other_store, _ = setup_store(other_org, prefix="O")
    theirs = listing(other_org, other_store, D("19.99"), sku="A", competitor=D("18.00"))
    reprice_store(org=org, store=store)
    assert price(theirs) == D("19.99")
    assert not PriceChange.objects.for_org(other_org).exists()
    assert not Draft.objects.for_org(other_org).exists()
    with pytest.raises(Exception, match="No such store"):
        reprice_store(org=org, store=other_store)


def test_chunks_give_the_same_prices_as_one_pass(org, scene):
    store, _ls = scene
    one = reprice_store(org=org, store=store, dry_run=True).results.set_index("listing_id")
    many = reprice_store(org=org, store=store, dry_run=True, chunk_size=2).results
    many = many.set_index("listing_id").loc[one.index]
    assert one["new"].tolist() == many["new"].tolist()
    assert one["status"].tolist() == many["status"].tolist()


def test_competitor_in_another_currency_is_converted_or_reported(org):
    store, _ = setup_store(org)
    a = listing(org, store, D("19.99"), sku="A")
    CompetitorOffer.objects.create(organization=org, listing=a, seller_id="EU", price=D("15.00"),
                                   currency="EUR", observed_at=timezone.now())  # fmt: skip
    out = reprice_store(org=org, store=store, dry_run=True)
    row = out.results.iloc[0]
    assert (row.status, row.bad_reason) == ("bad_input", "competitor_missing_exchange_rate")
    ExchangeRate.objects.create(base="EUR", quote="USD", rate=D("1.2"),
                                date=timezone.localdate())  # fmt: skip
    ExchangeRate.objects.create(base="EUR", quote="CNY", rate=D("8.64"),
                                date=timezone.localdate())  # fmt: skip
    row = reprice_store(org=org, store=store, dry_run=True).results.iloc[0]
    assert (row.status, int(row.comp_low)) == ("ok", 180_000)  # 15.00 EUR × 1.2


def test_inventory_refresh_feeds_the_low_cover_raise(org):
    from apps.pricing.services import inventory_refresh
    from tests.factories import OrderFactory, OrderItemFactory

    store, strategy = setup_store(org)
    a = listing(org, store, D("19.99"), sku="A", competitor=D("21.00"))
    Listing.objects.for_org(org).filter(pk=a.pk).update(stock=10)
    order = OrderFactory(organization=org, store=store)
    OrderItemFactory(organization=org, order=order, listing=a, product=a.product, quantity=30)
    assert inventory_refresh(org=org) == 1
    # 30 units in 30 days = 1/day; 10 in stock = 10 days of cover < 30 days lead time.
    Strategy.objects.for_org(org).filter(pk=strategy.pk).update(max_change_pct=50)
    row = reprice_store(org=org, store=store, dry_run=True).results.iloc[0]
    assert (row.new, row.reason) == (209_900, "match_lowest")  # 21.00 → 20.99
    Strategy.objects.for_org(org).filter(pk=strategy.pk).update(low_cover_raise_pct=5)
    row = reprice_store(org=org, store=store, dry_run=True).results.iloc[0]
    assert (row.new, row.reason) == (219_900, "match_lowest+low_cover")  # 22.05 → 21.99


@pytest.mark.django_db(transaction=True)
def test_two_parallel_writers_write_what_one_pass_would(org, scene, monkeypatch):
    """Outside a transaction (a worker) a multi-chunk store is written on two connections."""
    from apps.pricing.engine import run as engine_run

    store, _listings = scene
    expected = reprice_store(org=org, store=store, dry_run=True).results.set_index("listing_id")
    used: list[int] = []
    real = engine_run._parallel_writers

    def spy(chunks, dry_run):
        used.append(real(chunks, dry_run))
        return used[-1]

    monkeypatch.setattr(engine_run, "_parallel_writers", spy)
    report = reprice_store(org=org, store=store, chunk_size=2)

    assert used == [2]
    changes = list(PriceChange.objects.for_org(org).filter(run_id=report.run_id))
    assert len(changes) == report.counts["applied"] + report.counts["drafted"] > 0
    for change in changes:
        assert int(change.new_price * 10000) == expected.loc[change.listing_id, "new"]
    applied = {c.listing_id: c.new_price for c in changes if c.outcome == "applied"}
    for listing in Listing.objects.for_org(org).filter(pk__in=applied):
        assert listing.price == applied[listing.pk]
