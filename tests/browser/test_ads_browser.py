"""The ads pages on the seeded demo, in a real browser, English and Chinese: the recommendations
page in Chinese shows its rules, evidence and actions in Chinese words (no raw rule codes or key
dumps), and approving a campaign's changes together works. Each page is screenshotted to
/tmp/ads-<lang>-<page>.png."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from apps.accounts.models import Organization
from apps.catalog.listings.marketplaces import marketplaces_sync
from apps.catalog.models import Marketplace
from apps.review.models import Draft
from tests.browser.test_dashboard_browser import (
    PASSWORD,
    USERNAME,
    browser,  # noqa: F401 - the fixture
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RAW = re.compile(
    r"\b(field|value|source):\s|negative_waste|bid_to_target|budget_move"
    r"|foreign_language|cannibalisation\b|negative_phrase"
)
PAGES = [
    ("index", "/ads/"),
    ("search-terms", "/ads/search-terms/"),
    ("waste", "/ads/waste/"),
    ("recommendations", "/ads/recommendations/"),
    ("imports", "/ads/imports/"),
    ("bulk", "/ads/bulk/"),
]


@pytest.fixture
def demo(live_server):
    marketplaces_sync(Marketplace)
    call_command("seed_demo")
    return Organization.objects.get(slug="demo")


def _open(browser, live_server, lang: str):  # noqa: F811
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN" if lang == "zh-hans" else "en-US"
    )
    context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-form] button[type=submit]")
    return page


def test_ads_pages_and_recommendations_in_chinese(browser, live_server, demo):  # noqa: F811
    from apps.ads.models import Campaign

    campaign = Campaign.objects.for_org(demo).order_by("pk").first()
    pages = [*PAGES, ("campaign", f"/ads/campaigns/{campaign.pk}/")]
    for lang in ("en", "zh-hans"):
        page = _open(browser, live_server, lang)
        for name, path in pages:
            page.goto(live_server.url + path)
            assert page.locator("html").get_attribute("lang") == lang
            page.screenshot(path=f"/tmp/ads-{lang}-{name}.png", full_page=name != "recommendations")
        page.context.close()

    page = _open(browser, live_server, "zh-hans")
    page.goto(live_server.url + "/ads/recommendations/")
    text = page.locator("main, .content").first.inner_text()
    assert "优化建议" in text and "批准此广告活动的全部更改" in text
    assert "否定：有点击或花费但无订单" in text or "收割：将转化好的搜索词加为精准关键词" in text
    found = sorted({m.group(0) for m in RAW.finditer(text)})
    assert not found, found
    page.locator("[data-testid=recommendation] details").first.click()
    assert "回溯期（天）" in page.locator("[data-testid=recommendation]").first.inner_text()
    group = page.locator("[data-testid=campaign-group]").first
    before = Draft.objects.for_org(demo).filter(kind="ad_change", status="applied").count()
    with page.expect_navigation():
        group.locator("[data-testid=approve-campaign]").click()
    assert Draft.objects.for_org(demo).filter(kind="ad_change", status="applied").count() > before
    page.goto(live_server.url + "/ads/bulk/")
    page.screenshot(path="/tmp/ads-zh-hans-bulk-after.png", full_page=True)
    page.context.close()
