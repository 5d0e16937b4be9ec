"""Writes for organizations, memberships and API keys."""

from __future__ import annotations

import copy
import hashlib
import secrets
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from apps.core.errors import NotFound, PermissionDenied, ValidationFailed

from .models import ALL_SCOPES, ApiKey, Membership, Organization, Role

KEY_PREFIX = "cbk_"


def hash_key(raw_key: str) -> str:
    # Keys are 256-bit random secrets, so a fast hash is safe and lets us look them up directly.
    return hashlib.sha256(raw_key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    raw_key: str  # shown once, never stored


@transaction.atomic
def organization_create(*, name: str, slug: str, owner=None, currency: str = "USD") -> Organization:
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationFailed(f"An organization with slug {slug!r} exists.", field="slug")
    org = Organization.objects.create(name=name, slug=slug, default_currency=currency)
    if owner is not None:
        Membership.objects.create(user=owner, organization=org, role=Role.OWNER)
    return org


def membership_set(*, org: Organization, user, role: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, organization=org, defaults={"role": Role(role)}
    )
    return membership


def _clean_scopes(scopes) -> list[str]:
    if scopes is None:
        return list(ALL_SCOPES)
    cleaned = sorted(set(scopes))
    unknown = [scope for scope in cleaned if scope not in ALL_SCOPES]
    if unknown:
        raise ValidationFailed(f"Unknown scopes: {', '.join(unknown)}.", field="scopes")
    if not cleaned:
        raise ValidationFailed("Choose at least one scope.", field="scopes")
    return cleaned


def api_key_issue(
    *,
    org: Organization,
    name: str,
    actor=None,
    role: str = Role.MANAGER,
    scopes=None,
    expires_at=None,
) -> IssuedKey:
    """Create a key and return its secret once; afterwards only the hash exists.

    `scopes`: "<module>:read" / "<module>:write" (None: every scope, for the role to bound);
    `expires_at`: when the key stops working (None: until revoked)."""
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed("The expiry must be in the future.", field="expires_at")
    secret = secrets.token_urlsafe(32)
    raw = f"{KEY_PREFIX}{secret}"
    key = ApiKey.objects.create(
        organization=org,
        name=name,
        prefix=raw[: len(KEY_PREFIX) + 8],
        hashed_key=hash_key(raw),
        role=Role(role),
        scopes=_clean_scopes(scopes),
        expires_at=expires_at,
        created_by=actor,
    )
    return IssuedKey(api_key=key, raw_key=raw)


def api_key_revoke(*, org: Organization, key_id: int) -> ApiKey:
    try:
        key = ApiKey.objects.get(organization=org, pk=key_id)
    except ApiKey.DoesNotExist as exc:
        raise NotFound("No such API key.") from exc
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at", "updated_at"])
    return key


# A key's last use is written at most this often (seconds): a busy ERP must not turn every
# read into a write, and "last used" only needs to tell a live key from a forgotten one.
LAST_USED_RESOLUTION = 60


# Authenticated keys are kept in this process for `API_KEY_CACHE_SECONDS` (hashed secret →
# the key row with its organization): one query fewer per API request. Expiry is checked on
# every request; a revocation or any other change saved through the ORM (`api_key_revoke`, the
# admin) drops the entry in the process that made it at once (a signal), and is seen by every
# other process within that many seconds. 0 turns the cache off.
_KEYS: dict[str, tuple[float, ApiKey]] = {}
_KEYS_MAX = 10_000


def _key_cache_seconds() -> float:
    from django.conf import settings

    return float(getattr(settings, "API_KEY_CACHE_SECONDS", 0) or 0)


def api_key_cache_clear(hashed_key: str | None = None) -> None:
    """Forget one cached key (by its hash), or all of them."""
    if hashed_key is None:
        _KEYS.clear()
    else:
        _KEYS.pop(hashed_key, None)


def _fresh(key: ApiKey) -> ApiKey:
    """A copy of a cached key (and of its organization) for one request, so nothing a request
    sets on `request.auth` reaches another request."""
    copied = copy.copy(key)
    copied._state = copy.copy(key._state)
    copied._state.fields_cache = {"organization": copy.copy(key.organization)}
    return copied


def api_key_authenticate(raw_key: str) -> ApiKey | None:
    """The active key (not revoked, not expired) whose secret is `raw_key`, or None."""
    if not raw_key.startswith(KEY_PREFIX) or len(raw_key) > 200:
        return None
    now = timezone.now()
    hashed = hash_key(raw_key)
    ttl = _key_cache_seconds()
    cached = _KEYS.get(hashed) if ttl > 0 else None
    if cached is not None and cached[0] > time.monotonic():
        key = cached[1]
    else:
        key = (
            ApiKey.objects.select_related("organization")
            .filter(hashed_key=hashed, revoked_at__isnull=True)
            .first()
        )
        if key is None:
            _KEYS.pop(hashed, None)
            return None
        if ttl > 0:
            if len(_KEYS) >= _KEYS_MAX:
                _KEYS.clear()
            _KEYS[hashed] = (time.monotonic() + ttl, key)
    if key.expires_at is not None and key.expires_at <= now:
        return None
    last = key.last_used_at
    if last is None or (now - last).total_seconds() > LAST_USED_RESOLUTION:
        # Conditional, so of many concurrent requests at most one writes.
        ApiKey.objects.filter(pk=key.pk, last_used_at=last).update(last_used_at=now)
        key.last_used_at = now  # the cached row too: one write per key and minute
    return _fresh(key) if ttl > 0 else key


def user_switch_organization(*, user, org_id: int) -> Membership:
    membership = (
        Membership.objects.select_related("organization")
        .filter(user=user, organization_id=org_id)
        .first()
    )
    if membership is None:
        raise PermissionDenied("You are not a member of that organization.")
    return membership


def user_create(*, username: str, password: str, email: str = "", **extra):
    return get_user_model().objects.create_user(
        username=username, password=password, email=email, **extra
    )
