"""A real generation job through the local model server of `make llm-local` (SmolLM2-135M).

Selected only by `make test-llm-local` (pytest -m llm_local), which starts the server; it
fails, never skips, when the server is down. Such a small model writes poor or off-limit text:
the job must still end with every listing drafted or failed with a reason, never a crash, and
a draft offered for approval must pass the schema and the marketplace's rules. The server
refuses `response_format: json_schema` with HTTP 500: the backend must fall back (a capability
answer), remember why, and keep its circuit closed.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request

import pytest

from apps.ai.capabilities import capabilities_get
from apps.ai.generation import validation_errors
from apps.ai.resilience import CircuitBreaker
from apps.ai.services import generation_start
from apps.catalog.content.generation import rule_errors, schema_for
from apps.review.models import Draft, DraftStatus
from tests.factories import ListingFactory

pytestmark = [pytest.mark.llm_local, pytest.mark.worker]
LOCAL_URL = os.environ.get("CROSSBORDER_LLM_LOCAL_URL", "http://127.0.0.1:8011/v1")


def test_a_real_job_through_the_local_model_ends_in_drafts_never_a_crash(
    org, user, celery_worker, settings
):
    try:
        urllib.request.urlopen(f"{LOCAL_URL}/models", timeout=5).read()
    except OSError as exc:
        pytest.fail(f"No local model server at {LOCAL_URL} ({exc}): start it with make llm-local")
    settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY = LOCAL_URL, "local"
    settings.CROSSBORDER_LLM_MODEL = "smollm2"
    settings.CROSSBORDER_LLM_TIMEOUT = 300
    settings.CROSSBORDER_AI_CONCURRENCY = 1  # llama-cpp-python's server answers one at a time
    settings.CROSSBORDER_LLM_MAX_TOKENS = 600
    listings = [ListingFactory(organization=org) for _ in range(4)]
    job = generation_start(
        org=org, actor=user, kind="listing_content", target_ids=[x.pk for x in listings]
    )
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            break
        time.sleep(1)
    assert job.status == "succeeded", job.error
    assert job.done + job.failed == 4
    drafts = list(Draft.objects.for_org(org).filter(job=job))
    assert len(drafts) == 4
    assert {d.status for d in drafts} <= {DraftStatus.PENDING, DraftStatus.FAILED}
    marketplace = listings[0].store.marketplace
    for draft in drafts:
        assert draft.provider == "openai-compatible"
        if draft.status == DraftStatus.PENDING:
            listing_fields = {k: v for k, v in draft.proposed.items() if k != "confirmed_claims"}
            assert validation_errors(json.dumps(listing_fields),
                                     schema_for(marketplace.limits), None)[1] == []  # fmt: skip
            assert rule_errors(marketplace.limits, marketplace.channel, listing_fields) == []
        else:
            assert draft.error and "circuit open" not in draft.error
            assert "Unexpected error" not in draft.error
    caps = capabilities_get(LOCAL_URL)
    assert caps.mode in ("json_object", "prompt")
    assert caps.notes[0]["feature"] == "response_format=json_schema"
    assert caps.notes[0]["status"] == 500
    assert CircuitBreaker(LOCAL_URL).state() == "closed"
    print(
        f"\nllm_local: {job.done} drafted, {job.failed} failed; mode {caps.mode}; "
        f"refusal: {caps.notes[0]['reason'][:300]}"
    )
    for draft in drafts:
        print(f"  {draft.status}: {draft.error[:200] if draft.error else draft.proposed}")
