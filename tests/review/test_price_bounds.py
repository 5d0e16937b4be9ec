"""A price draft's edited price is rounded to its currency, then checked against zero and the
floor and ceiling the repricer proposed it under; only a signed-in manager overrides the
floor/ceiling, with a reason that the approval event records."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.review.models import ReviewEvent
from apps.review.services import draft_create
from tests.factories import ListingFactory


@pytest.fixture
def listing(org):
    return ListingFactory(organization=org, price=Decimal("20.00"), currency="USD")


@pytest.fixture
def draft(org, listing):
    return draft_create(
        org=org, kind="price_change", target=listing,
        proposed={"price": "18.00", "currency": "USD", "floor": "15.00", "ceiling": "25.00"},
    )  # fmt: skip


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _approve(client, draft, **body):
    return client.post(f"/api/v1/drafts/{draft.pk}/approve/", body, format="json")


@pytest.mark.parametrize("price", ["0.001", "0.004", "0", "14.99", "25.01", "1e999", "1e20"])
def test_a_price_outside_zero_floor_or_ceiling_is_refused(member_with_role, draft, listing,
                                                          price):  # fmt: skip
    response = _approve(_client(member_with_role(Role.REVIEWER)), draft, payload={"price": price})
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "price"
    listing.refresh_from_db()
    assert listing.price == Decimal("20.00")


def test_a_reviewer_cannot_override_the_floor(member_with_role, draft, listing):
    response = _approve(
        _client(member_with_role(Role.REVIEWER)), draft,
        payload={"price": "12.00"}, override_reason="clearance",
    )  # fmt: skip
    assert response.status_code == 403, response.content
    listing.refresh_from_db()
    assert listing.price == Decimal("20.00")


def test_an_api_key_cannot_override_either(api_client_for, org, draft, listing):
    response = _approve(
        api_client_for(org, Role.OWNER), draft, payload={"price": "12.00"},
        override_reason="clearance",
    )  # fmt: skip
    assert response.status_code == 403, response.content


def test_a_manager_overrides_the_floor_with_a_reason_that_is_recorded(org, user, draft, listing):
    response = _approve(
        _client(user), draft, payload={"price": "12.004"},
        override_reason="Clearance of the old model",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    listing.refresh_from_db()
    assert listing.price == Decimal("12.00")  # rounded to the cent
    note = ReviewEvent.objects.for_org(org).get(draft=draft, to_status="approved").note
    assert "price.below_floor" in note and "Clearance of the old model" in note


def test_even_a_manager_cannot_override_a_zero_price(user, draft, listing):
    response = _approve(_client(user), draft, payload={"price": "0.004"}, override_reason="why not")
    assert response.status_code == 400, response.content
    listing.refresh_from_db()
    assert listing.price == Decimal("20.00")


def test_a_price_inside_its_bounds_applies_without_override(member_with_role, draft, listing):
    response = _approve(_client(member_with_role(Role.REVIEWER)), draft, payload={"price": "19.5"})
    assert response.status_code == 200, response.content
    listing.refresh_from_db()
    assert listing.price == Decimal("19.50")


def _screen(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_the_review_screen_offers_the_override_to_managers_only(member_with_role, user, draft):
    url = f"/review/{draft.pk}/"
    assert 'data-testid="override-row"' in _screen(user).get(url).content.decode()
    reviewer = member_with_role(Role.REVIEWER)
    assert 'data-testid="override-row"' not in _screen(reviewer).get(url).content.decode()


def test_a_manager_overrides_the_floor_on_the_review_screen(org, user, draft, listing):
    form = {"edit": "1", "price": "12.00", "currency": "USD", "override_reason": "Clearance"}
    response = _screen(user).post(f"/review/{draft.pk}/approve/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    listing.refresh_from_db()
    assert listing.price == Decimal("12.00")
    note = ReviewEvent.objects.for_org(org).get(draft=draft, to_status="approved").note
    assert "Clearance" in note


def test_without_a_reason_the_screen_keeps_the_floor(org, user, draft, listing):
    form = {"edit": "1", "price": "12.00", "currency": "USD"}
    response = _screen(user).post(f"/review/{draft.pk}/approve/", form)
    assert response.status_code == 400
    listing.refresh_from_db()
    assert listing.price == Decimal("20.00")
