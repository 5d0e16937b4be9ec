"""The order risk list and the FX exposure page in a real browser on the seeded demo, in Chinese:
risk reasons are listed per order, the exposure chart is drawn with its lines and the table has
rows. Both pages are screenshotted in Chinese and English to /tmp/orders-<page>-<lang>.png.
Assertions read the text and the SVG, not pixels."""

from __future__ import annotations

import pytest

from tests.browser.test_dashboard_browser import browser  # noqa: F401 - the fixture
from tests.browser.test_logistics_browser import _open, demo  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REASONS_ZH = {
    "该买家的首单",
    "目的地在风险名单上",
    "短时间内多笔订单寄往同一地址",
    "金额远高于该店铺的常见订单",
    "账单国家与收货国家不一致",
}


def test_order_risk_list_and_fx_exposure_in_chinese(browser, live_server, demo):  # noqa: F811
    page = _open(browser, live_server, "zh-hans")

    page.goto(f"{live_server.url}/orders/risk/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("[data-testid=page-title]").inner_text() == "订单风险"
    rows = page.locator("[data-testid=risk-table] tbody tr")
    assert rows.count() > 0
    table = page.locator("[data-testid=risk-table]").inner_text()
    shown = {reason for reason in REASONS_ZH if reason in table}
    assert len(shown) >= 2, table  # several rules fire on the demo's risky orders
    first_reasons = rows.first.locator("td").last.locator("li")
    assert first_reasons.count() >= 1
    scores = [
        int(s) for s in page.locator("[data-testid=risk-table] tbody .badge").all_inner_texts()
    ]
    assert scores == sorted(scores, reverse=True) and scores[0] >= 40
    assert "目的地风险名单" in page.locator("[data-testid=risk-destinations]").inner_text()
    page.screenshot(path="/tmp/orders-risk-zh.png", full_page=True)

    page.goto(f"{live_server.url}/orders/fx-exposure/")
    assert page.locator("[data-testid=page-title]").inner_text() == "汇率敞口"
    chart = page.locator("[data-testid=exposure-chart] svg")
    assert chart.count() == 1
    assert chart.get_attribute("aria-label") == "汇率敞口走势"
    lines = chart.locator("polyline")
    assert lines.count() >= 1
    points = lines.first.get_attribute("points").split()
    assert len(points) > 10  # one point per day of the period
    assert page.locator("[data-testid=exposure-table] tbody tr").count() >= 1
    assert "应收" in page.locator("[data-testid=exposure-table]").inner_text()
    page.screenshot(path="/tmp/orders-fx-zh.png", full_page=True)

    en = _open(browser, live_server, "en")
    for name, url in (("risk", "/orders/risk/"), ("fx", "/orders/fx-exposure/")):
        en.goto(f"{live_server.url}{url}")
        assert "Traceback" not in en.content()
        en.screenshot(path=f"/tmp/orders-{name}-en.png", full_page=True)
    assert "First order of this buyer" in en.content() or "Receivables" in en.content()


def test_order_list_in_base_currency_in_english_and_chinese(browser, live_server, demo):  # noqa: F811
    """The order list with `?in=base` on the demo: a base-currency column whose cells are
    amounts (or say which rate is missing); the checkbox turns it off and on again (htmx).
    Screenshots: /tmp/orders-list-base-en.png and /tmp/orders-list-base-zh.png."""
    for lang, header, toggle_off in (("en", "Total in", "Total"), ("zh-hans", "折合", "合计")):
        page = _open(browser, live_server, lang)
        page.goto(f"{live_server.url}/orders/?in=base")
        table = page.locator("[data-testid=orders-table]")
        assert header in page.locator("[data-testid=base-total-header]").text_content()
        cells = table.locator("[data-testid=base-amount]")
        assert cells.count() > 0
        converted = [t for t in cells.all_inner_texts() if t.strip() and t[0].isdigit()]
        assert converted, cells.all_inner_texts()  # the demo has rates for its currencies
        assert "Traceback" not in page.content()
        page.screenshot(path=f"/tmp/orders-list-base-{lang[:2]}.png", full_page=True)
        page.locator("[data-testid=in-base-toggle]").uncheck()
        page.wait_for_function(
            "!document.querySelector('[data-testid=base-total-header]')", timeout=10_000
        )
        assert "in=base" not in page.url
        assert toggle_off in table.text_content()
