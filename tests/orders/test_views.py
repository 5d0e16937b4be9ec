"""Orders dashboard pages: filters, details, and no leaks between organizations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.orders.models import Order
from tests.factories import OrderFactory, OrderItemFactory, StoreFactory


@pytest.fixture
def order(org):
    order = OrderFactory(organization=org, marketplace_order_id="111-MINE-1")
    OrderItemFactory(organization=org, order=order, sku="VOL-CHG-15", quantity=2)
    return order


@pytest.fixture
def foreign_order(other_org):
    return OrderFactory(organization=other_org, marketplace_order_id="222-FOREIGN-1")


def test_order_pages_render_for_a_member(user, order, client_for):
    client = client_for(user)
    assert client.get(reverse("orders:list")).status_code == 200
    response = client.get(reverse("orders:detail", args=[order.id]))
    assert response.status_code == 200
    assert "VOL-CHG-15" in response.content.decode()


def test_order_pages_require_login(client, order):
    for url in (reverse("orders:list"), reverse("orders:detail", args=[order.id])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_another_organizations_order_answers_404(user, foreign_order, client_for):
    response = client_for(user).get(reverse("orders:detail", args=[foreign_order.id]))
    assert response.status_code == 404


def test_the_list_shows_only_the_active_organizations_orders(
    user, order, foreign_order, client_for
):
    html = client_for(user).get(reverse("orders:list")).content.decode()
    assert "111-MINE-1" in html
    assert "222-FOREIGN-1" not in html


def test_orders_filter_by_store_status_dates_and_search(org, user, client_for):
    now = timezone.now()
    store = StoreFactory(organization=org)
    old = OrderFactory(organization=org, ordered_at=now - timedelta(days=40))
    new = OrderFactory(organization=org, store=store, status=Order.Status.UNSHIPPED, ordered_at=now)
    OrderItemFactory(organization=org, order=new, sku="FIND-ME")
    client = client_for(user)

    def ids(**params):
        page = client.get(reverse("orders:list"), params).context["page"]
        return {o.id for o in page}

    assert ids(store=store.id) == {new.id}
    assert ids(status="unshipped") == {new.id}
    assert ids(to=(now - timedelta(days=30)).date().isoformat()) == {old.id}
    assert ids(**{"from": (now - timedelta(days=1)).date().isoformat()}) == {new.id}
    assert ids(q="FIND-ME") == {new.id}
    assert ids(q=old.marketplace_order_id) == {old.id}
    assert ids(status="nonsense", to="not-a-date") == {old.id, new.id}


def test_an_htmx_request_gets_only_the_orders_table(user, order, client_for):
    response = client_for(user).get(reverse("orders:list"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'data-testid="orders-table"' in html and "111-MINE-1" in html
    assert "<html" not in html and '<nav class="sidebar"' not in html


def test_the_chinese_orders_page_renders_chinese(user, order, client_for):
    client = client_for(user)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("orders:list")).content.decode()
    assert "订单" in html and "已发货" in html
