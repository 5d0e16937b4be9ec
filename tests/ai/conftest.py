"""Fixtures of the AI tests: a scripted OpenAI-compatible server, fast retry settings, a clean
Redis namespace for circuit breakers and detected modes, and a helper running one batch."""

from __future__ import annotations

import pytest

from apps.ai.resilience import key, redis_client
from apps.ai.services import JOB_KIND, generation_batch_run
from apps.core.models import Job
from apps.core.services import job_create

from .fake_server import Reply, fake_llm_servers, scripted

VALID = {
    "title": "Voltora 15W Wireless Charger, Aluminium",
    "bullets": ["Fast 15 W charging for Qi phones", "Aluminium body stays cool"],
    "description": "Charges Qi phones at up to 15 W.",
    "search_terms": "qi charger pad",
}


@pytest.fixture(autouse=True)
def _clean_ai_redis():
    r = redis_client()
    for name in r.scan_iter(key("*")):
        r.delete(name)
    yield


@pytest.fixture
def fast_retries(settings):
    settings.CROSSBORDER_LLM_BACKOFF_BASE = 0.001
    settings.CROSSBORDER_LLM_BACKOFF_MAX = 0.01
    settings.CROSSBORDER_LLM_TIMEOUT = 5
    settings.CROSSBORDER_LLM_MAX_RETRIES = 2
    settings.CROSSBORDER_LLM_BREAKER_THRESHOLD = 50
    return settings


@pytest.fixture
def llm(settings, fast_retries):
    """Start a scripted server (replies in order, or a responder) and point settings at it."""
    with fake_llm_servers(settings, max_retries=2) as start:
        yield lambda *replies: start(
            replies[0] if len(replies) == 1 and callable(replies[0]) else scripted(*replies)
        )


@pytest.fixture
def offline(settings):
    settings.OPENAI_BASE_URL = ""
    return settings


def run_batch(org, listings, actor=None) -> Job:
    """A job for `listings` and its one batch, run here (the worker tests go through Celery)."""
    job = job_create(org=org, kind=JOB_KIND, total=len(listings), actor=actor)
    generation_batch_run(org=org, job_id=job.id, kind="listing_content",
                         target_ids=[x.pk for x in listings])  # fmt: skip
    job.refresh_from_db()
    return job


__all__ = ["VALID", "Reply", "run_batch"]
