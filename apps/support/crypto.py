"""Mailbox credentials encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256).

The key comes from `CROSSBORDER_SUPPORT_CREDENTIALS_KEY` (a Fernet key) or, when unset, is
derived from SECRET_KEY, so a database dump alone never reveals a mailbox password."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    key = getattr(settings, "CROSSBORDER_SUPPORT_CREDENTIALS_KEY", "") or ""
    if not key:
        digest = hashlib.sha256(("support-credentials:" + settings.SECRET_KEY).encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key.encode() if isinstance(key, str) else key)


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode() if secret else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("The stored credential cannot be decrypted with this key.") from exc
