"""Pricing API: bulk competitor offers and costs, price changes, strategies and assignments —
exact values, per-row errors, roles, and other organizations' ids treated as unknown."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role
from apps.catalog.models import Product
from apps.pricing.models import CompetitorOffer, CostProfile, PriceChange, Strategy
from tests.api.helpers import assert_problem, ids
from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(org):
    return ListingFactory(organization=org, price=Decimal("19.99"), external_id="B0OURS0001")


@pytest.fixture
def foreign(other_org):
    return ListingFactory(organization=other_org)


def offers_body(listing, foreign):
    return {
        "rows": [
            {"listing": listing.id, "seller_id": "A1", "seller_name": "Rival", "price": "18.49",
             "shipping": "0.50", "fulfilment": "fba", "rating": "97", "is_buy_box": True,
             "observed_at": "2024-11-20T10:00:00Z"},
            {"asin": "B0OURS0001", "seller_id": "B2", "price": "17,90", "rating": "4.5",
             "observed_at": "2024-11-20T10:00:00Z"},
            {"listing": foreign.id, "seller_id": "A1", "price": "9.99"},
            {"listing": listing.id, "seller_id": "C3", "price": "0"},
        ]
    }  # fmt: skip


def test_bulk_offers_store_good_rows_exactly_and_report_bad_ones(api_client, org, listing, foreign):
    response = api_client.post(
        "/api/v1/competitor-offers/bulk/", offers_body(listing, foreign), format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rows"], body["imported"], body["created"]) == (4, 2, 2)
    assert body["errors"] == [
        {"line": 3, "reason": f"no listing {foreign.id} in this organization or store"},
        {"line": 4, "reason": "price must be above zero: 0"},
    ]
    rival = CompetitorOffer.objects.for_org(org).get(seller_id="A1")
    assert (rival.price, rival.shipping, rival.fulfilment) == (
        Decimal("18.49"),
        Decimal("0.5"),
        "fba",
    )
    assert (rival.rating, rival.is_buy_box, rival.currency) == (Decimal("97"), True, "USD")
    second = CompetitorOffer.objects.for_org(org).get(seller_id="B2")
    assert (second.price, second.rating, second.fulfilment) == (
        Decimal("17.9"),
        Decimal("90"),
        "fbm",
    )
    assert not CompetitorOffer.objects.for_org(foreign.organization).exists()
    again = api_client.post(
        "/api/v1/competitor-offers/bulk/", offers_body(listing, foreign), format="json"
    ).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)  # fmt: skip


def test_bulk_offers_take_thousands_of_rows_in_a_fixed_number_of_queries(api_client, org, listing):
    rows = [{"listing": listing.id, "seller_id": f"S{n}", "price": f"{10 + n % 7}.99",
             "observed_at": "2024-11-20T10:00:00Z"} for n in range(3000)]  # fmt: skip
    with CaptureQueriesContext(connection) as ctx:
        response = api_client.post("/api/v1/competitor-offers/bulk/", {"rows": rows}, format="json")
    assert response.json()["created"] == 3000
    assert len(ctx.captured_queries) < 15


def test_bulk_offers_need_a_manager_and_valid_shape(api_client_for, org, listing):
    viewer = api_client_for(org, Role.VIEWER)
    body = {"rows": [{"listing": listing.id, "seller_id": "A", "price": "1"}]}
    assert_problem(viewer.post("/api/v1/competitor-offers/bulk/", body, format="json"), 403)
    manager = api_client_for(org)
    assert_problem(
        manager.post("/api/v1/competitor-offers/bulk/", {"rows": []}, format="json"), 400
    )
    assert viewer.get("/api/v1/competitor-offers/").status_code == 200


def test_offer_list_filters_and_hides_other_organizations(
    api_client, other_api_client, org, listing, foreign
):
    api_client.post("/api/v1/competitor-offers/bulk/", offers_body(listing, foreign), format="json")
    rows = api_client.get(f"/api/v1/competitor-offers/?listing={listing.id}&is_buy_box=true").json()
    assert [r["seller_id"] for r in rows["results"]] == ["A1"]
    assert rows["results"][0]["price"] == "18.4900"
    mine = CompetitorOffer.objects.for_org(org).first()
    assert other_api_client.get("/api/v1/competitor-offers/?count=true").json()["count"] == 0
    assert_problem(other_api_client.get(f"/api/v1/competitor-offers/{mine.id}/"), 404)


def test_costs_bulk_sets_unit_costs_and_profiles_with_per_row_errors(
    api_client, org, listing, foreign
):
    body = {
        "products": [
            {"sku": listing.product.sku, "unit_cost": "38.20", "cost_currency": "CNY"},
            {"product": foreign.product_id, "unit_cost": "1"},
            {"sku": "NOPE", "unit_cost": "1"},
            {"product": listing.product_id, "unit_cost": "-1"},
        ],
        "profiles": [
            {"store": listing.store_id, "currency": "USD", "first_leg_per_unit": "1.20"},
            {"listing": listing.id, "currency": "USD", "fulfilment_fee": "3.22",
             "price_ceiling": "39.99"},
            {"store": foreign.store_id, "currency": "USD"},
            {"listing": foreign.id, "currency": "USD"},
        ],
    }  # fmt: skip
    response = api_client.post("/api/v1/costs/bulk/", body, format="json")
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["products"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert result["profiles"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert [(e["section"], e["line"]) for e in result["errors"]] == [
        ("products", 2), ("products", 3), ("products", 4), ("profiles", 3), ("profiles", 4)
    ]  # fmt: skip
    product = Product.objects.for_org(org).get(pk=listing.product_id)
    assert (product.unit_cost, product.cost_currency, product.version) == (
        Decimal("38.2"),
        "CNY",
        2,
    )
    assert Product.objects.for_org(foreign.organization).get().unit_cost == Decimal("42.50")
    store_profile = CostProfile.objects.for_org(org).get(listing__isnull=True)
    assert store_profile.first_leg_per_unit == Decimal("1.2") and store_profile.other_per_unit == 0
    own = CostProfile.objects.for_org(org).get(listing=listing)
    assert (own.store_id, own.fulfilment_fee, own.price_ceiling) == (
        listing.store_id, Decimal("3.22"), Decimal("39.99"))  # fmt: skip
    body["profiles"][0]["first_leg_per_unit"] = "1.50"
    again = api_client.post("/api/v1/costs/bulk/", body, format="json").json()
    assert again["profiles"] == {"created": 0, "updated": 1, "unchanged": 1}
    assert again["products"] == {"created": 0, "updated": 0, "unchanged": 1}


def make_change(org, listing, **kwargs) -> PriceChange:
    values = {"old_price": Decimal("19.99"), "new_price": Decimal("18.99"), "currency": "USD",
              "binding": "strategy", "outcome": "applied", "floor": Decimal("12.00"),
              "margin_pct": Decimal("21.5"), "competitor_price": Decimal("19.09")}  # fmt: skip
    values.update(kwargs)
    return PriceChange.objects.create(organization=org, listing=listing, **values)


def test_price_changes_filter_by_store_listing_binding_and_since(api_client, org, listing):
    other = ListingFactory(organization=org)
    a = make_change(org, listing)
    b = make_change(org, listing, binding="floor", new_price=Decimal("12.99"))
    c = make_change(org, other)
    assert ids(api_client.get("/api/v1/price-changes/")) == {a.id, b.id, c.id}
    assert ids(api_client.get(f"/api/v1/price-changes/?listing={listing.id}")) == {a.id, b.id}
    assert ids(api_client.get(f"/api/v1/price-changes/?store={other.store_id}")) == {c.id}
    assert ids(api_client.get("/api/v1/price-changes/?binding=floor")) == {b.id}
    assert ids(api_client.get("/api/v1/price-changes/?since=2999-01-01T00:00:00Z")) == set()
    row = api_client.get(f"/api/v1/price-changes/{b.id}/").json()
    assert (row["new_price"], row["floor"], row["binding"], row["sku"]) == (
        "12.9900", "12.0000", "floor", listing.product.sku)  # fmt: skip


def test_price_change_list_query_count_does_not_grow(api_client, org, listing):
    make_change(org, listing)
    url = "/api/v1/price-changes/"
    api_client.get(url)
    with CaptureQueriesContext(connection) as one:
        api_client.get(url)
    for _ in range(5):
        make_change(org, ListingFactory(organization=org))
    with CaptureQueriesContext(connection) as many:
        assert len(api_client.get(url).json()["results"]) == 6
    assert len(many.captured_queries) == len(one.captured_queries)


def test_strategies_are_created_updated_enabled_and_deleted(api_client, org):
    created = api_client.post(
        "/api/v1/strategies/",
        {"name": "Beat by 1%", "kind": "beat_lowest_pct", "beat_pct": "1", "min_margin_pct": "8",
         "fulfilment_types": ["fba"]},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    sid = created.json()["id"]
    assert created.json()["enabled"] is False and created.json()["beat_pct"] == "1.000"
    duplicate = api_client.post("/api/v1/strategies/", {"name": "Beat by 1%"}, format="json")
    assert assert_problem(duplicate, 409)["field"] == "name"
    bad = api_client.post("/api/v1/strategies/", {"name": "X", "beat_pct": "150"}, format="json")
    assert assert_problem(bad, 400)["field"] == "beat_pct"
    patched = api_client.patch(f"/api/v1/strategies/{sid}/", {"priority": 5}, format="json")
    assert patched.json()["priority"] == 5
    assert api_client.post(f"/api/v1/strategies/{sid}/enable/").json()["enabled"] is True
    assert Strategy.objects.for_org(org).get(pk=sid).enabled is True
    assert api_client.post(f"/api/v1/strategies/{sid}/disable/").json()["enabled"] is False
    assert api_client.delete(f"/api/v1/strategies/{sid}/").status_code == 204
    assert not Strategy.objects.for_org(org).exists()


def test_assignments_resolve_ids_in_the_organization_only(
    api_client, org, other_org, listing, foreign
):
    strategy = Strategy.objects.create(organization=org, name="Margin")
    theirs = Strategy.objects.create(organization=other_org, name="Theirs")
    url = "/api/v1/strategy-assignments/"
    store = api_client.post(
        url, {"strategy": strategy.id, "store": listing.store_id}, format="json"
    )
    assert store.status_code == 201 and store.json()["scope"] == "store"
    one = api_client.post(url, {"strategy": strategy.id, "listing": listing.id}, format="json")
    assert one.json()["scope"] == "listing" and one.json()["store"] == listing.store_id
    cat = api_client.post(
        url, {"strategy": strategy.id, "store": listing.store_id, "category": "Chargers"},
        format="json",
    )  # fmt: skip
    assert cat.json()["scope"] == "category"
    assert_problem(api_client.post(url, {"strategy": theirs.id, "store": listing.store_id},
                                   format="json"), 400)  # fmt: skip
    assert_problem(api_client.post(url, {"strategy": strategy.id, "listing": foreign.id},
                                   format="json"), 404)  # fmt: skip
    assert_problem(api_client.post(url, {"strategy": strategy.id, "store": foreign.store_id},
                                   format="json"), 404)  # fmt: skip
    assert len(api_client.get(url).json()["results"]) == 3
    assert api_client.delete(f"{url}{one.json()['id']}/").status_code == 204


def test_other_organizations_strategies_answer_404(api_client, other_api_client, org):
    strategy = Strategy.objects.create(organization=org, name="Mine")
    for method, suffix in [("get", ""), ("patch", ""), ("delete", ""), ("post", "enable/")]:
        response = getattr(other_api_client, method)(
            f"/api/v1/strategies/{strategy.id}/{suffix}", {}, format="json"
        )
        assert_problem(response, 404)
    assert other_api_client.get("/api/v1/strategies/?count=true").json()["count"] == 0
    assert Strategy.objects.for_org(org).get().enabled is False


def test_viewers_read_strategies_but_cannot_change_them(api_client_for, org):
    strategy = Strategy.objects.create(organization=org, name="Mine")
    viewer = api_client_for(org, Role.VIEWER)
    assert viewer.get("/api/v1/strategies/?count=true").json()["count"] == 1
    assert_problem(viewer.post(f"/api/v1/strategies/{strategy.id}/enable/"), 403)
    assert_problem(viewer.post("/api/v1/strategies/", {"name": "X"}, format="json"), 403)
    assert_problem(viewer.post("/api/v1/costs/bulk/", {"products": []}, format="json"), 403)
