"""`manage.py create_api_key ORG_SLUG`: prints a working key, once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from apps.accounts.models import ApiKey
from tests.factories import ProductFactory


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_api_key", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_printed_key_works_for_its_organization(org, other_org):
    ProductFactory(organization=org, sku="MINE")
    ProductFactory(organization=other_org, sku="THEIRS")
    out, err = run("voltora")
    raw = out.strip().splitlines()[-1]
    assert raw.startswith("cbk_") and " " not in raw
    assert "cannot be shown again" in err
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert [p["sku"] for p in client.get("/api/v1/products/").json()["results"]] == ["MINE"]
    key = ApiKey.objects.get(organization=org)
    assert (key.name, key.role) == ("cli", "manager")
    assert raw not in {key.hashed_key, key.prefix}


def test_name_and_role_are_options(org):
    out, _ = run("voltora", "--name", "ERP read-only", "--role", "viewer")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {out.strip().splitlines()[-1]}")
    assert client.get("/api/v1/products/").status_code == 200
    assert client.post("/api/v1/products/", {"sku": "X", "name": "X"}).status_code == 403
    assert ApiKey.objects.get(organization=org).name == "ERP read-only"


def test_an_unknown_slug_is_a_clear_command_error(org):
    with pytest.raises(CommandError, match="No organization with slug 'nope'"):
        run("nope")
    assert not ApiKey.objects.exists()


def test_an_unknown_role_is_refused(org):
    with pytest.raises(CommandError):
        run("voltora", "--role", "admin")
