"""The listing editor: direct edits through listing_edit, errors block saving, the version
history shows word diffs, read-only roles and other organizations are kept out."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.catalog.models import Listing, ListingRevision
from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


def form(listing, **over) -> dict:
    data = {
        "version": listing.version,
        "title": listing.title,
        "bullets": list(listing.bullets),
        "description": listing.description,
        "search_terms": listing.search_terms,
        "price": f"{listing.price:f}",
    }
    return {**data, **over}


def test_the_editor_shows_live_counters_and_the_rules_for_the_browser(org, user, client_for):
    listing = ListingFactory(organization=org, search_terms="充电器 wireless charger")
    response = client_for(user).get(reverse("catalog:listing_detail", args=[listing.pk]))
    html = response.content.decode()
    assert 'data-testid="listing-editor"' in html and 'data-counter-for="edit-title"' in html
    assert 'id="review-rules"' in html and "js/review.js" in html
    assert response.context["client_rules"]["limits"]["title_max"] == 200
    assert response.context["client_rules"]["messages"]["bytes"] == "{n} / {max} bytes (UTF-8)"


def test_a_manager_saves_an_edit_and_the_history_shows_the_word_diff(org, user, client_for):
    listing = ListingFactory(
        organization=org, title="Voltora 15W Wireless Charger", price=Decimal("19.99")
    )
    client = client_for(user)
    response = client.post(
        reverse("catalog:listing_save", args=[listing.pk]),
        form(
            listing,
            title="Voltora 15W Copper Wireless Charger",
            bullets=["One", "", "Two"],
            price="21,50",
        ),
    )
    assert response.status_code == 302
    saved = Listing.objects.for_org(org).get(pk=listing.pk)
    assert saved.title == "Voltora 15W Copper Wireless Charger"
    assert saved.bullets == ["One", "Two"] and saved.price == Decimal("21.50")
    revision = ListingRevision.objects.for_org(org).get(listing=listing)
    assert revision.source == "edit" and revision.actor_id == user.pk
    page = client.get(reverse("catalog:listing_detail", args=[listing.pk]))
    history = page.context["history"][0]
    title_diff = next(f for f in history["fields"] if f["label"] == "Title")["diff"]
    assert {"op": "insert", "text": "Copper "} in title_diff or any(
        op["op"] == "insert" and "Copper" in op["text"] for op in title_diff
    )
    assert "edited by hand" in page.content.decode()


def test_rule_errors_block_saving_and_keep_what_was_typed(org, user, client_for):
    listing = ListingFactory(organization=org)
    response = client_for(user).post(
        reverse("catalog:listing_save", args=[listing.pk]),
        form(listing, title="Best seller charger {new}"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Best seller charger {new}" in html  # the typed text is still in the form
    assert "best seller" in html and "Characters not allowed in titles" in html
    assert Listing.objects.for_org(org).get(pk=listing.pk).title == listing.title
    assert not ListingRevision.objects.for_org(org).exists()


def test_a_stale_version_or_a_bad_price_is_refused(org, user, client_for):
    listing = ListingFactory(organization=org)
    Listing.objects.for_org(org).filter(pk=listing.pk).update(stock=1)  # version moves
    client = client_for(user)
    stale = client.post(
        reverse("catalog:listing_save", args=[listing.pk]), form(listing, title="New")
    )
    assert stale.status_code == 400 and "changed since version" in stale.content.decode()
    listing.refresh_from_db()
    bad = client.post(reverse("catalog:listing_save", args=[listing.pk]), form(listing, price="-3"))
    assert bad.status_code == 400 and "positive amount" in bad.content.decode()
    assert Listing.objects.for_org(org).get(pk=listing.pk).title == listing.title


def test_a_viewer_sees_the_copy_but_cannot_save(org, member_with_role, client_for):
    listing = ListingFactory(organization=org)
    viewer = client_for(member_with_role("viewer"))
    page = viewer.get(reverse("catalog:listing_detail", args=[listing.pk])).content.decode()
    assert 'data-testid="listing-editor"' not in page and listing.title in page
    response = viewer.post(
        reverse("catalog:listing_save", args=[listing.pk]), form(listing, title="x")
    )
    assert response.status_code == 403


def test_other_organizations_get_404(org, other_org, user, outsider, client_for):
    mine = ListingFactory(organization=org)
    other = client_for(outsider)
    assert other.get(reverse("catalog:listing_detail", args=[mine.pk])).status_code == 404
    assert (
        other.post(
            reverse("catalog:listing_save", args=[mine.pk]), form(mine, title="x")
        ).status_code
        == 404
    )
    assert Listing.objects.for_org(org).get(pk=mine.pk).title == mine.title


def test_the_editor_marks_claims_the_facts_do_not_support(org, user, client_for):
    from tests.factories import ProductFactory

    product = ProductFactory(organization=org, attributes={"material": "copper"})
    listing = ListingFactory(
        organization=org, product=product, title="Voltora Stainless Steel Cable", bullets=[]
    )
    response = client_for(user).get(reverse("catalog:listing_detail", args=[listing.pk]))
    marks = response.context["grounding"]
    assert [m["field"] for m in marks] == ["title"]
    assert "steel" in marks[0]["text"].lower()
    assert 'data-testid="grounding-marks"' in response.content.decode()
