"""Killing the worker process mid-job loses no draft and duplicates none when the job resumes.

A real Celery worker runs in a subprocess (prefork, one child) against this test's database and
Redis; the fake LLM answers slowly; the child is SIGKILLed once part of the batch is drafted.
With acks_late + task_reject_on_worker_lost the batch is redelivered, and the batch runner
skips targets this job already drafted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import psutil
import pytest

from apps.ai.services import generation_start
from apps.core.models import Job
from apps.review.models import Draft
from tests.factories import ListingFactory, StoreFactory

from .conftest import VALID, Reply

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _database_url(db: dict) -> str:
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "localhost"
    host = quote(host, safe="") if host.startswith("/") else host
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _first_round_answers_rest_hang(_body: dict, n: int) -> Reply:
    """Requests 1-8 answer after 1 s, 9-12 hang until the child is killed, later ones answer.

    The hang pins the moment of the kill: exactly eight drafts exist and four requests are in
    flight, however slow the machine is.
    """
    if n <= 8:
        return Reply.json(VALID, delay=1.0)
    if n <= 12:
        return Reply.json(VALID, delay=30.0)
    return Reply.json(VALID)


@pytest.fixture
def worker_process(settings, llm):
    server = llm(_first_round_answers_rest_hang)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crossborder.settings.local",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": _database_url(settings.DATABASES["default"]),
        "REDIS_URL": settings.REDIS_URL,
        "OPENAI_BASE_URL": settings.OPENAI_BASE_URL,
        "OPENAI_API_KEY": "test-key",
        "CROSSBORDER_LLM_MODEL": "gpt-4o-mini",
    }
    from crossborder.celery import app

    app.control.purge()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crossborder",
            "worker",
            "-Q",
            "ai,default",
            "-c",
            "1",
            "-P",
            "prefork",
            "--without-mingle",
            "--without-gossip",
            "-l",
            "warning",
            "-n",
            f"killtest-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        _wait(lambda: bool(app.control.ping(timeout=0.5)), 60, "the worker to answer")
        yield proc, server
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_killing_the_worker_child_mid_batch_loses_and_duplicates_no_draft(
    org, user, worker_process
):
    worker, server = worker_process
    store = StoreFactory(organization=org)
    listings = [ListingFactory(organization=org, store=store) for _ in range(12)]
    job = generation_start(
        org=org, actor=user, kind="listing_content", target_ids=[x.pk for x in listings]
    )
    drafts = Draft.objects.for_org(org).filter(job_id=job.pk)

    # Eight requests are in flight at once; the next four hang: kill once they are asked.
    _wait(lambda: drafts.count() >= 8 and len(server.requests) >= 12, 60, "the first round")
    assert drafts.count() == 8
    children = psutil.Process(worker.pid).children()
    assert children, "the prefork worker has a child process"
    for child in children:
        child.send_signal(signal.SIGKILL)

    _wait(
        lambda: Job.objects.for_org(org).get(pk=job.pk).status == "succeeded",
        120,
        "the redelivered batch to finish the job",
    )
    job.refresh_from_db()
    target_ids = list(drafts.values_list("target_id", flat=True))
    assert len(target_ids) == 12
    assert sorted(target_ids) == sorted(x.pk for x in listings)  # each exactly once
    assert set(drafts.values_list("status", flat=True)) == {"pending"}
    assert (job.done, job.failed) == (12, 0)
    # The four requests in flight when the child died were asked again by the redelivery,
    # and nothing else was.
    assert len(server.requests) == 16
