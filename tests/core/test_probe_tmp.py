import json

import pytest

from tests.factories import ListingFactory


@pytest.fixture
def client(api_client):
    api_client.raise_request_exception = False
    return api_client


def _send(client, method, url, body=None, raw=None):
    kw = {}
    if raw is not None:
        kw = {"data": raw, "content_type": "application/json"}
    elif body is not None:
        kw = {"data": json.dumps(body), "content_type": "application/json"}
    try:
        r = getattr(client, method)(url, **kw)
        return r.status_code, r.get("Content-Type"), r.content[:150]
    except Exception as e:
        return "EXC", type(e).__name__, str(e)[:150]


CASES_IDX = list(range(52))


@pytest.mark.parametrize("idx", CASES_IDX)
def test_probe(client, org, idx):
    listing = ListingFactory(organization=org)
    L = f"/api/v1/listings/{listing.pk}/"
    nested = "[" * 5000 + "]" * 5000
    cases = [
        ("patch", L, {"price": "0"}),
        ("patch", L, {"stock": -1}),
        ("patch", L, {"price": "1e999"}),
        ("patch", L, {"price": "0.001"}),
        ("patch", L, {"stock": 10**30}),
        ("patch", L, {"title": "a\x00b"}),
        ("patch", L, None, nested),
        ("patch", L, [1, 2]),
        ("put", "/api/v1/policies/listing_price/", [1]),
        ("put", "/api/v1/policies/listing_price/", {"options": nested}),
        (
            "post",
            "/api/v1/competitor-offers/bulk/",
            {"rows": [{"listing_id": listing.pk, "seller_id": "x", "price": "1e999"}]},
        ),
        (
            "post",
            "/api/v1/competitor-offers/bulk/",
            {
                "rows": [
                    {
                        "listing_id": listing.pk,
                        "seller_id": "x",
                        "price": "10",
                        "observed_at": "0001-01-01T00:00:00Z",
                    }
                ]
            },
        ),
        (
            "post",
            "/api/v1/competitor-offers/bulk/",
            {"rows": [{"listing_id": 10**30, "seller_id": "x", "price": "10"}]},
        ),
        (
            "post",
            "/api/v1/competitor-offers/bulk/",
            {"rows": [{"listing_id": listing.pk, "seller_id": "x\x00", "price": "10"}]},
        ),
        (
            "post",
            "/api/v1/competitor-offers/bulk/",
            {
                "rows": [
                    {"listing_id": listing.pk, "seller_id": "x", "price": "10", "rating": "1e999"}
                ]
            },
        ),
        ("post", "/api/v1/competitor-offers/bulk/", {"rows": [[1]]}),
        ("post", "/api/v1/costs/bulk/", {"products": [{"product": 10**30, "unit_cost": "1"}]}),
        ("post", "/api/v1/costs/bulk/", {"products": [{"sku": "x", "unit_cost": "1e999"}]}),
        ("post", "/api/v1/costs/bulk/", {"profiles": [{"store": 10**30, "currency": "USD"}]}),
        ("post", "/api/v1/costs/bulk/", {"products": [[1]]}),
        ("post", "/api/v1/products/", {"sku": "a\x00", "name": "x"}),
        ("post", "/api/v1/products/", {"sku": "abc", "name": "x", "attributes": {"a": nested}}),
        ("post", "/api/v1/products/", {"sku": "abc2", "name": "x", "weight_g": 10**30}),
        ("post", "/api/v1/products/", {"sku": "abc3", "name": "x", "unit_cost": "1e20"}),
        ("post", "/api/v1/stores/", {"marketplace": "amazon_us", "name": "a\x00"}),
        (
            "post",
            "/api/v1/exchange-rates/",
            {"base": "USD", "quote": "EUR", "rate": "1", "date": "0001-01-01"},
        ),
        (
            "post",
            "/api/v1/exchange-rates/",
            {"base": "USD", "quote": "EUR", "rate": "1e999", "date": "2024-01-01"},
        ),
        (
            "post",
            "/api/v1/strategies/",
            {"name": "x", "kind": "match_lowest", "beat_amount": "1e99"},
        ),
        ("post", "/api/v1/strategies/", {"name": "x\x00", "kind": "match_lowest"}),
        ("post", "/api/v1/strategies/", {"name": "y", "kind": "match_lowest", "priority": 10**30}),
        ("post", "/api/v1/strategy-assignments/", {"strategy": 10**30}),
        ("post", "/api/v1/drafts/bulk/", {"action": "approve", "ids": [10**30]}),
        ("post", "/api/v1/drafts/bulk/", {"action": "approve", "filters": {"store": "abc"}}),
        ("post", "/api/v1/drafts/bulk/", {"action": "approve", "filters": {"store": 10**30}}),
        ("options", "/api/v1/competitor-offers/bulk/", None),
        ("options", "/api/v1/costs/bulk/", None),
        ("options", "/api/v1/drafts/bulk/", None),
        ("get", "/api/v1/nonexistent/", None),
        ("get", "/api/v1/listings/?store=99999999999999999999999", None),
        ("get", "/api/v1/listings/?store=1e999", None),
        ("get", "/api/v1/competitor-offers/?since=2024-01-01T00:00:00%2B20:00", None),
        ("get", "/api/v1/competitor-offers/?since=0001-01-01T00:00:00Z", None),
        ("get", "/api/v1/price-changes/?since=2024-01-01T00:00:00-23:59", None),
        ("get", "/api/v1/drafts/?older_than_hours=1e999", None),
        ("get", "/api/v1/drafts/?older_than_hours=1e300", None),
        ("get", "/api/v1/drafts/?store=1e400", None),
        ("get", "/api/v1/listings/?sku=a%00b", None),
        ("get", "/api/v1/orders/?ordered_after=2024-01-01T00:00:00%2B16:00", None),
        ("get", "/api/v1/listings/?page=99999999999999999999", None),
        ("get", "/api/v1/listings/99999999999999999999/", None),
    ]
    for c in cases[idx : idx + 1]:
        method, url, body = c[0], c[1], c[2]
        raw = c[3] if len(c) > 3 else None
        res = _send(client, method, url, body, raw)
        print("PROBE", res[0], method, url, str(body)[:80], res[1], res[2])
