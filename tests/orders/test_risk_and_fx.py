"""Order risk rules on hand-made cases, and FX exposure converted at the rate of the right day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from apps.orders import exposure as exposure_module
from apps.orders.exposure import fx_exposure
from apps.orders.models import Order, RiskDestination
from apps.orders.risk import order_risk_score
from tests.factories import ExchangeRateFactory, OrderFactory, StoreFactory

D = date(2025, 9, 8)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def store(org):
    return StoreFactory(organization=org)


def _score(org, order) -> Order:
    order_risk_score(org=org, since=_at(D - timedelta(days=400)))
    order.refresh_from_db()
    return order


def test_an_ordinary_repeat_order_scores_zero(org, store):
    OrderFactory(organization=org, store=store, buyer_key="b1", ordered_at=_at(D - timedelta(30)))
    order = OrderFactory(organization=org, store=store, buyer_key="b1", ordered_at=_at(D))
    assert _score(org, order).risk_score == 0
    assert order.risk_reasons == []


def test_first_order_of_a_buyer(org, store):
    first = OrderFactory(organization=org, store=store, buyer_key="new", ordered_at=_at(D))
    assert _score(org, first).risk_reasons == ["first_order"]
    assert first.risk_score == 15


def test_high_value_for_the_store_needs_enough_history(org, store):
    for i in range(10):
        OrderFactory(organization=org, store=store, ordered_at=_at(D - timedelta(i + 1)),
                     order_total=Decimal("20.00"))  # fmt: skip
    big = OrderFactory(organization=org, store=store, ordered_at=_at(D),
                       order_total=Decimal("61.00"))  # fmt: skip
    fair = OrderFactory(organization=org, store=store, ordered_at=_at(D),
                        order_total=Decimal("59.00"))  # fmt: skip
    assert "high_value" in _score(org, big).risk_reasons
    assert "high_value" not in _score(org, fair).risk_reasons
    # The same amount in another store with little history is not flagged.
    other = StoreFactory(organization=org)
    lone = OrderFactory(organization=org, store=other, ordered_at=_at(D),
                        order_total=Decimal("500.00"))  # fmt: skip
    assert "high_value" not in _score(org, lone).risk_reasons


def test_billing_and_shipping_country_mismatch(org, store):
    order = OrderFactory(organization=org, store=store, buyer_country="US",
                         billing_country="NG", ordered_at=_at(D))  # fmt: skip
    same = OrderFactory(organization=org, store=store, buyer_country="US",
                        billing_country="US", ordered_at=_at(D))  # fmt: skip
    assert _score(org, order).risk_reasons == ["country_mismatch"]
    assert _score(org, same).risk_score == 0


def test_many_orders_to_one_address_in_a_short_window(org, store):
    a = [OrderFactory(organization=org, store=store, address_key="addr",
                      ordered_at=_at(D) + timedelta(hours=h)) for h in (0, 20, 40)]  # fmt: skip
    late = OrderFactory(organization=org, store=store, address_key="addr",
                        ordered_at=_at(D + timedelta(days=10)))  # fmt: skip
    assert "address_velocity" not in _score(org, a[1]).risk_reasons
    assert "address_velocity" in _score(org, a[2]).risk_reasons
    assert "address_velocity" not in _score(org, late).risk_reasons


def test_destination_risk_list_is_data_per_organization(org, other_org, store):
    RiskDestination.objects.create(organization=org, country="XK", points=35)
    mine = OrderFactory(organization=org, store=store, buyer_country="XK", ordered_at=_at(D))
    theirs = OrderFactory(organization=other_org, buyer_country="XK", ordered_at=_at(D))
    assert _score(org, mine).risk_score == 35
    assert mine.risk_reasons == ["risky_destination"]
    order_risk_score(org=other_org, since=_at(D - timedelta(days=1)))
    theirs.refresh_from_db()
    assert theirs.risk_score == 0


def test_scores_add_up_and_cap_at_100(org, store):
    RiskDestination.objects.create(organization=org, country="XK", points=100)
    order = OrderFactory(organization=org, store=store, buyer_country="XK", buyer_key="x",
                         billing_country="US", ordered_at=_at(D))  # fmt: skip
    assert _score(org, order).risk_score == 100
    assert set(order.risk_reasons) == {"first_order", "country_mismatch", "risky_destination"}


# --- FX exposure -------------------------------------------------------------------------------


def test_exposure_converts_each_day_at_that_days_rate(org, monkeypatch):
    org.default_currency = "EUR"
    org.save()
    monkeypatch.setattr(exposure_module.inputs, "stock_value_series", lambda **kw: None)
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.2500"), date=D)
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.0000"), date=D + timedelta(1))
    OrderFactory(organization=org, ordered_at=_at(D), currency="USD",
                 order_total=Decimal("100.00"))  # fmt: skip

    exp = fx_exposure(org=org, start=D, end=D + timedelta(days=2))

    by_day = {p.day: p for p in exp.points}
    assert by_day[D].converted == Decimal("80.00")  # 100 USD / 1.25
    assert by_day[D + timedelta(1)].converted == Decimal("100.00")
    # no rate on the third day: the latest earlier one (weekends, holidays)
    assert by_day[D + timedelta(2)].converted == Decimal("100.00")
    assert exp.stock_available is False
    assert exp.totals_by_day()[0] == (D, Decimal("80.00"), Decimal("0"))


def test_exposure_reports_missing_rates_instead_of_inventing_them(org, monkeypatch):
    org.default_currency = "EUR"
    org.save()
    monkeypatch.setattr(exposure_module.inputs, "stock_value_series", lambda **kw: None)
    OrderFactory(organization=org, ordered_at=_at(D), currency="JPY", order_total=Decimal("900"))
    exp = fx_exposure(org=org, start=D, end=D)
    assert exp.points[0].converted is None
    assert exp.missing_rates == [f"JPY {D.isoformat()}"]


def test_exposure_adds_stock_value_from_logistics_when_provided(org, monkeypatch):
    org.default_currency = "USD"
    org.save()
    monkeypatch.setattr(
        exposure_module.inputs, "stock_value_series",
        lambda **kw: [(D, "USD", Decimal("250.00"))],
    )  # fmt: skip
    exp = fx_exposure(org=org, start=D, end=D)
    assert exp.stock_available
    assert exp.totals_by_day() == [(D, Decimal("0"), Decimal("250.00"))]


def test_stock_adapter_says_unavailable_without_logistics(org, monkeypatch):
    from apps.logistics.selectors import stock_value_series
    from apps.orders import inputs

    assert stock_value_series in inputs._STOCK_VALUE  # registered by apps.logistics' ready()
    monkeypatch.setattr(inputs, "_STOCK_VALUE", [])
    assert inputs.stock_value_series(org=org, start=D, end=D) is None
