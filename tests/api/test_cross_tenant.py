"""Organization A can neither list, read, change nor delete organization B's rows, through any
endpoint, whether it calls with an API key or a dashboard session: foreign ids answer 404."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.catalog.models import Listing, Product, Store
from apps.core.models import Job
from apps.orders.models import ExchangeRate, Order

from .helpers import assert_problem, ids

# resource, attribute of Rows, model, a valid full-update body
WRITABLE = [
    ("stores", "store", Store, {"name": "Hijacked", "seller_id": "X", "is_active": False}),
    ("products", "product", Product, {"sku": "HIJACKED", "name": "Hijacked"}),
    ("listings", "listing", Listing, {"title": "Hijacked", "price": "0.01"}),
]
READ_ONLY = [
    ("orders", "order", Order),
    ("exchange-rates", "rate", ExchangeRate),
    ("jobs", "job", Job),
]
ALL = [(r, a, m) for r, a, m, _ in WRITABLE] + READ_ONLY


@pytest.fixture(params=["api_key", "session"])
def caller(request, org, user, api_client):
    """A manager of `org`, by API key or by dashboard session."""
    if request.param == "api_key":
        return api_client
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("resource", "attr", "model"), ALL, ids=[r for r, _, _ in ALL])
def test_list_shows_only_the_callers_rows(caller, mine, theirs, resource, attr, model):
    listed = ids(caller.get(f"/api/v1/{resource}/"))
    assert getattr(mine, attr).id in listed
    assert getattr(theirs, attr).id not in listed


@pytest.mark.parametrize(("resource", "attr", "model"), ALL, ids=[r for r, _, _ in ALL])
def test_reading_another_orgs_row_is_404_problem(caller, mine, theirs, resource, attr, model):
    assert caller.get(f"/api/v1/{resource}/{getattr(mine, attr).id}/").status_code == 200
    body = assert_problem(caller.get(f"/api/v1/{resource}/{getattr(theirs, attr).id}/"), 404)
    # Indistinguishable from an id nobody has: nothing tells that the row exists elsewhere.
    assert body == assert_problem(caller.get(f"/api/v1/{resource}/987654321/"), 404)


@pytest.mark.parametrize(
    ("resource", "attr", "model", "body"), WRITABLE, ids=[r for r, *_ in WRITABLE]
)
def test_changing_or_deleting_another_orgs_row_is_404_and_changes_nothing(
    caller, theirs, resource, attr, model, body
):
    row = getattr(theirs, attr)
    url = f"/api/v1/{resource}/{row.id}/"
    before = model._base_manager.values().get(pk=row.id)
    assert_problem(caller.put(url, body, format="json"), 404)
    assert_problem(caller.patch(url, body, format="json"), 404)
    assert_problem(caller.delete(url), 404)
    assert model._base_manager.values().get(pk=row.id) == before


@pytest.mark.parametrize(("resource", "attr", "model"), READ_ONLY, ids=[r for r, _, _ in READ_ONLY])
def test_read_only_resources_refuse_changes_whoever_owns_the_row(
    caller, mine, theirs, resource, attr, model
):
    for rows in (mine, theirs):
        url = f"/api/v1/{resource}/{getattr(rows, attr).id}/"
        assert_problem(caller.put(url, {}, format="json"), 405)
        assert_problem(caller.patch(url, {}, format="json"), 405)
        assert_problem(caller.delete(url), 405)
    assert model._base_manager.filter(pk=getattr(theirs, attr).id).exists()


def test_the_outsider_sees_none_of_the_orgs_rows(outsider, mine, client_for):
    client = APIClient()
    client.force_login(outsider)
    for resource, attr, _ in ALL:
        assert getattr(mine, attr).id not in ids(client.get(f"/api/v1/{resource}/"))
        assert_problem(client.get(f"/api/v1/{resource}/{getattr(mine, attr).id}/"), 404)
