"""Feedback metrics on a constructed set of reviewed drafts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.review.metrics import rejection_reason_totals, review_metrics
from apps.review.models import Draft
from apps.review.selectors import few_shot_counts
from apps.review.services import (
    Provenance,
    draft_approve,
    draft_create,
    draft_reject,
    policy_set,
)
from tests.factories import ListingFactory


def _draft(org, prompt="listing_content@1", model="offline-1", **overrides):
    proposed = {
        "title": "Voltora 15W Wireless Charger",
        "bullets": ["Fast 15W charging"],
        "description": "Charges phones fast.",
        "search_terms": "qi",
        **overrides,
    }
    return draft_create(
        org=org,
        kind="listing_content",
        target=ListingFactory(organization=org),
        proposed=proposed,
        provenance=Provenance(prompt_version=prompt, model_name=model),
    )


def _reviewed_after(draft, minutes: float, days_ago: float = 1) -> None:
    """Pretend the draft waited `minutes` before its review, `days_ago` days ago."""
    reviewed = timezone.now() - timedelta(days=days_ago)
    Draft.objects.for_org(draft.organization).filter(pk=draft.pk).update(
        created_at=reviewed - timedelta(minutes=minutes), reviewed_at=reviewed
    )


@pytest.fixture
def reviewed(org, user):
    """Prompt v1: one accepted, one edited (distance 0.5), two rejected; prompt v2: one accepted."""
    accepted = _draft(org)
    draft_approve(org=org, actor=user, draft_id=accepted.id)
    _reviewed_after(accepted, 10)

    edited = _draft(org)
    draft_approve(
        org=org, actor=user, draft_id=edited.id, edited={"title": "Voltora 15W Qi Charger"}
    )
    Draft.objects.for_org(org).filter(pk=edited.pk).update(edit_distance=Decimal("0.5"))
    _reviewed_after(edited, 20)

    for minutes, reason in [(30, "off_brand"), (60, "off_brand")]:
        rejected = _draft(org)
        draft_reject(org=org, actor=user, draft_id=rejected.id, reason=reason)
        _reviewed_after(rejected, minutes)

    v2 = _draft(org, prompt="listing_content@2")
    draft_approve(org=org, actor=user, draft_id=v2.id)
    _reviewed_after(v2, 5)
    return {"edited": edited}


def test_rates_distance_and_median_per_kind_prompt_and_model(org, reviewed):
    groups = {(g.kind, g.prompt_version, g.model_name): g for g in review_metrics(org=org)}
    v1 = groups[("listing_content", "listing_content@1", "offline-1")]
    assert (v1.reviewed, v1.accepted, v1.edited, v1.rejected) == (4, 1, 1, 2)
    assert v1.acceptance_rate == pytest.approx(0.25)
    assert v1.edit_rate == pytest.approx(0.25)
    assert v1.rejection_rate == pytest.approx(0.5)
    assert v1.mean_edit_distance == pytest.approx(Decimal("0.25"))
    assert v1.median_review_time == timedelta(minutes=25)
    assert v1.rejection_reasons == {"off_brand": 2}

    v2 = groups[("listing_content", "listing_content@2", "offline-1")]
    assert (v2.reviewed, v2.acceptance_rate, v2.rejection_rate) == (1, 1.0, 0.0)
    assert v2.median_review_time == timedelta(minutes=5)


def test_pending_old_policy_applied_and_foreign_drafts_are_left_out(
    org, other_org, user, outsider, reviewed
):
    _draft(org)  # pending
    old = _draft(org)
    draft_reject(org=org, actor=user, draft_id=old.id, reason="inaccurate")
    _reviewed_after(old, 10, days_ago=120)
    policy_set(
        org=org, actor=user, kind="price_change", auto_approve=True, max_change_pct=Decimal("10")
    )
    auto = draft_create(
        org=org,
        kind="price_change",
        target=ListingFactory(organization=org),
        proposed={"price": "20.00", "currency": "USD"},
    )
    assert auto.applied_by_policy is not None
    foreign = _draft(other_org)
    draft_reject(org=other_org, actor=outsider, draft_id=foreign.id, reason="inaccurate")

    groups = review_metrics(org=org)
    assert sum(g.reviewed for g in groups) == 5
    assert {g.kind for g in groups} == {"listing_content"}
    assert rejection_reason_totals(org=org) == {"off_brand": 2}
    assert sum(g.reviewed for g in review_metrics(org=org, days=365)) == 6


def test_edited_applied_drafts_count_as_few_shot_examples(org, reviewed):
    assert few_shot_counts(org=org) == {"listing_content": 1}


def test_the_metrics_page_draws_the_rates(org, user, client_for, reviewed):
    response = client_for(user).get(reverse("review:metrics"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "width: 25.0%" in body and "width: 50.0%" in body  # accepted/edited, rejected
    assert "25 min" in body
    assert "listing_content@2" in body
    assert [r["n"] for r in response.context["reasons"]] == [2]
    examples = {e["label"]: e["n"] for e in response.context["examples"]}
    assert sum(examples.values()) == 1  # the one edited listing_content draft
