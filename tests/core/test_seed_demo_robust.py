"""`make run` seeds the demo on every start, over data people changed through the API and the
editor since: seeding must neither crash nor duplicate anything."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from apps.catalog.models import Listing
from apps.core.demo import seed_demo
from apps.core.tenancy import unscoped
from apps.orders.models import Order, OrderItem

pytestmark = pytest.mark.django_db


def _seed(**options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("seed_demo", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_seeding_again_after_users_removed_prices_and_deleted_listings_changes_nothing():
    _seed()
    with unscoped():
        demo = Listing.objects.filter(organization__slug="demo").order_by("id")
        first, second, third = demo[:3]
        Listing.objects.filter(pk=first.pk).update(price=None)  # the PATCH {"price": null}
        Listing.objects.filter(pk=second.pk).update(price=Decimal("0"), stock=-5)
        OrderItem.objects.filter(listing=third).update(listing=None)
        Listing.objects.filter(pk=third.pk).delete()
        orders, items = Order.objects.count(), OrderItem.objects.count()

    out, err = _seed(strict=True)  # strict: any seeder error fails this test

    assert err == ""
    assert "(+0)" in out
    with unscoped():
        assert (Order.objects.count(), OrderItem.objects.count()) == (orders, items)


def test_a_fresh_demo_sells_no_listing_without_a_price():
    with unscoped():
        ctx = seed_demo(strict=True)
        assert ctx.failures == {}
        assert not OrderItem.objects.filter(unit_price__lte=0).exists()


def test_a_failing_seeder_is_skipped_not_fatal_outside_strict_mode(monkeypatch):
    from apps.orders import demo as orders_demo

    def broken(ctx):
        raise TypeError("unsupported operand type(s) for *: 'NoneType' and 'int'")

    monkeypatch.setattr(orders_demo, "seed", broken)
    with unscoped():
        ctx = seed_demo(strict=False)
    assert ctx.failures == {
        "orders": "TypeError: unsupported operand type(s) for *: 'NoneType' and 'int'"
    }
    with unscoped():
        # the other apps' demo data is there; the broken app's rolled back to its savepoint
        assert Listing.objects.filter(organization__slug="demo").exists()
        assert not Order.objects.exists()
