"""List endpoints run a fixed number of queries, however many rows they render (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .helpers import make_rows

LISTS = [
    "/api/v1/marketplaces/",
    "/api/v1/stores/",
    "/api/v1/products/",
    "/api/v1/listings/",
    "/api/v1/orders/",
    "/api/v1/orders/?currency=base",  # one rate query per page, whatever its size
    "/api/v1/exchange-rates/",
    "/api/v1/jobs/",
]


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", LISTS)
def test_list_query_count_does_not_grow_with_rows(api_client, org, url):
    make_rows(org)
    count_queries(api_client, url)  # warm up: the key's last_used_at touch, caches
    one = count_queries(api_client, url)
    for _ in range(4):
        make_rows(org)
    many = count_queries(api_client, url)
    rendered = len(api_client.get(url).json()["results"])
    assert rendered >= 5 or url.endswith("marketplaces/")
    assert many == one, f"{url}: {one} queries for one row, {many} for {rendered}"


@pytest.mark.parametrize("url", ["/api/v1/orders/{id}/"])
def test_order_detail_query_count_does_not_grow_with_items(api_client, org, url):
    from tests.factories import OrderItemFactory

    rows = make_rows(org)
    detail = url.format(id=rows.order.id)
    count_queries(api_client, detail)
    one = count_queries(api_client, detail)
    OrderItemFactory.create_batch(5, organization=org, order=rows.order)
    assert count_queries(api_client, detail) == one
