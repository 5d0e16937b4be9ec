"""The demo's B2B inquiry: parsed, quoted (with the demo's exchange rates) and drafted."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from apps.accounts.models import Organization
from apps.review.models import Draft
from apps.support.b2b.models import Inquiry, Quotation

pytestmark = pytest.mark.django_db


def test_demo_has_a_quoted_b2b_inquiry_with_a_clean_draft():
    call_command("seed_demo", stdout=StringIO())
    org = Organization.objects.get(slug="demo")
    inquiry = Inquiry.objects.for_org(org).get()
    assert inquiry.quantity == 1200 and inquiry.destination_country == "DE"
    assert inquiry.product is not None and inquiry.product_match == "sku"
    quotation = Quotation.objects.for_org(org).get(inquiry=inquiry)
    assert quotation.computation["tiers"] and not quotation.computation["problems"]
    draft = Draft.objects.for_org(org).get(kind="b2b_quotation", target_id=quotation.pk)
    assert draft.status == "pending"
    assert not [c for c in draft.checks if c["severity"] == "error"], draft.checks
