"""Approvals visible to an ERP: every real change of a listing moves `updated_at` (approved
content, price and image drafts, bulk approval, the repricer), and the listings API's
`updated_since` filter returns what changed since a cursor, refusing bad cursors with a 400."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.catalog.listings.drafts import _price_apply_many
from apps.catalog.models import Listing
from apps.pricing.engine.run import reprice_store
from apps.review.models import Policy
from apps.review.services import draft_approve, draft_create
from tests.factories import ListingFactory
from tests.pricing.test_engine_write import listing as priced_listing
from tests.pricing.test_engine_write import setup_store

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - timedelta(days=30)


def _aged(org, *listings) -> None:
    """Push updated_at back (an UPDATE of updated_at alone is no change: no version bump)."""
    Listing.objects.for_org(org).filter(pk__in=[x.pk for x in listings]).update(updated_at=LONG_AGO)


def _updated_at(org, listing):
    return Listing.objects.for_org(org).get(pk=listing.pk).updated_at


def test_an_update_of_updated_at_alone_is_not_a_change(org):
    listing = ListingFactory(organization=org)
    _aged(org, listing)
    after = Listing.objects.for_org(org).get(pk=listing.pk)
    assert after.updated_at == LONG_AGO and after.version == listing.version


@pytest.mark.parametrize(
    ("kind", "proposed"),
    [
        ("listing_content", {"title": "Voltora 15W Wireless Charger, Aluminium"}),
        ("price_change", {"price": "18.49", "currency": "USD"}),
    ],
)
def test_an_approved_draft_moves_updated_at(org, user, kind, proposed):
    listing = ListingFactory(organization=org)
    _aged(org, listing)
    draft = draft_create(org=org, kind=kind, target=Listing.objects.for_org(org).get(pk=listing.pk),
                         proposed=proposed)  # fmt: skip
    before = timezone.now()
    draft_approve(org=org, actor=user, draft_id=draft.pk)
    assert _updated_at(org, listing) >= before - timedelta(seconds=1)


def test_a_bulk_price_apply_moves_updated_at_and_a_no_op_does_not(org):
    moved, same = ListingFactory(organization=org), ListingFactory(organization=org)
    _aged(org, moved, same)
    _price_apply_many([(moved, {"price": "17.00"}), (same, {"price": f"{same.price:f}"})])
    assert _updated_at(org, moved) > LONG_AGO
    assert _updated_at(org, same) == LONG_AGO


def test_a_repricer_apply_moves_updated_at(org):
    store, _ = setup_store(org)
    applied = priced_listing(org, store, Decimal("19.99"), sku="A", competitor=Decimal("18.00"))
    Policy.objects.create(organization=org, kind="price_change", auto_approve=True,
                          max_change_pct=Decimal("6"))  # fmt: skip
    _aged(org, applied)
    out = reprice_store(org=org, store=store)
    assert out.counts["applied"] == 1
    after = Listing.objects.for_org(org).get(pk=applied.pk)
    assert after.price != Decimal("19.99") and after.updated_at > LONG_AGO


# --- the API's updated_since ---------------------------------------------------------------------


def test_updated_since_returns_only_listings_changed_since_the_cursor(org, user, api_client):
    old, changed = ListingFactory(organization=org), ListingFactory(organization=org)
    _aged(org, old, changed)
    cursor = timezone.now() - timedelta(minutes=1)
    draft = draft_create(org=org, kind="price_change",
                         target=Listing.objects.for_org(org).get(pk=changed.pk),
                         proposed={"price": "18.49", "currency": "USD"})  # fmt: skip
    draft_approve(org=org, actor=user, draft_id=draft.pk)
    for value in (
        cursor.isoformat(),
        cursor.astimezone(timezone.get_fixed_timezone(480)).isoformat().replace("+", " "),
    ):  # fmt: skip  (an unencoded "+" arrives as " ")
        response = api_client.get("/api/v1/listings/", {"updated_since": value})
        assert response.status_code == 200, response.content
        assert [r["id"] for r in response.json()["results"]] == [changed.pk]
    everything = api_client.get("/api/v1/listings/", {"updated_since": "2001-01-01T00:00:00Z"})
    assert {r["id"] for r in everything.json()["results"]} == {old.pk, changed.pk}


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2026-13-01T00:00:00Z",
        "0001-01-01T00:00:00Z",
        "1999-12-31T23:59:59Z",
        "9999-01-01T00:00:00Z",
        "2026-01-01T00:00:00+16:00",
        "2026-01-01T00:00:00-23:59",
        "1" * 400,
        "2026-01-01T00:00:00\x00",
    ],
)
def test_a_bad_updated_since_is_a_400_naming_the_parameter(api_client, value):
    response = api_client.get("/api/v1/listings/", {"updated_since": value})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert "updated_since" in response.json()["errors"]


def test_updated_since_does_not_reach_another_organization(org, other_org, api_client):
    ListingFactory(organization=other_org)
    response = api_client.get("/api/v1/listings/", {"updated_since": "2001-01-01T00:00:00Z"})
    assert response.json()["results"] == []
