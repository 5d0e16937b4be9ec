"""Bulk upsert of competitor observations by SKU + store + seller + time."""

from __future__ import annotations

from decimal import Decimal

from apps.pricing.models import CompetitorOffer
from tests.factories import ListingFactory

from .bulk_helpers import check_limits_and_scope, post, statuses

URL = "/api/v1/competitor-offers/bulk-upsert/"


def _offer(listing, **over):
    return {"sku": listing.product.sku, "store": listing.store.pk, "seller_id": "A1SELLER",
            "price": "18.99", "observed_at": "2026-11-30T12:00:00Z", **over}  # fmt: skip


def test_mixed_batch_saves_the_valid_items(api_client, org):
    listing = ListingFactory(organization=org)
    response = post(api_client, URL, [
        _offer(listing, shipping="2.00", is_buy_box=True, rating="97.5"),
        _offer(listing, seller_id="B2", currency="EUR", fulfilment="fba"),
        _offer(listing, price="-1"),
        _offer(listing, sku="NOPE"),
        _offer(listing, observed_at=None),
        _offer(listing),
    ])  # fmt: skip
    assert statuses(response) == ["created", "created", "error", "error", "error", "error"]
    results = response.json()["results"]
    assert "price" in results[2]["errors"] and "observed_at" in results[4]["errors"]
    assert results[3]["errors"] == {"sku": ["No listing of this SKU in that store."]}
    first = CompetitorOffer.objects.for_org(org).get(pk=results[0]["id"])
    assert (first.price, first.shipping, first.currency, first.is_buy_box) == (
        Decimal("18.99"), Decimal("2.00"), listing.currency, True)  # fmt: skip
    assert CompetitorOffer.objects.for_org(org).get(pk=results[1]["id"]).currency == "EUR"


def test_resending_is_unchanged_and_a_new_price_is_an_update(api_client, org):
    listing = ListingFactory(organization=org)
    first = post(api_client, URL, [_offer(listing)]).json()["results"][0]
    again = post(api_client, URL, [_offer(listing)]).json()["results"][0]
    assert (again["status"], again["id"]) == ("unchanged", first["id"])
    assert statuses(post(api_client, URL, [_offer(listing, price="17.50")])) == ["updated"]
    assert CompetitorOffer.objects.for_org(org).count() == 1


def test_another_organizations_listing_is_never_matched(api_client, org, other_org):
    theirs = ListingFactory(organization=other_org)
    mine = ListingFactory(organization=org, product__sku=theirs.product.sku)
    response = post(api_client, URL, [_offer(theirs), _offer(mine, store=theirs.store.pk)])
    assert statuses(response) == ["error", "error"]
    assert not CompetitorOffer.objects.for_org(other_org).exists()


def test_limits_scope_and_idempotency(api_client, org):
    check_limits_and_scope(
        api_client, org, URL, "pricing", _offer(ListingFactory(organization=org))
    )
