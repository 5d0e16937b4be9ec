"""The B2B inquiry pages in a real browser, English and Chinese: the list and one inquiry with
its parsed request, tiers, Incoterm table and the quotation draft with its back-translation.
Screenshots go to /tmp/b2b-<lang>-<page>.png."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.support.b2b.models import B2BMarginRule, B2BTerms
from apps.support.b2b.services import inquiry_create
from tests.browser.test_dashboard_browser import browser  # noqa: F401 - the fixture
from tests.factories import ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TEXT = (
    "Guten Tag, wir sind Großhändler und bitten um ein Angebot für KX-200: 1.200 Stück, "
    "CIF Hamburg. Zielpreis 9,80 USD pro Stück. Lieferung bis 15.03.2027. Mit Logo."
)


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_b2b_pages(live_server, browser, org, user, lang):  # noqa: F811
    ProductFactory(organization=org, sku="KX-200", unit_cost=Decimal("6.00"),
                   cost_currency="USD", weight_g=Decimal("200"))  # fmt: skip
    B2BTerms.objects.create(organization=org, currency="USD", moq=300)
    for qty, pct in ((300, "32"), (1000, "26"), (3000, "21")):
        B2BMarginRule.objects.create(organization=org, min_quantity=qty, margin_pct=Decimal(pct))
    inquiry = inquiry_create(org=org, text=TEXT, buyer_name="Jonas Weber")
    user.set_password("pw-b2b-12345")
    user.save()
    context = browser.new_context(viewport={"width": 1280, "height": 1000},
                                  locale="zh-CN" if lang == "zh-hans" else "en-US")  # fmt: skip
    context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-b2b-12345")
    with page.expect_navigation():
        page.click("[data-testid=login-form] button[type=submit]")
    page.goto(f"{live_server.url}/support/b2b/")
    assert page.locator("[data-testid=b2b-inquiries] tbody tr").count() == 1
    page.screenshot(path=f"/tmp/b2b-{lang}-list.png", full_page=True)
    page.goto(f"{live_server.url}/support/b2b/{inquiry.pk}/")
    assert page.locator("[data-testid=b2b-incoterms] tbody tr").count() == 3
    assert "件" in page.locator("[data-testid=b2b-back]").inner_text()
    title = page.locator("[data-testid=page-title]").inner_text()
    assert ("询盘" in title) == (lang == "zh-hans")
    page.screenshot(path=f"/tmp/b2b-{lang}-inquiry.png", full_page=True)
    assert page.locator("[data-testid=b2b-pdf-internal]").count() == 1
    # The terms page: a manager drops express and raises the MOQ; new quotations follow.
    page.goto(f"{live_server.url}/support/b2b/terms/")
    form = page.locator("[data-testid=b2b-terms-form]")
    assert ("报价的运输线路" in form.inner_text()) == (lang == "zh-hans")
    page.fill("#id_moq", "400")
    page.uncheck("input[name=freight_modes][value=express]")
    page.select_option("#id_default_incoterm", "FOB")
    page.screenshot(path=f"/tmp/b2b-{lang}-terms.png", full_page=True)
    with page.expect_navigation():
        page.click("[data-testid=save]")
    terms = B2BTerms.objects.for_org(org).get()
    assert terms.moq == 400 and terms.freight_modes == ["sea", "air"]
    assert terms.default_incoterm == "FOB"
    context.close()
