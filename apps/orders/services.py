"""Writes of orders and exchange rates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction

from apps.accounts.models import Organization
from apps.catalog.models import Listing, Product, Store
from apps.core.errors import ValidationFailed
from apps.core.money import CURRENCIES, quantize

from .models import ExchangeRate, Order, OrderItem


@dataclass(frozen=True)
class ItemInput:
    """One order line as a client states it; the service computes the line total."""

    quantity: int
    unit_price: Decimal
    sku: str = ""
    product: Product | None = None
    listing: Listing | None = None


def _check_currency(currency: str, field: str) -> None:
    if currency not in CURRENCIES:
        raise ValidationFailed(f"Unknown currency {currency!r}.", field=field)


def _resolve_item(
    *, org: Organization, store: Store, item: ItemInput, index: int
) -> tuple[Product | None, str]:
    """The line's product and SKU, refusing rows of another organization or store."""
    field = f"items[{index}]"
    product, listing = item.product, item.listing
    if product is not None and product.organization_id != org.id:
        raise ValidationFailed("The product does not exist.", field=f"{field}.product")
    if listing is not None:
        if listing.organization_id != org.id:
            raise ValidationFailed("The listing does not exist.", field=f"{field}.listing")
        if listing.store_id != store.id:
            raise ValidationFailed(
                "The listing belongs to another store than the order.", field=f"{field}.listing"
            )
        if product is not None and product.id != listing.product_id:
            raise ValidationFailed("The listing is of another product.", field=f"{field}.product")
        product = product or listing.product
    sku = item.sku or (product.sku if product is not None else "")
    if not sku:
        raise ValidationFailed("Give a sku, a product or a listing.", field=f"{field}.sku")
    if item.quantity < 1:
        raise ValidationFailed("Quantity must be at least 1.", field=f"{field}.quantity")
    if item.unit_price < 0:
        raise ValidationFailed("Unit price cannot be negative.", field=f"{field}.unit_price")
    return product, sku


@transaction.atomic
def order_create(
    *,
    org: Organization,
    actor=None,
    store: Store,
    marketplace_order_id: str,
    buyer_country: str,
    ordered_at: dt.datetime,
    items: list[ItemInput],
    currency: str | None = None,
    status: str = Order.Status.PENDING,
    shipped_at: dt.datetime | None = None,
    delivered_at: dt.datetime | None = None,
    shipping_total: Decimal = Decimal("0"),
    tax_total: Decimal = Decimal("0"),
) -> Order:
    """An order and its lines in one transaction; line and order totals computed as Decimal.

    Every line is in the order's currency (the store marketplace's unless given) and rounded
    to that currency's minor unit before summing, as marketplaces settle them.
    """
    if store.organization_id != org.id:
        raise ValidationFailed("The store does not exist.", field="store")
    if not items:
        raise ValidationFailed("An order needs at least one item.", field="items")
    currency = currency or store.marketplace.currency
    _check_currency(currency, "currency")
    if (
        Order.objects.for_org(org)
        .filter(store=store, marketplace_order_id=marketplace_order_id)
        .exists()
    ):
        raise ValidationFailed(
            f"Order {marketplace_order_id} of {store.name} exists.", field="marketplace_order_id"
        )
    lines = []
    for index, item in enumerate(items):
        product, sku = _resolve_item(org=org, store=store, item=item, index=index)
        line_total = quantize(item.unit_price * item.quantity, currency)
        lines.append((item, product, sku, line_total))
    items_total = sum((line[3] for line in lines), Decimal("0"))
    shipping_total = quantize(shipping_total, currency)
    tax_total = quantize(tax_total, currency)
    order = Order.objects.create(
        organization=org,
        store=store,
        marketplace_order_id=marketplace_order_id,
        buyer_country=buyer_country.upper(),
        status=status,
        ordered_at=ordered_at,
        shipped_at=shipped_at,
        delivered_at=delivered_at,
        currency=currency,
        items_total=items_total,
        shipping_total=shipping_total,
        tax_total=tax_total,
        order_total=items_total + shipping_total + tax_total,
    )
    OrderItem.objects.bulk_create(
        OrderItem(
            organization=org,
            order=order,
            listing=item.listing,
            product=product,
            sku=sku,
            quantity=item.quantity,
            unit_price=item.unit_price,
            currency=currency,
            line_total=line_total,
        )
        for item, product, sku, line_total in lines
    )
    return order


@transaction.atomic
def exchange_rate_create(
    *,
    org: Organization,
    actor=None,
    base: str,
    quote: str,
    rate: Decimal,
    date: dt.date,
    source: str = "manual",
) -> ExchangeRate:
    """An organization's own rate (its bank's, its ERP's); it never touches the public rows."""
    _check_currency(base, "base")
    _check_currency(quote, "quote")
    if base == quote:
        raise ValidationFailed("Base and quote must differ.", field="quote")
    if rate <= 0:
        raise ValidationFailed("A rate must be positive.", field="rate")
    exists = ExchangeRate.objects.filter(organization=org, base=base, quote=quote, date=date)
    if exists.exists():
        raise ValidationFailed(
            f"Your organization already has a {base}/{quote} rate for {date}.", field="date"
        )
    try:
        with transaction.atomic():
            return ExchangeRate.objects.create(
                organization=org, base=base, quote=quote, rate=rate, date=date, source=source
            )
    except IntegrityError as exc:
        if "exchangerate_unique_day" not in str(exc):
            raise
        raise ValidationFailed(
            f"Your organization already has a {base}/{quote} rate for {date}.", field="date"
        ) from exc
