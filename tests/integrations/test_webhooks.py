"""Webhooks end to end against a real HTTP receiver started by the test (127.0.0.1, allowed by
WEBHOOK_ALLOWED_NETWORKS): outbox in the change's transaction, signed delivery, retries with
backoff, the attempt log, redelivery, automatic disabling, rotation, and the SSRF guard."""

from __future__ import annotations

import json
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from apps.core.events import event_emit
from apps.core.services import job_create, job_finish
from apps.integrations import webhooks
from apps.integrations.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from apps.integrations.tasks import webhooks_send_due_task, webhooks_send_task
from apps.integrations.webhooks import (
    UnsafeTarget,
    check_target,
    signature_verify,
    webhook_subscription_create,
)
from apps.review.services import draft_approve, draft_create
from tests.api.helpers import assert_problem
from tests.factories import ListingFactory


class Receiver:
    """A local HTTP server recording each request; answers `status` (a list: one per call)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append({"headers": dict(self.headers), "body": body})
                status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                if status in (301, 302):
                    self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"nope")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/crossborder?x=1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    with Receiver() as r:
        yield r


@pytest.fixture
def sub(org, receiver):
    return webhook_subscription_create(
        org=org, url=receiver.url, events=["job.finished", "draft.created", "draft.applied"]
    )


def _send_all() -> None:
    webhooks_send_task(list(WebhookDelivery.objects.unscoped().values_list("id", flat=True)))


def test_a_finished_job_is_delivered_signed(org, sub, receiver):
    job = job_create(org=org, kind="listing_export", total=3)
    job_finish(job_id=job.id, result={"rows": 3})
    _send_all()
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    headers, body = request["headers"], request["body"]
    assert headers["Crossborder-Event"] == "job.finished"
    assert signature_verify(
        secret=sub.secret,
        timestamp=headers["Crossborder-Timestamp"],
        body=body,
        header=headers["Crossborder-Signature"],
    )
    assert not signature_verify(
        secret="whsec_wrong",
        timestamp=headers["Crossborder-Timestamp"],
        body=body,
        header=headers["Crossborder-Signature"],
    )
    document = json.loads(body)
    assert document["type"] == "job.finished"
    assert document["data"]["job_id"] == job.id
    assert document["data"]["status"] == "succeeded"
    assert headers["Crossborder-Event-Id"] == str(document["id"])
    delivery = WebhookDelivery.objects.unscoped().get()
    assert delivery.status == "delivered" and delivery.last_status_code == 200
    assert delivery.log.get().status_code == 200


def test_draft_created_and_applied_are_announced_by_the_review_engine(org, sub, receiver):
    listing = ListingFactory(organization=org, price=Decimal("20.00"), currency="USD")
    draft = draft_create(
        org=org, kind="price_change", target=listing, proposed={"price": "21.99", "currency": "USD"}
    )
    draft_approve(org=org, actor=None, draft_id=draft.id)
    _send_all()
    kinds = [json.loads(r["body"])["type"] for r in receiver.requests]
    assert sorted(kinds) == ["draft.applied", "draft.created"]  # approved: not subscribed
    data = json.loads(receiver.requests[0]["body"])["data"]
    assert data["draft_id"] == draft.id and data["kind"] == "price_change"


def test_no_subscription_writes_no_outbox_row(org):
    event_emit(org=org, event="price.changed", payload={"listing_id": 1})
    assert not WebhookEvent.objects.unscoped().exists()


def test_the_outbox_row_rolls_back_with_the_change(org, sub):
    with pytest.raises(RuntimeError), transaction.atomic():
        event_emit(org=org, event="job.finished", payload={"job_id": 1})
        assert WebhookEvent.objects.unscoped().count() == 1
        raise RuntimeError("the change failed")
    assert not WebhookEvent.objects.unscoped().exists()
    assert not WebhookDelivery.objects.unscoped().exists()


def test_unknown_events_are_a_programming_error(org):
    with pytest.raises(ValueError):
        event_emit(org=org, event="nope", payload={})


def test_a_failure_is_logged_and_retried_with_backoff(org, sub, receiver):
    receiver.statuses = [500, 200]
    event_emit(org=org, event="job.finished", payload={"job_id": 7})
    _send_all()
    delivery = WebhookDelivery.objects.unscoped().get()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_status_code == 500
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 40 < wait < 70  # the first backoff: about a minute
    assert webhooks_send_due_task() == 0  # not due yet
    WebhookDelivery.objects.unscoped().update(next_attempt_at=timezone.now())
    with mock.patch.object(webhooks_send_task, "delay", side_effect=webhooks_send_task):
        assert webhooks_send_due_task() == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 2
    assert [a.status_code for a in delivery.log.order_by("id")] == [500, 200]
    assert len(receiver.requests) == 2
    # The event id is the same on the retry: receivers deduplicate on it.
    ids = {r["headers"]["Crossborder-Event-Id"] for r in receiver.requests}
    assert len(ids) == 1


def test_backoff_grows_and_gives_up_after_the_retry_window(org, sub, receiver):
    assert webhooks.backoff(1).total_seconds() < webhooks.backoff(5).total_seconds()
    assert webhooks.backoff(30) <= webhooks.MAX_BACKOFF * 1.1
    receiver.statuses = [503]
    event_emit(org=org, event="job.finished", payload={"job_id": 8})
    WebhookDelivery.objects.unscoped().update(
        created_at=timezone.now() - timezone.timedelta(hours=24)
    )
    _send_all()
    delivery = WebhookDelivery.objects.unscoped().get()
    assert delivery.status == "failed" and delivery.next_attempt_at is None


def test_a_redirect_is_not_followed(org, sub, receiver):
    receiver.statuses = [302]
    event_emit(org=org, event="job.finished", payload={"job_id": 9})
    _send_all()
    delivery = WebhookDelivery.objects.unscoped().get()
    assert delivery.status == "pending" and delivery.last_status_code == 302
    assert len(receiver.requests) == 1


def test_repeated_failures_disable_the_subscription(org, sub, receiver, settings, client_for, user):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    receiver.statuses = [500, 500, 500]
    for n in range(3):
        event_emit(org=org, event="job.finished", payload={"job_id": n})
    _send_all()
    sub.refresh_from_db()
    assert not sub.is_active and sub.disabled_at is not None
    assert "3 delivery attempts failed" in sub.disabled_reason
    # The dashboard says so, on every page.
    page = client_for(user).get("/")
    assert b'data-testid="webhook-disabled-notice"' in page.content
    # Further events are not queued for it; re-enabling resets the count.
    event_emit(org=org, event="job.finished", payload={"job_id": 99})
    assert WebhookDelivery.objects.unscoped().count() == 3
    webhooks.webhook_subscription_update(org=org, subscription_id=sub.pk, is_active=True)
    sub.refresh_from_db()
    assert sub.is_active and sub.consecutive_failures == 0


def test_rotation_signs_with_both_secrets_during_the_overlap(org, sub, receiver):
    old = sub.secret
    rotated = webhooks.webhook_secret_rotate(org=org, subscription_id=sub.pk)
    assert rotated.secret != old
    event_emit(org=org, event="job.finished", payload={"job_id": 1})
    _send_all()
    headers, body = receiver.requests[0]["headers"], receiver.requests[0]["body"]
    for secret in (old, rotated.secret):
        assert signature_verify(
            secret=secret,
            timestamp=headers["Crossborder-Timestamp"],
            body=body,
            header=headers["Crossborder-Signature"],
        )


def test_a_stale_timestamp_does_not_verify():
    body = b"{}"
    header = webhooks.signature_header(["whsec_x"], 1000, body)
    assert signature_verify(secret="whsec_x", timestamp="1000", body=body, header=header, now=1100)
    assert not signature_verify(
        secret="whsec_x", timestamp="1000", body=body, header=header, now=1000 + 301
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x",
        "http://localhost:8000/x",
        "http://10.1.2.3/x",
        "http://192.168.0.10/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://0.0.0.0/x",
        "http://100.64.0.1/x",
        "ftp://example.com/x",
        "http://user:pw@example.com/x",
    ],
)
def test_internal_targets_are_refused(url, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    with pytest.raises(UnsafeTarget):
        check_target(url)


def test_every_resolved_address_is_checked(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    infos = [(2, 1, 6, "", ("93.184.216.34", 80)), (2, 1, 6, "", ("10.0.0.5", 80))]
    with mock.patch("socket.getaddrinfo", return_value=infos), pytest.raises(UnsafeTarget):
        check_target("http://rebind.example.com/x")
    with mock.patch("socket.getaddrinfo", return_value=infos[:1]):
        assert check_target("http://public.example.com/x").addresses == ("93.184.216.34",)


def test_a_target_that_became_internal_is_not_called(org, sub, receiver, settings):
    event_emit(org=org, event="job.finished", payload={"job_id": 1})
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    _send_all()
    delivery = WebhookDelivery.objects.unscoped().get()
    assert delivery.status == "pending" and "internal address" in delivery.last_error
    assert receiver.requests == []


# The API -------------------------------------------------------------------------------------


def test_the_api_manages_subscriptions_and_shows_the_secret_once(api_client, org, receiver):
    response = api_client.post(
        "/api/v1/webhooks/",
        {"url": receiver.url, "events": ["job.finished"], "description": "ERP"},
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["secret"].startswith("whsec_")
    sub_id = created["id"]
    listed = api_client.get("/api/v1/webhooks/").json()["results"]
    assert [s["id"] for s in listed] == [sub_id] and "secret" not in listed[0]
    rotated = api_client.post(f"/api/v1/webhooks/{sub_id}/rotate-secret/").json()
    assert rotated["secret"] != created["secret"] and rotated["secret_rotating"]
    patched = api_client.patch(f"/api/v1/webhooks/{sub_id}/", {"is_active": False}, format="json")
    assert patched.status_code == 200 and patched.json()["is_active"] is False
    assert api_client.delete(f"/api/v1/webhooks/{sub_id}/").status_code == 204


def test_the_api_refuses_internal_urls_and_unknown_events(api_client, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    body = assert_problem(
        api_client.post(
            "/api/v1/webhooks/",
            {"url": "http://169.254.169.254/", "events": ["job.finished"]},
            format="json",
        ),
        400,
    )
    assert body["type"] == "urn:crossborder:problem:unsafe-target"
    assert_problem(
        api_client.post(
            "/api/v1/webhooks/", {"url": "https://example.com/", "events": ["x"]}, format="json"
        ),
        400,
    )


def test_deliveries_are_listed_and_redelivered_through_the_api(api_client, org, sub, receiver):
    event_emit(org=org, event="job.finished", payload={"job_id": 5})
    _send_all()
    rows = api_client.get("/api/v1/webhook-deliveries/").json()["results"]
    assert rows[0]["status"] == "delivered" and rows[0]["log"][0]["status_code"] == 200
    response = api_client.post(f"/api/v1/webhook-deliveries/{rows[0]['id']}/redeliver/")
    assert response.status_code == 202, response.content
    _send_all()
    assert len(receiver.requests) == 2
    assert WebhookDelivery.objects.unscoped().filter(status="delivered").count() == 2


def test_another_organization_sees_none_of_it(other_api_client, org, sub, receiver):
    event_emit(org=org, event="job.finished", payload={"job_id": 5})
    delivery = WebhookDelivery.objects.unscoped().get()
    assert other_api_client.get("/api/v1/webhooks/").json()["results"] == []
    assert_problem(other_api_client.get(f"/api/v1/webhooks/{sub.id}/"), 404)
    assert_problem(other_api_client.post(f"/api/v1/webhooks/{sub.id}/rotate-secret/"), 404)
    assert_problem(
        other_api_client.post(f"/api/v1/webhook-deliveries/{delivery.id}/redeliver/"), 404
    )
    assert WebhookSubscription.objects.unscoped().get().secret == sub.secret


def test_a_read_only_key_cannot_subscribe(org, receiver):
    from rest_framework.test import APIClient

    from apps.accounts.services import api_key_issue

    client = APIClient()
    raw = api_key_issue(org=org, name="ro", scopes=["imports:read"]).raw_key
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/webhooks/").status_code == 200
    assert_problem(
        client.post("/api/v1/webhooks/", {"url": receiver.url, "events": ["job.finished"]},
                    format="json"),
        403,
    )  # fmt: skip


def test_a_slow_receiver_times_out_as_a_failed_attempt(org, sub, receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    original = receiver.server.RequestHandlerClass.do_POST

    def slow(self):
        time.sleep(1)
        original(self)

    receiver.server.RequestHandlerClass.do_POST = slow
    event_emit(org=org, event="job.finished", payload={"job_id": 1})
    _send_all()
    delivery = WebhookDelivery.objects.unscoped().get()
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert delivery.last_error
