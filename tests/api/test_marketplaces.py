"""GET /api/v1/marketplaces/: global reference data, the same for every organization."""

from __future__ import annotations

from apps.catalog.listings.marketplaces import MARKETPLACES

from .helpers import assert_problem


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_every_organization_sees_the_same_marketplaces(api_client, other_api_client):
    mine = codes(api_client.get("/api/v1/marketplaces/"))
    assert mine == codes(other_api_client.get("/api/v1/marketplaces/"))
    assert set(mine) == {row[0] for row in MARKETPLACES}


def test_marketplaces_filter_by_channel_and_country(api_client):
    assert set(codes(api_client.get("/api/v1/marketplaces/?channel=ebay"))) == {
        "ebay_us",
        "ebay_uk",
        "ebay_de",
    }
    assert set(codes(api_client.get("/api/v1/marketplaces/?country=de"))) == {
        "amazon_de",
        "ebay_de",
    }
    assert codes(api_client.get("/api/v1/marketplaces/?channel=ebay&country=GB")) == ["ebay_uk"]


def test_a_marketplace_is_looked_up_by_code(api_client):
    body = api_client.get("/api/v1/marketplaces/amazon_jp/").json()
    assert body["currency"] == "JPY"
    assert body["language"] == "ja-JP"
    assert body["limits"]["title_max"] == 200
    assert_problem(api_client.get("/api/v1/marketplaces/amazon_xx/"), 404)


def test_marketplaces_are_read_only(api_client):
    assert_problem(api_client.post("/api/v1/marketplaces/", {"code": "x"}), 405)
    assert_problem(api_client.delete("/api/v1/marketplaces/amazon_us/"), 405)


def test_marketplaces_need_credentials(db):
    from rest_framework.test import APIClient

    assert_problem(APIClient().get("/api/v1/marketplaces/"), 401)
