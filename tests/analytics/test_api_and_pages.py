"""The analytics pages, exports and API: figures of the organization only, another
organization's store, SKU or candidate a 404, formula-like cells escaped in CSV and XLSX."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.analytics import inputs
from apps.analytics.models import Candidate, TrafficDay
from apps.analytics.refresh import profit_refresh
from apps.analytics.services import candidates_import, traffic_import
from tests.analytics.helpers import DAY, german_store, providers, sell
from tests.factories import ListingFactory, ProductFactory, StoreFactory

pytestmark = pytest.mark.django_db

Q = {"start": "2026-03-01", "end": "2026-03-31"}


@pytest.fixture
def sold(org, monkeypatch):
    monkeypatch.setattr(inputs, "_provider", providers())
    store, product = german_store(org)
    product.sku = "=HYPERLINK(1)"
    product.save()
    sell(org, store, product)
    profit_refresh(org=org, full=True)
    return store, product


def test_the_page_shows_profit_charts_and_missing_costs(sold, user, client_for):
    html = client_for(user).get(reverse("analytics:index"), {"days": 365}).content.decode()
    for chart in ("chart-series", "chart-waterfall", "chart-skus", "chart-margins"):
        assert f'data-chart="{chart}"' in html and f'id="{chart}"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "Ad spend: not available yet" in html


def test_the_overview_shows_profit_too(sold, user, client_for):
    html = client_for(user).get(reverse("dashboard:overview")).content.decode()
    assert 'data-chart="chart-series"' in html and "overview-profit" in html


def test_another_organizations_store_or_sku_is_a_404(sold, user, client_for, other_org):
    foreign = StoreFactory(organization=other_org)
    client = client_for(user)
    assert client.get(reverse("analytics:index"), {"store": foreign.pk}).status_code == 404
    other = ProductFactory(organization=other_org)
    assert client.get(reverse("analytics:index"), {"sku": other.pk}).status_code == 404
    url = reverse("analytics:export", args=["sku", "csv"])
    assert client.get(url, {"store": foreign.pk}).status_code == 404


@pytest.mark.parametrize(
    "table", ["sku", "store", "marketplace", "day", "decomposition", "candidates"]
)
def test_every_table_exports_as_csv_and_xlsx(sold, user, client_for, table):
    client = client_for(user)
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("analytics:export", args=[table, fmt]), {"days": 365})
        assert response.status_code == 200
        assert f"profit-{table}.{fmt}" in response["Content-Disposition"]


def test_exports_escape_formula_like_cells(sold, user, client_for):
    client = client_for(user)
    url = reverse("analytics:export", args=["sku", "csv"])
    body = client.get(url, {"days": 365}).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body
    url = reverse("analytics:export", args=["sku", "xlsx"])
    book = load_workbook(io.BytesIO(client.get(url, {"days": 365}).content))
    cells = [c.value for row in book.active.iter_rows() for c in row]
    assert "'=HYPERLINK(1)" in cells and "=HYPERLINK(1)" not in cells


def test_the_api_returns_this_organizations_profit(sold, api_client, other_api_client):
    summary = api_client.get("/api/v1/analytics/profit/summary/", Q).json()
    assert Decimal(summary["revenue"]) == Decimal("142.8")
    assert any("Ad spend" in m for m in summary["missing_costs"]), summary["missing_costs"]
    table = api_client.get("/api/v1/analytics/profit/table/", {**Q, "group": "sku"}).json()
    assert table["results"][0]["product_sku"] == "=HYPERLINK(1)"
    assert other_api_client.get("/api/v1/analytics/profit/table/", Q).json()["results"] == []
    series = api_client.get("/api/v1/analytics/profit/series/", Q).json()["results"]
    assert len(series) == 31
    w = api_client.get("/api/v1/analytics/profit/decomposition/", Q).json()
    total = sum(Decimal(s["value"]) for s in w["steps"])
    assert total == Decimal(w["change"]).quantize(Decimal("0.01"))


def test_the_api_answers_404_for_another_organizations_rows(sold, other_api_client, org):
    store, product = sold
    assert (
        other_api_client.get("/api/v1/analytics/profit/summary/", {"store": store.pk}).status_code
        == 404
    )
    assert (
        other_api_client.get("/api/v1/analytics/profit/table/", {"sku": product.pk}).status_code
        == 404
    )
    candidate = Candidate.objects.create(organization=org, name="x", source="s")
    assert other_api_client.get(f"/api/v1/analytics/candidates/{candidate.pk}/").status_code == 404
    body = {
        "store": store.pk,
        "start": "2026-03-01",
        "end": "2026-03-02",
        "rows": [{"child_asin": "B0X", "sessions": 4}],
    }
    assert (
        other_api_client.post("/api/v1/analytics/traffic/import/", body, format="json").status_code
        == 404
    )


def test_bad_query_parameters_are_a_400_not_a_500(api_client, db):
    for params in (
        {"start": "2026-13-01"},
        {"start": "2026-03-05", "end": "2026-03-01"},
        {"group": "nope"},
        {"store": "0"},
        {"limit": "999999"},
    ):
        assert api_client.get("/api/v1/analytics/profit/table/", params).status_code == 400


def test_traffic_import_spreads_sessions_over_the_days_and_refreshes(
    org, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(inputs, "_provider", providers())
    store, product = german_store(org)
    listing = product.listings.first() if hasattr(product, "listings") else None
    asin = (listing or ListingFactory(organization=org, product=product, store=store)).external_id
    data = f'(Child) ASIN,Sessions - Total,Page Views - Total\n{asin},"1,001",20\nB0NOPE,5,5\n'
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = traffic_import(
            org=org,
            store=store,
            data=data.encode(),
            filename="r.csv",
            start=date(2026, 3, 10),
            end=date(2026, 3, 11),
        )
    assert result.created == 2 and [e.line for e in result.errors] == [3]
    days = dict(TrafficDay.objects.for_org(org).values_list("day", "sessions"))
    assert days == {date(2026, 3, 10): 501, DAY: 500}
    assert callbacks, "a profit refresh is enqueued on commit"


def test_candidates_are_scored_with_adjustable_weights_and_flagged(org, api_client):
    data = (
        b"Name,Marketplace,Price,Currency,Unit cost,Monthly sales,Reviews,Sellers,Trend,"
        b"Weight,Estimated\n"
        b"Fan,amazon_us,$24.99,USD,30,1000,100,3,20%,300,monthly sales\n"
        b"Cable,amazon_us,9.99,USD,5,,,,,,\n"
        b"Bad,amazon_us,-1,USD,,,,,,,\n"
    )
    result = candidates_import(org=org, data=data, filename="c.csv", source="Helium export")
    assert result.created == 2 and [e.line for e in result.errors] == [4]
    rows = api_client.get("/api/v1/analytics/candidates/").json()["results"]
    fan = next(r for r in rows if r["name"] == "Fan")
    assert fan["scores"]["demand"]["score"] == 67 and "1,000" in fan["scores"]["demand"]["why"]
    assert fan["quality_flag"] and fan["estimated"] == ["monthly_sales"]
    margin = fan["scores"]["margin"]["why"]  # no fee table set up: said in words, not codes
    assert "no referral fee" in margin and "no_referral_fee" not in margin
    assert fan["quality_label"] == "Missing: Margin"  # names, not codes
    cable = next(r for r in rows if r["name"] == "Cable")
    assert cable["quality_flag"] and "demand" in cable["missing"]
    only_demand = api_client.get(
        "/api/v1/analytics/candidates/",
        {"w_demand": 100, "w_competition": 0, "w_margin": 0, "w_trend": 0},
    ).json()["results"]
    assert next(r for r in only_demand if r["name"] == "Fan")["opportunity"] == 67


def test_candidate_import_through_the_api(api_client, org):
    body = {
        "source": "Sheet",
        "rows": [
            {
                "name": "Lamp",
                "price": "19.90",
                "currency": "EUR",
                "marketplace": "amazon_de",
                "monthly_sales": 300,
            }
        ],
    }
    response = api_client.post("/api/v1/analytics/candidates/import/", body, format="json")
    assert response.status_code == 200 and response.json()["created"] == 1
    assert Candidate.objects.for_org(org).get().marketplace.code == "amazon_de"


def test_the_selection_page_renders(org, user, client_for):
    Candidate.objects.create(organization=org, name="Desk fan", source="Sheet", monthly_sales=500)
    html = client_for(user).get(reverse("analytics:selection")).content.decode()
    assert "Desk fan" in html and "quality-flag" in html
