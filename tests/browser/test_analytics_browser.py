"""The analytics page in Chinese in a real browser, on the seeded demo: the four charts are
drawn by the vendored Chart.js (canvas painted, not blank), the missing-cost notice reads as
Chinese, and the page, the overview and product selection are screenshotted in English and
Chinese to $SCREENSHOT_DIR/analytics-*.png (/tmp by default)."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command

from apps.catalog.listings.marketplaces import marketplaces_sync
from apps.catalog.models import Marketplace
from tests.browser.test_dashboard_browser import (
    PASSWORD,
    USERNAME,
    browser,  # noqa: F401 - the fixture
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SCREENSHOT_DIR", "/tmp")

CHARTS = ("chart-series", "chart-waterfall", "chart-skus", "chart-margins")
# Painted pixels of a canvas: a chart that was drawn has many non-transparent ones.
PAINTED = """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i]) n++; } return n; }"""


# The page no wider than the window; a table no wider than its panel (or scrolling inside it).
PAGE_FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"
TABLE_FITS = "t => t.getBoundingClientRect().right <= t.parentElement.getBoundingClientRect().right"


def _box(page, testid: str) -> dict:
    return page.locator(f"[data-testid={testid}]").locator("xpath=../..").bounding_box()


def _laid_out(page) -> None:
    """At 1280 px: nothing wider than the window, the charts two by two."""
    assert page.evaluate(PAGE_FITS), "the page scrolls sideways"
    series, waterfall = _box(page, "chart-series"), _box(page, "chart-waterfall")
    skus, margins = _box(page, "chart-skus"), _box(page, "chart-margins")
    assert series["y"] == waterfall["y"] and skus["y"] == margins["y"] > series["y"]
    assert abs(series["width"] - margins["width"]) < 2, "balanced columns"
    panel = page.locator("[data-testid=sku-table-panel]")
    assert panel.evaluate("p => p.getBoundingClientRect().right <= window.innerWidth")


@pytest.fixture
def demo(live_server):
    marketplaces_sync(Marketplace)
    call_command("seed_demo")


def _open(browser, live_server, lang: str):  # noqa: F811
    locale = "zh-CN" if lang == "zh-hans" else "en-US"
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-form] button[type=submit]")
    return page


def test_the_analytics_page_in_chinese_draws_its_charts(browser, live_server, demo):  # noqa: F811
    page = _open(browser, live_server, "zh-hans")
    page.goto(f"{live_server.url}/analytics/?days=90")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("[data-testid=page-title]").inner_text() == "利润分析"
    for chart in CHARTS:
        canvas = page.locator(f"[data-testid={chart}]")
        canvas.wait_for()
        page.wait_for_function(
            f"document.querySelector('[data-testid={chart}]').dataset.drawn === '1'"
        )
        assert canvas.evaluate(PAINTED) > 500, f"{chart} is blank"
    notice = page.locator("[data-testid=missing-costs]").inner_text()
    assert "头程运费" in notice, "the missing first-leg freight is named, in Chinese"
    assert page.locator("[data-testid=sku-table] tbody tr").count() > 5
    _laid_out(page)
    page.screenshot(path=f"{SHOTS}/analytics-zh.png", full_page=True)
    page.goto(f"{live_server.url}/")
    page.wait_for_function("document.querySelector('[data-testid=chart-series]').dataset.drawn")
    page.screenshot(path=f"{SHOTS}/analytics-overview-zh.png", full_page=True)
    page.goto(f"{live_server.url}/analytics/selection/")
    assert page.locator("[data-testid=candidates-table] tbody tr").count() >= 5
    assert page.evaluate(PAGE_FITS)
    assert page.locator("[data-testid=candidates-table]").evaluate(TABLE_FITS), "no side scroll"
    page.screenshot(path=f"{SHOTS}/analytics-selection-zh.png", full_page=True)


def test_the_analytics_pages_in_english(browser, live_server, demo):  # noqa: F811
    page = _open(browser, live_server, "en")
    page.goto(f"{live_server.url}/analytics/?days=90")
    page.wait_for_function(
        "document.querySelector('[data-testid=chart-waterfall]').dataset.drawn === '1'"
    )
    assert "First-leg freight" in page.locator("[data-testid=missing-costs]").inner_text()
    _laid_out(page)
    page.screenshot(path=f"{SHOTS}/analytics-en.png", full_page=True)
    page.goto(f"{live_server.url}/")
    page.screenshot(path=f"{SHOTS}/analytics-overview-en.png", full_page=True)
    page.goto(f"{live_server.url}/analytics/selection/")
    assert page.evaluate(PAGE_FITS)
    assert page.locator("[data-testid=candidates-table]").evaluate(TABLE_FITS), "no side scroll"
    page.screenshot(path=f"{SHOTS}/analytics-selection-en.png", full_page=True)
