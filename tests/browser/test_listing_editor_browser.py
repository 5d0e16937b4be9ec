"""The listing editor in a browser: an error already in the copy leaves a price-only edit free to
save (the live checks block only the fields being changed, as the server does), while typing a
refused claim into the title disables saving. Headless Chromium at /usr/bin/chromium."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.accounts.models import Role
from apps.catalog.listings.marketplaces import marketplaces_sync
from apps.catalog.models import Listing, Marketplace
from tests.browser.test_dashboard_browser import browser  # noqa: F401  (the fixture)
from tests.factories import ListingFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_old_rule_error_does_not_block_a_price_edit_but_a_new_one_does(live_server, browser):  # noqa: F811
    marketplaces_sync(Marketplace)
    user = UserFactory(username="editor-manager", password__=None)
    user.set_password("demo12345")
    user.save()
    org = OrganizationFactory(slug="edit-org")
    MembershipFactory(organization=org, user=user, role=Role.MANAGER)
    listing = ListingFactory(organization=org)
    Listing.objects.for_org(org).filter(pk=listing.pk).update(
        description="A fast charger. Free shipping on every order!"
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "editor-manager")
    page.fill("#id_password", "demo12345")
    with page.expect_navigation():
        page.click("[data-testid=login-form] button[type=submit]")
    page.goto(f"{live_server.url}/catalog/listings/{listing.pk}/")
    save = page.locator("[data-testid=listing-editor] [data-action=save]")
    assert "free shipping" in page.locator("[data-live-issues]").inner_text()
    assert save.is_enabled()  # the old error is shown, but does not block

    page.fill("#edit-title", "Best Seller charger, guaranteed")
    assert save.is_disabled()
    page.fill("#edit-title", listing.title)
    page.fill("#edit-price", "21.50")
    assert save.is_enabled()
    with page.expect_navigation():
        save.click()
    assert Listing.objects.for_org(org).get(pk=listing.pk).price == Decimal("21.50")
    page.close()
