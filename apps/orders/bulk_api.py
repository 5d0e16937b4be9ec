"""`POST /api/v1/orders/bulk-upsert/`: up to 10,000 orders with their lines, matched on store +
marketplace order id (lines on item key), one result per order (apps/orders/bulk.py writes)."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from apps.core.api import CurrencyField, Money
from apps.core.bounds import INT32_MAX, DateTimeField, IdField
from apps.core.bulk import BulkUpsertViewSet, bulk_schema

from .bulk import orders_upsert_many
from .models import Order

MAX_LINES = 500


def _count(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=INT32_MAX, **kwargs)


class OrderLineItemSerializer(serializers.Serializer):
    item_key = serializers.CharField(
        max_length=120, required=False, help_text="The marketplace's order-item id; default: sku"
    )
    sku = serializers.CharField(max_length=100, help_text="A SKU of your catalog")
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    unit_price = Money(min_value=Decimal(0))
    tax = Money(min_value=Decimal(0), default=Decimal(0))
    discount = Money(min_value=Decimal(0), default=Decimal(0))
    item_status = serializers.CharField(max_length=24, allow_blank=True, default="")
    refunded_quantity = _count(default=0)
    refunded_amount = Money(min_value=Decimal(0), default=Decimal(0))
    returned_quantity = _count(default=0)


class OrderItemSerializer(serializers.Serializer):
    """One order as it is now: its values and all its lines (lines it no longer lists are
    removed; totals are computed from the lines)."""

    store = IdField(help_text="Store id")
    marketplace_order_id = serializers.CharField(max_length=64)
    buyer_country = serializers.RegexField(
        r"^[A-Za-z]{2}$", max_length=2, help_text="ISO 3166-1 alpha-2",
        error_messages={"invalid": "Use two letters such as DE."},
    )  # fmt: skip
    status = serializers.ChoiceField(choices=Order.Status.choices, default=Order.Status.PENDING)
    ordered_at = DateTimeField()
    shipped_at = DateTimeField(required=False, allow_null=True)
    delivered_at = DateTimeField(required=False, allow_null=True)
    currency = CurrencyField(required=False, help_text="Default: the store marketplace's")
    shipping_total = Money(min_value=Decimal(0), default=Decimal(0))
    tax_total = Money(min_value=Decimal(0), default=Decimal(0))
    financial_status = serializers.CharField(max_length=24, allow_blank=True, default="")
    # Risk inputs (optional; stored hashed except billing country, postal code and city).
    buyer_email = serializers.EmailField(
        max_length=200, required=False, allow_blank=True,
        help_text="Hashed into the buyer key of the first-order rule; not stored as sent",
    )  # fmt: skip
    billing_country = serializers.RegexField(
        r"^[A-Za-z]{2}$", max_length=2, required=False, allow_blank=True,
        help_text="ISO 3166-1 alpha-2; differing from buyer_country adds risk",
    )  # fmt: skip
    ship_postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    ship_city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    ship_address = serializers.CharField(
        max_length=200, required=False, allow_blank=True,
        help_text="Street line; hashed into the address key of the many-orders rule",
    )  # fmt: skip
    lines = serializers.ListField(
        child=OrderLineItemSerializer(), min_length=1, max_length=MAX_LINES
    )


@bulk_schema("Order", OrderItemSerializer, ["store", "marketplace_order_id"])
class OrderBulkViewSet(BulkUpsertViewSet):
    """Create or update orders with their lines (scope `orders:write`)."""

    queryset = Order.objects.none()
    item_serializer_class = OrderItemSerializer
    key_fields = ("store", "marketplace_order_id")

    def upsert(self, items):
        return orders_upsert_many(org=self.org, items=items)
