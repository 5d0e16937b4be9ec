"""Django admin: every model page renders for staff, none for non-staff members."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import ListingFactory, OrderItemFactory

MODELS = [m for m in admin.site._registry if m._meta.app_label not in {"auth"}]


@pytest.fixture
def staff(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456-x")


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_admin_changelist_and_change_page_renders_for_staff(
    staff, client, org, other_org, model
):
    from apps.review.services import draft_create

    listing = ListingFactory(organization=org)
    OrderItemFactory(organization=other_org)
    draft_create(
        org=org, kind="price_change", target=listing, proposed={"price": "21.99", "currency": "USD"}
    )
    client.force_login(staff)
    opts = model._meta
    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    obj = model._base_manager.order_by("pk").first()
    if obj is not None:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert client.get(url).status_code == 200


def test_members_who_are_not_staff_cannot_open_the_admin(user, client_for):
    response = client_for(user).get("/admin/catalog/listing/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
