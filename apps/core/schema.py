"""The OpenAPI conventions every endpoint shares, added once here (DEFAULT_SCHEMA_CLASS):
the `Idempotency-Key` and `X-Request-ID` headers, and the problem+json errors every operation
can answer (401, 403, 429; 400, 409 and 422 for writes; 404 for one object)."""

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


class ApiAutoSchema(AutoSchema):
    def get_override_parameters(self):
        params = list(super().get_override_parameters())
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
        for code, description in extra.items():
            if code not in responses:
                response = self._get_response_for_code(
                    ProblemSerializer, code, media_types=[PROBLEM_MEDIA], direction=direction
                )
                response["description"] = description
                responses[code] = response
        return responses
