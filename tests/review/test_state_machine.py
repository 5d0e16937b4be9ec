"""The review state machine: allowed and refused transitions, apply semantics, concurrency."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from apps.catalog.models import Listing
from apps.core.errors import Conflict, NotFound, ValidationFailed
from apps.review.models import Draft, DraftStatus, ReviewEvent
from apps.review.services import (
    ALLOWED,
    DraftSuperseded,
    InvalidTransition,
    _transition,
    draft_approve,
    draft_claim,
    draft_create,
    draft_create_failed,
    draft_reject,
    policy_set,
)
from tests.factories import ListingFactory

S = DraftStatus
ALL = [s.value for s in S]


def _content(**overrides):
    return {
        "title": "Voltora 15W Wireless Charger, Aluminium",
        "bullets": ["Fast 15W charging"],
        "description": "Charges phones fast.",
        "search_terms": "qi charger",
        **overrides,
    }


@pytest.fixture
def listing(org):
    return ListingFactory(organization=org, price=Decimal("20.00"), currency="USD")


@pytest.fixture
def draft(org, listing):
    return draft_create(org=org, kind="listing_content", target=listing, proposed=_content())


@pytest.mark.parametrize("start", [s for s in ALL])
@pytest.mark.parametrize("to", ALL)
def test_every_transition_is_allowed_or_refused_as_the_table_says(org, listing, start, to):
    d = draft_create(
        org=org, kind="price_change", target=listing, proposed={"price": "21.99", "currency": "USD"}
    )
    Draft.objects.for_org(org).filter(pk=d.pk).update(status=start)
    d.refresh_from_db()
    if to in ALLOWED[start]:
        _transition(d, to)
        d.refresh_from_db()
        assert d.status == to
        assert d.events.last().from_status == start
    else:
        with pytest.raises(InvalidTransition):
            _transition(d, to)


def test_terminal_states_allow_nothing():
    for terminal in (S.APPLIED, S.REJECTED, S.SUPERSEDED, S.FAILED):
        assert ALLOWED[terminal] == frozenset()


def test_creating_a_draft_snapshots_the_target_and_logs_one_event(org, listing, draft):
    assert draft.status == S.PENDING
    assert draft.target_version == listing.version
    assert draft.current["title"] == listing.title
    assert draft.marketplace == "amazon_us"
    assert [(e.from_status, e.to_status) for e in draft.events.all()] == [("", "pending")]


def test_a_newer_draft_supersedes_the_open_one(org, listing, draft):
    newer = draft_create(
        org=org,
        kind="listing_content",
        target=listing,
        proposed=_content(title="Voltora Charger v2"),
    )
    draft.refresh_from_db()
    assert draft.status == S.SUPERSEDED
    assert newer.status == S.PENDING
    assert Draft.objects.for_org(org).filter(status__in=["pending", "approved"]).count() == 1


def test_approve_applies_the_payload_and_records_the_final(org, user, listing, draft):
    draft_approve(org=org, actor=user, draft_id=draft.pk)
    listing.refresh_from_db()
    draft.refresh_from_db()
    assert listing.title == "Voltora 15W Wireless Charger, Aluminium"
    assert listing.version == 2
    assert draft.status == S.APPLIED
    assert draft.final == draft.proposed
    assert draft.edit_distance == Decimal("0")
    assert draft.reviewed_by == user
    assert [e.to_status for e in draft.events.all()] == ["pending", "approved", "applied"]


def test_edit_and_approve_applies_the_edit_and_measures_the_distance(org, user, listing, draft):
    draft_approve(
        org=org,
        actor=user,
        draft_id=draft.pk,
        edited={"title": "Voltora 15W Wireless Charger, Aluminum"},
    )
    listing.refresh_from_db()
    draft.refresh_from_db()
    assert listing.title == "Voltora 15W Wireless Charger, Aluminum"
    assert Decimal("0") < draft.edit_distance < Decimal("0.5")
    assert draft.events.get(to_status="approved").payload == {
        "title": "Voltora 15W Wireless Charger, Aluminum"
    }


def test_approving_twice_answers_conflict_and_changes_nothing_twice(org, user, listing, draft):
    draft_approve(org=org, actor=user, draft_id=draft.pk)
    listing.refresh_from_db()
    version = listing.version
    with pytest.raises(Conflict):
        draft_approve(org=org, actor=user, draft_id=draft.pk)
    listing.refresh_from_db()
    assert listing.version == version
    assert ReviewEvent.objects.for_org(org).filter(draft=draft, to_status="applied").count() == 1


def test_a_version_conflict_supersedes_the_draft_and_leaves_the_target_untouched(
    org, user, listing, draft
):
    Listing.objects.for_org(org).filter(pk=listing.pk).update(title="Edited in Seller Central")
    with pytest.raises(DraftSuperseded):
        draft_approve(org=org, actor=user, draft_id=draft.pk)
    listing.refresh_from_db()
    draft.refresh_from_db()
    assert listing.title == "Edited in Seller Central"
    assert draft.status == S.SUPERSEDED
    changed = draft.events.last().payload["changed"]
    assert [c["field"] for c in changed] == ["title"]


def test_an_edit_that_breaks_a_rule_is_refused_and_the_draft_stays_pending(
    org, user, listing, draft
):
    with pytest.raises(ValidationFailed):
        draft_approve(org=org, actor=user, draft_id=draft.pk, edited={"title": "x" * 201})
    draft.refresh_from_db()
    listing.refresh_from_db()
    assert draft.status == S.PENDING
    assert listing.version == 1


def test_edits_may_not_add_fields_the_draft_does_not_propose(org, user, listing):
    d = draft_create(
        org=org, kind="price_change", target=listing, proposed={"price": "21.99", "currency": "USD"}
    )
    with pytest.raises(ValidationFailed):
        draft_approve(org=org, actor=user, draft_id=d.pk, edited={"title": "sneaky"})


def test_reject_records_the_reason(org, user, draft):
    draft_reject(org=org, actor=user, draft_id=draft.pk, reason="inaccurate", note="Not copper")
    draft.refresh_from_db()
    assert (draft.status, draft.reject_reason) == (S.REJECTED, "inaccurate")
    assert draft.events.last().note == "Not copper"
    with pytest.raises(InvalidTransition):
        draft_approve(org=org, actor=user, draft_id=draft.pk)


def test_a_failed_generation_is_recorded_without_touching_the_open_draft(org, listing, draft):
    failed = draft_create_failed(
        org=org, kind="listing_content", target=listing, error="LLM answered invalid JSON twice"
    )
    draft.refresh_from_db()
    assert failed.status == S.FAILED
    assert failed.error == "LLM answered invalid JSON twice"
    assert draft.status == S.PENDING


def test_another_organization_cannot_approve_or_see_a_draft(org, other_org, outsider, draft):
    with pytest.raises(NotFound):
        draft_approve(org=other_org, actor=outsider, draft_id=draft.pk)
    with pytest.raises(NotFound):
        draft_create(
            org=other_org,
            kind="listing_content",
            target=Listing.objects.for_org(org).get(),
            proposed=_content(),
        )


def test_events_are_append_only_in_the_database(org, draft):
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), transaction.atomic():
        ReviewEvent.objects.for_org(org).filter(draft=draft).update(note="rewritten")


def test_price_change_inside_the_policy_applies_without_review(org, user, listing):
    policy = policy_set(
        org=org, actor=user, kind="price_change", auto_approve=True, max_change_pct=Decimal("5")
    )
    inside = draft_create(
        org=org, kind="price_change", target=listing, proposed={"price": "20.99", "currency": "USD"}
    )
    listing.refresh_from_db()
    assert inside.status == S.APPLIED
    assert inside.applied_by_policy == policy
    assert listing.price == Decimal("20.99")
    outside = draft_create(
        org=org, kind="price_change", target=listing, proposed={"price": "29.99", "currency": "USD"}
    )
    assert outside.status == S.PENDING


def test_listing_content_never_auto_applies_even_with_a_policy(org, user, listing):
    policy_set(org=org, actor=user, kind="listing_content", auto_approve=True)
    d = draft_create(org=org, kind="listing_content", target=listing, proposed=_content())
    assert d.status == S.PENDING


def test_claiming_gives_each_reviewer_different_drafts(org, member_with_role):
    alice, bob = member_with_role("reviewer"), member_with_role("viewer")
    for _ in range(3):
        draft_create(
            org=org,
            kind="listing_content",
            target=ListingFactory(organization=org),
            proposed=_content(),
        )
    first = draft_claim(org=org, user=alice, limit=2)
    second = draft_claim(org=org, user=bob, limit=2)
    assert len(first) == 2 and len(second) == 1
    assert not {d.pk for d in first} & {d.pk for d in second}
    again = draft_claim(org=org, user=alice, limit=2)  # a reviewer keeps their own lease
    assert {d.pk for d in again} == {d.pk for d in first}


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_the_same_moment_apply_exactly_once(org, member_with_role):
    alice, bob = member_with_role("reviewer"), member_with_role("manager")
    listing = ListingFactory(organization=org, price=Decimal("20.00"))
    d = draft_create(
        org=org, kind="price_change", target=listing, proposed={"price": "24.99", "currency": "USD"}
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(actor):
        try:
            barrier.wait()
            draft_approve(org=org, actor=actor, draft_id=d.pk)
            outcomes.append("applied")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (alice, bob)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["applied", "conflict"]
    listing.refresh_from_db()
    assert listing.price == Decimal("24.99")
    assert listing.version == 2  # one apply, one version bump
    events = ReviewEvent.objects.for_org(org).filter(draft_id=d.pk)
    assert [e.to_status for e in events] == ["pending", "approved", "applied"]


def test_few_shot_examples_are_edited_approvals_of_the_same_org_and_category_first(
    org, other_org, user, outsider
):
    from apps.review.selectors import few_shot_examples

    def approved(organization, actor, category, title):
        listing = ListingFactory(organization=organization, product__category=category)
        d = draft_create(
            org=organization,
            kind="listing_content",
            target=listing,
            proposed=_content(title="Voltora Charger"),
        )
        draft_approve(org=organization, actor=actor, draft_id=d.pk, edited={"title": title})
        return d

    cables = approved(org, user, "Cables", "Voltora USB-C Cable braided")
    chargers = approved(org, user, "Chargers", "Voltora 15W Charger aluminium")
    approved(other_org, outsider, "Chargers", "Someone else's charger")
    unedited = draft_create(
        org=org,
        kind="listing_content",
        target=ListingFactory(organization=org),
        proposed=_content(),
    )
    draft_approve(org=org, actor=user, draft_id=unedited.pk)

    examples = few_shot_examples(
        org=org, kind="listing_content", category="Chargers", text="15W charger"
    )
    assert [e["id"] for e in examples] == [chargers.pk, cables.pk]
    assert examples[0]["final"]["title"] == "Voltora 15W Charger aluminium"
