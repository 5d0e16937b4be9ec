"""Demo data of the listing studio, and the offline generator's promise: its drafts pass every
rule for every demo product and marketplace."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from apps.accounts.models import Organization
from apps.ai.services import JOB_KIND, generation_batch_run
from apps.catalog.buyer_reviews.models import ProductReview, ReviewInsight
from apps.catalog.content import generation as listing_content
from apps.catalog.models import Listing
from apps.catalog.rules.checks import check_listing_content
from apps.core.services import job_create
from apps.review.models import Draft


@pytest.fixture
def demo(db, settings):
    settings.OPENAI_BASE_URL = ""
    call_command("seed_demo", stdout=StringIO())
    return Organization.objects.get(slug="demo")


def _errors(listing: Listing, payload: dict) -> list:
    market = listing.store.marketplace
    checks = check_listing_content(market.limits, payload, market.channel)
    return [c for c in checks if c.severity == "error"]


def test_demo_products_have_reviews_mined_into_praise_and_complaints(demo):
    reviews = ProductReview.objects.for_org(demo)
    assert reviews.filter(language="en").exists() and reviews.filter(language="de").exists()
    insight = ReviewInsight.objects.for_org(demo).order_by("product__sku").first()
    assert insight.review_count == reviews.filter(product=insight.product).count()
    assert insight.praised and insight.complaints
    assert {p["phrase"] for p in insight.praised} & {
        "fast charging",
        "compact size",
        "build quality",
        "schnelles laden",
    }
    count = ProductReview.objects.for_org(demo).count()
    call_command("seed_demo", stdout=StringIO())
    assert ProductReview.objects.for_org(demo).count() == count  # idempotent


def test_one_demo_product_per_category_has_a_deliberate_rule_violation(demo):
    listings = Listing.objects.for_org(demo).select_related("product", "store__marketplace")
    failing = {}
    for listing in listings:
        payload = {f: getattr(listing, f) for f in ("title", "bullets", "description",
                                                    "search_terms")}  # fmt: skip
        errors = _errors(listing, payload)
        if errors:
            failing.setdefault(listing.product.category, []).append(errors[0].rule)
    assert set(failing) == {"Power banks", "Chargers", "Cables", "Audio"}
    assert all(len(rules) == 1 for rules in failing.values())


def test_offline_drafts_pass_every_rule_for_every_demo_product_and_marketplace(demo):
    for org in Organization.objects.filter(slug__in=["demo", "demo-home"]):
        ids = list(Listing.objects.for_org(org).values_list("pk", flat=True))
        job = job_create(org=org, kind=JOB_KIND, total=len(ids))
        job.result = {"kind": listing_content.KIND}
        job.save(update_fields=["result"])
        generation_batch_run(org=org, job_id=job.pk, kind=listing_content.KIND, target_ids=ids)
        drafts = Draft.objects.for_org(org).filter(job_id=job.pk)
        assert drafts.count() == len(ids)
        assert not drafts.filter(status="failed").exists()
        by_target = {d.target_id: d for d in drafts}
        for listing in Listing.objects.for_org(org).select_related("product", "store__marketplace"):
            draft = by_target[listing.pk]
            assert _errors(listing, draft.proposed) == [], (listing.product.sku, draft.proposed)
            assert [c for c in draft.checks if c["severity"] == "error"] == []
            back = [e for e in draft.evidence if e.get("kind") == "back_translation"]
            assert len(back) == 1 and back[0]["method"] == "offline_templates" and back[0]["title"]
