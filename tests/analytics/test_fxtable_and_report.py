"""Day-by-day exchange rates equal apps.orders.fx.rate_on (own rates first however old, the
latest rate on or before the day, inverse and cross rates); the SKU × day report escapes
formula-like SKUs."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.analytics import inputs
from apps.analytics.fxtable import rates_to
from apps.analytics.profit import Slice
from apps.analytics.refresh import profit_refresh
from apps.analytics.report import profit_report_csv
from apps.core.errors import NotFound
from apps.orders.fx import rate_on
from tests.analytics.helpers import DAY, german_store, providers, sell
from tests.factories import ExchangeRateFactory

pytestmark = pytest.mark.django_db


def test_the_rate_table_equals_rate_on_every_day(org, other_org):
    start = date(2026, 1, 1)
    for n in range(0, 90, 3):  # public EUR rates every third day
        day = start + timedelta(days=n)
        ExchangeRateFactory(
            base="EUR", quote="USD", rate=Decimal("1.05") + n / Decimal(1000), date=day
        )
        ExchangeRateFactory(
            base="EUR", quote="CNY", rate=Decimal("7.6") + n / Decimal(100), date=day
        )
    ExchangeRateFactory(
        base="USD", quote="GBP", rate=Decimal("0.79"), date=start + timedelta(days=40)
    )
    # an own rate, long before the window, must still win for this organization
    ExchangeRateFactory(
        organization=org,
        base="CNY",
        quote="USD",
        rate=Decimal("0.14"),
        date=start - timedelta(days=200),
    )
    ExchangeRateFactory(
        organization=other_org, base="EUR", quote="USD", rate=Decimal("9"), date=start
    )
    lo, hi = start + timedelta(days=30), start + timedelta(days=80)
    for who in (org, other_org):
        table = rates_to(
            org=who, base="USD", currencies={"EUR", "CNY", "GBP", "USD"}, start=lo, end=hi
        )
        day = lo
        while day <= hi:
            for cur in ("EUR", "CNY", "GBP"):
                try:
                    expected = rate_on(org=who, base=cur, quote="USD", on_date=day)
                except NotFound:
                    expected = None
                assert table.get((cur, day)) == expected, (who, cur, day)
            day += timedelta(days=1)


def test_the_sku_day_report_escapes_formulas(org, user, client_for, monkeypatch):
    monkeypatch.setattr(inputs, "_provider", providers())
    store, product = german_store(org)
    product.sku = "=cmd|' /C calc'!A0"
    product.save()
    sell(org, store, product)
    profit_refresh(org=org, full=True)
    text = profit_report_csv(org=org, s=Slice(DAY, DAY))
    lines = text.splitlines()
    assert lines[0].startswith("sku,day,currency")
    assert lines[1].startswith("'=cmd|' /C calc'!A0,2026-03-11,USD,,1,2,0,142.8000")
    response = client_for(user).get(
        reverse("analytics:export", args=["sku-day", "csv"]),
        {"start": "2026-03-11", "end": "2026-03-11"},
    )
    assert "'=cmd" in response.content.decode("utf-8-sig")
