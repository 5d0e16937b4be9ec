"""The API keys settings page (en + zh): owners and managers create keys with scopes and an
expiry (the secret shown once), see prefix/scopes/last use/expiry, and revoke; others read."""

from __future__ import annotations

import re

from django.urls import reverse

from apps.accounts.models import ApiKey, Role
from apps.accounts.services import api_key_issue

URL = "/accounts/api-keys/"


def _form(**scopes):
    data = {"name": "Kingdee", "scopes_given": "1", "role": "manager", "expires_on": "2099-01-31"}
    data.update({f"scope_{m}": a for m, a in scopes.items()})
    return data


def test_a_manager_creates_a_scoped_expiring_key_shown_once(org, user, client_for):
    client = client_for(user)
    html = client.post(URL, _form(catalog="write", orders="read")).content.decode()
    raw = re.search(r'class="key-once">(cbk_[^<]+)<', html).group(1)
    key = ApiKey.objects.get(organization=org)
    assert key.scopes == ["catalog:write", "orders:read"]
    assert key.expires_at.isoformat().startswith("2099-02-01")
    assert raw.startswith(key.prefix) and raw not in key.hashed_key
    listing = client.get(URL).content.decode()
    assert raw not in listing  # never again
    assert f"{key.prefix}…" in listing and "catalog:write" in listing and "2099-02-01" in listing
    # The key works with exactly those scopes.
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/orders/").status_code == 200
    assert api.get("/api/v1/drafts/").status_code == 403


def test_no_scope_at_all_is_refused_with_a_message(org, user, client_for):
    html = client_for(user).post(URL, _form(**{m: "" for m in ["catalog"]})).content.decode()
    assert "Choose at least one scope" in html
    assert not ApiKey.objects.filter(organization=org).exists()


def test_a_viewer_sees_keys_but_cannot_create_or_revoke(org, member_with_role, client_for):
    issued = api_key_issue(org=org, name="erp")
    client = client_for(member_with_role(Role.VIEWER))
    html = client.get(URL).content.decode()
    assert issued.api_key.prefix in html and 'data-testid="key-create"' not in html
    client.post(URL, {"revoke": issued.api_key.id})
    client.post(URL, _form(catalog="read"))
    issued.api_key.refresh_from_db()
    assert issued.api_key.revoked_at is None
    assert ApiKey.objects.filter(organization=org).count() == 1


def test_revoking_and_another_organizations_key(org, other_org, user, client_for):
    mine = api_key_issue(org=org, name="mine").api_key
    theirs = api_key_issue(org=other_org, name="theirs").api_key
    client = client_for(user)
    client.post(URL, {"revoke": theirs.id})
    client.post(URL, {"revoke": mine.id})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None
    assert theirs.prefix not in client.get(URL).content.decode()


def test_the_page_in_chinese(org, user, client_for):
    client = client_for(user)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    html = client.get(URL).content.decode()
    assert "API 密钥" in html and "只读" in html and "到期" in html
