"""The listings page's "Draft AI copy for these listings" in a real browser: a manager filters
the list with the htmx search down to 2 of 7 listings, presses the button, and the offline
generator (through a real Celery worker) drafts exactly those 2 listings, none of the others.
"""

from __future__ import annotations

import re
import time

import pytest

from apps.accounts.models import Role
from apps.catalog.listings.marketplaces import marketplaces_sync
from apps.catalog.models import Marketplace
from apps.core.models import Job
from apps.review.models import Draft
from tests.browser.test_dashboard_browser import browser  # noqa: F401 - the fixture
from tests.factories import (
    ListingFactory,
    MembershipFactory,
    OrganizationFactory,
    StoreFactory,
    UserFactory,
    marketplace,
)

USERNAME, PASSWORD = "bulk-manager", "bulk12345"

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def listings(live_server):
    marketplaces_sync(Marketplace)  # a transactional test before may have flushed them
    org = OrganizationFactory(slug="bulk-demo", name="Shenzhen Voltora Electronics")
    user = UserFactory(username=USERNAME, password__=None)
    user.set_password(PASSWORD)
    user.save()
    MembershipFactory(organization=org, user=user, role=Role.MANAGER)
    store = StoreFactory(organization=org, marketplace=marketplace("amazon_us"), name="Voltora US")
    chargers = [
        ListingFactory(
            organization=org,
            store=store,
            title=f"Voltora Magsafe Charger {n}",
            product__sku=f"VOL-MAG-{n}",
        )
        for n in range(2)
    ]
    for n in range(5):
        ListingFactory(
            organization=org,
            store=store,
            title=f"Voltora Power Bank {n}",
            product__sku=f"VOL-PB-{n}",
        )
    return org, chargers


def _wait_for(predicate, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError("timed out waiting for the worker")


def test_filtering_to_two_listings_drafts_exactly_those_two(
    browser,  # noqa: F811
    live_server,
    celery_worker,
    listings,
):
    org, chargers = listings
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
    page.set_default_timeout(30_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-form] button[type=submit]")

    page.goto(f"{live_server.url}/catalog/listings/")
    rows = page.locator("[data-testid=listings-table] tbody tr")
    assert rows.count() == 7
    # The htmx search: the table swaps in place, the page does not reload.
    page.fill("input[name=q]", "magsafe")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=listings-table] tbody tr').length === 2"
    )
    button = page.locator("[data-testid=generate-filtered] button")
    assert "these 2 listings" in button.inner_text()
    page.screenshot(path="/tmp/bulk-draft-filtered.png", full_page=True)

    confirms: list[str] = []

    def accept(dialog):
        confirms.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    # (Leaving the search box fires htmx's `change` refresh, a same-document navigation.)
    with page.expect_navigation(url=re.compile(r"/jobs/\d+")):
        button.click()
    assert confirms and "2 listings" in confirms[0]

    job = Job.objects.for_org(org).get(kind="ai.generation")
    assert job.total == 2
    _wait_for(lambda: Job.objects.for_org(org).get(pk=job.pk).status not in Job.ACTIVE)
    drafted = set(
        Draft.objects.for_org(org)
        .filter(kind="listing_content")
        .values_list("target_id", flat=True)
    )
    assert drafted == {listing.pk for listing in chargers}
    page.close()
