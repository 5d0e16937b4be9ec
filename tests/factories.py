"""factory_boy factories for the shared model. Tenant rows take their organization explicitly."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.accounts.models import Membership, Organization, Role
from apps.catalog.models import Listing, Marketplace, Product, Store
from apps.orders.models import ExchangeRate, Order, OrderItem


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Seller {n}")
    slug = factory.Sequence(lambda n: f"seller-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.MANAGER


def marketplace(code: str = "amazon_us") -> Marketplace:
    """Marketplaces are reference data loaded by migration: fetch, don't create."""
    return Marketplace.objects.get(code=code)


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    organization = factory.SubFactory(OrganizationFactory)
    marketplace = factory.LazyFunction(lambda: marketplace("amazon_us"))
    name = factory.Sequence(lambda n: f"Store {n}")
    seller_id = factory.Sequence(lambda n: f"A{n:012d}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    organization = factory.SubFactory(OrganizationFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"无线充电器 {n}")
    brand = "Voltora"
    category = "Chargers"
    attributes = factory.LazyFunction(lambda: {"material": "aluminium", "power_w": 15})
    unit_cost = Decimal("42.50")
    cost_currency = "CNY"
    weight_g = Decimal("180.0")


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing

    organization = factory.SubFactory(OrganizationFactory)
    product = factory.SubFactory(
        ProductFactory, organization=factory.SelfAttribute("..organization")
    )
    store = factory.SubFactory(StoreFactory, organization=factory.SelfAttribute("..organization"))
    external_id = factory.Sequence(lambda n: f"B0{n:08d}")
    title = factory.LazyAttribute(lambda o: f"Voltora 15W Wireless Charger {o.product.sku}")
    bullets = factory.LazyFunction(lambda: ["Fast 15W charging", "Aluminium body"])
    description = "A fast wireless charger."
    language = "en-US"
    price = Decimal("19.99")
    currency = "USD"
    stock = 100


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    organization = factory.SubFactory(OrganizationFactory)
    store = factory.SubFactory(StoreFactory, organization=factory.SelfAttribute("..organization"))
    marketplace_order_id = factory.Sequence(lambda n: f"111-{n:07d}-0000001")
    buyer_country = "US"
    status = Order.Status.SHIPPED
    ordered_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))
    currency = "USD"
    items_total = Decimal("19.99")
    order_total = Decimal("19.99")


class OrderItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderItem

    organization = factory.SubFactory(OrganizationFactory)
    order = factory.SubFactory(OrderFactory, organization=factory.SelfAttribute("..organization"))
    sku = "SKU-00001"
    quantity = 1
    unit_price = Decimal("19.99")
    currency = "USD"
    line_total = Decimal("19.99")


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    organization = None
    base = "EUR"
    quote = "USD"
    rate = Decimal("1.0412")
    date = factory.LazyFunction(lambda: timezone.now().date())
