"""The inbound shipments page (issue 14): the list with filters, cost also in the base
currency at the rate of the ship day (`?in=base`, a missing rate shown as missing), delay risk
and milestones, the detail page (other organizations get 404), the CSV/XLSX export with
formula-like text escaped, and a query count that does not grow with the page."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.logistics.models import InboundItem, InboundShipment, Warehouse
from tests.factories import ExchangeRateFactory, ProductFactory

from .helpers import fba_warehouse

pytestmark = pytest.mark.django_db
D1, D2 = date(2026, 3, 2), date(2026, 3, 3)
PAGE = reverse("logistics:shipments")


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


def _ship(org, wh, ref, *, cost="900.00", cur="USD", day=D1, mode="sea", status="in_transit",
          **extra) -> InboundShipment:  # fmt: skip
    return InboundShipment.objects.create(
        organization=org, reference=ref, warehouse=wh, mode=mode, cost=Decimal(cost),
        currency=cur, shipped_at=_at(day) if day else None, status=status, cartons=40,
        volume_ft3=Decimal("85.5"), **extra,
    )  # fmt: skip


@pytest.fixture
def shipments(org):
    org.default_currency = "EUR"
    org.save()
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.2500"), date=D1)
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.1000"), date=D2)
    us = fba_warehouse(org)
    de = Warehouse.objects.create(organization=org, code="FBA-DE", name="FBA DE", kind="fba",
                                  country="DE")  # fmt: skip
    made = {
        "S-1": _ship(org, us, "S-1", day=D1, status="checked_in",
                     milestones=[{"at": _at(D1).isoformat(), "milestone": "departed", "note": ""},
                                 {"at": _at(D2).isoformat(), "milestone": "arrived", "note": ""}]),
        "S-2": _ship(org, us, "S-2", day=D2, mode="air"),
        "S-3": _ship(org, de, "S-3", cost="5000", cur="CNY", day=D2, mode="rail",
                     status="customs", promised_date=D2),
    }  # fmt: skip
    product = ProductFactory(organization=org, sku="KVX-IN-1")
    InboundItem.objects.create(organization=org, shipment=made["S-1"], product=product, units=96)
    return made


def _rows(html: str) -> int:
    return html.count('data-testid="shipment-row"')


def test_page_lists_shipments_with_cost_and_in_base_at_the_ship_days_rate(
    shipments, user, client_for
):
    client = client_for(user)
    html = client.get(PAGE).content.decode()
    assert _rows(html) == 3 and "S-1" in html and "900.00 USD" in html
    assert 'data-testid="base-cost-header"' not in html
    html = client.get(PAGE, {"in": "base"}).content.decode()
    assert "Cost in EUR" in html
    assert "720.00 EUR" in html  # 900 USD / 1.25 on 2 March
    assert "818.18 EUR" in html  # 900 USD / 1.10 on 3 March (not 2 March's rate)
    assert "no rate for CNY on 2026-03-03" in html  # missing, never 0
    assert ">0.00 EUR" not in html


def test_filters_by_mode_warehouse_and_status(shipments, user, client_for):
    client = client_for(user)
    assert _rows(client.get(PAGE, {"mode": "air"}).content.decode()) == 1
    de = shipments["S-3"].warehouse_id
    html = client.get(PAGE, {"warehouse": de}).content.decode()
    assert _rows(html) == 1 and "S-3" in html
    html = client.get(PAGE, {"status": "checked_in"}).content.decode()
    assert _rows(html) == 1 and "S-1" in html
    # Bad values are ignored, never a 500.
    assert _rows(client.get(PAGE, {"mode": "boat", "warehouse": "x"}).content.decode()) == 3


def test_shipment_past_its_promised_date_is_flagged_at_risk(shipments, user, client_for):
    html = client_for(user).get(PAGE, {"status": "customs"}).content.decode()
    assert 'data-testid="at-risk"' in html
    html = client_for(user).get(PAGE, {"status": "checked_in"}).content.decode()
    assert 'data-testid="at-risk"' not in html


def test_htmx_request_gets_only_the_table(shipments, user, client_for):
    response = client_for(user).get(PAGE, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'data-testid="shipments-table"' in html and "<html" not in html


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_page_and_detail_render_in_both_languages(shipments, user, client_for, lang):
    client = client_for(user)
    html = client.get(PAGE, {"in": "base"}, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    if lang == "zh-hans":
        assert "入库货件" in html
    pk = shipments["S-1"].pk
    response = client.get(reverse("logistics:shipment_detail", args=[pk]),
                          HTTP_ACCEPT_LANGUAGE=lang)  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert "KVX-IN-1" in html and "720.00 EUR" in html
    table = html.split('data-testid="milestones"')[1]
    departed, arrived = ("Departed", "Arrived") if lang == "en" else ("已发运", "已到达")
    assert table.index(departed) < table.index(arrived)


def test_other_organizations_get_404_and_see_none(shipments, outsider, client_for):
    client = client_for(outsider)
    url = reverse("logistics:shipment_detail", args=[shipments["S-1"].pk])
    assert client.get(url).status_code == 404
    assert _rows(client.get(PAGE).content.decode()) == 0
    body = client.get(reverse("logistics:shipments_export", args=["csv"])).content.decode()
    assert "S-1" not in body


def test_query_count_does_not_grow_with_the_page(shipments, org, user, client_for):
    client = client_for(user)
    client.get(PAGE, {"in": "base"})
    with CaptureQueriesContext(connection) as few:
        client.get(PAGE, {"in": "base"})
    wh = shipments["S-1"].warehouse
    for i in range(30):
        _ship(
            org,
            wh,
            f"M-{i}",
            cost="10",
            cur=("USD", "GBP", "CNY")[i % 3],
            day=D1 - timedelta(days=i % 7),
            status=("in_transit", "customs", "planned")[i % 3],
            milestones=[{"at": _at(D1).isoformat(), "milestone": "departed", "note": ""}],
        )
    with CaptureQueriesContext(connection) as many:
        html = client.get(PAGE, {"in": "base"}).content.decode()
    assert _rows(html) == 33
    assert len(many.captured_queries) == len(few.captured_queries)


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_export_csv_with_base_columns_and_escaped_formulas(shipments, org, user, client_for):
    s = shipments["S-2"]
    s.carrier = '=HYPERLINK("http://evil/","x")'
    s.save()
    url = reverse("logistics:shipments_export", args=["csv"])
    response = client_for(user).get(url, {"in": "base", "mode": "air"})
    assert response.status_code == 200
    assert "inbound-shipments-base.csv" in response["Content-Disposition"]
    head, *rows = _csv(response)
    assert head[-4:] == ["cost_eur", "rate", "rate_date", "missing_rate"]
    assert len(rows) == 1
    row = dict(zip(head, rows[0], strict=True))
    assert row["carrier"].startswith("'=HYPERLINK")
    assert Decimal(row["cost"]) == Decimal("900") and row["currency"] == "USD"
    assert (row["cost_eur"], row["rate_date"]) == ("818.18", "2026-03-03")
    response = client_for(user).get(url, {"in": "base", "mode": "rail"})
    row = dict(zip(*_csv(response), strict=True))
    assert row["cost_eur"] == "" and row["missing_rate"] == "no rate for CNY on 2026-03-03"


def test_export_xlsx(shipments, user, client_for):
    from openpyxl import load_workbook

    url = reverse("logistics:shipments_export", args=["xlsx"])
    response = client_for(user).get(url, {"in": "base"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    values = list(ws.values)
    assert values[0][0] == "reference" and len(values) == 4
    assert (
        client_for(user).get(reverse("logistics:shipments_export", args=["pdf"])).status_code == 404
    )


def test_not_shipped_yet_converts_at_the_day_recorded(org, user, client_for):
    org.default_currency = "EUR"
    org.save()
    today = timezone.now().astimezone(UTC).date()
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("2.0000"), date=today)
    _ship(org, fba_warehouse(org), "P-1", cost="100", day=None, status="planned")
    html = client_for(user).get(PAGE, {"in": "base"}).content.decode()
    assert "50.00 EUR" in html


def test_pages_need_a_log_in(shipments, client):
    for url in (PAGE, reverse("logistics:shipment_detail", args=[shipments["S-1"].pk]),
                reverse("logistics:shipments_export", args=["csv"])):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
