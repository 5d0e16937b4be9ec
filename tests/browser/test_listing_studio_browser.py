"""The listing studio end to end in a real browser: a manager drafts copy for a copper cable
with the offline generator (through a real Celery worker), opens the draft in the review screen,
sees the live counters and a grounding flag on a planted "steel" claim, edits it out, approves,
exports the store as an Amazon JSON_LISTINGS_FEED and finds the approved text in the file.
"""

from __future__ import annotations

import json
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest

from apps.accounts.models import Role
from apps.catalog.listings.marketplaces import marketplaces_sync
from apps.catalog.models import Listing, Marketplace
from apps.review.models import Draft, DraftStatus
from tests.browser.test_dashboard_browser import browser  # noqa: F401 - the fixture
from tests.factories import (
    ListingFactory,
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    StoreFactory,
    UserFactory,
    marketplace,
)
from tests.integrations.feed_schema import assert_valid_feed

USERNAME, PASSWORD = "studio-manager", "studio12345"
PLANTED = " Steel"

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def copper_listing(live_server):
    marketplaces_sync(Marketplace)  # a transactional test before may have flushed them
    org = OrganizationFactory(slug="studio-demo", name="Shenzhen Voltora Electronics")
    user = UserFactory(username=USERNAME, password__=None)
    user.set_password(PASSWORD)
    user.save()
    MembershipFactory(organization=org, user=user, role=Role.MANAGER)
    product = ProductFactory(
        organization=org,
        sku="VOL-CU-2M",
        brand="Voltora",
        category="Cables",
        attributes={"material": "copper", "length_m": 2, "connector": "USB-C", "power_w": 65},
    )
    store = StoreFactory(
        organization=org,
        marketplace=marketplace("amazon_us"),
        name="Voltora US",
        seller_id="A1VOLT",
    )
    return ListingFactory(
        organization=org,
        product=product,
        store=store,
        title="Voltora cable",
        bullets=[],
        description="",
        price=Decimal("12.99"),
    )


def _wait_for(predicate, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError("timed out waiting for the worker")


def _count(text: str) -> int:
    return int(re.match(r"\s*(\d+)", text).group(1))


def test_generate_review_with_counters_and_grounding_edit_approve_export(
    browser,  # noqa: F811
    live_server,
    celery_worker,
    copper_listing,
):
    listing, org = copper_listing, copper_listing.organization
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
    page.set_default_timeout(30_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-form] button[type=submit]")

    # 1. Generate: the listing page's button runs the job; its page shows the progress bar.
    page.goto(f"{live_server.url}/catalog/listings/{listing.pk}/")
    with page.expect_navigation():
        page.click("[data-testid=generate-one] button[type=submit]")
    assert page.locator("[role=progressbar]").count() >= 1
    draft = _wait_for(
        lambda: (
            Draft.objects.for_org(org)
            .filter(kind="listing_content", target_id=listing.pk, status=DraftStatus.PENDING)
            .first()
        )
    )
    generated_title = draft.proposed["title"]
    assert "Voltora" in generated_title and draft.provider == "offline"

    # 2. Plant an unsupported claim: the product is copper, the draft now says steel.
    planted_title = generated_title + PLANTED
    Draft.objects.for_org(org).filter(pk=draft.pk).update(
        proposed={**draft.proposed, "title": planted_title}
    )

    page.goto(f"{live_server.url}/review/{draft.pk}/")
    checks = page.locator("[data-testid=draft-checks]")
    assert "steel" in checks.inner_text().lower(), "the grounding flag names the claim"
    assert page.locator("[data-action=approve]").is_disabled(), "errors block approval"
    page.screenshot(path="/tmp/studio-review-grounding.png", full_page=True)

    # 3. Live counters while editing; removing the claim and saving approves the draft.
    page.keyboard.press("e")
    title = page.locator("#edit-title")
    counter = page.locator("[data-testid=count-title]")
    assert _count(counter.inner_text()) == len(planted_title)
    assert "/ 200 characters" in counter.inner_text()
    search_counter = page.locator("[data-testid=count-search_terms]")
    assert "bytes (UTF-8)" in search_counter.inner_text()
    title.fill(generated_title)
    page.wait_for_function(
        "n => parseInt(document.querySelector('[data-testid=count-title]').textContent) === n",
        arg=len(generated_title),
    )
    with page.expect_navigation():
        page.click("[data-action=save]")
    assert "Approved" in page.locator(".messages").inner_text()
    draft.refresh_from_db()
    assert draft.status == DraftStatus.APPLIED
    approved = Listing.objects.for_org(org).get(pk=listing.pk)
    assert approved.title == generated_title
    assert approved.bullets == draft.final["bullets"] and approved.bullets

    # 4. Export the store as an Amazon feed from the listings page; the file holds the copy.
    page.goto(f"{live_server.url}/catalog/listings/")
    form = page.locator("[data-testid=marketplace-export]")
    # Each store is offered with its own marketplace's file (Amazon: the JSON feed).
    form.locator("select[name=store]").select_option(str(listing.store_id))
    form.locator("select[name=operation]").select_option("UPDATE")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    download_link = page.locator("[data-testid=export-download]")
    download_link.wait_for(timeout=90_000)  # the page polls the job until it has finished
    page.screenshot(path="/tmp/studio-export-job.png", full_page=True)
    with page.expect_download() as info:
        download_link.click()
    feed = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert_valid_feed(feed)
    assert feed["header"] == {"sellerId": "A1VOLT", "version": "2.0", "issueLocale": "en_US"}
    (message,) = feed["messages"]
    assert message["sku"] == "VOL-CU-2M" and message["operationType"] == "UPDATE"
    attributes = message["attributes"]
    assert attributes["item_name"][0]["value"] == generated_title
    assert [b["value"] for b in attributes["bullet_point"]] == approved.bullets
    assert attributes["purchasable_offer"][0]["our_price"][0]["schedule"][0]["value_with_tax"]
    assert "steel" not in json.dumps(feed).lower()

    # 5. The listing page shows the approved copy with its history.
    page.goto(f"{live_server.url}/catalog/listings/{listing.pk}/")
    assert page.locator("[data-testid=page-title]").inner_text() == generated_title
    assert "approved draft" in page.locator("[data-testid=version-history]").inner_text()
    page.close()
