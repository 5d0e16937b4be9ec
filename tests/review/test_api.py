"""The review queue's REST API: filters, diff, approve/reject, 409 on re-approval, tenancy."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import Listing
from apps.review.models import Draft
from apps.review.services import draft_create
from tests.factories import ListingFactory

CONTENT = {
    "title": "Voltora 15W Wireless Charger",
    "bullets": ["Fast"],
    "description": "Quick.",
    "search_terms": "qi charger",
}


@pytest.fixture
def draft(org):
    listing = ListingFactory(organization=org, price=Decimal("20.00"))
    return draft_create(org=org, kind="listing_content", target=listing, proposed=CONTENT)


@pytest.fixture
def reviewer_client(org, api_client_for):
    return api_client_for(org, role="reviewer")


def test_list_shows_own_pending_drafts_with_filters(api_client, org, other_org, draft):
    listing = ListingFactory(organization=org, price=Decimal("20.00"))
    draft_create(
        org=org, kind="price_change", target=listing, proposed={"price": "21.99", "currency": "USD"}
    )
    draft_create(
        org=other_org,
        kind="listing_content",
        target=ListingFactory(organization=other_org),
        proposed=CONTENT,
    )

    body = api_client.get("/api/v1/drafts/?count=true").json()
    assert body["count"] == 2
    only_content = api_client.get("/api/v1/drafts/?kind=listing_content").json()
    assert [d["id"] for d in only_content["results"]] == [draft.pk]
    assert api_client.get("/api/v1/drafts/?marketplace=ebay_uk&count=true").json()["count"] == 0


def test_list_query_count_does_not_grow_with_rows(api_client, org):
    for _ in range(3):
        draft_create(
            org=org,
            kind="listing_content",
            target=ListingFactory(organization=org),
            proposed=CONTENT,
        )
    api_client.get("/api/v1/drafts/?count=true")  # the key's once-a-minute last_used_at touch
    with CaptureQueriesContext(connection) as few:
        api_client.get("/api/v1/drafts/?count=true")
    for _ in range(10):
        draft_create(
            org=org,
            kind="listing_content",
            target=ListingFactory(organization=org),
            proposed=CONTENT,
        )
    with CaptureQueriesContext(connection) as many:
        assert api_client.get("/api/v1/drafts/?count=true").json()["count"] == 13
    assert len(many) == len(few)


def test_detail_has_the_word_diff_and_the_events(api_client, draft):
    body = api_client.get(f"/api/v1/drafts/{draft.pk}/").json()
    title = next(d for d in body["diff"] if d["field"] == "title")
    assert title["changed"] is True
    ops = [(op["op"], op["text"].strip()) for op in title["diff"]]
    assert ops[0] == ("equal", "Voltora 15W Wireless Charger")
    assert ops[1][0] == "delete" and ops[1][1].startswith("SKU-")
    assert [e["to_status"] for e in body["events"]] == ["pending"]


def test_approve_with_an_edited_payload_applies_it(reviewer_client, org, draft):
    response = reviewer_client.post(
        f"/api/v1/drafts/{draft.pk}/approve/",
        {"payload": {"title": "Voltora Charger 15 W"}},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "applied"
    assert Listing.objects.for_org(org).get(pk=draft.target_id).title == "Voltora Charger 15 W"


def test_approving_an_applied_draft_answers_409_and_changes_nothing(reviewer_client, org, draft):
    assert reviewer_client.post(f"/api/v1/drafts/{draft.pk}/approve/").status_code == 200
    version = Listing.objects.for_org(org).get(pk=draft.target_id).version
    again = reviewer_client.post(f"/api/v1/drafts/{draft.pk}/approve/")
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    assert again.json()["code"] == "already_applied"
    assert Listing.objects.for_org(org).get(pk=draft.target_id).version == version


def test_approving_a_draft_whose_target_moved_answers_409_superseded(reviewer_client, org, draft):
    Listing.objects.for_org(org).filter(pk=draft.target_id).update(title="Changed elsewhere")
    response = reviewer_client.post(f"/api/v1/drafts/{draft.pk}/approve/")
    assert response.status_code == 409
    assert response.json()["code"] == "DraftSuperseded"
    assert Draft.objects.for_org(org).get(pk=draft.pk).status == "superseded"


def test_an_edit_breaking_a_rule_answers_400_with_the_reason(reviewer_client, draft):
    response = reviewer_client.post(
        f"/api/v1/drafts/{draft.pk}/approve/",
        {"payload": {"title": "Best seller charger"}},
        format="json",
    )
    assert response.status_code == 400
    assert "best seller" in response.json()["detail"]


def test_reject_needs_a_known_reason(reviewer_client, org, draft):
    bad = reviewer_client.post(f"/api/v1/drafts/{draft.pk}/reject/", {"reason": "meh"})
    assert bad.status_code == 400
    ok = reviewer_client.post(
        f"/api/v1/drafts/{draft.pk}/reject/", {"reason": "inaccurate", "note": "Not copper"}
    )
    assert ok.status_code == 200
    assert ok.json()["reject_reason"] == "inaccurate"


def test_a_viewer_key_cannot_approve(api_client_for, org, draft):
    viewer = api_client_for(org, role="viewer")
    assert viewer.get(f"/api/v1/drafts/{draft.pk}/").status_code == 200
    assert viewer.post(f"/api/v1/drafts/{draft.pk}/approve/").status_code == 403
    assert Draft.objects.for_org(org).get(pk=draft.pk).status == "pending"


def test_another_organization_gets_404_for_every_draft_endpoint(other_api_client, org, draft):
    assert other_api_client.get("/api/v1/drafts/?count=true").json()["count"] == 0
    assert other_api_client.get(f"/api/v1/drafts/{draft.pk}/").status_code == 404
    assert other_api_client.post(f"/api/v1/drafts/{draft.pk}/approve/").status_code == 404
    assert (
        other_api_client.post(
            f"/api/v1/drafts/{draft.pk}/reject/", {"reason": "inaccurate"}
        ).status_code
        == 404
    )
    response = other_api_client.post(
        "/api/v1/drafts/bulk/", {"action": "approve", "ids": [draft.pk]}, format="json"
    )
    assert response.status_code == 202
    assert response.json()["total"] == 0
    assert Draft.objects.for_org(org).get(pk=draft.pk).status == "pending"


def test_a_reviewer_cannot_change_policies_but_a_manager_can(reviewer_client, api_client, org):
    denied = reviewer_client.put(
        "/api/v1/policies/price_change/",
        {"auto_approve": True, "max_change_pct": "5"},
        format="json",
    )
    assert denied.status_code == 403
    allowed = api_client.put(
        "/api/v1/policies/price_change/",
        {"auto_approve": True, "max_change_pct": "5"},
        format="json",
    )
    assert allowed.status_code == 200, allowed.content
    assert allowed.json()["max_change_pct"] == "5.00"
    assert [p["kind"] for p in reviewer_client.get("/api/v1/policies/").json()] == ["price_change"]


def test_policies_of_another_organization_are_invisible(api_client, other_api_client):
    api_client.put("/api/v1/policies/price_change/", {"auto_approve": True}, format="json")
    assert other_api_client.get("/api/v1/policies/").json() == []
    assert other_api_client.get("/api/v1/policies/price_change/").status_code == 404


def test_bulk_starts_a_job(reviewer_client, org, draft):
    response = reviewer_client.post(
        "/api/v1/drafts/bulk/",
        {"action": "reject", "ids": [draft.pk], "reason": "not_needed"},
        format="json",
    )
    assert response.status_code == 202
    assert response.json()["total"] == 1


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"bullets": [None, None]}, "bullets"),
        ({"bullets": [{"text": "x"}]}, "bullets"),
        ({"title": {"text": "x"}}, "title"),
        ({"title": 42}, "title"),
        ({"description": ["x"]}, "description"),
        ({"search_terms": None}, "search_terms"),
        ({"confirmed_claims": "x"}, "confirmed_claims"),
        ({"price": "9.99"}, "price"),  # not a field of listing content
    ],
)
def test_a_hostile_listing_edit_answers_400_naming_the_field(
    reviewer_client, draft, payload, field
):
    response = reviewer_client.post(
        f"/api/v1/drafts/{draft.pk}/approve/", {"payload": payload}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    draft.refresh_from_db()
    assert draft.status == "pending"


@pytest.mark.parametrize("price", ["0.004", "0", "-5", "abc", True])
def test_a_zero_or_sub_cent_price_edit_is_refused_after_rounding(reviewer_client, org, price):
    listing = ListingFactory(organization=org, price=Decimal("20.00"), currency="USD")
    draft = draft_create(
        org=org, kind="price_change", target=listing, proposed={"price": "18.00", "currency": "USD"}
    )
    response = reviewer_client.post(
        f"/api/v1/drafts/{draft.pk}/approve/", {"payload": {"price": price}}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "price"
    listing.refresh_from_db()
    assert listing.price == Decimal("20.00")


def test_a_price_edit_is_rounded_to_the_currency_before_it_applies(reviewer_client, org):
    listing = ListingFactory(organization=org, price=Decimal("20.00"), currency="USD")
    draft = draft_create(
        org=org, kind="price_change", target=listing, proposed={"price": "18.00", "currency": "USD"}
    )
    response = reviewer_client.post(
        f"/api/v1/drafts/{draft.pk}/approve/", {"payload": {"price": "17.995"}}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["final"]["price"] == "18.00"
    listing.refresh_from_db()
    assert listing.price == Decimal("18.00")


def test_flagged_filter_and_field_follow_the_checks(api_client, org, draft):
    """A draft a check flagged for a person (e.g. scores lower than what it replaces) is
    listed by `?flagged=true`, badged `flagged`, and left out by `?flagged=false`."""
    other = draft_create(
        org=org,
        kind="listing_content",
        target=ListingFactory(organization=org),
        proposed=CONTENT,
    )
    Draft.objects.for_org(org).filter(pk=other.pk).update(
        checks=[{"code": "quality_lower", "severity": "warning", "flag": True}]
    )
    Draft.objects.for_org(org).filter(pk=draft.pk).update(
        checks=[{"code": "length", "severity": "warning"}]
    )

    flagged = api_client.get("/api/v1/drafts/?flagged=true").json()["results"]
    assert [(d["id"], d["flagged"]) for d in flagged] == [(other.pk, True)]
    unflagged = api_client.get("/api/v1/drafts/?flagged=false").json()["results"]
    assert [(d["id"], d["flagged"]) for d in unflagged] == [(draft.pk, False)]
