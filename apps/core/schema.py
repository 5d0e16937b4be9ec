"""The OpenAPI conventions every endpoint shares, added once here (DEFAULT_SCHEMA_CLASS):
the `Idempotency-Key` and `X-Request-ID` headers, `ETag` / `If-None-Match` on object reads and
`If-Match` (412) on object writes, and the problem+json errors every operation can answer
(401, 403, 429; 400, 409 and 422 for writes; 404 for one object)."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PROBLEM_MEDIA = "application/problem+json"


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details; `type` is stable per error (docs/api.md lists them)."""

    type = serializers.CharField(help_text="urn:crossborder:problem:<slug>")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.JSONField()
    code = serializers.CharField(required=False)
    field = serializers.CharField(required=False)
    errors = serializers.DictField(
        child=serializers.JSONField(), required=False, help_text="Per-field messages."
    )

    class Meta:
        ref_name = "Problem"


_ERRORS = {
    "401": "Missing, invalid, expired or revoked credentials.",
    "403": "The role or the API key's scope does not allow this.",
    "429": "Rate limit of the API key exceeded; retry after `Retry-After` seconds.",
}
_WRITE_ERRORS = {
    "400": "Invalid input (`errors` names each field).",
    "409": "Conflict: the row moved (version), or a request with this Idempotency-Key is "
    "still running.",
    "422": "This Idempotency-Key was used with a different request.",
}
_PRECONDITION_FAILED = (
    "If-Match named another ETag: the object changed since you read it "
    "(`urn:crossborder:problem:precondition-failed`)."
)
_ETAG_HEADER = {
    "ETag": {
        "schema": {"type": "string", "maxLength": 100},
        "description": "The representation's version: send it in If-Match to update only "
        "this version, or in If-None-Match to get 304 when it did not change.",
    }
}


class ApiAutoSchema(AutoSchema):
    def _is_object_read(self) -> bool:
        return (
            self.method == "GET"
            and "{" in self.path
            and getattr(self.view, "action", None) == "retrieve"
        )

    def _is_object_write(self) -> bool:
        """A write of one object (ConditionalMixin checks If-Match there)."""
        from .conditional import WRITE_METHODS as CONDITIONAL

        return self.method in CONDITIONAL and "{" in self.path and hasattr(self.view, "retrieve")

    def get_override_parameters(self):
        params = list(super().get_override_parameters())
        if self._is_object_write():
            params.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description="ETag(s) of the object as you read it (or `*`): the write "
                    "runs only when the object is still at one of them, otherwise 412.",
                )
            )
        if self._is_object_read():
            params.append(
                OpenApiParameter(
                    "If-None-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description="The ETag you hold: 304 (no body) when it is still current.",
                )
            )
        params.append(
            OpenApiParameter(
                "X-Request-ID",
                str,
                OpenApiParameter.HEADER,
                description="Your id for this request (1-128 of A-Z a-z 0-9 . _ : -), echoed "
                "in the response and the server's logs; one is generated when absent.",
            )
        )
        if self.method in WRITE_METHODS:
            params.append(
                OpenApiParameter(
                    "Idempotency-Key",
                    str,
                    OpenApiParameter.HEADER,
                    description="A unique key per logical write (e.g. a UUID). Retrying with "
                    "the same key and body returns the stored response instead of writing "
                    "again; another body with the same key is 422. Kept 24 hours.",
                )
            )
        return params

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if not self.path.startswith("/api/v1/"):
            return responses
        extra = dict(_ERRORS)
        if self.method in WRITE_METHODS:
            extra.update(_WRITE_ERRORS)
        if "{" in self.path:
            extra["404"] = "No such object in your organization."
        if (
            self.method == "GET"
            and self._is_list_view()
            and getattr(self.view, "pagination_class", None) is not None
        ):
            extra["400"] = "An invalid `cursor`, `page_size` or filter value."
        if self._is_object_write():
            extra["412"] = _PRECONDITION_FAILED
        for code, description in extra.items():
            if code not in responses:
                response = self._get_response_for_code(
                    ProblemSerializer, code, media_types=[PROBLEM_MEDIA], direction=direction
                )
                response["description"] = description
                responses[code] = response
        if self._is_object_read() and "200" in responses:
            responses["200"].setdefault("headers", {}).update(_ETAG_HEADER)
            responses["304"] = {
                "description": "Not modified (If-None-Match).",
                "headers": _ETAG_HEADER,
            }
        return responses


def _event_component(event: str) -> str:
    return "WebhookEvent" + "".join(p.capitalize() for p in event.replace(".", "_").split("_"))


def webhook_payloads_hook(result, generator, request, public):
    """Publish every webhook event's delivery body (OpenAPI 3.0 has no `webhooks`, so: one
    component per event and `x-webhooks`, the OpenAPI 3.1 shape under a vendor key)."""
    from .events import EVENT_SCHEMAS, EVENTS

    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    hooks = {}
    for event, data_schema in EVENT_SCHEMAS.items():
        name = _event_component(event)
        schemas[name] = {
            "type": "object",
            "description": EVENTS[event],
            "properties": {
                "id": {"type": "integer", "description": "Event id (Crossborder-Event-Id)."},
                "type": {"type": "string", "enum": [event]},
                "created_at": {"type": "string", "format": "date-time"},
                "organization_id": {"type": "integer"},
                "data": data_schema,
            },
            "required": ["id", "type", "created_at", "organization_id", "data"],
        }
        hooks[event] = {
            "post": {
                "summary": EVENTS[event],
                "description": "Sent to your subscription's URL, signed: see docs/api.md.",
                "parameters": [
                    {"name": h, "in": "header", "required": True, "schema": {"type": "string"}}
                    for h in (
                        "Crossborder-Event",
                        "Crossborder-Event-Id",
                        "Crossborder-Timestamp",
                        "Crossborder-Signature",
                    )
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}
                    },
                },
                "responses": {"2XX": {"description": "Received (any 2xx)."}},
            }
        }
    result["x-webhooks"] = hooks
    return result
