"""Orders in the organization's base currency at the rate of each order's day (issue 14, FX):
the list and risk pages (`?in=base`), the API (`currency=base`), missing rates shown as
missing, one rate query whatever the page size, CSV/XLSX exports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.orders.base_currency import attach_base_amounts, utc_day
from apps.orders.fx import rate_on, rates_to
from apps.orders.models import Order
from tests.factories import ExchangeRateFactory, OrderFactory, StoreFactory

D1, D2 = date(2026, 3, 2), date(2026, 3, 3)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def eur_org(org):
    org.default_currency = "EUR"
    org.save()
    return org


@pytest.fixture
def two_days(eur_org):
    """Two USD orders on two days with different EUR/USD rates, and a JPY order (no rate)."""
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.2500"), date=D1)
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.1000"), date=D2)
    store = StoreFactory(organization=eur_org)
    a = OrderFactory(
        organization=eur_org,
        store=store,
        marketplace_order_id="A-1",
        currency="USD",
        order_total=Decimal("100.00"),
        ordered_at=_at(D1),
    )
    b = OrderFactory(
        organization=eur_org,
        store=store,
        marketplace_order_id="B-2",
        currency="USD",
        order_total=Decimal("100.00"),
        ordered_at=_at(D2, 23),
    )
    c = OrderFactory(
        organization=eur_org,
        store=store,
        marketplace_order_id="C-3",
        currency="JPY",
        order_total=Decimal("9000"),
        ordered_at=_at(D2),
    )
    return a, b, c  # fmt: skip


def test_each_order_converts_at_its_own_days_rate(two_days, eur_org):
    a, b, c = two_days
    base = attach_base_amounts(org=eur_org, rows=[a, b, c], amount="order_total",
                               day=lambda o: utc_day(o.ordered_at))  # fmt: skip
    assert base == "EUR"
    assert a.base_amount.amount == Decimal("80.00")  # 100 / 1.25, 2 March
    assert b.base_amount.amount == Decimal("90.91")  # 100 / 1.10 = 90.909… half-up, 3 March
    assert (a.base_amount.day, b.base_amount.day) == (D1, D2)
    assert c.base_amount.amount is None and c.base_amount.rate is None
    assert c.base_amount.missing == "no rate for JPY on 2026-03-03"


def test_the_set_based_lookup_agrees_with_rate_on(eur_org):
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.2"), date=D1)
    ExchangeRateFactory(base="EUR", quote="GBP", rate=Decimal("0.8"), date=D1)
    ExchangeRateFactory(base="USD", quote="CNY", rate=Decimal("7.1"), date=D1)
    ExchangeRateFactory(organization=eur_org, base="EUR", quote="USD", rate=Decimal("1.3"),
                        date=D1 - timedelta(days=3))  # fmt: skip
    pairs = {
        ("USD", D1),
        ("GBP", D2),
        ("CNY", D1),
        ("EUR", D1),
        ("JPY", D1),
        ("USD", D1 - timedelta(1)),
    }
    for to in ("EUR", "USD", "GBP", "CNY"):
        found = rates_to(org=eur_org, to_currency=to, pairs=pairs)
        for cur, day in pairs:
            try:
                expected = rate_on(org=eur_org, base=cur, quote=to, on_date=day)
            except Exception:
                expected = None
            assert found[(cur, day)] == expected, (cur, to, day)


def test_one_rate_query_whatever_the_number_of_rows(eur_org):
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.2"), date=D1)
    orders = OrderFactory.create_batch(30, organization=eur_org, currency="USD", ordered_at=_at(D1))
    with CaptureQueriesContext(connection) as ctx:
        attach_base_amounts(org=eur_org, rows=orders, amount="order_total",
                            day=lambda o: utc_day(o.ordered_at))  # fmt: skip
    assert len(ctx.captured_queries) == 1


def test_list_page_shows_base_totals_and_missing_rates(two_days, eur_org, client_for, user):
    client = client_for(user)
    plain = client.get(reverse("orders:list")).content.decode()
    assert 'data-testid="base-amount"' not in plain
    html = client.get(reverse("orders:list") + "?in=base").content.decode()
    assert "Total in EUR" in html
    assert "80.00 EUR" in html and "90.91 EUR" in html
    assert "no rate for JPY on 2026-03-03" in html


def test_risk_page_shows_base_totals(two_days, eur_org, client_for, user):
    Order.objects.for_org(eur_org).filter(pk__in=[o.pk for o in two_days]).update(risk_score=50)
    html = client_for(user).get(reverse("orders:risk") + "?in=base").content.decode()
    assert "80.00 EUR" in html and "no rate for JPY on 2026-03-03" in html


def test_list_page_in_chinese(two_days, eur_org, client_for, user):
    client = client_for(user)
    html = client.get(reverse("orders:list") + "?in=base", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = html.content.decode()
    assert "折合 EUR" in text and "缺少 JPY 在 2026-03-03 的汇率" in text


def test_page_query_count_does_not_grow_with_rows(eur_org, client_for, user):
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.2"), date=D1)
    client = client_for(user)
    url = reverse("orders:list") + "?in=base"
    OrderFactory.create_batch(2, organization=eur_org, currency="USD", ordered_at=_at(D1))
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(20):
        OrderFactory(
            organization=eur_org, currency=("USD", "GBP")[i % 2], ordered_at=_at(D1 - timedelta(i))
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_api_currency_base(two_days, eur_org, api_client):
    body = api_client.get("/api/v1/orders/?currency=base&ordering=ordered_at").json()
    got = {r["marketplace_order_id"]: r["base_total"] for r in body["results"]}
    assert got["A-1"] == {"currency": "EUR", "amount": "80.00", "rate": got["A-1"]["rate"],
                          "rate_date": "2026-03-02", "missing": ""}  # fmt: skip
    assert Decimal(got["A-1"]["rate"]) == Decimal("0.8")
    assert got["B-2"]["amount"] == "90.91"
    assert got["C-3"]["amount"] is None and got["C-3"]["missing"] == "no rate for JPY on 2026-03-03"
    plain = api_client.get("/api/v1/orders/").json()["results"]
    assert all(r["base_total"] is None for r in plain)
    detail = api_client.get(f"/api/v1/orders/{two_days[0].pk}/?currency=base").json()
    assert detail["base_total"]["amount"] == "80.00"
    assert api_client.get("/api/v1/orders/?currency=usd").status_code == 400


def test_api_risk_list_currency_base(two_days, eur_org, api_client):
    Order.objects.for_org(eur_org).filter(pk=two_days[1].pk).update(risk_score=70)
    rows = api_client.get("/api/v1/orders/risk/?currency=base").json()["results"]
    assert [r["base_total"]["amount"] for r in rows] == ["90.91"]


def test_api_currency_base_keeps_other_organizations_out(two_days, other_api_client):
    response = other_api_client.get(f"/api/v1/orders/{two_days[0].pk}/?currency=base")
    assert response.status_code == 404
    assert other_api_client.get("/api/v1/orders/?currency=base").json()["results"] == []


def test_api_query_count_does_not_grow_with_page_size(eur_org, api_client):
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.2"), date=D1)
    url = "/api/v1/orders/?currency=base"
    OrderFactory(organization=eur_org, currency="USD", ordered_at=_at(D1))
    api_client.get(url)
    with CaptureQueriesContext(connection) as few:
        api_client.get(url)
    for i in range(15):
        OrderFactory(organization=eur_org, currency="USD", ordered_at=_at(D1 - timedelta(i)))
    with CaptureQueriesContext(connection) as many:
        assert len(api_client.get(url).json()["results"]) == 16
    assert len(many.captured_queries) == len(few.captured_queries)


# --- exports -----------------------------------------------------------------------------------


def test_csv_export_has_the_base_currency_columns(two_days, eur_org, client_for, user):
    import csv
    import io

    client = client_for(user)
    response = client.get(reverse("orders:export", args=["csv"]) + "?in=base")
    assert response.status_code == 200
    assert 'filename="orders-base.csv"' in response["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_id = {r["order_id"]: r for r in table}
    assert by_id["A-1"]["total_eur"] == "80.00" and by_id["A-1"]["rate_date"] == "2026-03-02"
    assert by_id["B-2"]["total_eur"] == "90.91"
    assert by_id["C-3"]["total_eur"] == ""
    assert by_id["C-3"]["missing_rate"] == "no rate for JPY on 2026-03-03"
    plain = client.get(reverse("orders:export", args=["csv"])).content.decode("utf-8-sig")
    assert "total_eur" not in plain.splitlines()[0]
    assert client.get(reverse("orders:export", args=["pdf"])).status_code == 404


def test_xlsx_risk_export_has_the_base_currency_column(two_days, eur_org, client_for, user):
    import io

    from openpyxl import load_workbook

    Order.objects.for_org(eur_org).filter(pk=two_days[0].pk).update(risk_score=60)
    response = client_for(user).get(reverse("orders:risk_export", args=["xlsx"]) + "?in=base")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    head = list(values[0])
    assert len(values) == 2 and values[1][head.index("order_id")] == "A-1"
    assert Decimal(str(values[1][head.index("total_eur")])) == Decimal("80.00")


def test_exports_keep_other_organizations_out(two_days, client_for, outsider):
    body = client_for(outsider).get(reverse("orders:export", args=["csv"]) + "?in=base")
    assert "A-1" not in body.content.decode("utf-8-sig")


def test_export_query_count_does_not_grow_with_rows(eur_org, client_for, user):
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.2"), date=D1)
    client = client_for(user)
    url = reverse("orders:export", args=["csv"]) + "?in=base"
    OrderFactory(organization=eur_org, currency="USD", ordered_at=_at(D1))
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(25):
        OrderFactory(organization=eur_org, currency="USD", ordered_at=_at(D1 - timedelta(i)))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_fx_exposure_rate_lookup_does_not_grow_with_days(eur_org, monkeypatch):
    from apps.orders import exposure as exposure_module
    from apps.orders.exposure import fx_exposure

    monkeypatch.setattr(exposure_module.inputs, "stock_value_series", lambda **kw: None)
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.2"), date=D1)
    OrderFactory(organization=eur_org, currency="USD", ordered_at=_at(D1))
    OrderFactory(organization=eur_org, currency="GBP", ordered_at=_at(D1))
    with CaptureQueriesContext(connection) as short:
        fx_exposure(org=eur_org, start=D1, end=D1 + timedelta(days=2))
    with CaptureQueriesContext(connection) as long:
        exp = fx_exposure(org=eur_org, start=D1, end=D1 + timedelta(days=12))
    assert len(long.captured_queries) == len(short.captured_queries) == 2
    first_day = {p.currency: p.converted for p in exp.points if p.day == D1}
    assert first_day == {"USD": Decimal("16.66"), "GBP": None}  # 19.99 / 1.2; no GBP rate
    assert exp.missing_rates[0] == "GBP 2026-03-02"
