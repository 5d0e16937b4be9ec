"""API keys: scopes per module (read for safe methods, write for the others), expiry, the
Api-Key header forms, cheap last-used, per-key rate limits, request ids, stable problem types."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import ALL_SCOPES, ApiKey
from apps.accounts.services import api_key_issue
from apps.core.errors import ValidationFailed
from apps.core.permissions import view_module

from .helpers import assert_problem


def _client(raw: str, scheme: str = "Bearer") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {raw}")
    return client


def test_a_read_scope_reads_but_a_write_is_403_insufficient_scope(org, mine):
    client = _client(api_key_issue(org=org, name="ro", scopes=["catalog:read"]).raw_key)
    assert client.get("/api/v1/products/").status_code == 200
    body = assert_problem(client.post("/api/v1/products/", {"sku": "A", "name": "A"}), 403)
    assert body["type"] == "urn:crossborder:problem:insufficient-scope"
    assert "catalog:write" in body["detail"]


def test_a_module_outside_the_scopes_is_403_even_for_reads(org, mine):
    client = _client(api_key_issue(org=org, name="catalog", scopes=["catalog:write"]).raw_key)
    assert client.get("/api/v1/products/").status_code == 200  # write implies read
    assert client.post("/api/v1/products/", {"sku": "W", "name": "W"}).status_code == 201
    body = assert_problem(client.get("/api/v1/orders/"), 403)
    assert "orders:read" in body["detail"]
    assert_problem(client.get("/api/v1/drafts/"), 403)


def test_jobs_need_no_module_scope_but_stay_in_the_organization(org, mine, theirs):
    client = _client(api_key_issue(org=org, name="x", scopes=["orders:read"]).raw_key)
    assert client.get(f"/api/v1/jobs/{mine.job.id}/").status_code == 200
    assert_problem(client.get(f"/api/v1/jobs/{theirs.job.id}/"), 404)


def test_every_api_view_maps_to_a_known_module():
    from django.urls import get_resolver

    from apps.accounts.models import API_MODULES

    seen = set()

    def walk(patterns):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns)
            else:
                cls = getattr(p.callback, "cls", None)
                if cls is not None and cls.__module__.startswith("apps."):
                    seen.add(view_module(cls()))

    walk(get_resolver().url_patterns)
    assert seen - {None} <= set(API_MODULES), seen
    assert {"catalog", "orders", "review", "pricing", "imports"} <= seen


def test_unknown_scopes_are_refused_and_default_is_every_scope(org):
    with pytest.raises(ValidationFailed):
        api_key_issue(org=org, name="bad", scopes=["catalog:delete"])
    assert api_key_issue(org=org, name="all").api_key.scopes == list(ALL_SCOPES)


def test_an_expired_key_is_401(org):
    issued = api_key_issue(org=org, name="exp", expires_at=timezone.now() + timedelta(hours=1))
    client = _client(issued.raw_key)
    assert client.get("/api/v1/products/").status_code == 200
    ApiKey.objects.filter(pk=issued.api_key.pk).update(expires_at=timezone.now())
    body = assert_problem(client.get("/api/v1/products/"), 401)
    assert body["type"] == "urn:crossborder:problem:authentication-failed"
    with pytest.raises(ValidationFailed):
        api_key_issue(org=org, name="past", expires_at=timezone.now() - timedelta(seconds=1))


def test_the_api_key_header_forms(org, mine):
    raw = api_key_issue(org=org, name="forms").raw_key
    assert _client(raw, "Api-Key").get("/api/v1/products/").status_code == 200
    assert APIClient().get("/api/v1/products/", HTTP_API_KEY=raw).status_code == 200


def test_last_used_is_written_at_most_once_a_minute(org, django_assert_max_num_queries):
    issued = api_key_issue(org=org, name="lu")
    client = _client(issued.raw_key)
    client.get("/api/v1/products/")
    issued.api_key.refresh_from_db()
    first = issued.api_key.last_used_at
    assert first is not None
    client.get("/api/v1/products/")
    issued.api_key.refresh_from_db()
    assert issued.api_key.last_used_at == first


def test_a_key_a_session_cannot_reach_another_organization(org, other_org, theirs):
    client = _client(api_key_issue(org=org, name="mine").raw_key)
    assert_problem(client.get(f"/api/v1/products/{theirs.product.id}/"), 404)
    assert_problem(client.delete(f"/api/v1/products/{theirs.product.id}/"), 404)


def test_the_rate_limit_answers_429_with_retry_after(org, settings):
    settings.API_RATE_LIMIT = "3/min"
    client = _client(api_key_issue(org=org, name="rl").raw_key)
    for _ in range(3):
        ok = client.get("/api/v1/products/")
        assert ok.status_code == 200
    assert ok["RateLimit-Limit"] == "3"
    assert ok["RateLimit-Remaining"] == "0"
    refused = client.get("/api/v1/products/")
    body = assert_problem(refused, 429)
    assert body["type"] == "urn:crossborder:problem:rate-limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another key has its own counter.
    assert (
        _client(api_key_issue(org=org, name="rl2").raw_key).get("/api/v1/products/").status_code
        == 200
    )


def test_a_key_may_carry_its_own_limit(org, settings):
    issued = api_key_issue(org=org, name="own")
    ApiKey.objects.filter(pk=issued.api_key.pk).update(rate_limit_per_minute=1)
    client = _client(issued.raw_key)
    assert client.get("/api/v1/products/").status_code == 200
    assert_problem(client.get("/api/v1/products/"), 429)


def test_request_ids_are_echoed_generated_and_logged(api_client, caplog):
    response = api_client.get("/api/v1/products/", HTTP_X_REQUEST_ID="erp-123.abc")
    assert response["X-Request-ID"] == "erp-123.abc"
    generated = api_client.get("/api/v1/products/")["X-Request-ID"]
    assert len(generated) == 32
    hostile = api_client.get("/api/v1/products/", HTTP_X_REQUEST_ID="a\nb")["X-Request-ID"]
    assert "\n" not in hostile and hostile != "a\nb"
    # Errors and pages carry it too.
    assert assert_problem(APIClient().get("/api/v1/products/"), 401) is not None
    assert APIClient().get("/api/v1/nowhere/")["X-Request-ID"]

    from apps.core.request_id import RequestIdFilter

    logger = logging.getLogger("apps.test_request_id")
    record = logger.makeRecord("x", logging.INFO, __file__, 1, "hello", (), None)
    assert RequestIdFilter().filter(record) and record.request_id == "-"


def test_problem_types_are_stable_per_error(api_client, mine):
    assert_problem(api_client.get("/api/v1/nowhere/"), 404)["type"].endswith(":not-found")
    body = assert_problem(api_client.post("/api/v1/products/", {"name": ""}, format="json"), 400)
    assert body["type"] == "urn:crossborder:problem:validation-failed"
    body = assert_problem(api_client.put("/api/v1/jobs/1/", {}), 405)
    assert body["type"] == "urn:crossborder:problem:method-not-allowed"
