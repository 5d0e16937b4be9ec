"""Idempotency-Key on every write: replay, mismatch, errors kept, per-caller scope, atomic claim
under concurrency (real threads on the real database), purge after the TTL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.services import api_key_issue
from apps.catalog.models import Product
from apps.core.idempotency import idempotency_purge
from apps.core.models import IdempotencyRecord
from apps.core.tasks import purge_idempotency_records_task

from .helpers import assert_problem

BODY = {"sku": "IDEM-1", "name": "Charger", "unit_cost": "3.50", "cost_currency": "USD"}


def _post(client, key, body=BODY, path="/api/v1/products/"):
    return client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retry_with_the_same_key_and_body_returns_the_stored_response(api_client, org):
    first = _post(api_client, "k-1")
    assert first.status_code == 201, first.content
    again = _post(api_client, "k-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Product.objects.for_org(org).filter(sku="IDEM-1").count() == 1


def test_the_same_key_with_another_body_is_422(api_client, org):
    assert _post(api_client, "k-2").status_code == 201
    body = assert_problem(_post(api_client, "k-2", {**BODY, "name": "Other"}), 422)
    assert body["type"] == "urn:crossborder:problem:idempotency-key-reused"
    # ...and another path with the same key is another request too.
    assert_problem(_post(api_client, "k-2", BODY, path="/api/v1/stores/"), 422)


def test_an_error_after_execution_started_is_stored_and_replayed(api_client, org, mine):
    body = {"sku": mine.product.sku, "name": "Duplicate SKU"}
    first = _post(api_client, "k-3", body)
    assert_problem(first, 400)
    Product.objects.for_org(org).filter(pk=mine.product.pk).delete()  # now it would succeed
    again = _post(api_client, "k-3", body)
    assert again.status_code == 400
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"


def test_keys_are_scoped_per_caller(api_client, other_api_client, org, other_org):
    assert _post(api_client, "shared").status_code == 201
    # Another organization's key with the same Idempotency-Key runs its own request.
    second = _post(other_api_client, "shared")
    assert second.status_code == 201
    assert "Idempotent-Replayed" not in second
    # So does another key of the same organization.
    raw = api_key_issue(org=org, name="second").raw_key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert_problem(_post(client, "shared"), 400)  # SKU taken: ran, not replayed
    assert IdempotencyRecord.objects.filter(key="shared").count() == 3


def test_a_dashboard_session_is_scoped_by_its_user(user, org):
    client = Client()
    client.force_login(user)
    headers = {"HTTP_IDEMPOTENCY_KEY": "s-1", "content_type": "application/json"}
    first = client.post("/api/v1/products/", BODY, **headers)
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/products/", BODY, **headers)
    assert again["Idempotent-Replayed"] == "true"
    assert IdempotencyRecord.objects.get(key="s-1").scope == f"org:{org.pk}:user:{user.pk}"


def test_delete_and_patch_are_idempotent_too(api_client, mine):
    path = f"/api/v1/products/{mine.product.id}/"
    first = api_client.delete(path, HTTP_IDEMPOTENCY_KEY="d-1")
    assert first.status_code == 204
    again = api_client.delete(path, HTTP_IDEMPOTENCY_KEY="d-1")
    assert again.status_code == 204  # not a 404: the stored answer
    assert again["Idempotent-Replayed"] == "true"


def test_an_unauthenticated_request_claims_nothing(db):
    response = _post(APIClient(), "anon")
    assert_problem(response, 401)
    assert not IdempotencyRecord.objects.exists()


def test_a_malformed_key_is_400(api_client):
    body = assert_problem(_post(api_client, "has space"), 400)
    assert body["type"] == "urn:crossborder:problem:invalid-idempotency-key"


def test_without_the_header_nothing_is_recorded(api_client):
    assert api_client.post("/api/v1/products/", BODY, format="json").status_code == 201
    assert not IdempotencyRecord.objects.exists()


def test_records_older_than_the_ttl_are_purged_and_the_key_is_free_again(api_client, org):
    assert _post(api_client, "old").status_code == 201
    assert idempotency_purge() == 0
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert purge_idempotency_records_task() == 1
    assert not IdempotencyRecord.objects.exists()


def test_an_expired_record_is_replaced_on_reuse(api_client, org):
    assert _post(api_client, "exp").status_code == 201
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert_problem(_post(api_client, "exp", {**BODY, "name": "new body"}), 400)  # ran: SKU taken


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_execute_once(org):
    raw = api_key_issue(org=org, name="threads").raw_key
    results: list[int] = []
    barrier = threading.Barrier(6)

    def call():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        barrier.wait()
        try:
            results.append(_post(client, "race", {**BODY, "sku": "RACE-1"}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Product.objects.for_org(org).filter(sku="RACE-1").count() == 1
    assert results.count(201) >= 1
    # The others got the stored 201 (replay) or 409 "still processing"; never a second write.
    assert set(results) <= {201, 409}, results
    record = IdempotencyRecord.objects.get(key="race")
    assert record.state == IdempotencyRecord.State.DONE
    assert record.status_code == 201
