"""The dashboard shell: every module page, log-in, the organization switch and the language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.orders.models import Order
from tests.conftest import PASSWORD
from tests.factories import (
    ListingFactory,
    MembershipFactory,
    OrderFactory,
    OrderItemFactory,
    OrganizationFactory,
)

MODULE_PAGES = [
    "dashboard:overview",
    "review:index",
    "pricing:index",
    "ads:index",
    "support:index",
    "logistics:index",
    "analytics:index",
    "accounts:api_keys",
]


@pytest.mark.parametrize("name", MODULE_PAGES)
def test_every_module_page_renders_for_a_member(user, client_for, name):
    response = client_for(user).get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", MODULE_PAGES)
def test_every_module_page_requires_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_user_without_an_organization_is_told_so(client_for, db):
    from tests.factories import UserFactory

    response = client_for(UserFactory()).get(reverse("catalog:products"))
    assert response.status_code == 403
    assert "does not belong to any organization" in response.content.decode()


def test_login_and_logout(client, user):
    response = client.post(reverse("accounts:login"), {"username": "manager", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("dashboard:overview")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("dashboard:overview")).status_code == 302


def test_switching_to_an_organization_of_the_user(org, user, client_for):
    second = OrganizationFactory(name="Yiwu Outdoor")
    MembershipFactory(organization=second, user=user, role=Role.VIEWER)
    client = client_for(user)
    client.post(reverse("accounts:switch_org"), {"organization": second.id})
    html = client.get(reverse("dashboard:overview")).content.decode()
    assert "Overview · Yiwu Outdoor" in html


def test_switching_to_an_organization_the_user_is_not_in_is_refused(
    org, other_org, user, client_for
):
    client = client_for(user)
    response = client.post(reverse("accounts:switch_org"), {"organization": other_org.id})
    assert response.status_code == 302
    html = client.get(reverse("dashboard:overview")).content.decode()
    assert "not a member of that organization" in html
    assert "Overview · Shenzhen Voltora" in html
    assert other_org.name not in html


def test_the_overview_renders_in_chinese(user, client_for):
    client = client_for(user)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    html = client.get(reverse("dashboard:overview")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "概览" in html and "订单" in html and "退出登录" in html


def test_the_sidebar_links_every_module(user, client_for):
    html = client_for(user).get(reverse("dashboard:overview")).content.decode()
    for name in [*MODULE_PAGES[1:], "catalog:products", "catalog:listings", "orders:list"]:
        assert f'href="{reverse(name)}"' in html


def test_admin_is_available_to_staff_only(user, client_for):
    assert client_for(user).get("/admin/").status_code == 302
    user.is_staff = user.is_superuser = True
    user.save()
    assert client_for(user).get("/admin/").status_code == 200


def test_logistics_shows_late_orders_and_low_stock(org, other_org, user, client_for):
    late = OrderFactory(
        organization=org,
        status=Order.Status.UNSHIPPED,
        ordered_at=timezone.now() - timedelta(days=3),
    )
    OrderFactory(organization=org, status=Order.Status.UNSHIPPED, ordered_at=timezone.now())
    OrderFactory(
        organization=other_org,
        status=Order.Status.UNSHIPPED,
        ordered_at=timezone.now() - timedelta(days=3),
    )
    low = ListingFactory(organization=org, stock=3)
    ListingFactory(organization=org, stock=50)
    ListingFactory(organization=other_org, stock=1)
    context = client_for(user).get(reverse("logistics:index")).context
    assert [o.id for o in context["late_orders"]] == [late.id]
    assert [li.id for li in context["low_stock"]] == [low.id]


def test_analytics_sums_units_and_revenue_by_store_and_category(org, other_org, user, client_for):
    listing = ListingFactory(organization=org, product__category="Chargers")
    order = OrderFactory(organization=org, store=listing.store)
    OrderItemFactory(
        organization=org, order=order, product=listing.product, quantity=3, line_total=60
    )
    OrderItemFactory(organization=other_org, quantity=7)
    context = client_for(user).get(reverse("analytics:index"), {"days": 90}).context
    assert context["days"] == 90
    assert [(r["order__store__name"], r["units"]) for r in context["by_store"]] == [
        (listing.store.name, 3)
    ]
    assert [(r["product__category"], r["units"]) for r in context["by_category"]] == [
        ("Chargers", 3)
    ]


def test_the_listing_page_shows_price_and_cost_in_their_own_currencies(org, user, client_for):
    listing = ListingFactory(organization=org, price="19.99", currency="USD")
    html = client_for(user).get(f"/catalog/listings/{listing.pk}/").content.decode()
    assert "19.99" in html and "USD" in html
    assert "42.50" in html and "CNY" in html


def test_ads_and_support_show_only_this_organizations_data(org, other_org, user, client_for):
    ListingFactory(organization=org, store__name="Mine US")
    ListingFactory(organization=other_org, store__name="Theirs US")
    OrderFactory(organization=org, buyer_country="DE")
    OrderFactory(organization=other_org, buyer_country="FR")
    client = client_for(user)
    ads = client.get(reverse("ads:index")).content.decode()
    assert "Mine US" in ads and "Theirs US" not in ads
    countries = [
        r["buyer_country"] for r in client.get(reverse("support:index")).context["by_country"]
    ]
    assert countries == ["DE"]
