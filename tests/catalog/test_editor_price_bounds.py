"""The listing editor rounds a typed price to the currency before checking it, and refuses
non-numbers (NaN, Infinity) and amounts no column holds with a message, never a 500."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.catalog.models import Listing
from tests.factories import ListingFactory

from .test_editor import form


@pytest.mark.parametrize("price", ["0.001", "0.004", "NaN", "sNaN", "Infinity", "1e999", "1e12"])
def test_a_price_that_rounds_to_zero_or_is_no_amount_is_refused(org, user, client_for, price):
    listing = ListingFactory(organization=org, price=Decimal("19.99"))
    client = client_for(user)
    client.raise_request_exception = False
    response = client.post(
        reverse("catalog:listing_save", args=[listing.pk]), form(listing, price=price)
    )
    assert response.status_code == 400, (price, response.status_code)
    assert Listing.objects.for_org(org).get(pk=listing.pk).price == Decimal("19.99")


def test_a_half_cent_is_rounded_to_a_cent_and_saved(org, user, client_for):
    listing = ListingFactory(organization=org, price=Decimal("19.99"))
    response = client_for(user).post(
        reverse("catalog:listing_save", args=[listing.pk]), form(listing, price="0.005")
    )
    assert response.status_code == 302, response.content[:300]
    assert Listing.objects.for_org(org).get(pk=listing.pk).price == Decimal("0.01")
