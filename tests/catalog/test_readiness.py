"""AI-search readiness on hand-made listings: parts, missing items, buyer questions from the
inbox adapter (unavailable until apps.support exists) and review phrases, the proposal draft,
the page and the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.catalog.readiness import inputs
from apps.catalog.readiness.score import listing_readiness, readiness_draft
from tests.factories import ListingFactory, ProductFactory, StoreFactory, marketplace

GOOD = dict(
    title="VOLTORA Power Bank 20000 mAh, 22.5 W, 2x USB-C",
    bullets=[
        "20000 mAh charges a phone four times",
        "22.5 W fast charging through USB-C",
        "Weighs 350 g, 150 × 70 × 27 mm",
        "Ideal for travel and camping",
        "Compatible with iPhone 15 and Samsung Galaxy S24",
    ],
    description="Battery life questions answered: the battery lasts for days of travel.",
)
POOR = dict(title="Power bank", bullets=["Good quality", "Nice design"], description="Buy now.")


def listing(org, **copy):
    product = ProductFactory(
        organization=org,
        category="Power banks",
        attributes={"capacity_mah": 20000, "power_w": 22.5, "compatibility": ["iPhone 15"]},
        weight_g=350,
        length_mm=150,
        width_mm=70,
        height_mm=27,
    )
    store = StoreFactory(organization=org, marketplace=marketplace("amazon_de"))
    return ListingFactory(
        organization=org, product=product, store=store, language="en-GB", currency="EUR", **copy
    )


@pytest.mark.django_db
def test_a_complete_listing_scores_high_and_a_poor_one_lists_what_is_missing(org):
    good = listing_readiness(listing(org, **GOOD), questions=["How long is the battery life?"])
    assert good.score == 100 and good.missing == []
    poor = listing_readiness(listing(org, **POOR), questions=["How long is the battery life?"])
    assert poor.score <= 20
    parts = {m["part"] for m in poor.missing}
    assert parts == {"attributes", "numbers", "use_cases", "compatibility", "questions"}
    attributes = {m["item"] for m in poor.missing if m["part"] == "attributes"}
    assert attributes == {"capacity", "power", "ports", "weight", "dimensions"}


@pytest.mark.django_db
def test_inbox_questions_come_through_the_registered_sources(org, monkeypatch):
    from apps.support.selectors import product_questions as support_questions

    assert support_questions in inputs._SOURCES  # registered by apps.support's ready()
    row = listing(org, **GOOD)
    monkeypatch.setattr(inputs, "_SOURCES", [])
    assert inputs.product_questions(org=org, product_id=row.product_id) is None  # none set up
    result = listing_readiness(row)
    assert result.questions_source["inbox"] is None
    fake = lambda *, org, product_id, limit=50: ["Does it work in Japan?"]  # noqa: E731
    monkeypatch.setattr(inputs, "_SOURCES", [fake])
    result = listing_readiness(row)
    assert result.questions_source["inbox"] is True
    assert result.questions == [{"question": "Does it work in Japan?", "answered": False}]
    assert result.parts["questions"] == 0


@pytest.mark.django_db
def test_the_proposal_is_a_grounded_content_draft(org, user):
    row = listing(org, **POOR)
    draft = readiness_draft(org=org, actor=user, listing=row)
    assert draft.kind == "listing_content" and draft.status == "pending"
    added = draft.proposed["bullets"][2:]
    assert any("20000" in b for b in added) and any("150 × 70 × 27 mm" in b for b in added)
    assert not [c for c in draft.checks if c["rule"] == "grounding.unsupported"]


@pytest.mark.django_db
def test_the_page_and_the_api_show_scores_per_store(
    org, user, client_for, api_client, other_api_client
):
    row = listing(org, **POOR)
    listing(org, **GOOD)
    page = client_for(user).get(reverse("catalog:readiness"))
    assert page.status_code == 200 and b'data-testid="listing-readiness"' in page.content
    assert b'data-testid="inbox-unavailable"' not in page.content  # the inbox is set up
    data = api_client.get("/api/v1/readiness/").json()
    assert not str(data["inbox_questions"]).startswith("not available yet")
    assert sum(sum(s["counts"]) for s in data["stores"]) == 2
    one = api_client.get(f"/api/v1/listings/{row.pk}/readiness/").json()
    assert one["score"] < 50 and one["missing"]
    assert other_api_client.get(f"/api/v1/listings/{row.pk}/readiness/").status_code == 404
    assert (
        other_api_client.post(f"/api/v1/listings/{row.pk}/readiness/proposal/").status_code == 404
    )
