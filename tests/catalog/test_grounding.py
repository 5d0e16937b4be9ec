"""Claim grounding: generated claims must match the product's facts (units convert)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.catalog.content.facts import facts_from
from apps.catalog.content.grounding import claims_in, ground, parse_number
from apps.review.models import DraftStatus
from apps.review.services import draft_approve, draft_create
from tests.factories import ListingFactory, ProductFactory, StoreFactory, marketplace


def _claims(payload, facts, language="en"):
    return [c.as_dict()["claim"] for c in ground(payload, facts, language=language)]


def test_steel_for_a_copper_product_is_flagged():
    facts = facts_from(attributes={"material": "pure copper"})
    assert _claims({"title": "Steel grounding strap"}, facts) == ["Steel"]
    assert _claims({"title": "Copper grounding strap"}, facts) == []


def test_one_and_nine_sixteenths_for_a_nine_sixteenths_part_is_flagged():
    facts = facts_from(attributes={"socket_size": "9/16 in"})
    assert _claims({"title": "Socket 1-9/16 in"}, facts) == ["1-9/16 in"]
    assert _claims({"title": "Socket 9/16 in"}, facts) == []
    assert _claims({"title": "Socket 14.3 mm"}, facts) == []


def test_23_cm_for_a_9_inch_product_on_amazon_de_is_accepted():
    facts = facts_from(attributes={"length": "9 in"})
    assert _claims({"title": "Pfanne, 23 cm"}, facts, language="de-DE") == []
    assert _claims({"title": "Pfanne, 26 cm"}, facts, language="de-DE") == ["26 cm"]


@pytest.mark.parametrize(("text", "language", "facts", "ok"), [
    ("14.5 oz", "en", {"weight_g": 412}, True),
    ("0.9 lb", "en", {"weight_g": 412}, True),
    ("1.5 lb", "en", {"weight_g": 412}, False),
    ("0,41 kg", "de", {"weight_g": 412}, True),
    ("446 °F", "en", {"attributes": {"heat_resistance_c": 230}}, True),
    ("500 °F", "en", {"attributes": {"heat_resistance_c": 230}}, False),
    ("20 Ah", "en", {"attributes": {"capacity_mAh": 20000}}, True),
    ("20.000 mAh", "de", {"attributes": {"capacity_mAh": 20000}}, True),
    ("10.000 mAh", "de", {"attributes": {"capacity_mAh": 20000}}, False),
    ("22,5 W", "fr", {"attributes": {"power_w": 22.5}}, True),
    ("25 W", "en", {"attributes": {"power_w": 22.5}}, False),
    ("150 × 70,5 × 27 mm", "de", {"length_mm": 150, "width_mm": 70.5, "height_mm": 27}, True),
    ("5.9 × 2.8 × 1.1 in", "en", {"length_mm": 150, "width_mm": 70.5, "height_mm": 27}, True),
], ids=lambda v: str(v))  # fmt: skip
def test_units_convert_by_the_marketplace_languages_conventions(text, language, facts, ok):
    sheet = facts_from(**facts)
    assert (_claims({"title": f"Voltora {text}"}, sheet, language=language) == []) is ok


def test_certifications_and_compatibility_need_facts():
    facts = facts_from(attributes={"certifications": ["CE", "FCC"],
                                   "compatibility": ["iPhone 15", "Galaxy S24"]})  # fmt: skip
    text = {"title": "CE FCC RoHS charger", "bullets": ["Compatible with iPhone 15 and Pixel 8"]}
    assert _claims(text, facts) == ["RoHS", "iPhone 15 and Pixel 8"]
    ok = {"bullets": ["Compatible with iPhone 15 and Galaxy S24."]}
    assert _claims(ok, facts) == []


def test_imperial_units_are_not_read_in_other_languages_and_3_in_1_is_no_length():
    assert claims_in("Kabel in 2 Farben", "de") == []
    assert [c.text for c in claims_in("3 in 1 cable, 5G ready", "en")] == []


def test_numbers_read_the_languages_way():
    assert parse_number("20,000", "en") == (Decimal(20000), Decimal(1))
    assert parse_number("20.000", "de")[0] == Decimal(20000)
    assert parse_number("22,5", "de")[0] == Decimal("22.5")
    assert parse_number("1-9/16", "en")[0] == Decimal("1.5625")


def test_a_claim_carries_its_field_and_span_and_can_be_confirmed():
    facts = facts_from(attributes={"material": "copper"})
    payload = {"title": "Clip", "bullets": ["Solid", "Made of steel, very strong"]}
    (check,) = ground(payload, facts)
    data = check.as_dict()
    assert (data["rule"], data["severity"], data["field"], data["item"]) == (
        "grounding.unsupported", "error", "bullets", 1)  # fmt: skip
    text = payload["bullets"][1]
    assert text[data["start"] : data["end"]] == "steel" and data["before"] == "Made of "
    assert "bullet 2" in data["message_en"] and "第 2 条要点" in data["message_zh"]
    assert ground({**payload, "confirmed_claims": ["Steel"]}, facts) == []


@pytest.mark.django_db
def test_unsupported_claims_block_approval_until_confirmed(org, user):
    mp = marketplace("amazon_us")
    product = ProductFactory(organization=org, attributes={"material": "copper"}, weight_g=None,
                             length_mm=None, width_mm=None, height_mm=None)  # fmt: skip
    listing = ListingFactory(organization=org, product=product,
                             store=StoreFactory(organization=org, marketplace=mp))  # fmt: skip
    proposed = {"title": "Voltora Steel Clip", "bullets": [], "description": "A clip.",
                "search_terms": "clip", "confirmed_claims": []}  # fmt: skip
    draft = draft_create(org=org, kind="listing_content", target=listing, proposed=proposed)
    rules = [c["rule"] for c in draft.checks]
    assert rules[0] == "grounding.unsupported" and set(rules) <= {"grounding.unsupported",
                                                                  "quality.lower"}  # fmt: skip
    assert draft.checks[0]["rules_version"] == "amazon@1+terms@1+common@1"
    from apps.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="Steel"):
        draft_approve(org=org, actor=user, draft_id=draft.pk)
    draft = draft_approve(org=org, actor=user, draft_id=draft.pk,
                          edited={"confirmed_claims": ["steel"]})  # fmt: skip
    assert draft.status == DraftStatus.APPLIED
    listing.refresh_from_db()
    assert listing.title == "Voltora Steel Clip"  # confirmed_claims is not listing data
