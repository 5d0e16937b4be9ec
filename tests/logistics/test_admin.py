"""Logistics admin: with rows of every model, each list (filtered by organization) and each
change page renders for staff; plans and suggestions cannot be edited there."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from apps.logistics.models import (
    DelayNotice,
    InboundItem,
    InboundShipment,
    Parcel,
    RestockSuggestion,
    StockoutDay,
    SupplyTerms,
)

from .test_views import planned  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
MODELS = [m for m in admin.site._registry if m._meta.app_label == "logistics"]


@pytest.fixture
def rows(org, planned):  # noqa: F811
    product = RestockSuggestion.objects.for_org(org).first().product
    SupplyTerms.objects.create(organization=org, product=product, carton_units=24)
    StockoutDay.objects.create(
        organization=org, product=product, warehouse=planned, day=timezone.localdate()
    )
    ship = InboundShipment.objects.create(
        organization=org,
        reference="ADM-1",
        warehouse=planned,
        mode="sea",
        cost=Decimal("10"),
        currency="USD",
    )
    InboundItem.objects.create(organization=org, shipment=ship, product=product, units=24)
    DelayNotice.objects.create(organization=org, parcel=Parcel.objects.for_org(org).first())
    return org


@pytest.fixture
def staff(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456-x")


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_every_logistics_admin_page_renders_with_rows(rows, staff, client, model):
    client.force_login(staff)
    opts = model._meta
    base = f"admin:{opts.app_label}_{opts.model_name}"
    listing = client.get(reverse(f"{base}_changelist"), {"organization__id__exact": rows.pk})
    assert listing.status_code == 200
    obj = model._base_manager.order_by("pk").first()
    assert obj is not None, opts.label
    assert client.get(reverse(f"{base}_change", args=[obj.pk])).status_code == 200


def test_plans_and_suggestions_are_read_only_in_the_admin(rows, staff, client):
    client.force_login(staff)
    s = RestockSuggestion.objects.for_org(rows).first()
    url = reverse("admin:logistics_restocksuggestion_change", args=[s.pk])
    client.post(url, {"quantity": 999999})
    s.refresh_from_db()
    assert s.quantity != 999999
    assert client.get(reverse("admin:logistics_planrun_add")).status_code == 403
