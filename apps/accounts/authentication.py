from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions

from .services import api_key_authenticate


class ApiKeyUser(AnonymousUser):
    """The principal behind an API key: not a person, but authenticated for DRF's purposes."""

    def __init__(self, api_key):
        self.api_key = api_key

    @property
    def is_authenticated(self) -> bool:  # type: ignore[override]
        return True

    def __str__(self) -> str:
        return f"api-key:{self.api_key.prefix}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer cbk_...` (or `Authorization: Api-Key cbk_...`, or an `Api-Key:
    cbk_...` header); request.auth is the ApiKey (with its organization)."""

    keyword = "Bearer"
    keywords = ("bearer", "api-key")

    def authenticate(self, request):
        raw = self._raw_key(request)
        if raw is None:
            return None
        key = api_key_authenticate(raw)
        if key is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked API key.")
        return ApiKeyUser(key), key

    def _raw_key(self, request) -> str | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if header:
            parts = header.split()
            if len(parts) == 2 and parts[0].lower() in self.keywords:
                return parts[1]
            return None
        direct = request.META.get("HTTP_API_KEY", "").strip()
        return direct or None

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'
