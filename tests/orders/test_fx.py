"""Exchange-rate look-up and conversion: latest earlier rate, cross rates, org overrides."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from apps.core.errors import NotFound
from apps.orders.fx import Rate, convert, rate_on, rates_upsert
from tests.factories import ExchangeRateFactory

pytestmark = pytest.mark.django_db

FRIDAY, SATURDAY, MONDAY = date(2024, 11, 22), date(2024, 11, 23), date(2024, 11, 25)


@pytest.fixture
def ecb_rates():
    for day, usd, gbp, cny in [
        (date(2024, 11, 21), "1.0479", "0.83245", "7.5864"),
        (FRIDAY, "1.0412", "0.83143", "7.5411"),
    ]:
        ExchangeRateFactory(date=day, quote="USD", rate=Decimal(usd))
        ExchangeRateFactory(date=day, quote="GBP", rate=Decimal(gbp))
        ExchangeRateFactory(date=day, quote="CNY", rate=Decimal(cny))


def test_a_weekend_uses_the_last_earlier_rate(org, ecb_rates):
    assert rate_on(org=org, base="EUR", quote="USD", on_date=SATURDAY) == Decimal("1.0412")
    assert rate_on(org=org, base="EUR", quote="USD", on_date=MONDAY) == Decimal("1.0412")
    assert rate_on(org=org, base="EUR", quote="USD", on_date=date(2024, 11, 21)) == Decimal(
        "1.0479"
    )


def test_the_inverse_of_a_published_pair_is_used(org, ecb_rates):
    assert rate_on(org=org, base="USD", quote="EUR", on_date=FRIDAY) == Decimal(1) / Decimal(
        "1.0412"
    )
    assert convert(
        org=org, amount=Decimal("104.12"), from_currency="USD", to_currency="EUR", on_date=FRIDAY
    ) == Decimal("100.00")


def test_a_pair_without_euro_is_crossed_through_eur(org, ecb_rates):
    usd_cny = rate_on(org=org, base="USD", quote="CNY", on_date=SATURDAY)
    assert usd_cny == Decimal("7.5411") / Decimal("1.0412")
    assert convert(
        org=org, amount=Decimal("19.99"), from_currency="USD", to_currency="CNY", on_date=FRIDAY
    ) == Decimal("144.78")  # 19.99 * 7.24270… = 144.7816…
    assert convert(
        org=org, amount=Decimal("10"), from_currency="GBP", to_currency="USD", on_date=FRIDAY
    ) == Decimal("12.52")  # 10 * 1.0412 / 0.83143


def test_an_organizations_own_rate_overrides_the_public_one_for_it_alone(org, other_org, ecb_rates):
    ExchangeRateFactory(organization=org, date=date(2024, 11, 20), quote="USD", rate="1.0300")
    # Its own rate wins even when the public one is newer: the seller chose its bank's rate.
    assert rate_on(org=org, base="EUR", quote="USD", on_date=FRIDAY) == Decimal("1.0300")
    assert rate_on(org=other_org, base="EUR", quote="USD", on_date=FRIDAY) == Decimal("1.0412")
    assert rate_on(org=None, base="EUR", quote="USD", on_date=FRIDAY) == Decimal("1.0412")


def test_an_organizations_direct_pair_beats_the_cross_rate(org, other_org, ecb_rates):
    ExchangeRateFactory(organization=org, date=FRIDAY, base="USD", quote="CNY", rate="7.2000")
    assert rate_on(org=org, base="USD", quote="CNY", on_date=FRIDAY) == Decimal("7.2000")
    assert rate_on(org=org, base="CNY", quote="USD", on_date=FRIDAY) == Decimal(1) / Decimal("7.2")
    assert rate_on(org=other_org, base="USD", quote="CNY", on_date=FRIDAY) != Decimal("7.2000")


def test_a_missing_rate_raises_not_found_with_a_clear_message(org, ecb_rates):
    with pytest.raises(NotFound, match="No exchange rate from EUR to JPY on or before 2024-11-22"):
        rate_on(org=org, base="EUR", quote="JPY", on_date=FRIDAY)
    with pytest.raises(NotFound, match="USD to CNY on or before 2024-11-20"):
        convert(
            org=org,
            amount=Decimal(1),
            from_currency="USD",
            to_currency="CNY",
            on_date=date(2024, 11, 20),
        )


def test_same_currency_is_one_and_floats_are_refused(org):
    assert convert(
        org=org, amount=Decimal("12.345"), from_currency="JPY", to_currency="jpy", on_date=FRIDAY
    ) == Decimal("12")
    with pytest.raises(TypeError):
        convert(org=org, amount=19.99, from_currency="USD", to_currency="EUR", on_date=FRIDAY)


def test_upsert_without_overwrite_keeps_stored_rates(org):
    rates_upsert(rates=[Rate(FRIDAY, "EUR", "USD", Decimal("1.0412"))], source="ecb")
    counts = rates_upsert(
        rates=[
            Rate(FRIDAY, "EUR", "USD", Decimal("9.99")),
            Rate(MONDAY, "EUR", "USD", Decimal("1.05")),
        ],
        source="demo",
        overwrite=False,
    )
    assert (counts.created, counts.updated, counts.unchanged) == (1, 0, 1)
    assert rate_on(org=org, base="EUR", quote="USD", on_date=FRIDAY) == Decimal("1.0412")
