"""`manage.py seed_demo` loads a believable, deterministic demo, and only once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import F, Max, Min

from apps.accounts.models import Membership, Organization, Role
from apps.catalog.models import Listing, Product, Store
from apps.core.demo import DemoContext, _ordered, demo_modules
from apps.core.models import TenantModel
from apps.core.tenancy import unscoped
from apps.orders.fx import convert
from apps.orders.models import ExchangeRate, Order, OrderItem

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    with unscoped():
        return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.fixture
def demo():
    seed()
    return Organization.objects.get(slug="demo"), Organization.objects.get(slug="demo-home")


def test_seeding_twice_leaves_the_same_row_counts_in_every_table():
    seed()
    first = row_counts()
    output = seed()
    assert row_counts() == first
    assert first["orders.Order"] > 2000
    assert "(+0)" in output and "demo12345" in output


def test_the_demo_manager_belongs_to_both_organizations(demo):
    voltora, hearthly = demo
    roles = dict(
        Membership.objects.filter(user__username="manager").values_list(
            "organization__slug", "role"
        )
    )
    assert roles == {"demo": Role.MANAGER, "demo-home": Role.MANAGER}
    assert voltora.name == "Shenzhen Voltora Electronics Co., Ltd."
    # The manager lands in the main organization first: memberships are listed by name.
    assert voltora.name < hearthly.name


def test_every_role_has_a_demo_user_and_admin_is_a_superuser(demo):
    voltora, _ = demo
    roles = set(Membership.objects.filter(organization=voltora).values_list("role", flat=True))
    assert roles == {Role.OWNER, Role.MANAGER, Role.REVIEWER, Role.VIEWER}
    admin = Membership.objects.get(organization=voltora, user__username="admin").user
    assert admin.is_staff and admin.is_superuser
    assert admin.check_password("demo12345")


def test_the_catalogue_has_sixty_products_in_four_categories_with_hs_codes(demo):
    voltora, hearthly = demo
    products = Product.objects.for_org(voltora)
    assert 55 <= products.count() <= 65
    assert set(products.values_list("category", flat=True)) == {
        "Power banks",
        "Chargers",
        "Cables",
        "Audio",
    }
    power_bank = products.get(sku="VT-PB-10K-BK")
    assert power_bank.hs_code == "8507.60"
    assert power_bank.attributes["capacity_mAh"] == 10000
    assert power_bank.cost_currency == "CNY" and power_bank.unit_cost > 0
    assert "充电宝" in power_bank.name
    assert Product.objects.for_org(hearthly).count() == 5


def test_listings_are_in_english_and_german_with_prices_ending_in_99(demo):
    voltora, _ = demo
    listings = Listing.objects.for_org(voltora).select_related("store__marketplace")
    by_market = {}
    for listing in listings:
        by_market.setdefault(listing.store.marketplace.code, []).append(listing)
    assert set(by_market) == {"amazon_us", "amazon_de", "ebay_uk", "shopify"}
    assert {listing.language for listing in by_market["amazon_de"]} == {"de-DE"}
    assert {listing.currency for listing in by_market["amazon_de"]} == {"EUR"}
    assert {listing.language for listing in by_market["amazon_us"]} == {"en-US"}
    assert {listing.currency for listing in by_market["ebay_uk"]} == {"GBP"}
    german = next(x for x in by_market["amazon_de"] if x.product.sku == "VT-PB-10K-BK")
    assert "Powerbank 10.000 mAh" in german.title and "Schnellladen" in german.title
    assert all(len(x.title) <= 80 for x in by_market["ebay_uk"])
    assert all(str(x.price).split(".")[1].startswith("99") for x in listings)
    asins = [x.external_id for x in by_market["amazon_us"]]
    assert all(len(a) == 10 and a.startswith("B0") for a in asins) and len(set(asins)) == len(asins)


def test_orders_span_120_days_with_realistic_statuses(demo):
    voltora, _ = demo
    orders = Order.objects.for_org(voltora)
    span = orders.aggregate(first=Min("ordered_at"), last=Max("ordered_at"))
    assert timedelta(days=118) < span["last"] - span["first"] < timedelta(days=120)
    # Nothing ships within four hours of the order; the demo's "now" is the org's creation.
    recent = orders.filter(ordered_at__gte=voltora.created_at - timedelta(hours=3))
    assert recent.exists()
    old = orders.filter(ordered_at__lte=span["last"] - timedelta(days=30))
    assert set(recent.values_list("status", flat=True)) <= {
        Order.Status.PENDING,
        Order.Status.UNSHIPPED,
        Order.Status.CANCELLED,
    }
    old_statuses = set(old.values_list("status", flat=True))
    assert {Order.Status.DELIVERED, Order.Status.RETURNED, Order.Status.CANCELLED} <= old_statuses
    assert Order.Status.UNSHIPPED not in old_statuses


def test_order_totals_add_up_and_carry_the_buyer_countrys_vat(demo):
    voltora, _ = demo
    de = Order.objects.for_org(voltora).filter(store__marketplace__code="amazon_de")
    assert {"DE", "AT"} <= set(de.values_list("buyer_country", flat=True))
    order = de.filter(buyer_country="DE", shipping_total=0).prefetch_related("items").first()
    assert order.items_total == sum(i.line_total for i in order.items.all())
    assert order.order_total == order.items_total
    assert order.tax_total == (order.order_total * 19 / 119).quantize(Decimal("0.01"))
    us = Order.objects.for_org(voltora).filter(store__marketplace__code="amazon_us")
    assert set(us.values_list("buyer_country", flat=True)) == {"US"}
    assert set(us.values_list("tax_total", flat=True)) == {0}


def test_every_demo_row_belongs_to_its_organization(demo):
    orgs = set(demo)
    with unscoped():
        for model in apps.get_models():
            if issubclass(model, TenantModel):
                owners = set(model.objects.values_list("organization", flat=True).distinct())
                assert owners <= {o.pk for o in orgs}, model.__name__
        assert not Listing.objects.exclude(product__organization=F("organization")).exists()
        assert not Listing.objects.exclude(store__organization=F("organization")).exists()
        assert not Order.objects.exclude(store__organization=F("organization")).exists()
        assert not OrderItem.objects.exclude(order__organization=F("organization")).exists()
        assert not OrderItem.objects.exclude(listing__store=F("order__store")).exists()
    assert Store.objects.for_org(demo[1]).count() == 1


def test_demo_exchange_rates_cover_the_order_period_so_revenue_converts(demo):
    voltora, _ = demo
    first = Order.objects.for_org(voltora).order_by("ordered_at").first()
    eur = convert(
        org=voltora,
        amount=first.order_total,
        from_currency=first.currency,
        to_currency="EUR",
        on_date=first.ordered_at.date(),
    )
    assert eur > 0
    days = ExchangeRate.objects.filter(organization__isnull=True, quote="CNY").dates("date", "day")
    assert all(day.weekday() < 5 for day in days)


def test_demo_modules_run_in_installed_apps_order_unless_they_ask_to_wait():
    labels = [m.__name__ for m in demo_modules()]
    assert labels[:3] == ["apps.accounts.demo", "apps.catalog.demo", "apps.orders.demo"]

    class Module:
        def __init__(self, name, after=()):
            self.__name__, self.SEED_AFTER = name, after

    a, b, c = Module("a", after=("c",)), Module("b"), Module("c")
    assert [m.__name__ for m in _ordered({"a": a, "b": b, "c": c})] == ["b", "c", "a"]


def test_each_app_draws_from_its_own_random_stream():
    ctx = DemoContext(seed=7)
    assert ctx.random("orders").random() == DemoContext(seed=7).random("orders").random()
    assert ctx.random("orders").random() != ctx.random("catalog").random()


def test_the_review_queue_has_offline_listing_and_price_drafts_that_pass_their_checks(demo):
    from apps.review.models import Draft

    org = demo[0]
    drafts = list(Draft.objects.for_org(org).filter(status="pending"))
    kinds = {d.kind for d in drafts}
    assert {"listing_content", "price_change", "product_facts"} <= kinds
    # product_facts: the photo demo's fact sheet read off its box (apps/catalog/demo/photos.py)
    assert all(d.provider == "offline" for d in drafts if d.kind == "product_facts")
    # cs_reply drafts (some deliberately break rules) are checked in tests/support/test_demo.py
    drafts = [d for d in drafts if d.kind in {"listing_content", "price_change"}]
    content = [d for d in drafts if d.kind == "listing_content"]
    assert {d.language for d in content} >= {"en-US", "de-DE", "en-GB"}
    assert all(d.provider == "offline" for d in content)
    assert all(d.provider in {"repricer", "offline"} for d in drafts if d.kind == "price_change")
    assert all(d.prompt_version for d in drafts)
    assert not [c for d in drafts for c in d.checks if c["severity"] == "error"]
    for d in drafts:
        if d.kind == "price_change":
            assert d.proposed["price"].endswith(".99")
            assert d.proposed["price"] != d.current["price"]
