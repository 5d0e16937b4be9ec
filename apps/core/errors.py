"""Domain errors: services raise these; the API renders them as problem+json, views as messages."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user can cause and fix. `status` is the HTTP status to answer."""

    status = 400
    title = "Invalid request"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        extra: dict | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or type(self).__name__
        # More members of the problem+json body (e.g. `rules`: the rule ids a write broke).
        self.extra = extra or {}


class ValidationFailed(DomainError):
    status = 400
    title = "Validation failed"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class PermissionDenied(DomainError):
    status = 403
    title = "Permission denied"
