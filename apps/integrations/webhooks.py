"""Webhooks: subscriptions, the transactional outbox, signed delivery with backoff, SSRF guard.

Emitting (in the caller's transaction, via `apps.core.events.event_emit`):
    one query finds the organization's active subscriptions for the event; with none, nothing
    is written. Otherwise a `WebhookEvent` row per event and a `WebhookDelivery` per
    (subscription, event) are inserted with the change — committed with it or rolled back with
    it — and the deliveries are enqueued on commit. A beat task sends whatever is due, so an
    enqueue lost with a broker hiccup is only late, never lost.

Sending (Celery, queue "default"):
    a delivery is leased with one conditional UPDATE (two workers never send it twice at the
    same time), its target is resolved and every address checked (`check_target`), and the JSON
    body is POSTed to the resolved address itself (no second DNS lookup a rebinding attacker
    could answer differently), without following redirects. Headers:
        Crossborder-Event: draft.approved
        Crossborder-Event-Id: 123               (the same for every retry: deduplicate on it)
        Crossborder-Timestamp: 1767225600       (unix seconds)
        Crossborder-Signature: v1=<hex>[, v1=<hex of the previous secret during rotation>]
    where <hex> = HMAC-SHA256(secret, f"{timestamp}.{body}"). A 2xx is delivered; anything else
    is retried after 1, 2, 4 … minutes (at most 6 h apart) for `WEBHOOK_RETRY_HOURS`; each
    attempt is logged with its response code. `WEBHOOK_DISABLE_AFTER_FAILURES` failed attempts
    in a row disable the subscription (the dashboard shows a notice).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import random
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.core.errors import Conflict, NotFound, ValidationFailed
from apps.core.events import EVENTS

from .models import WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription

logger = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"
SIGNATURE_HEADER = "Crossborder-Signature"
TIMESTAMP_HEADER = "Crossborder-Timestamp"
EVENT_HEADER = "Crossborder-Event"
EVENT_ID_HEADER = "Crossborder-Event-Id"
MAX_BACKOFF = timedelta(hours=6)
FIRST_BACKOFF = timedelta(minutes=1)


# Signing ----------------------------------------------------------------------------------------


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets_: list[str], timestamp: int, body: bytes) -> str:
    return ", ".join(f"v1={sign(s, timestamp, body)}" for s in secrets_ if s)


def signature_verify(
    *, secret: str, timestamp: str, body: bytes, header: str, tolerance: int = 300, now=None
) -> bool:
    """What a receiver runs: any v1 signature matches and the timestamp is recent."""
    try:
        age = abs((now if now is not None else time.time()) - int(timestamp))
    except (TypeError, ValueError):
        return False
    if age > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    candidates = [p.strip()[3:] for p in header.split(",") if p.strip().startswith("v1=")]
    return any(hmac.compare_digest(expected, c) for c in candidates)


def _active_secrets(sub: WebhookSubscription, now) -> list[str]:
    found = [sub.secret]
    if sub.previous_secret and sub.previous_secret_until and sub.previous_secret_until > now:
        found.append(sub.previous_secret)
    return found


# SSRF guard ---------------------------------------------------------------------------------------


class UnsafeTarget(ValidationFailed):
    title = "Webhook target refused"


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query
    addresses: tuple[str, ...]


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(n, strict=False)
        for n in getattr(settings, "WEBHOOK_ALLOWED_NETWORKS", [])
    ]


def address_allowed(address: str) -> bool:
    """A public unicast address, or one inside an operator-allowed network."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in net for net in _allowed_networks()):
        return True
    return ip.is_global and not ip.is_multicast


