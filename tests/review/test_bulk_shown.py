"""The review queue's "all matching the filter" decides the drafts the reviewer saw: the filter
of the table on screen (re-rendered by htmx with its form), and no draft that arrived later."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.core.models import Job
from apps.review.services import draft_create
from tests.catalog.test_bulk_actions import form_fields
from tests.factories import ListingFactory, StoreFactory
from tests.review.test_views import _content, _listing_draft


@pytest.fixture
def reviewer(member_with_role):
    return member_with_role(Role.REVIEWER)


def _bulk_fields(html: str) -> dict[str, str]:
    parser_fields = form_fields(html.replace('id="bulk-form"', 'data-testid="bulk"'), "bulk")
    return {k: v for k, v in parser_fields.items() if k in ("queue", "upto", "csrfmiddlewaretoken")}


def _store_draft(org, store):
    listing = ListingFactory(organization=org, store=store, title="Voltora Charger")
    return draft_create(org=org, kind="listing_content", target=listing, proposed=_content(),
                        rationale="Adds the wattage buyers search for.")  # fmt: skip


def test_bulk_approve_of_the_filter_after_an_htmx_filter_decides_the_drafts_shown(
    org, reviewer, client_for
):
    store_a, store_b = StoreFactory(organization=org), StoreFactory(organization=org)
    for _ in range(2):
        _store_draft(org, store_a)
    for _ in range(3):
        _store_draft(org, store_b)
    client = client_for(reviewer)
    assert _bulk_fields(client.get(reverse("review:index")).content.decode())["queue"] == ""
    html = client.get(
        reverse("review:index"), {"store": store_a.pk}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in html, "htmx gets the queue only"
    fields = _bulk_fields(html)
    assert fields["queue"] == f"store={store_a.pk}"

    response = client.post(reverse("review:bulk"), {**fields, "scope": "filter",
                                                    "action": "approve"})  # fmt: skip
    assert response.status_code == 302
    job = Job.objects.for_org(org).get()
    assert job.total == 2


def test_drafts_arriving_after_the_queue_was_shown_are_not_decided_in_bulk(
    org, reviewer, client_for
):
    seen = [_listing_draft(org) for _ in range(3)]
    client = client_for(reviewer)
    fields = _bulk_fields(client.get(reverse("review:index")).content.decode())
    assert fields["upto"] == str(max(d.id for d in seen))
    late = _listing_draft(org)

    client.post(reverse("review:bulk"), {**fields, "scope": "filter", "action": "reject",
                                         "reason": "inaccurate"})  # fmt: skip
    job = Job.objects.for_org(org).get()
    assert job.total == 3
    late.refresh_from_db()
    assert late.status == "pending"


def test_the_filter_scope_never_reaches_another_organizations_drafts(
    org, other_org, reviewer, client_for
):
    mine = _listing_draft(org)
    theirs = _listing_draft(other_org)
    client_for(reviewer).post(
        reverse("review:bulk"),
        {"scope": "filter", "action": "approve", "upto": str(max(mine.id, theirs.id))},
    )
    assert Job.objects.for_org(org).get().total == 1
    assert not Job.objects.for_org(other_org).exists()
