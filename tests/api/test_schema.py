"""The OpenAPI schema and its docs page are public (they hold no data) and list every endpoint."""

from __future__ import annotations

from rest_framework.test import APIClient

ENDPOINTS = {
    "/api/v1/marketplaces/": {"get"},
    "/api/v1/marketplaces/{code}/": {"get"},
    "/api/v1/stores/": {"get", "post"},
    "/api/v1/stores/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/products/": {"get", "post"},
    "/api/v1/products/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/listings/": {"get", "post"},
    "/api/v1/listings/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/orders/": {"get", "post"},
    "/api/v1/orders/{id}/": {"get"},
    "/api/v1/exchange-rates/": {"get", "post"},
    "/api/v1/exchange-rates/{id}/": {"get"},
    "/api/v1/jobs/": {"get"},
    "/api/v1/jobs/{id}/": {"get"},
}


def schema(client) -> dict:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_schema_renders_anonymously_and_lists_every_endpoint(db):
    paths = schema(APIClient())["paths"]
    for path, methods in ENDPOINTS.items():
        assert set(paths[path]) - {"parameters"} == methods, path


def test_the_schema_renders_for_a_key_holder_too(api_client):
    assert "/api/v1/listings/" in schema(api_client)["paths"]


def test_the_schema_documents_bearer_keys_and_no_organization_input(db):
    body = schema(APIClient())
    assert body["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    for name, component in body["components"]["schemas"].items():
        assert "organization" not in component.get("properties", {}), name


def test_the_schema_documents_filters_and_version(db):
    paths = schema(APIClient())["paths"]
    listing_params = {p["name"] for p in paths["/api/v1/listings/"]["get"]["parameters"]}
    assert {
        "store",
        "marketplace",
        "status",
        "language",
        "sku",
        "cursor",
        "page_size",
        "search",
    } <= listing_params
    order_params = {p["name"] for p in paths["/api/v1/orders/"]["get"]["parameters"]}
    assert {"store", "status", "ordered_at_after", "ordered_at_before", "buyer_country"} <= (
        order_params
    )


def test_the_docs_page_renders_anonymously(db):
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_the_schema_generates_without_warnings(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", stdout=StringIO())
