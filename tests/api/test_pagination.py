"""Cursor pagination (apps/core/pagination.py): every row exactly once, forwards and backwards,
whatever the ordering (ties, NULLs, related fields), stable while rows are inserted, and
refusing tampered or mismatched cursors with a 400 (never a 500)."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest

from apps.catalog.models import Product
from apps.core.pagination import keyset_ordering
from tests.factories import ProductFactory

from .helpers import assert_problem


def walk(client, url: str) -> tuple[list[int], list[dict]]:
    seen, pages = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append(body)
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    return seen, pages


def walk_back(client, url: str) -> list[int]:
    seen: list[int] = []
    while url:
        body = client.get(url).json()
        seen = [row["id"] for row in body["results"]] + seen
        url = body["previous"]
    return seen


@pytest.fixture
def products(org):
    # Ties on `name` and on `unit_cost`, and NULL costs: the tie-breaker and NULL handling matter.
    rows = []
    for i in range(13):
        cost = None if i % 4 == 0 else Decimal(i % 3)
        rows.append(
            ProductFactory(organization=org, sku=f"P-{i:02}", name=f"N{i % 2}", unit_cost=cost)
        )
    return rows


@pytest.mark.parametrize(
    "ordering", ["", "name", "-name", "unit_cost", "-unit_cost", "-created_at", "name,-unit_cost"]
)
def test_every_row_once_forwards_and_backwards_in_the_lists_order(api_client, products, ordering):
    base = f"/api/v1/products/?page_size=3&ordering={ordering}"
    seen, pages = walk(api_client, base)
    everything = [r["id"] for r in api_client.get(f"{base}&page_size=100").json()["results"]]
    assert seen == everything and sorted(seen) == sorted(p.id for p in products)
    assert pages[0]["previous"] is None and pages[-1]["next"] is None
    # From the last page back to the first, following `previous`.
    last = pages[-2]["next"]
    assert walk_back(api_client, last) == seen


def test_rows_inserted_while_paging_neither_repeat_nor_shift_the_walk(api_client, org, products):
    first = api_client.get("/api/v1/products/?page_size=5").json()
    ProductFactory(organization=org, sku="A-00")  # sorts before the cursor: not seen
    ProductFactory(organization=org, sku="Z-99")  # sorts after: seen once
    rest, _ = walk(api_client, first["next"])
    got = [r["id"] for r in first["results"]] + rest
    assert len(got) == len(set(got)) == 14


def test_count_only_on_request_and_page_size_bounded(api_client, products):
    body = api_client.get("/api/v1/products/").json()
    assert "count" not in body and set(body) == {"next", "previous", "results"}
    assert api_client.get("/api/v1/products/?count=true").json()["count"] == 13
    assert len(api_client.get("/api/v1/products/?page_size=100000").json()["results"]) == 13
    assert len(api_client.get("/api/v1/products/?page_size=0").json()["results"]) == 1
    assert_problem(api_client.get("/api/v1/products/?page_size=x"), 400)


def _tamper(link: str, change) -> str:
    token = link.split("cursor=")[1].split("&")[0]
    data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    change(data)
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return link.replace(token, forged)


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "e30", "W10", "eyJrIjogWzEsMiwzXX0", "x" * 5000, "bnVsbA", "eyJvIjogLTF9"],
)
def test_a_malformed_cursor_is_400(api_client, products, cursor):
    body = assert_problem(api_client.get(f"/api/v1/products/?cursor={cursor}"), 400)
    assert "cursor" in body["errors"]


def test_a_cursor_of_another_ordering_or_with_forged_values_is_400(api_client, products):
    link = api_client.get("/api/v1/products/?page_size=2&ordering=name").json()["next"]
    assert_problem(api_client.get(link.replace("ordering=name", "ordering=-unit_cost")), 400)
    forged = _tamper(link, lambda d: d["k"].__setitem__(0, {"dt": "not a date"}))
    assert_problem(api_client.get(forged), 400)
    forged = _tamper(link, lambda d: d["k"].__setitem__(1, "not an id"))
    assert_problem(api_client.get(forged), 400)


def test_page_numbers_are_refused_with_a_pointer_to_next(api_client, products):
    body = assert_problem(api_client.get("/api/v1/products/?page=2"), 400)
    assert "next" in body["errors"]["page"][0]


def test_the_ordering_always_ends_with_the_primary_key():
    qs = Product.objects.unscoped()
    assert keyset_ordering(qs.order_by("name")) == [("name", False), ("pk", False)]
    assert keyset_ordering(qs.order_by("-created_at")) == [("created_at", True), ("pk", True)]
    assert keyset_ordering(qs.order_by("-id", "name")) == [("pk", True)]
    assert keyset_ordering(qs.order_by("?")) is None


def test_a_keyset_of_not_null_columns_in_one_direction_is_one_row_comparison():
    """PostgreSQL reads `(a, b, id) > (…)` as an index range; NULLable columns or mixed
    directions keep the OR form (which handles NULLs)."""
    from apps.core.pagination import keyset_filter

    qs = Product.objects.unscoped()

    def where(ordering, values, reverse=False):
        condition = keyset_filter(ordering, values, reverse=reverse, model=Product)
        return str(qs.filter(condition).order_by().query).split(" WHERE ")[1]

    forward = where([("name", False), ("pk", False)], ["N1", 7])
    assert forward == '("catalog_product"."name", "catalog_product"."id") > (N1, 7)'
    assert "<" in where([("created_at", True), ("pk", True)], ["2026-01-01T00:00Z", 3])
    assert ">" in where([("created_at", True), ("pk", True)], ["2026-01-01T00:00Z", 3], True)
    nullable = where([("unit_cost", False), ("pk", False)], [Decimal(1), 3])
    assert " OR " in nullable and "IS NULL" in nullable
    assert " OR " in where([("name", False), ("unit_cost", True), ("pk", True)], ["N", 1, 2])
