"""Writes for organizations, memberships and API keys."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from apps.core.errors import NotFound, PermissionDenied, ValidationFailed

from .models import ApiKey, Membership, Organization, Role

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


def api_key_issue(
    *, org: Organization, name: str, actor=None, role: str = Role.MANAGER
) -> IssuedKey:
    """Create a key and return its secret once; afterwards only the hash exists."""
    secret = secrets.token_urlsafe(32)
    raw = f"{KEY_PREFIX}{secret}"
    key = ApiKey.objects.create(
        organization=org,
        name=name,
        prefix=raw[: len(KEY_PREFIX) + 8],
        hashed_key=hash_key(raw),
        role=Role(role),
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


def api_key_authenticate(raw_key: str) -> ApiKey | None:
    if not raw_key.startswith(KEY_PREFIX):
        return None
    key = (
        ApiKey.objects.select_related("organization")
        .filter(hashed_key=hash_key(raw_key), revoked_at__isnull=True)
        .first()
    )
    if key is not None:
        # Touch at most once a minute: a busy ERP must not turn every read into a write.
        now = timezone.now()
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


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
