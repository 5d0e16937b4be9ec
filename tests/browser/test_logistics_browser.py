"""The logistics pages in a real browser on the seeded demo: the replenishment plan in Chinese
(forecast chart, inputs, accuracy, suggestions), and every logistics page in English and Chinese
screenshotted to /tmp/logistics-<page>-<lang>.png. Assertions read the text, not pixels."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.accounts.models import Organization
from apps.catalog.listings.marketplaces import marketplaces_sync
from apps.catalog.models import Marketplace
from tests.browser.test_dashboard_browser import (
    PASSWORD,
    USERNAME,
    browser,  # noqa: F401 - the fixture
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PAGES = {
    "index": "/logistics/",
    "plan": "/logistics/plan/",
    "at-risk": "/logistics/at-risk/",
    "lanes": "/logistics/lanes/",
}


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
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-form] button[type=submit]")
    return page


def test_replenishment_page_in_chinese_and_every_page_screenshotted(
    browser,  # noqa: F811
    live_server,
    demo,
):
    page = _open(browser, live_server, "zh-hans")
    page.goto(f"{live_server.url}/logistics/plan/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    text = page.locator("main").first.inner_text()
    assert "补货计划" in text and "安全库存" in text and "再订货点" in text
    assert "最近 28 天的预测准确度" in text
    assert page.locator("[data-testid=forecast-chart] polyline").count() == 1
    assert page.locator("[data-testid=module-data] tbody tr").count() > 0
    for name, url in PAGES.items():
        page.goto(f"{live_server.url}{url}")
        page.screenshot(path=f"/tmp/logistics-{name}-zh.png", full_page=True)
    en = _open(browser, live_server, "en")
    for name, url in PAGES.items():
        en.goto(f"{live_server.url}{url}")
        assert "Traceback" not in en.content()
        en.screenshot(path=f"/tmp/logistics-{name}-en.png", full_page=True)


INLINE_JS = """el => {
    const box = el.querySelector('input').getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(el.lastChild);
    const text = range.getBoundingClientRect();
    return {box: box.top + box.height / 2, text: text.top + text.height / 2, h: text.height};
}"""


def _checkbox_is_inline(page) -> bool:
    """The "Also in base currency" checkbox sits on its label's line (not above it)."""
    got = page.locator("label:has([data-testid=in-base-toggle])").evaluate(INLINE_JS)
    return abs(got["box"] - got["text"]) < got["h"] / 2


def test_inbound_shipments_page_in_english_and_chinese_with_base_currency(
    browser,  # noqa: F811
    live_server,
    demo,
):
    for lang, title, header in (("en", "Inbound shipments", "Cost in USD"),
                                ("zh-hans", "入库货件", "费用（折合 USD）")):  # fmt: skip
        page = _open(browser, live_server, lang)
        page.goto(f"{live_server.url}/logistics/shipments/?in=base")
        assert page.locator("[data-testid=page-title]").inner_text() == title
        assert page.locator("[data-testid=shipment-row]").count() >= 10
        assert header in page.locator("[data-testid=base-cost-header]").text_content()
        assert "DEMO-RAIL-EUR" in page.locator("main").inner_text()
        assert _checkbox_is_inline(page)
        page.screenshot(path=f"/tmp/shipments-page-{lang}.png", full_page=True)
        page.locator("[data-testid=in-base-toggle]").uncheck()
        page.wait_for_function("!document.querySelector('[data-testid=base-cost-header]')")
        page.goto(f"{live_server.url}/logistics/shipments/")
        page.get_by_role("link", name="DEMO-RAIL-EUR").click()
        page.wait_for_selector("[data-testid=milestones]")
        assert page.locator("[data-testid=milestones] tbody tr").count() == 2
        page.screenshot(path=f"/tmp/shipments-detail-{lang}.png", full_page=True)
        for url in ("/orders/", "/orders/risk/"):
            page.goto(f"{live_server.url}{url}")
            assert _checkbox_is_inline(page), url