def check_target(url: str) -> Target:
    """Parse `url`, resolve its host and refuse it when any address is internal (private,
    loopback, link-local, reserved…) and not allowed by `WEBHOOK_ALLOWED_NETWORKS`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeTarget("Use an http:// or https:// URL.", field="url", code="unsafe-target")
    if parts.username or parts.password:
        raise UnsafeTarget(
            "Credentials in the URL are not allowed.", field="url", code="unsafe-target"
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeTarget("The URL's port is invalid.", field="url", code="unsafe-target") from exc
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeTarget(
            f"The host {parts.hostname} cannot be resolved.", field="url", code="unsafe-target"
        ) from exc
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    refused = [a for a in addresses if not address_allowed(a)]
    if refused or not addresses:
        raise UnsafeTarget(
            f"The host {parts.hostname} resolves to an internal address ({', '.join(refused)}); "
            "webhooks only call public addresses.",
            field="url",
            code="unsafe-target",
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme, parts.hostname, port, path, addresses)


# Subscriptions --------------------------------------------------------------------------------


def _clean_events(events) -> list[str]:
    cleaned = sorted(set(events or []))
    unknown = [e for e in cleaned if e not in EVENTS]
    if unknown:
        raise ValidationFailed(f"Unknown events: {', '.join(unknown)}.", field="events")
    if not cleaned:
        raise ValidationFailed("Choose at least one event.", field="events")
    return cleaned


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def webhook_subscription_create(
    *, org, url: str, events, description: str = "", actor=None
) -> WebhookSubscription:
    check_target(url)
    return WebhookSubscription.objects.create(
        organization=org,
        url=url,
        events=_clean_events(events),
        description=description[:200],
        secret=new_secret(),
        created_by=actor,
    )


def _get(org, subscription_id: int) -> WebhookSubscription:
    sub = WebhookSubscription.objects.for_org(org).filter(pk=subscription_id).first()
    if sub is None:
        raise NotFound("No such webhook subscription.")
    return sub


def webhook_subscription_update(*, org, subscription_id: int, **changes) -> WebhookSubscription:
    """Change url / events / description / is_active; enabling resets the failure count."""
    sub = _get(org, subscription_id)
    if "url" in changes:
        check_target(changes["url"])
        sub.url = changes["url"]
    if "events" in changes:
        sub.events = _clean_events(changes["events"])
    if "description" in changes:
        sub.description = changes["description"][:200]
    if "is_active" in changes:
        if changes["is_active"] and not sub.is_active:
            sub.consecutive_failures, sub.disabled_at, sub.disabled_reason = 0, None, ""
        sub.is_active = bool(changes["is_active"])
    sub.save()
    return sub


def webhook_subscription_delete(*, org, subscription_id: int) -> None:
    _get(org, subscription_id).delete()


def webhook_secret_rotate(*, org, subscription_id: int) -> WebhookSubscription:
    """A new secret; the old one keeps signing (second signature) for the overlap window."""
    with transaction.atomic():
        sub = (
            WebhookSubscription.objects.for_org(org)
            .select_for_update()
            .filter(pk=subscription_id)
            .first()
        )
        if sub is None:
            raise NotFound("No such webhook subscription.")
        hours = getattr(settings, "WEBHOOK_SECRET_OVERLAP_HOURS", 24)
        sub.previous_secret = sub.secret
        sub.previous_secret_until = timezone.now() + timedelta(hours=hours)
        sub.secret = new_secret()
        sub.save()
    return sub


# The outbox -----------------------------------------------------------------------------------


def _org_id(org) -> int:
    return org if isinstance(org, int) else org.pk


def webhook_events_emit(org, event: str, payloads: list[dict[str, Any]]) -> list[int]:
    """The `apps.core.events` sink: outbox rows in the caller's transaction; ids of deliveries."""
    org_id = _org_id(org)
    subs = list(
        WebhookSubscription.objects.for_org(org_id)
        .filter(is_active=True, events__contains=[event])
        .values_list("id", flat=True)
    )
    if not subs:
        return []
    now = timezone.now()
    rows = WebhookEvent.objects.for_org(org_id).bulk_create(
        [WebhookEvent(organization_id=org_id, event=event, payload=p) for p in payloads]
    )
    deliveries = WebhookDelivery.objects.for_org(org_id).bulk_create(
        [
            WebhookDelivery(
                organization_id=org_id, subscription_id=s, event=row, next_attempt_at=now
            )
            for row in rows
            for s in subs
        ]
    )
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: _enqueue(ids))
    return ids


def webhook_event_emit(*, org, event: str, payload: dict[str, Any]) -> list[int]:
    """For domain apps: announce one event (prefer `apps.core.events.event_emit`, which every
    layer may import)."""
    from apps.core.events import event_emit

    event_emit(org=org, event=event, payload=payload)
    return []


def _enqueue(ids: list[int]) -> None:
    from .tasks import webhooks_send_task

    for start in range(0, len(ids), 200):
        try:
            webhooks_send_task.delay(ids[start : start + 200])
        except Exception:
            logger.warning(
                "could not enqueue webhook deliveries; beat will send them", exc_info=True
            )


def webhook_redeliver(*, org, delivery_id: int) -> WebhookDelivery:
    """Send a delivery's event again, as a new delivery (the log of the old one stays)."""
    old = (
        WebhookDelivery.objects.for_org(org)
        .select_related("subscription")
        .filter(pk=delivery_id)
        .first()
    )
    if old is None:
        raise NotFound("No such webhook delivery.")
    if not old.subscription.is_active:
        raise Conflict("Enable the subscription before redelivering.", code="subscription-disabled")
    with transaction.atomic():
        new = WebhookDelivery.objects.create(
            organization_id=old.organization_id,
            subscription_id=old.subscription_id,
            event_id=old.event_id,
            next_attempt_at=timezone.now(),
        )
        transaction.on_commit(lambda: _enqueue([new.pk]))
    return new


# Sending --------------------------------------------------------------------------------------


