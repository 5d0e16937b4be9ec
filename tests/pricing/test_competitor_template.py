"""The competitor upload page offers a CSV template made from the import's columns.yaml: its
header is every column the import reads, and a filled-in template imports."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.accounts.models import Role
from apps.integrations.competitor_csv.parser import schema
from apps.pricing.models import CompetitorOffer
from tests.factories import ListingFactory


@pytest.fixture
def listing(org):
    return ListingFactory(organization=org, external_id="B0TEMPLATE", currency="USD")


def _header(client) -> list[str]:
    response = client.get(reverse("pricing:competitors_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert text.count("\n") == 1, "the header line only: nothing fake gets imported"
    return text.strip().split(",")


def test_the_template_has_every_column_of_the_import_under_its_documented_name(user, client_for):
    header = _header(client_for(user))
    expected = [schema().labels.get(n, n) for n in schema().columns]
    assert header == expected
    assert {"asin", "seller", "price", "observed_at"} <= set(header)


def test_a_filled_in_template_imports(org, user, client_for, listing):
    client = client_for(user)
    header = _header(client)
    row = {"asin": "B0TEMPLATE", "seller": "Rival", "price": "17.99", "currency": "USD",
           "fulfilment": "FBA", "buy_box": "yes"}  # fmt: skip
    data = ",".join(header) + "\n" + ",".join(row.get(h, "") for h in header) + "\n"
    upload = SimpleUploadedFile("offers.csv", data.encode(), content_type="text/csv")
    response = client.post(reverse("pricing:competitors"), {"file": upload})
    assert response.status_code == 200
    offer = CompetitorOffer.objects.for_org(org).get()
    assert offer.price == Decimal("17.99") and offer.is_buy_box and offer.listing_id == listing.pk


def test_the_page_links_the_template_and_lists_the_required_columns(member_with_role, client_for):
    html = client_for(member_with_role(Role.VIEWER)).get(reverse("pricing:competitors"))
    body = html.content.decode()
    assert reverse("pricing:competitors_template") in body
    assert "one of listing_id | asin | sku is required" in body


def test_the_template_needs_a_login(client):
    assert client.get(reverse("pricing:competitors_template")).status_code == 302
