"""The review queue in a real browser: a reviewer edits a draft, sees the live character count,
approves it, and the listing shows the new title. Headless Chromium at /usr/bin/chromium via
Playwright's sync API against pytest-django's live server (same set-up as the dashboard test).
"""

from __future__ import annotations

import re

import pytest

from apps.accounts.models import Role
from apps.catalog.listings.marketplaces import marketplaces_sync
from apps.catalog.models import Listing, Marketplace
from apps.review.models import DraftStatus
from apps.review.services import Provenance, draft_create
from tests.browser.test_dashboard_browser import browser  # noqa: F401 - the fixture
from tests.factories import ListingFactory, MembershipFactory, OrganizationFactory, UserFactory

USERNAME, PASSWORD = "reviewer", "review12345"
PROPOSED_TITLE = "Voltora 15W Wireless Charger, Aluminium"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pending_draft(live_server):
    # A transactional test before this one may have flushed the migration-loaded marketplaces.
    marketplaces_sync(Marketplace)
    org = OrganizationFactory(slug="review-demo", name="Shenzhen Voltora Electronics")
    user = UserFactory(username=USERNAME, password__=None)
    user.set_password(PASSWORD)
    user.save()
    MembershipFactory(organization=org, user=user, role=Role.REVIEWER)
    listing = ListingFactory(organization=org, title="Voltora Charger", product__sku="VOL-CHG-15")
    return draft_create(
        org=org, kind="listing_content", target=listing,
        proposed={"title": PROPOSED_TITLE, "bullets": ["Fast 15W charging", "Aluminium body"],
                  "description": "Charges phones fast.", "search_terms": "qi charger"},
        rationale="Names the wattage and material buyers search for.",
        provenance=Provenance(provider="offline", prompt_version="listing_content@1"),
    )  # fmt: skip


def _count(text: str) -> int:
    return int(re.match(r"\s*(\d+)", text).group(1))


def test_a_reviewer_edits_sees_the_live_count_approves_and_the_listing_changes(
    browser,  # noqa: F811
    live_server,
    pending_draft,
):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-form] button[type=submit]")

    page.goto(f"{live_server.url}/review/")
    detail = page.locator("[data-testid=draft-detail]")
    assert detail.get_attribute("data-draft-id") == str(pending_draft.id)
    assert "offline generator" in detail.inner_text()
    assert page.locator(".diff-new ins").count() > 0, "the proposed words are highlighted"

    page.keyboard.press("e")
    title = page.locator("#edit-title")
    assert title.is_visible()
    counter = page.locator("[data-testid=count-title]")
    assert _count(counter.inner_text()) == len(PROPOSED_TITLE)
    assert "/ 200 characters" in counter.inner_text()

    title.press("Control+End")
    title.type(" Black")
    new_title = PROPOSED_TITLE + " Black"
    page.wait_for_function(
        "n => parseInt(document.querySelector('[data-testid=count-title]').textContent) === n",
        arg=len(new_title),
    )
    assert _count(counter.inner_text()) == len(new_title) == 45

    # A refused claim shows up live and blocks saving, and goes away when removed.
    title.type(" best seller")
    issues = page.locator("[data-testid=live-issues]")
    page.wait_for_function("() => document.querySelector('[data-action=save]').disabled")
    assert "best seller" in issues.inner_text()
    for _ in range(len(" best seller")):
        title.press("Backspace")
    page.wait_for_function("() => !document.querySelector('[data-action=save]').disabled")
    assert title.input_value() == new_title

    with page.expect_navigation():
        page.click("[data-action=save]")
    assert "Approved with your edits" in page.locator(".messages").inner_text()

    listing = Listing.objects.for_org(pending_draft.organization).get(pk=pending_draft.target_id)
    assert listing.title == new_title
    pending_draft.refresh_from_db()
    assert pending_draft.status == DraftStatus.APPLIED

    page.goto(f"{live_server.url}/catalog/listings/{listing.id}/")
    assert page.locator("[data-testid=page-title]").inner_text() == new_title
    page.close()
