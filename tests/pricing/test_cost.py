"""The cost model: landed cost in the listing currency, break-even, margin and profit (Decimal),
and the engine computing the same break-even for the same configuration."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.core.errors import NotFound
from apps.orders.models import ExchangeRate
from apps.pricing.cost import cost_breakdown
from apps.pricing.engine.run import reprice_store
from apps.pricing.models import (
    CostProfile,
    FulfilmentFeeTier,
    ReferralFee,
    Strategy,
    StrategyAssignment,
    VatRate,
)
from tests.factories import ListingFactory, ProductFactory, StoreFactory, marketplace

D = Decimal


def ecb(day: date, **rates: str) -> None:
    for quote, rate in rates.items():
        ExchangeRate.objects.create(base="EUR", quote=quote, rate=D(rate), date=day)


@pytest.fixture
def de_listing(org):
    """amazon_de (EUR, VAT-inclusive 19 %): 78 CNY product, small-tier FBA fee, 15 % referral."""
    ecb(timezone.localdate() - timedelta(days=3), CNY="7.8", USD="1.10")
    store = StoreFactory(organization=org, marketplace=marketplace("amazon_de"))
    product = ProductFactory(organization=org, unit_cost=D("78"), cost_currency="CNY",
                             category="Chargers", weight_g=D("180"), length_mm=D("150"),
                             width_mm=D("80"), height_mm=D("20"))  # fmt: skip
    listing = ListingFactory(organization=org, store=store, product=product, currency="EUR",
                             price=D("29.99"), language="de-DE")  # fmt: skip
    mkt = store.marketplace
    FulfilmentFeeTier.objects.create(organization=org, marketplace=mkt, name="small", rank=0,
                                     max_weight_g=150, fee=D("2.50"), currency="EUR")  # fmt: skip
    FulfilmentFeeTier.objects.create(organization=org, marketplace=mkt, name="standard", rank=1,
                                     max_weight_g=500, max_longest_mm=450, fee=D("3.30"),
                                     currency="EUR")  # fmt: skip
    FulfilmentFeeTier.objects.create(organization=org, marketplace=mkt, name="large", rank=2,
                                     fee=D("6.00"), currency="EUR")  # fmt: skip
    ReferralFee.objects.create(organization=org, marketplace=mkt, percent=D("15"),
                               minimum=D("0.30"), currency="EUR")  # fmt: skip
    ReferralFee.objects.create(organization=org, marketplace=mkt, category="Chargers",
                               percent=D("8"), minimum=D("0.30"), currency="EUR")  # fmt: skip
    # Store-wide freight in USD (converted through EUR), a category override in EUR.
    CostProfile.objects.create(organization=org, store=store, currency="USD",
                               first_leg_per_unit=D("2.20"))  # fmt: skip
    CostProfile.objects.create(organization=org, store=store, category="Chargers",
                               currency="EUR", first_leg_per_unit=D("1.50"),
                               other_per_unit=D("0.40"))  # fmt: skip
    return listing


def test_landed_cost_lines_in_the_listing_currency(org, de_listing):
    b = cost_breakdown(org=org, listing=de_listing)
    assert b.ok, b.problems
    assert (b.currency, b.unit_cost, b.first_leg, b.other) == ("EUR", D("10.0000"), D("1.5000"),
                                                               D("0.4000"))  # fmt: skip
    assert (b.fulfilment_tier, b.fulfilment_fee) == ("standard", D("3.3000"))
    assert (b.referral_pct, b.referral_min, b.vat_pct, b.vat_inclusive) == (
        D("8"), D("0.3000"), D("19"), True
    )  # fmt: skip
    assert b.landed == D("15.2000")


def test_break_even_margin_and_profit_with_vat(org, de_listing):
    b = cost_breakdown(org=org, listing=de_listing)
    # P / 1.19 − 0.08 P = 15.20 → P = 15.20 / (1/1.19 − 0.08) = 19.99115…
    assert b.break_even == D("19.9912")
    assert abs(b.profit(b.break_even)) < D("0.001")
    line = b.at(D("29.99"))
    # net 25.2017, VAT 4.7883, referral 2.3992, profit 25.2017 − 2.3992 − 15.20 = 7.6025
    assert line == {
        "price": D("29.99"),
        "vat": D("4.79"),
        "referral": D("2.40"),
        "landed": D("15.20"),
        "profit": D("7.60"),
        "margin_pct": D("30.17"),
    }


def test_organization_vat_rate_and_listing_profile_win(org, de_listing):
    VatRate.objects.create(organization=org, country="DE", rate=D("7"))
    CostProfile.objects.create(organization=org, store=de_listing.store, listing=de_listing,
                               currency="EUR", fulfilment_fee=D("0"))  # fmt: skip
    b = cost_breakdown(org=org, listing=de_listing)
    assert (b.vat_pct, b.first_leg, b.fulfilment_fee, b.fulfilment_tier) == (
        D("7"), D("0"), D("0.0000"), "profile"
    )  # fmt: skip


def test_problems_are_reported_not_raised(org, de_listing):
    ExchangeRate.objects.filter(quote="CNY").delete()
    b = cost_breakdown(org=org, listing=de_listing)
    assert b.problems == ["missing_exchange_rate"] and b.landed is None
    assert b.break_even is None and b.at(D("20"))["profit"] is None
    de_listing.product.unit_cost = None
    assert "missing_cost" in cost_breakdown(org=org, listing=de_listing).problems


def test_rates_are_date_aware(org, de_listing):
    ecb(timezone.localdate() - timedelta(days=1), CNY="7.5")
    today = cost_breakdown(org=org, listing=de_listing)
    before = cost_breakdown(org=org, listing=de_listing,
                            on_date=timezone.localdate() - timedelta(days=2))  # fmt: skip
    assert (today.unit_cost, before.unit_cost) == (D("10.4000"), D("10.0000"))


def test_engine_break_even_matches_the_cost_model(org, de_listing):
    strategy = Strategy.objects.create(organization=org, name="tm", enabled=True)
    StrategyAssignment.objects.create(organization=org, strategy=strategy, store=de_listing.store)
    out = reprice_store(org=org, store=de_listing.store, dry_run=True)
    row = out.results.iloc[0]
    assert D(int(row.break_even)) / 10_000 == cost_breakdown(org=org, listing=de_listing).break_even


def test_another_organizations_listing_is_not_found(org, other_org, de_listing):
    with pytest.raises(NotFound):
        cost_breakdown(org=other_org, listing=de_listing)
