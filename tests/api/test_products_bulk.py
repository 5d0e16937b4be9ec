"""Bulk upsert of products by SKU: per-item results, valid items saved despite bad ones,
unchanged rows not written, versions bumped on change, tenancy, scopes, query count."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.services import api_key_issue
from apps.catalog.models import Product
from tests.factories import ProductFactory

from .helpers import assert_problem

URL = "/api/v1/products/bulk/"


def _bulk(client, items):
    return client.post(URL, {"items": items}, format="json")


def test_create_update_unchanged_and_errors_in_one_request(api_client, org):
    ProductFactory(organization=org, sku="OLD-1", name="Old", unit_cost=Decimal("1.00"))
    ProductFactory(organization=org, sku="SAME-1", name="Same", brand="B")
    response = _bulk(
        api_client,
        [
            {"sku": "NEW-1", "name": "新品", "unit_cost": "3.5000", "cost_currency": "CNY",
             "attributes": {"colour": "black"}},
            {"sku": "OLD-1", "name": "Renamed"},
            {"sku": "SAME-1", "name": "Same"},
            {"sku": "BAD-1", "name": "Bad", "unit_cost": "-1"},
            {"name": "no sku"},
            {"sku": "NEW-1", "name": "dup"},
        ],
    )  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["summary"] == {"created": 1, "updated": 1, "unchanged": 1, "error": 3}
    statuses = [(r["index"], r["sku"], r["status"]) for r in body["results"]]
    assert statuses == [
        (0, "NEW-1", "created"),
        (1, "OLD-1", "updated"),
        (2, "SAME-1", "unchanged"),
        (3, "BAD-1", "error"),
        (4, "", "error"),
        (5, "NEW-1", "error"),
    ]
    assert "unit_cost" in body["results"][3]["errors"]
    new = Product.objects.for_org(org).get(sku="NEW-1")
    assert new.unit_cost == Decimal("3.5") and new.attributes == {"colour": "black"}
    assert body["results"][0]["id"] == new.id
    old = Product.objects.for_org(org).get(sku="OLD-1")
    assert old.name == "Renamed" and old.version == 2 and old.unit_cost == Decimal("1.00")
    assert Product.objects.for_org(org).get(sku="SAME-1").version == 1
    assert not Product.objects.for_org(org).filter(sku="BAD-1").exists()


def test_another_organizations_sku_is_another_product(api_client, org, other_org):
    theirs = ProductFactory(organization=other_org, sku="SHARED", name="Theirs")
    body = _bulk(api_client, [{"sku": "SHARED", "name": "Mine"}]).json()
    assert body["results"][0]["status"] == "created"
    theirs.refresh_from_db()
    assert theirs.name == "Theirs" and theirs.version == 1


def test_the_query_count_does_not_grow_with_the_items(api_client, org):
    def queries(n, start):
        items = [{"sku": f"Q-{start + i}", "name": f"P {i}"} for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            assert _bulk(api_client, items).status_code == 200
        return len(ctx)

    queries(1, 900)  # the key's first use writes its last-used time
    assert queries(5, 0) == queries(200, 100)


def test_bounds_and_scopes(api_client, org):
    assert_problem(api_client.post(URL, {"items": []}, format="json"), 400)
    assert_problem(api_client.post(URL, {"items": "x"}, format="json"), 400)
    from rest_framework.test import APIClient

    client = APIClient()
    raw = api_key_issue(org=org, name="ro", scopes=["catalog:read"]).raw_key
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert_problem(_bulk(client, [{"sku": "X", "name": "X"}]), 403)


def test_a_bulk_request_is_idempotent(api_client, org):
    items = [{"sku": "IDEM-B", "name": "x"}]
    first = api_client.post(URL, {"items": items}, format="json", HTTP_IDEMPOTENCY_KEY="b1")
    again = api_client.post(URL, {"items": items}, format="json", HTTP_IDEMPOTENCY_KEY="b1")
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert first.json()["results"][0]["status"] == "created"


def test_the_fast_path_accepts_only_what_the_serializer_accepts(api_client, org):
    """Every odd value either goes the fast way with the serializer's result, or is left to
    the serializer: the outcome per item equals `POST /products/` one by one."""
    from apps.catalog.api import ProductCreateSerializer
    from apps.catalog.bulk_api import _Slow, fast_item
    from apps.core.bounds import JSONObjectField
    from apps.core.money import CURRENCIES

    odd = [
        {"sku": " A ", "name": "x"},
        {"sku": "A", "name": "x", "unit_cost": "1e2"},
        {"sku": "A", "name": "x", "unit_cost": "12345678901.0"},
        {"sku": "A", "name": "x", "unit_cost": "1.23456"},
        {"sku": "A", "name": "x", "unit_cost": 3},
        {"sku": "A", "name": "x", "unit_cost": 3.5},
        {"sku": "A", "name": "x", "unit_cost": "NaN"},
        {"sku": "A", "name": "x", "unit_cost": None},
        {"sku": "A", "name": "x", "weight_g": "-1.5"},
        {"sku": "A", "name": "x", "cost_currency": ["USD"]},
        {"sku": "A", "name": "x", "cost_currency": "usd"},
        {"sku": "A", "name": "x", "brand": None},
        {"sku": "A", "name": "x", "brand": 12},
        {"sku": "A", "name": "\ud800"},
        {"sku": "", "name": "x"},
        {"sku": "A" * 101, "name": "x"},
        {"sku": "A", "name": "x", "source_language": ""},
        {"sku": "A", "name": "x", "images": ["not a url"]},
        {"sku": "A", "name": "x", "images": ["https://example.com/a.jpg"]},
        {"sku": "A", "name": "x", "attributes": {"k": {"nested": 1}}},
        {"sku": "A", "name": "x", "attributes": {"k": [1, "b"]}},
    ]
    for raw in odd:
        serializer = ProductCreateSerializer(data=raw)
        ok = serializer.is_valid()
        try:
            fast = fast_item(
                raw,
                frozenset(CURRENCIES),
                JSONObjectField(),
                __import__("django.core.validators", fromlist=["URLValidator"]).URLValidator(),
            )
        except _Slow:
            continue
        assert ok, (raw, serializer.errors)
        assert fast == dict(serializer.validated_data), raw
