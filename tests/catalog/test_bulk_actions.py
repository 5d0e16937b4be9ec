"""The bulk actions of the listings page act on exactly the listings the page shows.

The list filters with htmx, which swaps only the table: the action's form is rendered with the
table, so the values it posts are the ones of the rows on screen, never the page-load filter.
Each test reads the form out of the HTML a browser would have, and posts what it posts.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from tests.factories import ListingFactory, StoreFactory


class _FormFields(HTMLParser):
    """The named inputs of the form with `data-testid=<testid>` in a page."""

    def __init__(self, testid: str):
        super().__init__()
        self.testid, self.inside, self.fields = testid, False, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("data-testid") == self.testid:
            self.inside = True
        elif self.inside and tag == "input" and a.get("name"):
            self.fields[a["name"]] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_fields(html: str, testid: str) -> dict[str, str]:
    parser = _FormFields(testid)
    parser.feed(html)
    return parser.fields


@pytest.fixture
def queued(monkeypatch):
    """The listing ids each generation start received (the job itself is tested in tests/ai)."""
    import apps.ai.services

    calls: list[list[int]] = []
    real = apps.ai.services.generation_start

    def spy(**kwargs):
        calls.append(sorted(kwargs["target_ids"]))
        return real(**kwargs)

    monkeypatch.setattr(apps.ai.services, "generation_start", spy)
    return calls


@pytest.fixture
def catalogue(org):
    store = StoreFactory(organization=org, name="Voltora US")
    chargers = [
        ListingFactory(organization=org, store=store, title=f"Voltora Charger {n}")
        for n in range(2)
    ]
    others = [
        ListingFactory(organization=org, store=store, title=f"Voltora Lamp {n}") for n in range(5)
    ]
    return store, chargers, others


def test_after_an_htmx_filter_the_action_drafts_exactly_the_listings_shown(
    user, client_for, catalogue, queued
):
    _store, chargers, _others = catalogue
    client = client_for(user)
    full = client.get(reverse("catalog:listings")).content.decode()
    assert form_fields(full, "generate-filtered")["q"] == ""  # the page loads unfiltered

    table = client.get(reverse("catalog:listings"), {"q": "charger"}, HTTP_HX_REQUEST="true")
    html = table.content.decode()
    assert "<html" not in html, "htmx gets the table only"
    fields = form_fields(html, "generate-filtered")
    assert fields["q"] == "charger" and fields["scope"] == "filter"
    assert "these 2 listings" in html

    response = client.post(reverse("catalog:generate_content"), fields)
    assert response.status_code == 302
    assert queued == [sorted(listing.pk for listing in chargers)]


def test_listings_created_after_the_page_was_shown_are_not_drafted(
    org, user, client_for, catalogue, queued
):
    store, chargers, _others = catalogue
    client = client_for(user)
    html = client.get(reverse("catalog:listings"), {"q": "charger"}).content.decode()
    fields = form_fields(html, "generate-filtered")
    ListingFactory(organization=org, store=store, title="Voltora Charger new")

    client.post(reverse("catalog:generate_content"), fields)
    assert queued == [sorted(listing.pk for listing in chargers)]


def test_the_filtered_action_never_reaches_another_organizations_listings(
    user, other_org, client_for, catalogue, queued
):
    theirs = ListingFactory(organization=other_org, title="Voltora Charger foreign")
    client = client_for(user)
    client.post(
        reverse("catalog:generate_content"),
        {"scope": "filter", "q": "charger", "upto": str(theirs.pk + 10**6)},
    )
    assert theirs.pk not in queued[0]
    assert len(queued[0]) == 2


def test_a_store_and_status_filter_are_sent_with_the_action(user, org, client_for, queued):
    store = StoreFactory(organization=org)
    wanted = ListingFactory(organization=org, store=store, status="active")
    ListingFactory(organization=org, store=store, status="inactive")
    ListingFactory(organization=org, status="active")  # another store
    client = client_for(user)
    html = client.get(
        reverse("catalog:listings"), {"store": store.pk, "status": "active"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    fields = form_fields(html, "generate-filtered")
    assert fields["store"] == str(store.pk) and fields["status"] == "active"
    client.post(reverse("catalog:generate_content"), fields)
    assert queued == [[wanted.pk]]


def test_a_viewer_sees_no_bulk_action_and_an_empty_list_offers_none(
    member_with_role, user, client_for, catalogue
):
    viewer = client_for(member_with_role(Role.VIEWER))
    assert (
        'data-testid="generate-filtered"'
        not in viewer.get(reverse("catalog:listings")).content.decode()
    )
    empty = client_for(user).get(reverse("catalog:listings"), {"q": "no such listing"})
    assert 'data-testid="generate-filtered"' not in empty.content.decode()


def test_a_bad_upto_is_ignored_not_a_500(user, client_for, catalogue, queued):
    response = client_for(user).post(
        reverse("catalog:generate_content"), {"scope": "filter", "q": "charger", "upto": "9" * 40}
    )
    assert response.status_code == 302
    assert len(queued[0]) == 2
