"""The dashboard in a real browser: log in as the demo manager, switch to Chinese, switch
organization. Headless Chromium at /usr/bin/chromium (installed by `apt-get install chromium`)
driven by Playwright's sync API against pytest-django's live server.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands

from apps.accounts.models import Membership, Organization, Role
from apps.catalog.listings.marketplaces import marketplaces_sync
from apps.catalog.models import Marketplace, Product
from tests.factories import (
    ListingFactory,
    MembershipFactory,
    OrderFactory,
    OrganizationFactory,
    StoreFactory,
    UserFactory,
    marketplace,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
USERNAME, PASSWORD = "manager", "demo12345"

pytestmark = [
    pytest.mark.browser,
    # Committed data, so the live server's thread sees it.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous and safe, so Django's async guard must stand aside -- for this test
    # only (set for the whole process, it leaks into subprocesses such as `check --deploy`).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install it with `apt-get update && apt-get install -y "
            "chromium` (the browser tests never skip)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def _build_demo_data() -> None:
    """The two organizations seed_demo creates, small, for when that command is absent."""
    user = UserFactory(username=USERNAME, password__=None)
    user.set_password(PASSWORD)
    user.save()
    for slug, name, prefix, market in [
        ("demo", "Shenzhen Voltora Electronics", "VOL", "amazon_us"),
        ("demo-home", "Ningbo Lumi Home", "LUMI", "amazon_de"),
    ]:
        org = OrganizationFactory(slug=slug, name=name)
        MembershipFactory(organization=org, user=user, role=Role.MANAGER)
        store = StoreFactory(
            organization=org, name=f"{prefix} store", marketplace=marketplace(market)
        )
        for n in range(3):
            ListingFactory(organization=org, store=store, product__sku=f"{prefix}-{n:03d}")
        OrderFactory(organization=org, store=store)


@pytest.fixture
def demo(live_server):
    # A transactional test before this one may have flushed the migration-loaded marketplaces.
    marketplaces_sync(Marketplace)
    if "seed_demo" in get_commands():
        call_command("seed_demo")
    else:
        _build_demo_data()
    memberships = Membership.objects.filter(user__username=USERNAME).select_related("organization")
    orgs = {m.organization.slug: m.organization for m in memberships}
    assert {"demo", "demo-home"} <= set(orgs), "the demo manager must belong to both demo orgs"
    return orgs


def _count(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _skus_shown(page) -> set[str]:
    return {
        s.strip() for s in page.locator("[data-testid=products-table] td code").all_inner_texts()
    }


def test_manager_logs_in_switches_to_chinese_and_to_the_other_organization(
    browser, live_server, demo
):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-form] button[type=submit]")
    title = page.locator("[data-testid=page-title]")
    assert title.inner_text().startswith("Overview · ")

    with page.expect_navigation():
        page.click("[data-testid=lang-zh-hans]")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert title.inner_text().startswith("概览 · ")
    sidebar = page.locator("nav.sidebar").inner_text()
    assert "订单" in sidebar and "审核队列" in sidebar and "数据分析" in sidebar

    current = next(o for o in demo.values() if title.inner_text().endswith(o.name))
    target: Organization = demo["demo-home" if current.slug == "demo" else "demo"]
    with page.expect_navigation():
        page.select_option("#org-select", str(target.id))
    assert title.inner_text() == f"概览 · {target.name}", "still Chinese, now the other org"
    target_skus = set(Product.objects.for_org(target).values_list("sku", flat=True))
    assert _count(page.locator("[data-testid=count-products]").inner_text()) == len(target_skus)

    # The products page lists the new organization's products, and only those.
    page.click("nav.sidebar >> text=产品")
    page.wait_for_selector("[data-testid=products-table]")
    shown = _skus_shown(page)
    assert shown and shown <= target_skus
    assert len(shown) == min(50, len(target_skus))
    if current.slug != target.slug:
        only_current = set(Product.objects.for_org(current).values_list("sku", flat=True))
        assert not (shown & (only_current - target_skus))

    # The htmx search swaps the table in place and pushes the URL.
    sku = sorted(shown)[0]
    page.fill("input[name=q]", sku)
    page.wait_for_url(re.compile(r"q="))
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=products-table] td code').length <= n",
        arg=len([s for s in target_skus if sku.lower() in s.lower()]),
    )
    assert sku in _skus_shown(page)
    page.close()
