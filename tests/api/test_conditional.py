"""ETag on object reads, If-Match on object writes (apps/core/conditional.py), and the schema
that documents them."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from apps.catalog.models import Product
from tests.factories import ProductFactory

from .helpers import assert_problem
from .routes import object_routes


@pytest.fixture
def product(org):
    return ProductFactory(organization=org, sku="ETAG-1", name="Desk lamp")


def test_an_object_get_answers_an_etag_that_moves_with_the_object(api_client, product):
    url = f"/api/v1/products/{product.id}/"
    first = api_client.get(url)
    assert first["ETag"].startswith('"') and first["ETag"] == api_client.get(url)["ETag"]
    api_client.patch(url, {"name": "Desk lamp 2"}, format="json")
    assert api_client.get(url)["ETag"] != first["ETag"]


def test_if_none_match_answers_304_while_unchanged(api_client, product):
    url = f"/api/v1/products/{product.id}/"
    etag = api_client.get(url)["ETag"]
    again = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and again.content == b""
    assert api_client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_write_with_a_stale_if_match_is_412_and_changes_nothing(api_client, product, method):
    url = f"/api/v1/products/{product.id}/"
    stale = api_client.get(url)["ETag"]
    api_client.patch(url, {"name": "Moved meanwhile"}, format="json")
    before = Product.objects.unscoped().values().get(pk=product.id)
    body = {"sku": "ETAG-1", "name": "Mine"}
    response = getattr(api_client, method)(url, body, format="json", HTTP_IF_MATCH=stale)
    problem = assert_problem(response, 412)
    assert problem["type"] == "urn:crossborder:problem:precondition-failed"
    assert Product.objects.unscoped().values().get(pk=product.id) == before


def test_a_write_with_the_current_etag_runs(api_client, product):
    url = f"/api/v1/products/{product.id}/"
    etag = api_client.get(url)["ETag"]
    response = api_client.patch(url, {"name": "Mine"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    # A proxy may weaken the tag (W/"…"), and a list of tags or * is accepted.
    etag = api_client.get(url)["ETag"]
    weak = api_client.patch(url, {"name": "Again"}, format="json", HTTP_IF_MATCH=f"W/{etag}")
    assert weak.status_code == 200
    listed = api_client.patch(
        url,
        {"name": "Third"},
        format="json",
        HTTP_IF_MATCH=f'"nope", {api_client.get(url)["ETag"]}',
    )
    assert listed.status_code == 200
    assert api_client.delete(url, HTTP_IF_MATCH="*").status_code == 204


def test_if_match_on_a_foreign_or_missing_object_is_404(api_client, other_org):
    theirs = ProductFactory(organization=other_org)
    for pk in (theirs.id, 987654321):
        response = api_client.patch(f"/api/v1/products/{pk}/", {}, format="json", HTTP_IF_MATCH="*")
        assert_problem(response, 404)


def test_if_match_can_be_required(api_client, product, settings):
    settings.API_REQUIRE_IF_MATCH = True
    url = f"/api/v1/products/{product.id}/"
    problem = assert_problem(api_client.patch(url, {"name": "x"}, format="json"), 428)
    assert problem["type"] == "urn:crossborder:problem:precondition-required"
    etag = api_client.get(url)["ETag"]
    assert (
        api_client.patch(url, {"name": "x"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    )


def test_an_idempotent_replay_wins_over_a_now_stale_if_match(api_client, product):
    url = f"/api/v1/products/{product.id}/"
    etag = api_client.get(url)["ETag"]
    headers = {"HTTP_IF_MATCH": etag, "HTTP_IDEMPOTENCY_KEY": "etag-replay-1"}
    first = api_client.patch(url, {"name": "Once"}, format="json", **headers)
    again = api_client.patch(url, {"name": "Once"}, format="json", **headers)
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"


def _schema() -> dict:
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return response.json()


def test_the_schema_documents_etag_if_match_and_412_on_every_object_write(db):
    paths = _schema()["paths"]
    checked = 0
    for path, operations in paths.items():
        if "{" not in path:
            continue
        for method, operation in operations.items():
            if method == "parameters":
                continue
            headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            if method in ("put", "patch", "delete") and "{id}" in path:
                assert "If-Match" in headers and "412" in operation["responses"], (method, path)
                checked += 1
            if method == "get" and re.fullmatch(r".*/\{\w+\}/", path):
                assert "ETag" in operation["responses"]["200"].get("headers", {}), path
    assert checked >= 10


def test_every_updatable_route_is_conditional():
    """ConditionalMixin sits in TenantViewSet, so every object route that writes has it."""
    from apps.core.conditional import ConditionalMixin

    writes = [r for r in object_routes() if {m for m, _ in r.methods} & {"PUT", "PATCH", "DELETE"}]
    assert writes and all(issubclass(r.view_cls, ConditionalMixin) for r in writes)
