"""Logistics money in the organization's base currency (issue 14, FX): inbound shipment costs
at the rate of the ship day (`currency=base`), restock profit per ft³ at the plan's day, the plan
page's `?in=base`, missing rates shown as missing, other organizations kept out."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.logistics.models import InboundShipment
from tests.factories import ExchangeRateFactory

from .helpers import fba_warehouse

pytestmark = pytest.mark.django_db
URL = "/api/v1/inbound-shipments/"
D1, D2 = date(2026, 3, 2), date(2026, 3, 3)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


@pytest.fixture
def shipments(org):
    org.default_currency = "EUR"
    org.save()
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.2500"), date=D1)
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.1000"), date=D2)
    wh = fba_warehouse(org)
    made = {}
    for ref, cost, cur, day in (("S-1", "900.00", "USD", D1), ("S-2", "900.00", "USD", D2),
                                ("S-3", "5000", "CNY", D2)):  # fmt: skip
        made[ref] = InboundShipment.objects.create(
            organization=org, reference=ref, warehouse=wh, mode="sea", cost=Decimal(cost),
            currency=cur, shipped_at=_at(day),
        )  # fmt: skip
    return made


def test_shipment_costs_convert_at_the_ship_days_rate(shipments, api_client):
    rows = api_client.get(f"{URL}?currency=base").json()["results"]
    got = {r["reference"]: r["cost_base"] for r in rows}
    assert got["S-1"]["amount"] == "720.00"  # 900 / 1.25 on 2 March
    assert got["S-2"]["amount"] == "818.18"  # 900 / 1.10 on 3 March, half-up
    assert (got["S-1"]["rate_date"], got["S-2"]["rate_date"]) == ("2026-03-02", "2026-03-03")
    assert got["S-3"]["amount"] is None
    assert got["S-3"]["missing"] == "no rate for CNY on 2026-03-03"
    assert all(r["cost_base"] is None for r in api_client.get(URL).json()["results"])
    one = api_client.get(f"{URL}{shipments['S-1'].pk}/?currency=base").json()
    assert one["cost_base"]["amount"] == "720.00"
    assert api_client.get(f"{URL}?currency=eur").status_code == 400


def test_other_organizations_still_get_404(shipments, other_api_client):
    pk = shipments["S-1"].pk
    assert other_api_client.get(f"{URL}{pk}/?currency=base").status_code == 404
    assert other_api_client.get(f"{URL}?currency=base").json()["results"] == []


def test_query_count_does_not_grow_with_shipments(shipments, org, api_client):
    api_client.get(f"{URL}?currency=base")
    with CaptureQueriesContext(connection) as few:
        api_client.get(f"{URL}?currency=base")
    wh = shipments["S-1"].warehouse
    for i in range(12):
        InboundShipment.objects.create(
            organization=org, reference=f"M-{i}", warehouse=wh, mode="air",
            cost=Decimal("10"), currency=("USD", "GBP")[i % 2], shipped_at=_at(D1),
        )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        api_client.get(f"{URL}?currency=base")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_suggestions_and_plan_page_in_base(org, api_client, client_for, user):
    from apps.logistics.models import RestockSuggestion

    org.default_currency = "EUR"
    org.save()
    from django.utils import timezone

    from apps.logistics.models import Inventory
    from apps.logistics.planner import plan

    from .helpers import sample_products
    from .test_planner import _history

    wh = fba_warehouse(org)
    listing = sample_products(org, wh.store, ["KVX-FX"])["KVX-FX"]
    Inventory.objects.create(organization=org, product=listing.product, warehouse=wh,
                             fulfillable=5, reported_at=timezone.now())  # fmt: skip
    _history(org, wh.store, listing, days=40, per_day=3)
    run = plan(org=org)
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.25"),
                        date=run.created_at.astimezone(UTC).date())  # fmt: skip
    RestockSuggestion.objects.for_org(org).filter(run=run).update(
        profit_per_ft3=Decimal("50.00"), currency="USD"
    )
    rows = api_client.get("/api/v1/restock-suggestions/?currency=base").json()["results"]
    assert rows and all(r["profit_per_ft3_base"]["amount"] == "40.00" for r in rows)
    for lang, label in (("en", "Profit per ft³ in EUR"), ("zh-hans", "每立方英尺利润（折合 EUR）")):
        page = client_for(user).get(reverse("logistics:plan") + "?in=base",
                                    HTTP_ACCEPT_LANGUAGE=lang)  # fmt: skip
        html = page.content.decode()
        assert label in html and "40.00 EUR" in html
