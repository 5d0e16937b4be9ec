"""The review screen of a content draft that scores lower than the copy it replaces, in English
and Chinese: both scores, the flag, the reasons, attribute labels instead of keys. Screenshots
go to $SCREENSHOT_DIR (default: the test's tmp dir) for a person to look at."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from apps.accounts.models import Role
from apps.catalog.listings.marketplaces import marketplaces_sync
from apps.catalog.models import Marketplace
from apps.review.services import Provenance, draft_create
from tests.browser.test_dashboard_browser import browser  # noqa: F401 - the fixture
from tests.catalog.test_quality import GOOD, WORSE
from tests.factories import (
    ListingFactory,
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    StoreFactory,
    UserFactory,
)

USERNAME, PASSWORD = "reviewer", "review12345"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def flagged_draft(live_server):
    marketplaces_sync(Marketplace)
    org = OrganizationFactory(slug="quality-demo", name="Shenzhen Voltora Electronics")
    user = UserFactory(username=USERNAME, password__=None)
    user.set_password(PASSWORD)
    user.save()
    MembershipFactory(organization=org, user=user, role=Role.REVIEWER)
    product = ProductFactory(
        organization=org, brand="Voltora", name="Voltora VoltPack 10K 充电宝", sku="VT-PB-10K-BK",
        category="Power banks", attributes={"capacity_mAh": 10000, "power_w": 22.5,
                                            "color": "Black"},
        weight_g=Decimal("212"), length_mm=Decimal("105"), width_mm=Decimal("65"),
        height_mm=Decimal("25"),
    )  # fmt: skip
    store = StoreFactory(organization=org, marketplace=Marketplace.objects.get(code="amazon_us"))
    listing = ListingFactory(organization=org, product=product, store=store, **GOOD)
    evidence = [{"source": "product", "field": "attributes.power_w", "value": 22.5,
                 "label_en": "Output", "label_zh": "输出功率"}]  # fmt: skip
    return draft_create(org=org, kind="listing_content", target=listing, proposed=WORSE,
                        evidence=evidence, rationale="Written from the product's facts.",
                        provenance=Provenance(provider="offline"))  # fmt: skip


@pytest.mark.parametrize("language", ["en-US", "zh-hans"])
def test_the_review_screen_explains_why_a_proposal_is_flagged(
    browser,  # noqa: F811
    live_server,
    flagged_draft,
    tmp_path,
    language,
):
    context = browser.new_context(viewport={"width": 1366, "height": 1400}, locale=language)
    if language.startswith("zh"):
        context.add_cookies([{"name": "django_language", "value": "zh-hans",
                              "url": live_server.url}])  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-form] button[type=submit]")
    page.goto(f"{live_server.url}/review/?flagged=1")
    assert page.locator("[data-testid=flagged-badge]").count() == 1
    panel = page.locator("[data-testid=quality-panel]")
    assert panel.is_visible() and page.locator("[data-testid=quality-flag]").is_visible()
    text = panel.inner_text()
    assert "gute verarbeitung" in text
    body = page.locator("main").inner_text()
    assert "power_w" not in body and "label_en" not in body
    if language.startswith("zh"):
        assert "文案质量" in text and "关键词" in text and "输出功率" in body
    else:
        assert "Listing quality" in text and "Keywords" in text and "Output" in body
    out = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / f"review-quality-{language}.png"), full_page=True)
    context.close()
