"""`Idempotency-Key` for every POST, PUT, PATCH and DELETE of the API.

A retry of a write must not write twice. The client sends `Idempotency-Key: <unique string>`;
the first request *claims* the key (one INSERT on a unique index, so of concurrent requests
with one key exactly one runs), runs, and stores its response (status, body, content type, a
few headers) — errors included, once the claim was made (after authentication, permissions and
rate limits). A retry with the same key and the same request (method, path, query, body bytes)
gets the stored response with `Idempotent-Replayed: true`; a retry while the first still runs
gets 409 with `Retry-After`; the same key with another request is refused with 422.

Keys are scoped per caller (`org:<id>:key:<api key id>` or `org:<id>:user:<user id>`) and kept
`IDEMPOTENCY_TTL_HOURS` (at least 24), then purged by `purge_idempotency_records_task`.
`IdempotencyMixin` gives any DRF view this behaviour; `TenantViewSet` (the base of every API
viewset) includes it, so every endpoint built on it has it.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework.views import APIView

from .errors import Conflict, DomainError, ValidationFailed
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces
_KEPT_HEADERS = ("Location", "Retry-After", "ETag")


class IdempotencyKeyInUse(Conflict):
    title = "Idempotency key in use"

    def __init__(self) -> None:
        super().__init__(
            "A request with this Idempotency-Key is still being processed; retry shortly.",
            code="idempotency-key-in-use",
        )
        self.headers = {"Retry-After": "1"}


class IdempotencyKeyReused(DomainError):
    status = 422
    title = "Idempotency key reused"

    def __init__(self) -> None:
        super().__init__(
            "This Idempotency-Key was used with a different request (method, path or body).",
            code="idempotency-key-reused",
        )


class IdempotentReplay(Exception):
    """Raised from `initial` to short-cut the view with the stored response."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__("idempotent replay")
        self.response = response


def ttl() -> timedelta:
    return timedelta(hours=max(24, getattr(settings, "IDEMPOTENCY_TTL_HOURS", 24)))


def request_fingerprint(request) -> str:
    """sha256 over method, path, query string and the raw body bytes."""
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.META.get("QUERY_STRING", "")):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\n")
    digest.update(request.body)
    return digest.hexdigest()


def caller_scope(request) -> tuple[Any, str] | None:
    """(organization, scope string) of the authenticated caller, or None."""
    from apps.accounts.models import ApiKey

    from .permissions import resolve_api_org

    org, _role = resolve_api_org(request)
    if org is None:
        return None
    if isinstance(request.auth, ApiKey):
        return org, f"org:{org.pk}:key:{request.auth.pk}"
    return org, f"org:{org.pk}:user:{request.user.pk}"


def idempotency_claim(
    *, org, scope: str, key: str, fingerprint: str, method: str, path: str
) -> tuple[IdempotencyRecord, bool]:
    """(record, claimed): claimed is True when this call inserted the key (run the request)."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    organization=org,
                    scope=scope,
                    key=key,
                    fingerprint=fingerprint,
                    method=method,
                    path=path[:500],
                )
            return record, True
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
            if existing is None:
                continue  # purged between our INSERT and SELECT: claim again
            if existing.created_at < timezone.now() - ttl():
                IdempotencyRecord.objects.filter(pk=existing.pk).delete()
                continue  # expired: the key is free again
            return existing, False
    raise IdempotencyKeyInUse()


def idempotency_store(record: IdempotencyRecord, response: HttpResponse) -> None:
    headers = {h: response[h] for h in _KEPT_HEADERS if h in response}
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        state=IdempotencyRecord.State.DONE,
        status_code=response.status_code,
        content_type=response.get("Content-Type", "")[:100],
        body=bytes(response.content),
        headers=headers,
        completed_at=timezone.now(),
    )


def replay_response(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code or 200, content_type=record.content_type
    )
    for header, value in (record.headers or {}).items():
        response[header] = value
    response[REPLAYED_HEADER] = "true"
    return response


def idempotency_purge(*, now=None) -> int:
    cutoff = (now or timezone.now()) - ttl()
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


class IdempotencyMixin(APIView):
    """Honours `Idempotency-Key` on the writes of a DRF view (see the module docstring)."""

    _idempotency_record: IdempotencyRecord | None = None
    _idempotency_fingerprint: str = ""

    def initial(self, request, *args, **kwargs):
        self._idempotency_record = None
        key = request.META.get("HTTP_IDEMPOTENCY_KEY")
        wanted = key is not None and request.method in METHODS
        if wanted:
            # Before authentication reads the body (a session's CSRF check may parse a form).
            self._idempotency_fingerprint = request_fingerprint(request._request)
        super().initial(request, *args, **kwargs)
        if not wanted:
            return
        if not _VALID_KEY.match(key or ""):
            raise ValidationFailed(
                "Idempotency-Key must be 1 to 255 printable ASCII characters without spaces.",
                field=HEADER,
                code="invalid-idempotency-key",
            )
        caller = caller_scope(request)
        if caller is None:
            return
        org, scope = caller
        record, claimed = idempotency_claim(
            org=org,
            scope=scope,
            key=key,
            fingerprint=self._idempotency_fingerprint,
            method=request.method,
            path=request.path,
        )
        if not claimed:
            if record.fingerprint != self._idempotency_fingerprint:
                raise IdempotencyKeyReused()
            if record.state != IdempotencyRecord.State.DONE:
                raise IdempotencyKeyInUse()
            raise IdempotentReplay(replay_response(record))
        self._idempotency_record = record

    def handle_exception(self, exc):
        if isinstance(exc, IdempotentReplay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        record, self._idempotency_record = self._idempotency_record, None
        if record is not None:
            if getattr(response, "streaming", False):
                # A streamed file cannot be stored: free the key (a retry runs again).
                IdempotencyRecord.objects.filter(pk=record.pk).delete()
                return response
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            idempotency_store(record, response)
        return response

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except Exception:
            # An error no handler turned into a response: the request started executing, so
            # its retries get the same 500 rather than running again.
            record, self._idempotency_record = self._idempotency_record, None
            if record is not None:
                idempotency_store(record, _internal_error())
            raise


def _internal_error() -> HttpResponse:
    import json

    from .api import problem_type

    body = {
        "type": problem_type("internal-error"),
        "title": "Internal server error",
        "status": 500,
        "detail": "The request failed; retrying with the same Idempotency-Key returns this.",
    }
    return HttpResponse(json.dumps(body), status=500, content_type="application/problem+json")
