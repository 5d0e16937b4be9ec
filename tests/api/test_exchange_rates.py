"""/api/v1/exchange-rates/: public rates plus the organization's own; never another org's."""

from __future__ import annotations

from decimal import Decimal

from rest_framework.test import APIClient

from apps.orders.models import ExchangeRate

from .helpers import assert_problem, ids


def test_the_list_holds_public_rates_and_own_rates_only(api_client, mine, theirs, public_rate):
    response = api_client.get("/api/v1/exchange-rates/")
    assert ids(response) == {mine.rate.id, public_rate.id}
    scopes = {row["id"]: row["scope"] for row in response.json()["results"]}
    assert scopes == {mine.rate.id: "organization", public_rate.id: "public"}


def test_rates_filter_by_pair_and_ownership(api_client, mine, public_rate):
    assert ids(api_client.get("/api/v1/exchange-rates/?base=EUR&quote=USD")) == {public_rate.id}
    assert ids(api_client.get("/api/v1/exchange-rates/?own=true")) == {mine.rate.id}
    assert ids(api_client.get("/api/v1/exchange-rates/?own=false")) == {public_rate.id}


def test_a_public_rate_is_readable_by_any_org_but_a_foreign_own_rate_is_404(
    api_client, theirs, public_rate
):
    assert api_client.get(f"/api/v1/exchange-rates/{public_rate.id}/").json()["rate"] == (
        "1.0412000000"
    )
    assert_problem(api_client.get(f"/api/v1/exchange-rates/{theirs.rate.id}/"), 404)


def test_a_created_rate_always_belongs_to_the_caller(api_client, org, other_org):
    body = {
        "base": "CNY",
        "quote": "EUR",
        "rate": "0.1271",
        "date": "2026-03-02",
        "organization": other_org.id,
        "source": "bank",
    }
    response = api_client.post("/api/v1/exchange-rates/", body, format="json")
    assert response.status_code == 201, response.content
    rate = ExchangeRate.objects.get(pk=response.json()["id"])
    assert (rate.organization, rate.rate, rate.source) == (org, Decimal("0.1271"), "bank")
    assert response.json()["scope"] == "organization"


def test_an_own_rate_may_shadow_a_public_one_but_not_repeat_itself(api_client, public_rate):
    body = {"base": "EUR", "quote": "USD", "rate": "1.05", "date": str(public_rate.date)}
    assert api_client.post("/api/v1/exchange-rates/", body).status_code == 201
    assert assert_problem(api_client.post("/api/v1/exchange-rates/", body), 400)["field"] == "date"


def test_an_invalid_rate_is_a_field_error(api_client):
    body = {"base": "EUR", "quote": "EUR", "rate": "0", "date": "2026-03-02"}
    errors = assert_problem(api_client.post("/api/v1/exchange-rates/", body), 400)["errors"]
    assert "quote" in errors or "rate" in errors


def test_rates_need_credentials(public_rate):
    assert_problem(APIClient().get("/api/v1/exchange-rates/"), 401)
