"""Competitor observations stay valid: bounded dates and amounts, one row per (listing,
seller, observed_at) enforced by the database, and an upsert that concurrent identical bulk
posts cannot duplicate."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from apps.accounts.services import api_key_issue
from apps.pricing.models import CompetitorOffer
from tests.factories import ListingFactory, OrganizationFactory


def _rows(listing):
    return [
        {"listing_id": listing.pk, "seller_id": f"S{n}", "price": f"1{n}.99",
         "observed_at": f"2026-01-0{n + 1}T10:00:00Z"}
        for n in range(3)
    ]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_twenty_identical_parallel_bulk_posts_store_each_observation_once():
    from rest_framework.test import APIClient

    org = OrganizationFactory()
    listing = ListingFactory(organization=org)
    key = api_key_issue(org=org, name="parallel", role="manager").raw_key
    body = {"rows": _rows(listing)}
    statuses: list[int] = []
    barrier = threading.Barrier(20)

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        barrier.wait()
        try:
            statuses.append(
                client.post("/api/v1/competitor-offers/bulk/", body, format="json").status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * 20
    assert CompetitorOffer.objects.for_org(org).count() == 3
    assert sorted(CompetitorOffer.objects.for_org(org).values_list("seller_id", "price")) == [
        ("S0", Decimal("10.9900")),
        ("S1", Decimal("11.9900")),
        ("S2", Decimal("12.9900")),
    ]


def test_the_database_refuses_a_duplicate_observation(org):
    listing = ListingFactory(organization=org)
    offer = CompetitorOffer.objects.create(
        organization=org, listing=listing, seller_id="S", price=Decimal("9.99"), currency="USD",
        observed_at="2026-01-01T00:00:00Z",
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        CompetitorOffer.objects.create(
            organization=org, listing=listing, seller_id="S", price=Decimal("8.99"),
            currency="USD", observed_at=offer.observed_at,
        )  # fmt: skip


def test_resending_an_observation_updates_it_and_counts_it(api_client, org):
    listing = ListingFactory(organization=org)
    body = {"rows": _rows(listing)}
    first = api_client.post("/api/v1/competitor-offers/bulk/", body, format="json").json()
    again = api_client.post("/api/v1/competitor-offers/bulk/", body, format="json").json()
    body["rows"][0]["price"] = "9.49"
    changed = api_client.post("/api/v1/competitor-offers/bulk/", body, format="json").json()
    assert (first["created"], first["updated"], first["unchanged"]) == (3, 0, 0)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert (changed["created"], changed["updated"], changed["unchanged"]) == (0, 1, 2)
    assert CompetitorOffer.objects.for_org(org).get(seller_id="S0").price == Decimal("9.49")


@pytest.mark.parametrize(
    ("cell", "value", "reason"),
    [
        ("observed_at", "0001-01-01T00:00:00Z", "observed_at"),
        ("observed_at", "1800-06-01T00:00:00Z", "observed_at is before 1970-01-01"),
        ("observed_at", "2999-01-01T00:00:00Z", "observed_at"),
        ("observed_at", "2026-01-01T10:00:00+20:00", "UTC offset"),
        ("observed_at", "2026-01-01 10:00 -2359", "UTC offset"),
        ("price", "1e999", "price"),
        ("price", "NaN", "price"),
        ("price", "123456789012", "price is too large"),
        ("shipping", "99999999999", "shipping is too large"),
        ("rating", "1e999", "rating"),
        ("seller_id", "a\x00b", "NUL"),
        ("seller_name", "x" * 200_000, "128 KiB"),
    ],
)
def test_out_of_range_observations_are_line_errors_never_stored(api_client, org, cell, value,
                                                                reason):  # fmt: skip
    listing = ListingFactory(organization=org)
    row = {"listing_id": listing.pk, "seller_id": "S", "price": "10.00", cell: value}
    response = api_client.post("/api/v1/competitor-offers/bulk/", {"rows": [row]}, format="json")
    assert response.status_code in (200, 400), response.content
    body = response.json()
    if response.status_code == 200:
        assert body["errors"][0]["line"] == 1
        assert reason in body["errors"][0]["reason"]
    else:
        assert "rows" in str(body["errors"])
    assert not CompetitorOffer.objects.for_org(org).exists()
