"""A list page serialised by PostgreSQL (apps/core/sqljson.py) equals DRF's rendering of the
same rows through the ModelSerializer, byte for byte, on odd values: quotes, backslashes,
control characters, U+2028, CJK and emoji, NULLs, zero and non-zero microseconds, big prices,
nested JSON; JSON columns holding floats are equal as JSON. So the two can never drift."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from apps.catalog.api import ListingSerializer
from apps.catalog.models import Listing
from apps.core.sqljson import sql_plan
from tests.factories import ListingFactory, StoreFactory

ODD = "q\"uote \\back\\slash \x01\x1f\x7f tab\tnl\n cr\r 天猫 😀 \u2028\u2029 </script> %s %% '"


@pytest.fixture
def odd_listings(org):
    store = StoreFactory(organization=org, name=ODD[:200])
    whole = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)
    rows = [
        ListingFactory(organization=org, store=store, title=ODD, description=ODD * 3,
                       search_terms="", bullets=[ODD, "", "b"], price=Decimal("1234567890.1234"),
                       status="inactive"),
        ListingFactory(organization=org, store=store, price=None, bullets=[],
                       language="zh-CN", description=""),
        ListingFactory(organization=org, store=store, price=Decimal("0"),
                       bullets=[{"k": [1, None, True, "x, y: z"]}, -7, 2**40]),
    ]  # fmt: skip
    Listing.objects.for_org(org).filter(pk=rows[1].pk).update(created_at=whole, updated_at=whole)
    return rows


def _drf(body, org) -> bytes:
    ids = [row["id"] for row in body["results"]]
    by_id = {
        listing.pk: listing
        for listing in Listing.objects.for_org(org)
        .select_related("product", "store", "store__marketplace")
        .filter(pk__in=ids)
    }
    data = ListingSerializer([by_id[pk] for pk in ids], many=True).data
    return JSONRenderer().render({**body, "results": data})


def _get(api_client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = api_client.get(url)
    assert response.status_code == 200, response.content
    assert any("to_json" in q["sql"] for q in ctx.captured_queries), "SQL page not used"
    return response


@pytest.mark.parametrize(
    "url",
    ["/api/v1/listings/", "/api/v1/listings/?ordering=-updated_at",
     "/api/v1/listings/?status=inactive", "/api/v1/listings/?page_size=1"],
)  # fmt: skip
def test_the_sql_page_is_drfs_page_byte_for_byte(api_client, org, odd_listings, url):
    response = _get(api_client, url)
    body = response.json()
    assert body["results"]
    assert response.content == _drf(body, org)
    if body["next"]:  # the following page too (row comparison cursor)
        following = _get(api_client, body["next"])
        assert following.content == _drf(following.json(), org)


def test_zero_microseconds_and_nulls_render_as_drf(api_client, org, odd_listings):
    rows = {r["id"]: r for r in _get(api_client, "/api/v1/listings/").json()["results"]}
    row = rows[odd_listings[1].pk]
    assert row["created_at"] == "2026-03-01T12:00:00Z" and row["price"] is None
    assert rows[odd_listings[0].pk]["price"] == "1234567890.1234"
    assert rows[odd_listings[2].pk]["price"] == "0.0000"


def test_json_columns_with_floats_are_equal_as_json(api_client, org, odd_listings):
    ListingFactory(organization=org, store=odd_listings[0].store, bullets=[1e16, 0.1, 1.0])
    response = _get(api_client, "/api/v1/listings/")
    assert json.loads(response.content) == json.loads(_drf(response.json(), org))


def test_only_fields_with_an_exact_sql_rendering_get_a_plan():
    assert sql_plan(ListingSerializer()).kinds[:3] == ("int", "int", "text")

    class WithFloat(ListingSerializer):
        ratio = serializers.FloatField(source="stock")

        class Meta(ListingSerializer.Meta):
            fields = [*ListingSerializer.Meta.fields, "ratio"]

    class WithOtherScale(ListingSerializer):
        price = serializers.DecimalField(max_digits=14, decimal_places=2)

    class WithMethod(ListingSerializer):
        extra = serializers.SerializerMethodField()

        def get_extra(self, obj) -> int:
            return 1

        class Meta(ListingSerializer.Meta):
            fields = [*ListingSerializer.Meta.fields, "extra"]

    class WithOwnZone(ListingSerializer):
        created_at = serializers.DateTimeField(default_timezone=dt.timezone(dt.timedelta(hours=8)))

    for kind in (WithFloat, WithOtherScale, WithMethod, WithOwnZone):
        assert sql_plan(kind()) is None, kind
