"""The in-process API key cache (apps/accounts/services.py): one query fewer per request,
revocation honoured (at once in this process, within `API_KEY_CACHE_SECONDS` elsewhere),
expiry checked on every request, and a key never answers for another organization."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import ApiKey
from apps.accounts.services import (
    api_key_authenticate,
    api_key_cache_clear,
    api_key_issue,
    api_key_revoke,
)
from tests.factories import ProductFactory


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.API_KEY_CACHE_SECONDS = 5
    api_key_cache_clear()
    yield
    api_key_cache_clear()


def _client(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _key_queries(raw: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert api_key_authenticate(raw) is not None
    return sum("accounts_apikey" in q["sql"] for q in ctx.captured_queries)


def test_a_cached_key_is_not_read_again_and_last_use_is_written_once(org):
    raw = api_key_issue(org=org, name="erp").raw_key
    assert _key_queries(raw) == 2  # the read, and the first last-used write
    assert _key_queries(raw) == 0 and _key_queries(raw) == 0


def test_revocation_in_this_process_is_honoured_at_once(org):
    issued = api_key_issue(org=org, name="erp")
    client = _client(issued.raw_key)
    assert client.get("/api/v1/products/").status_code == 200
    api_key_revoke(org=org, key_id=issued.api_key.pk)
    assert client.get("/api/v1/products/").status_code == 401


def test_revocation_elsewhere_is_honoured_within_the_bound(org, settings, monkeypatch):
    issued = api_key_issue(org=org, name="erp")
    assert api_key_authenticate(issued.raw_key) is not None
    # Another process revokes it: no signal reaches this one.
    ApiKey.objects.filter(pk=issued.api_key.pk).update(revoked_at=timezone.now())
    import apps.accounts.services as services

    now = services.time.monotonic()
    monkeypatch.setattr(services.time, "monotonic", lambda: now + settings.API_KEY_CACHE_SECONDS)
    assert api_key_authenticate(issued.raw_key) is None


def test_expiry_is_checked_on_every_request(org):
    issued = api_key_issue(org=org, name="erp")
    assert api_key_authenticate(issued.raw_key) is not None
    cached = services_cache()[0][1]
    cached.expires_at = timezone.now() - dt.timedelta(seconds=1)
    assert api_key_authenticate(issued.raw_key) is None


def services_cache():
    from apps.accounts.services import _KEYS

    return list(_KEYS.values())


def test_each_key_answers_for_its_own_organization_only(org, other_org):
    mine, theirs = ProductFactory(organization=org), ProductFactory(organization=other_org)
    ours, other = api_key_issue(org=org, name="a"), api_key_issue(org=other_org, name="b")
    for _ in range(2):  # the second round comes from the cache
        a = _client(ours.raw_key).get("/api/v1/products/").json()["results"]
        b = _client(other.raw_key).get("/api/v1/products/").json()["results"]
        assert {r["id"] for r in a} == {mine.pk} and {r["id"] for r in b} == {theirs.pk}
        assert api_key_authenticate(ours.raw_key).organization_id == org.pk
        assert api_key_authenticate(other.raw_key).organization_id == other_org.pk


def test_a_request_gets_its_own_copy_of_the_cached_key(org):
    raw = api_key_issue(org=org, name="erp").raw_key
    first = api_key_authenticate(raw)
    first.scopes = ["everything:write"]
    first.organization.name = "changed"
    second = api_key_authenticate(raw)
    assert second.scopes != ["everything:write"] and second.organization.name != "changed"


def test_new_scopes_saved_in_this_process_apply_at_once(org):
    issued = api_key_issue(org=org, name="erp", scopes=["catalog:read"])
    client = _client(issued.raw_key)
    assert client.get("/api/v1/products/").status_code == 200
    key = ApiKey.objects.get(pk=issued.api_key.pk)
    key.scopes = ["orders:read"]
    key.save()
    assert client.get("/api/v1/products/").status_code == 403
