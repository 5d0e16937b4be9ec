"""apps/core/pagecache.py: the compiled SQL of a keyset page reused between requests gives the
same pages as compiling it afresh, never another organization's rows, and keeps the tenant
check and the query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import Listing
from apps.core import pagecache
from apps.core.tenancy import TenantScopeError
from tests.factories import ListingFactory, StoreFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    pagecache.clear()
    yield
    pagecache.clear()


@pytest.fixture
def two_orgs(org, other_org):
    for organization, n in ((org, 7), (other_org, 5)):
        store = StoreFactory(organization=organization)
        ListingFactory.create_batch(n, organization=organization, store=store)
    return org, other_org


def _walk(client, url):
    """Every page forward, then back from the last page by the `previous` links."""
    pages, link = [], url
    while link:
        response = client.get(link)
        assert response.status_code == 200, response.content
        pages.append(response.content)
        link = response.json()["next"]
    back, link = [], _last_previous(client, url)
    while link:
        response = client.get(link)
        back.append(response.content)
        link = response.json()["previous"]
    return pages, back


def _last_previous(client, url):
    link, previous = url, None
    while link:
        body = client.get(link).json()
        previous, link = body["previous"], body["next"]
    return previous


@pytest.mark.parametrize("url", ["/api/v1/listings/?page_size=2", "/api/v1/listings/?page_size=3"])
def test_cached_pages_equal_freshly_compiled_ones(api_client, two_orgs, url):
    cached = _walk(api_client, url)
    assert pagecache._CACHE  # the shapes were cached
    assert all(entry is not None for entry in pagecache._CACHE.values())
    again = _walk(api_client, url)  # served from the cache
    pagecache.MAX_ENTRIES, saved = 0, pagecache.MAX_ENTRIES
    try:
        # MAX_ENTRIES 0 clears the cache before every entry: each page compiled afresh.
        fresh = _walk(api_client, url)
    finally:
        pagecache.MAX_ENTRIES = saved
    assert cached == again == fresh
    assert len(cached[0]) == (4 if "size=2" in url else 3)
    assert cached[1]  # the previous links were followed too


def test_another_organization_is_never_served_from_an_entry(api_client, other_api_client, two_orgs):
    org, other = two_orgs
    mine = set(Listing.objects.for_org(org).values_list("pk", flat=True))
    theirs = set(Listing.objects.for_org(other).values_list("pk", flat=True))
    for _ in range(2):  # the second round runs on the entries both organizations filled
        for client, own in ((api_client, mine), (other_api_client, theirs)):
            seen, link = [], "/api/v1/listings/?page_size=2"
            while link:
                body = client.get(link).json()
                seen += [row["id"] for row in body["results"]]
                link = body["next"]
            assert sorted(seen) == sorted(own)
    # Each organization has its own entries (its id is a parameter of the base query).
    assert len({key[3] for key in pagecache._CACHE}) >= 2


def test_a_cursor_of_another_organization_reads_nothing_of_it(
    api_client, other_api_client, two_orgs
):
    theirs = other_api_client.get("/api/v1/listings/?page_size=2").json()
    api_client.get("/api/v1/listings/?page_size=2")  # fill my entry of the first page
    _org, other = two_orgs
    other_ids = set(Listing.objects.for_org(other).values_list("pk", flat=True))
    body = api_client.get(theirs["next"]).json()
    assert not {row["id"] for row in body.get("results", [])} & other_ids


def test_the_query_count_is_the_same_cached_or_not(api_client, two_orgs):
    first = api_client.get("/api/v1/listings/?page_size=2").json()

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert api_client.get(first["next"]).status_code == 200
        return len(ctx)

    pagecache.clear()
    assert queries() == queries()


def test_orderings_with_other_values_are_not_cached_and_still_page(api_client, two_orgs):
    seen, link = [], "/api/v1/listings/?page_size=2&ordering=-updated_at"
    while link:
        body = api_client.get(link).json()
        seen += [row["id"] for row in body["results"]]
        link = body["next"]
    assert len(seen) == len(set(seen)) == 7


def test_the_tenant_check_runs_on_a_cache_hit(two_orgs):
    org, _other = two_orgs
    scoped = Listing.objects.for_org(org).order_by("pk")

    def build(values):
        qs = scoped if values is None else scoped.filter(pk__gt=values[0])
        return qs.values("pk", "title")[:3]

    rows = pagecache.page_rows(scoped, build, "k", None)
    assert len(rows) == 3 and set(rows[0]) == {"pk", "title"}
    again = pagecache.page_rows(scoped, build, "k", [rows[0]["pk"]])
    assert [r["pk"] for r in again] == [r["pk"] for r in build([rows[0]["pk"]])]
    unscoped = Listing.objects.order_by("pk")
    with pytest.raises(TenantScopeError):
        pagecache.page_rows(unscoped, build, "k", None)


def test_a_shape_whose_values_do_not_move_as_expected_is_not_cached(two_orgs):
    org, _other = two_orgs
    scoped = Listing.objects.for_org(org).order_by("pk")

    def build(values):  # the cursor value is not a parameter as given (it is doubled)
        qs = scoped if values is None else scoped.filter(pk__gt=values[0] * 2)
        return qs.values("pk")[:3]

    pk = scoped.values_list("pk", flat=True)[0]
    rows = pagecache.page_rows(scoped, build, "odd", [pk])
    assert [r["pk"] for r in rows] == [r["pk"] for r in build([pk])]
    assert list(pagecache._CACHE.values()) == [None]
