"""The listings list rendered from `.values()` rows and orjson equals DRF's own rendering,
byte for byte, with filters, ordering, search and pages; the query count stays fixed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from apps.catalog.api import ListingSerializer
from apps.catalog.models import Listing
from apps.core.fastlist import compile_plan
from apps.core.renderers import FastJSONRenderer
from tests.factories import ListingFactory, StoreFactory

URLS = [
    "/api/v1/listings/",
    "/api/v1/listings/?ordering=-price",
    "/api/v1/listings/?status=inactive",
    "/api/v1/listings/?search=SKU",
]


@pytest.fixture
def listings(org):
    store = StoreFactory(organization=org)
    rows = [
        ListingFactory(organization=org, store=store, price=Decimal("19.9"), status="active"),
        ListingFactory(
            organization=org,
            store=store,
            price=None,
            title="天猫 \u2028 «quote»",
            bullets=["a", "b\u2029"],
            status="inactive",
        ),
        *ListingFactory.create_batch(5, organization=org, store=store, price=Decimal("7")),
    ]
    ListingFactory(organization=org, price=Decimal("1234567.1234"))  # another store
    return rows


def _drf_body(url, response_json, org) -> bytes:
    """The same page through ListSerializer and DRF's JSONRenderer."""
    ids = [row["id"] for row in response_json["results"]]
    by_id = {
        listing.pk: listing
        for listing in Listing.objects.for_org(org)
        .select_related("product", "store", "store__marketplace")
        .filter(pk__in=ids)
    }
    data = ListingSerializer([by_id[pk] for pk in ids], many=True).data
    return JSONRenderer().render({**response_json, "results": data})


@pytest.mark.parametrize("url", URLS)
def test_the_fast_page_equals_drfs_rendering(api_client, org, listings, url):
    response = api_client.get(url)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["results"], url
    assert response.content == _drf_body(url, body, org)


def test_a_following_cursor_page_equals_drfs_rendering(api_client, org, listings):
    first = api_client.get("/api/v1/listings/?page_size=3").json()
    assert first["next"]
    response = api_client.get(first["next"])
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["results"] and not {r["id"] for r in body["results"]} & {
        r["id"] for r in first["results"]
    }
    assert response.content == _drf_body("", body, org)


def test_times_follow_the_active_time_zone(api_client, org, listings):
    with timezone.override("Asia/Shanghai"):
        response = api_client.get("/api/v1/listings/")
        assert response.content == _drf_body("", response.json(), org)
    assert response.json()["results"][0]["created_at"].endswith("+08:00")


def test_the_query_count_does_not_grow_with_the_page(api_client, org, listings):
    def queries(size):
        with CaptureQueriesContext(connection) as ctx:
            assert api_client.get(f"/api/v1/listings/?page_size={size}").status_code == 200
        return len(ctx)

    queries(1)
    assert queries(1) == queries(8)


def test_a_serializer_with_a_method_field_gets_no_plan():
    from rest_framework import serializers

    class WithMethod(ListingSerializer):
        extra = serializers.SerializerMethodField()

        def get_extra(self, obj) -> int:
            return 1

        class Meta(ListingSerializer.Meta):
            fields = [*ListingSerializer.Meta.fields, "extra"]

    assert compile_plan(ListingSerializer()) is not None
    assert compile_plan(WithMethod()) is None


def test_the_renderer_writes_drfs_bytes_and_falls_back_for_floats():
    data = {"a": "天猫\u2028\u2029", "b": [1, None, True, {"c": "x"}], "d": 2**70}
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)
    floats = {"f": 1e16, "g": [0.1]}
    assert FastJSONRenderer().render(floats) == JSONRenderer().render(floats)
    assert FastJSONRenderer().render(None) == JSONRenderer().render(None)


def test_floats_and_drf_containers_render_as_drf_does():
    from rest_framework.utils.serializer_helpers import ReturnDict

    for data in ({"x": [5e-05, {"y": 1e16}]}, ReturnDict({"a": [1, "b"]}, serializer=None),
                 [{"n": float("inf")}], {"d": Decimal("1.50")}):  # fmt: skip
        try:
            expected = JSONRenderer().render(data)
        except ValueError:
            expected = None  # NaN/infinity: DRF refuses them, and so must the fast renderer
        if expected is None:
            with pytest.raises(ValueError):
                FastJSONRenderer().render(data)
        else:
            assert FastJSONRenderer().render(data) == expected


def test_the_filter_form_is_skipped_only_when_no_filter_is_named(api_client, org, listings):
    """apps/core/api.py FilterBackend: no filter parameter, no form; any filter parameter (a
    bad one too) goes through django-filter as before."""
    from django import forms
    from django_filters import rest_framework as filters

    from apps.core.api import _empty_query_filters_nothing

    assert api_client.get("/api/v1/listings/?store=abc").status_code == 400
    inactive = api_client.get("/api/v1/listings/?status=inactive").json()["results"]
    assert inactive and {row["status"] for row in inactive} == {"inactive"}

    class Checkbox(filters.FilterSet):  # an absent checkbox is False: it filters
        active = filters.BooleanFilter(field_name="stock", widget=forms.CheckboxInput)

        class Meta:
            model = Listing
            fields = ["active"]

    from apps.catalog.listings.filters import ListingFilter

    assert _empty_query_filters_nothing(ListingFilter)
    assert not _empty_query_filters_nothing(Checkbox)
