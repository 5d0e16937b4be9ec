"""The review screen and the pricing pages in Chinese, in a real browser, on the seeded demo:
nothing shows as a stored key dump (`field:`/`value:`/`source:`, `confirmed_claims []`) or as a
raw reason code (`competitor_below_floor:floor`, `match_lowest`); rationales, evidence, reason
codes and job titles read as Chinese. Each page is screenshotted to /tmp/zh-<page>.png.

The assertions read the page text, not pixels: they hold whether or not a CJK font is installed.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.utils import translation

from apps.accounts.models import Organization
from apps.catalog.listings.marketplaces import marketplaces_sync
from apps.catalog.models import Marketplace
from apps.pricing.models import PriceChange
from apps.pricing.reasons import reason_label
from apps.review.models import Draft
from tests.browser.test_dashboard_browser import (
    PASSWORD,
    USERNAME,
    browser,  # noqa: F401 - the fixture
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What a stored-key dump or a raw code looks like on a page.
RAW = re.compile(
    r"\b(field|value|source|praised|complaints|kind|method):\s"
    r"|confirmed_claims|\[\]|\['"
    r"|_below_floor|_at_floor|no_competitor|match_lowest|beat_lowest|step_under|target_margin"
    r"|low_cover|ageing_stock|step_limit|buy_box_hold"
    r"|Repricer:|Written from|attributes\.|dimensions_mm|weight_g|power_w"
)


@pytest.fixture
def demo(live_server):
    marketplaces_sync(Marketplace)  # a transactional test before may have flushed them
    call_command("seed_demo")
    return Organization.objects.get(slug="demo")


def _open(browser, live_server):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-form] button[type=submit]")
    return page


def _check(page, url: str, name: str) -> str:
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == "zh-hans", url
    page.screenshot(path=f"/tmp/zh-{name}.png", full_page=True)
    text = page.locator("main, .content").first.inner_text()
    found = sorted({m.group(0) for m in RAW.finditer(text)})
    assert not found, f"{url} shows raw data: {found}"
    return text


def test_review_and_pricing_pages_in_chinese_show_no_raw_field_dumps(
    browser,  # noqa: F811
    live_server,
    demo,
):
    content = Draft.objects.for_org(demo).filter(kind="listing_content").order_by("id").first()
    price = Draft.objects.for_org(demo).filter(kind="price_change", provider="repricer").first()
    assert content is not None and price is not None, "the demo seeds both kinds of draft"
    assert any(isinstance(e, dict) and "field" in e for e in content.evidence)
    assert "confirmed_claims" in content.proposed
    change = PriceChange.objects.for_org(demo).filter(reason__contains=":").first()
    assert change is not None, "the demo's repricer runs leave scenario reason codes"
    page = _open(browser, live_server)
    base = live_server.url

    text = _check(page, f"{base}/review/{content.pk}/", "review-content")
    assert "根据商品目录资料" in text and "商品资料" in text  # rationale and evidence sources
    text = _check(page, f"{base}/review/{price.pk}/", "review-price")
    assert "调价引擎" in text and "底价" in text
    _check(page, f"{base}/review/", "review-queue")

    _check(page, f"{base}/pricing/", "pricing")
    _check(page, f"{base}/pricing/changes/", "pricing-changes")
    _check(page, f"{base}/pricing/at-floor/", "pricing-at-floor")
    # The listing's own page lists the scenario change: its reason in Chinese words.
    text = _check(page, f"{base}/pricing/listings/{change.listing_id}/", "pricing-listing")
    with translation.override("zh-hans"):
        assert reason_label(change.reason) in text
    _check(page, f"{base}/pricing/strategies/", "pricing-strategies")
    _check(page, f"{base}/pricing/competitors/", "pricing-competitors")
    _check(page, f"{base}/jobs/", "jobs")
    page.context.close()
