"""`ETag` on object reads, `If-Match` on object writes (412 on mismatch), for every viewset.

The ETag is a hash of the object's representation: exactly what `GET /…/{id}/` answers, so it
moves whenever anything a client can see moves (a field of the row, of a related row, a derived
figure), whichever code path changed it, and needs no column. A write to one object (`PUT`,
`PATCH`, `DELETE`, or a `POST` action on `/…/{id}/…/`) that carries `If-Match` runs only when the
object's current ETag is among the listed ones (`*`: when the object exists); otherwise it is
`412 urn:crossborder:problem:precondition-failed` and nothing is written. The current ETag is
computed by the viewset's own `retrieve`, so it is the one a GET would have answered.

`If-Match` is optional (clients without it keep working, and every update also takes the
row's `version`, checked atomically by the service); `API_REQUIRE_IF_MATCH = True` makes it
required: a conditional write without it is `428 precondition-required`.
`If-None-Match` on a GET answers `304 Not Modified` when the representation did not change.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from .errors import DomainError

WRITE_METHODS = frozenset({"PUT", "PATCH", "DELETE", "POST"})


class PreconditionFailed(DomainError):
    status = 412
    title = "Precondition failed"

    def __init__(self) -> None:
        super().__init__(
            "The object changed since you read it (its ETag is not in If-Match): read it "
            "again, re-apply your change and send the new ETag.",
            code="precondition-failed",
        )


class PreconditionRequired(DomainError):
    status = 428
    title = "Precondition required"

    def __init__(self) -> None:
        super().__init__(
            "Send If-Match with the ETag of the object you read (GET it first).",
            code="precondition-required",
        )


def representation_etag(data) -> str:
    """A strong ETag over the JSON a GET renders for `data`."""
    digest = hashlib.sha256(JSONRenderer().render(data)).hexdigest()[:32]
    return f'"{digest}"'


def _opaque(tag: str) -> str:
    # Compared on the opaque part: a proxy that compresses may turn "x" into W/"x".
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def parse_etags(header: str) -> list[str]:
    return [_opaque(t) for t in header.split(",") if t.strip()][:50]


class ConditionalMixin(APIView):
    """ETag / If-None-Match on `retrieve`; If-Match on the writes of one object."""

    action: str | None = None  # set by the viewset (DRF's ViewSetMixin)

    def _object_kwarg(self) -> str | None:
        name = getattr(self, "lookup_url_kwarg", None) or getattr(self, "lookup_field", "pk")
        return name if name in self.kwargs else None

    def _supports_etag(self) -> bool:
        return hasattr(self, "retrieve") and self._object_kwarg() is not None

    def check_preconditions(self, request) -> None:
        """Called by `TenantViewSet.initial` once the caller is authenticated, its
        Idempotency-Key claimed (a replay wins over a now stale If-Match) and its tenant scope
        entered."""
        if request.method not in WRITE_METHODS or not self._supports_etag():
            return
        header = request.META.get("HTTP_IF_MATCH")
        if header is None:
            if getattr(settings, "API_REQUIRE_IF_MATCH", False):
                raise PreconditionRequired()
            return
        current = self.current_etag()
        wanted = parse_etags(header)
        if current is None:
            raise PreconditionFailed()
        if "*" in wanted:
            return
        if _opaque(current) not in wanted:
            raise PreconditionFailed()

    def current_etag(self) -> str | None:
        """The ETag a GET of this object would answer now (None: no such object)."""
        action = getattr(self, "action", None)
        self.action = "retrieve"
        try:
            response = self.retrieve(self.request, *self.args, **self.kwargs)
        except (Http404, exceptions.NotFound):
            return None
        except DomainError as exc:
            if exc.status == 404:
                return None
            raise
        finally:
            self.action = action
        data = getattr(response, "data", None)
        return representation_etag(data) if data is not None else None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            request.method in ("GET", "HEAD")
            and getattr(self, "action", None) == "retrieve"
            and response.status_code == 200
            and isinstance(getattr(response, "data", None), dict | list)
        ):
            etag = representation_etag(response.data)
            response["ETag"] = etag
            offered = request.META.get("HTTP_IF_NONE_MATCH")
            if offered and (offered.strip() == "*" or _opaque(etag) in parse_etags(offered)):
                not_modified = Response(status=status.HTTP_304_NOT_MODIFIED)
                not_modified["ETag"] = etag
                return super().finalize_response(request, not_modified, *args, **kwargs)
        return response
