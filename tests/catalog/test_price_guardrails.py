"""A direct price write (API PATCH, editor) outside the floor/ceiling the repricer computed for
the listing is refused, unless a signed-in manager overrides with a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.catalog.models import Listing
from apps.pricing.models import PriceChange
from tests.factories import ListingFactory

from .test_editor import form

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(org):
    listing = ListingFactory(organization=org, price=Decimal("20.00"), currency="USD")
    PriceChange.objects.create(
        organization=org, listing=listing, old_price=Decimal("21.00"), new_price=Decimal("20.00"),
        currency="USD", binding="competitor", floor=Decimal("15.00"), ceiling=Decimal("25.00"),
    )  # fmt: skip
    return listing


def _price(org, listing) -> Decimal:
    return Listing.objects.for_org(org).get(pk=listing.pk).price


@pytest.mark.parametrize("price", ["14.99", "14.994", "25.01"])
def test_an_api_price_outside_the_guardrails_is_refused(api_client, org, listing, price):
    response = api_client.patch(f"/api/v1/listings/{listing.pk}/", {"price": price},
                                format="json")  # fmt: skip
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "price"
    assert _price(org, listing) == Decimal("20.00")


def test_a_price_inside_them_or_rounding_into_them_is_saved(api_client, org, listing):
    response = api_client.patch(f"/api/v1/listings/{listing.pk}/", {"price": "14.995"},
                                format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    assert _price(org, listing) == Decimal("15.00")


def test_an_api_key_cannot_override_but_a_signed_in_manager_can(api_client_for, org, user,
                                                                listing):  # fmt: skip
    body = {"price": "12.00", "override_reason": "Clearance"}
    key = api_client_for(org, Role.OWNER)
    assert key.patch(f"/api/v1/listings/{listing.pk}/", body, format="json").status_code == 403
    session = APIClient()
    session.force_login(user)
    response = session.patch(f"/api/v1/listings/{listing.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    assert _price(org, listing) == Decimal("12.00")


def test_the_editor_refuses_a_price_below_the_floor_with_a_message(org, user, client_for,
                                                                   listing):  # fmt: skip
    response = client_for(user).post(
        reverse("catalog:listing_save", args=[listing.pk]), form(listing, price="9.99")
    )
    assert response.status_code == 400
    assert "below the floor" in response.content.decode()
    assert _price(org, listing) == Decimal("20.00")


def test_a_listing_the_repricer_never_priced_has_no_guardrails(api_client, org):
    listing = ListingFactory(organization=org, price=Decimal("20.00"))
    response = api_client.patch(f"/api/v1/listings/{listing.pk}/", {"price": "1.00"},
                                format="json")  # fmt: skip
    assert response.status_code == 200
