"""One set of rules for every write of listing copy: the API (create, PATCH), the editor and
draft apply refuse a rule error with its rule ids; an error in copy a write leaves alone does not
block it (a price-only edit saves); seeded demo listings follow their rules except the labelled,
deliberate violations."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.accounts.models import Organization
from apps.catalog.demo.reviews import VIOLATIONS
from apps.catalog.models import Listing
from apps.catalog.rules.checks import validate_listing
from apps.catalog.rules.gate import RuleViolation
from apps.core.errors import ValidationFailed
from apps.review.services import draft_approve, draft_create
from tests.catalog.test_editor import form
from tests.factories import ListingFactory, ProductFactory, StoreFactory

pytestmark = pytest.mark.django_db

BAD_TITLE = "Best Seller #1 Voltora charger – free shipping, guaranteed"


def _bad_description(org):
    """A listing whose description already breaks a rule (as a demo listing does)."""
    listing = ListingFactory(organization=org)
    Listing.objects.for_org(org).filter(pk=listing.pk).update(
        description="A fast charger. Free shipping on every order!"
    )
    listing.refresh_from_db()
    return listing


def test_the_api_refuses_a_rule_breaking_patch_with_the_rule_ids(org, api_client):
    listing = ListingFactory(organization=org)
    response = api_client.patch(
        f"/api/v1/listings/{listing.pk}/", {"title": BAD_TITLE}, format="json"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "rule_violation" and body["field"] == "title"
    rules = {(r["rule"], r["field"]) for r in body["rules"]}
    assert ("banned_term", "title") in rules
    assert "best seller" in body["detail"].lower() and "free shipping" in body["detail"].lower()
    assert all(r["severity"] == "error" and r["message_zh"] for r in body["rules"])
    assert Listing.objects.for_org(org).get(pk=listing.pk).title == listing.title


def test_the_api_refuses_a_rule_breaking_create_and_bullets(org, api_client):
    store = StoreFactory(organization=org)
    product = ProductFactory(organization=org)
    created = api_client.post(
        "/api/v1/listings/",
        {"product": product.pk, "store": store.pk, "title": BAD_TITLE, "price": "19.99"},
        format="json",
    )
    assert created.status_code == 400 and created.json()["code"] == "rule_violation"
    assert not Listing.objects.for_org(org).exists()
    listing = ListingFactory(organization=org)
    bullets = api_client.patch(
        f"/api/v1/listings/{listing.pk}/",
        {"bullets": ["100% guaranteed or your money back"]},
        format="json",
    )
    assert bullets.status_code == 400
    assert {r["field"] for r in bullets.json()["rules"]} == {"bullets"}


def test_a_price_only_patch_is_not_blocked_by_an_error_in_the_copy(org, api_client):
    listing = _bad_description(org)
    response = api_client.patch(
        f"/api/v1/listings/{listing.pk}/", {"price": "21.50"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Listing.objects.for_org(org).get(pk=listing.pk).price == Decimal("21.50")
    # Writing the broken field again must fix it.
    again = api_client.patch(
        f"/api/v1/listings/{listing.pk}/",
        {"description": "Still free shipping on every order!"},
        format="json",
    )
    assert again.status_code == 400 and again.json()["field"] == "description"


def test_the_editor_refuses_the_same_title_and_saves_a_price_only_edit(org, user, client_for):
    listing = _bad_description(org)
    client = client_for(user)
    refused = client.post(
        reverse("catalog:listing_save", args=[listing.pk]), form(listing, title=BAD_TITLE)
    )
    assert refused.status_code == 400 and "best seller" in refused.content.decode()
    saved = client.post(
        reverse("catalog:listing_save", args=[listing.pk]), form(listing, price="24.99")
    )
    assert saved.status_code == 302
    after = Listing.objects.for_org(org).get(pk=listing.pk)
    assert after.price == Decimal("24.99") and after.description == listing.description


def test_draft_apply_runs_the_same_rules(org, user):
    listing = ListingFactory(organization=org)
    draft = draft_create(
        org=org, kind="listing_content", target=listing, proposed={"title": BAD_TITLE}
    )
    assert any(c["rule"] == "banned_term" for c in draft.checks)
    with pytest.raises(ValidationFailed) as refused:
        draft_approve(org=org, actor=user, draft_id=draft.pk)
    assert {r["rule"] for r in refused.value.extra["rules"]} >= {"banned_term"}
    assert Listing.objects.for_org(org).get(pk=listing.pk).title == listing.title


def test_the_review_api_refuses_approval_with_the_rule_ids(org, api_client):
    listing = ListingFactory(organization=org)
    draft = draft_create(
        org=org, kind="listing_content", target=listing, proposed={"title": BAD_TITLE}
    )
    response = api_client.post(f"/api/v1/drafts/{draft.pk}/approve/", {}, format="json")
    assert response.status_code == 400, response.content
    assert "banned_term" in {r["rule"] for r in response.json()["rules"]}


def test_the_gate_is_the_content_drafts_apply_too(org):
    from apps.catalog.listings.drafts import _content_apply

    listing = ListingFactory(organization=org)
    with pytest.raises(RuleViolation):
        _content_apply(listing, {"title": BAD_TITLE})
    assert Listing.objects.for_org(org).get(pk=listing.pk).title == listing.title


def test_seeded_demo_listings_follow_their_rules_except_the_labelled_violations(settings):
    settings.OPENAI_BASE_URL = ""
    call_command("seed_demo", stdout=StringIO())
    hits: dict[str, list] = {}  # category → [(marketplace, rule ids)] of listings with errors
    for org in Organization.objects.filter(slug__in=["demo", "demo-home"]):
        listings = Listing.objects.for_org(org).select_related("product", "store__marketplace")
        for listing in listings:
            market = listing.store.marketplace
            payload = {f: getattr(listing, f) for f in ("title", "bullets", "description",
                                                        "search_terms")}  # fmt: skip
            checks = validate_listing(marketplace=market, payload=payload, org=org.pk,
                                      language=listing.language)  # fmt: skip
            errors = [c.rule for c in checks if c.severity == "error"]
            if errors:
                hits.setdefault(listing.product.category, []).append((market.code, errors))
    assert set(hits) == set(VIOLATIONS)  # no listing outside the labelled ones breaks a rule
    for category, found in hits.items():
        code, _how, _text, rule = VIOLATIONS[category]
        assert len(found) == 1 and found[0][0] == code and rule in found[0][1], (category, found)
