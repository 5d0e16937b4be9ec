"""The demo gives every logistics page content: stock, inbound shipments, stuck parcels, a
capacity limit that binds, a plan with restock drafts and delay-message drafts."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.accounts.models import Organization
from apps.logistics.models import InboundShipment, Inventory, Parcel, RestockSuggestion
from apps.logistics.risk import parcel_risks
from apps.review.models import Draft

pytestmark = pytest.mark.django_db


def test_demo_seeds_logistics_and_is_idempotent():
    call_command("seed_demo", stdout=None)
    org = Organization.objects.get(slug="demo")
    assert Inventory.objects.for_org(org).count() > 10
    assert InboundShipment.objects.for_org(org).filter(status="customs").exists()
    assert any(r.at_risk and "no_scan" in r.reasons for _p, r in parcel_risks(org=org))
    cut = RestockSuggestion.objects.for_org(org).filter(capacity_cut=True)
    assert cut.filter(warehouse__code="FBA-US").exists(), _fba_us_volumes(org)
    assert RestockSuggestion.objects.for_org(org).exists()
    assert Draft.objects.for_org(org).filter(kind="restock").exists()
    assert Draft.objects.for_org(org).filter(kind="parcel_delay_message").exists()
    counts = (Parcel.objects.for_org(org).count(), RestockSuggestion.objects.for_org(org).count())
    call_command("seed_demo", stdout=None)
    assert (
        Parcel.objects.for_org(org).count(),
        RestockSuggestion.objects.for_org(org).count(),
    ) == counts


def _fba_us_volumes(org) -> str:
    """Why the limit did not bind, for the assertion message."""
    from django.db.models import Sum

    from apps.logistics.models import Warehouse

    wh = Warehouse.objects.for_org(org).get(code="FBA-US")
    lines = RestockSuggestion.objects.for_org(org).filter(warehouse=wh)
    return (
        f"capacity {wh.capacity_ft3} ft³, suggested {lines.aggregate(v=Sum('volume_ft3'))['v']} "
        f"ft³ over {lines.filter(quantity__gt=0).count()} of {lines.count()} SKUs"
    )