def envelope(event: WebhookEvent) -> bytes:
    document = {
        "id": event.pk,
        "type": event.event,
        "created_at": event.created_at.isoformat(),
        "organization_id": event.organization_id,
        "data": event.payload,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


@dataclass
class Outcome:
    status_code: int | None = None
    error: str = ""
    excerpt: str = ""
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST to the checked, resolved address of `url`; never follows a redirect."""
    import urllib3

    started = time.monotonic()
    try:
        target = check_target(url)
    except ValidationFailed as exc:
        return Outcome(error=exc.message[:500])
    timeout = urllib3.Timeout(total=getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10.0))
    address = target.addresses[0]
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    pool: urllib3.HTTPConnectionPool
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            target.port,
            timeout=timeout,
            retries=False,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            retries=False,
            preload_content=False,
        )
        excerpt = response.read(500, decode_content=False).decode("utf-8", "replace")
        response.release_conn()
        return Outcome(
            status_code=response.status,
            excerpt=excerpt,
            duration_ms=int((time.monotonic() - started) * 1000),
            error="" if 200 <= response.status < 300 else f"HTTP {response.status}",
        )
    except Exception as exc:
        return Outcome(
            error=f"{type(exc).__name__}: {exc}"[:500],
            duration_ms=int((time.monotonic() - started) * 1000),
        )
    finally:
        pool.close()


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the n-th failed attempt, at most 6 h, ±10 % jitter."""
    base = min(FIRST_BACKOFF * (2 ** max(0, attempts - 1)), MAX_BACKOFF)
    return base * random.uniform(0.9, 1.1)


def _lease(delivery_id: int, now) -> bool:
    lease = now + timedelta(seconds=2 * getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10.0) + 30)
    return bool(
        WebhookDelivery.objects.unscoped()
        .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))
        .update(next_attempt_at=lease)
    )


def webhook_deliver(delivery_id: int) -> str | None:
    """Attempt one due delivery; returns its new status (None: not due or taken by another)."""
    now = timezone.now()
    if not _lease(delivery_id, now):
        return None
    delivery = (
        WebhookDelivery.objects.unscoped()
        .select_related("subscription", "event")
        .get(pk=delivery_id)
    )
    sub = delivery.subscription
    if not sub.is_active:
        WebhookDelivery.objects.unscoped().filter(pk=delivery_id).update(
            status=WebhookDelivery.Status.FAILED,
            last_error="The subscription is disabled.",
            next_attempt_at=None,
        )
        return WebhookDelivery.Status.FAILED
    body = envelope(delivery.event)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "crossborder-webhooks/1",
        EVENT_HEADER: delivery.event.event,
        EVENT_ID_HEADER: str(delivery.event_id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature_header(_active_secrets(sub, now), timestamp, body),
    }
    outcome = post(sub.url, body, headers)
    return _record(delivery, outcome)


def _record(delivery: WebhookDelivery, outcome: Outcome) -> str:
    now = timezone.now()
    attempts = delivery.attempts + 1
    WebhookAttempt.objects.create(
        delivery=delivery,
        status_code=outcome.status_code,
        error=outcome.error[:500],
        duration_ms=outcome.duration_ms,
        response_excerpt=outcome.excerpt[:500],
    )
    deliveries = WebhookDelivery.objects.unscoped().filter(pk=delivery.pk)
    subs = WebhookSubscription.objects.unscoped().filter(pk=delivery.subscription_id)
    common = {"attempts": attempts, "last_status_code": outcome.status_code}
    if outcome.ok:
        deliveries.update(
            status=WebhookDelivery.Status.DELIVERED,
            delivered_at=now,
            next_attempt_at=None,
            last_error="",
            **common,
        )
        subs.update(consecutive_failures=0)
        return WebhookDelivery.Status.DELIVERED
    retry_until = delivery.created_at + timedelta(
        hours=getattr(settings, "WEBHOOK_RETRY_HOURS", 24)
    )
    next_at = now + backoff(attempts)
    gives_up = next_at > retry_until
    deliveries.update(
        status=WebhookDelivery.Status.FAILED if gives_up else WebhookDelivery.Status.PENDING,
        next_attempt_at=None if gives_up else next_at,
        last_error=outcome.error[:500],
        **common,
    )
    subs.update(consecutive_failures=F("consecutive_failures") + 1)
    limit = getattr(settings, "WEBHOOK_DISABLE_AFTER_FAILURES", 50)
    disabled = subs.filter(is_active=True, consecutive_failures__gte=limit).update(
        is_active=False,
        disabled_at=now,
        disabled_reason=f"{limit} delivery attempts failed in a row (last: {outcome.error})"[:300],
    )
    if disabled:
        logger.warning(
            "webhook subscription %s disabled after %s failures", delivery.subscription_id, limit
        )
    return WebhookDelivery.Status.FAILED if gives_up else WebhookDelivery.Status.PENDING


def webhook_due_ids(*, limit: int = 2000) -> list[int]:
    return list(
        WebhookDelivery.objects.unscoped()
        .filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
