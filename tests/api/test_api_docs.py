"""docs/api.md's examples run as written: every `bash` (curl) and `python` block, against a
live server, and the signature check of the guide verifies a real delivery."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from apps.accounts.services import api_key_issue
from apps.catalog.models import Product
from apps.core.services import job_create, job_finish
from apps.integrations.models import WebhookDelivery, WebhookSubscription
from apps.integrations.tasks import webhooks_send_task
from apps.logistics.models import Parcel
from apps.orders.models import Order
from tests.integrations.test_webhooks import Receiver

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_guide_has_examples():
    assert len(blocks("bash")) >= 5 and len(blocks("python")) >= 4
    text = DOC.read_text(encoding="utf-8")
    for section in ("## Pagination", "## ETag and If-Match", "## Idempotency", "## Webhooks"):
        assert section in text


@pytest.mark.django_db(transaction=True)
def test_the_guides_examples_run_against_a_live_server(live_server, org, settings, monkeypatch):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    raw = api_key_issue(org=org, name="docs").raw_key
    with Receiver() as receiver:
        env = {
            "CROSSBORDER_URL": live_server.url,
            "CROSSBORDER_KEY": raw,
            "CROSSBORDER_RECEIVER": receiver.url,
            "PATH": "/usr/bin:/bin",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        for script in blocks("bash"):
            done = subprocess.run(
                ["bash", "-e", "-o", "pipefail", "-c", script],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 0, (script, done.stdout, done.stderr)
        assert Product.objects.for_org(org).filter(sku="CURL-1").exists()
        assert Product.objects.for_org(org).filter(sku__startswith="BULK-").count() == 2
        # The ETag example's first update ran, its stale second one did not.
        assert Product.objects.for_org(org).get(sku="ETAG-CURL").name == "Phone stand, black"
        sub = WebhookSubscription.objects.for_org(org).get()

        namespace: dict = {}
        for code in blocks("python"):
            exec(compile(code, str(DOC), "exec"), namespace)
        assert Product.objects.for_org(org).filter(sku="PY-1").count() == 1
        parcel = Parcel.objects.for_org(org).get(tracking_number="YT2611300001")
        assert parcel.status == "Delivered"
        assert Order.objects.for_org(org).filter(source="api").count() == 1
        assert Product.objects.for_org(org).get(sku="ETAG-PY").name == "Changed by someone else"

        job = job_create(org=org, kind="listing_export", total=1)
        job_finish(job_id=job.id)
        webhooks_send_task(list(WebhookDelivery.objects.for_org(org).values_list("id", flat=True)))
        request = receiver.requests[-1]
        verify = namespace["verify_crossborder_webhook"]
        assert verify(sub.secret, request["headers"], request["body"])
        assert not verify(sub.secret, request["headers"], request["body"] + b" ")
        assert not verify("whsec_other", request["headers"], request["body"])
        assert json.loads(request["body"])["data"]["job_id"] == job.id


def test_the_docs_page_needs_no_internet(client, db):
    html = client.get("/api/docs/").content.decode()
    assert "swagger" in html.lower()
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert external == [], external
