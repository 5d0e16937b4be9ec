"""Shared checks of the bulk upsert endpoints (`{"items": [...]}` → summary + results)."""

from __future__ import annotations

from apps.accounts.services import api_key_issue
from apps.core.bulk import BULK_MAX

from .helpers import assert_problem


def post(client, url, items, **extra):
    return client.post(url, {"items": items}, format="json", **extra)


def statuses(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["status"] for row in response.json()["results"]]


def check_limits_and_scope(client, org, url, module: str, item: dict) -> None:
    """Empty and over-limit batches are refused with a clear problem; a key without the
    module's write scope gets 403; the same Idempotency-Key replays the stored answer."""
    assert_problem(post(client, url, []), 400)
    over = assert_problem(post(client, url, [item] * (BULK_MAX + 1)), 400)
    assert "at most 10,000 items" in str(over["errors"]["items"])
    from rest_framework.test import APIClient

    reader = APIClient()
    raw = api_key_issue(org=org, name="ro", scopes=[f"{module}:read"]).raw_key
    reader.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert_problem(post(reader, url, [item]), 403)
    first = post(client, url, [item], HTTP_IDEMPOTENCY_KEY=f"bulk-{module}-1")
    again = post(client, url, [item], HTTP_IDEMPOTENCY_KEY=f"bulk-{module}-1")
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
