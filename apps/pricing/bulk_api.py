"""`POST /api/v1/costs/bulk-upsert/` and `/api/v1/competitor-offers/bulk-upsert/`: up to 10,000
items matched on natural keys, one result per item (apps/pricing/bulk_upsert.py writes)."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from apps.catalog.models import Product
from apps.core.api import CurrencyField, Money
from apps.core.bounds import DateTimeField, IdField
from apps.core.bulk import BulkUpsertViewSet, bulk_schema

from .bulk_upsert import PROFILE_FIELDS, competitor_offers_upsert_many, costs_upsert_many
from .models import CompetitorOffer, FulfilmentType


class CostItemSerializer(serializers.Serializer):
    """Costs of one SKU: its unit cost (the product's) and, with `store`, the per-unit costs of
    its listing in that store (the listing's cost profile). Fields not named are kept."""

    sku = serializers.CharField(max_length=100)
    store = IdField(required=False, help_text="Store id: the listing of `sku` in it")
    unit_cost = Money(min_value=Decimal(0), required=False)
    cost_currency = CurrencyField(required=False, help_text="Of `unit_cost`; kept if omitted")
    currency = CurrencyField(
        required=False, help_text="Of the per-unit costs; default: the listing's"
    )
    first_leg_per_unit = Money(min_value=Decimal(0), required=False)
    other_per_unit = Money(min_value=Decimal(0), required=False)
    fulfilment_fee = Money(min_value=Decimal(0), required=False, allow_null=True)
    price_ceiling = Money(min_value=Decimal("0.0001"), required=False, allow_null=True)

    def validate(self, attrs):
        profile = [f for f in ("currency", *PROFILE_FIELDS) if f in attrs]
        if profile and attrs.get("store") is None:
            raise serializers.ValidationError({"store": ["Give the store of the listing."]})
        if "unit_cost" not in attrs and not profile:
            raise serializers.ValidationError("Give `unit_cost`, or `store` with per-unit costs.")
        if "cost_currency" in attrs and "unit_cost" not in attrs:
            raise serializers.ValidationError({"unit_cost": ["Give it with `cost_currency`."]})
        return attrs


class CompetitorOfferItemSerializer(serializers.Serializer):
    """One observation of a competitor's offer on the listing of `sku` in `store`, matched on
    `sku` + `store` + `seller_id` + `observed_at`."""

    sku = serializers.CharField(max_length=100)
    store = IdField(help_text="Store id")
    seller_id = serializers.CharField(max_length=100)
    seller_name = serializers.CharField(max_length=200, allow_blank=True, default="")
    price = Money(min_value=Decimal(0))
    shipping = Money(min_value=Decimal(0), default=Decimal(0))
    currency = CurrencyField(required=False, help_text="Default: the listing's")
    fulfilment = serializers.ChoiceField(choices=FulfilmentType.choices, default="fbm")
    rating = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100),
        required=False, allow_null=True, help_text="Seller rating, 0-100",
    )  # fmt: skip
    is_buy_box = serializers.BooleanField(default=False)
    observed_at = DateTimeField(help_text="When the offer was seen (part of the key)")


@bulk_schema("Cost", CostItemSerializer, ["sku", "store"])
class CostBulkViewSet(BulkUpsertViewSet):
    """Set unit costs and listing cost profiles by SKU (+ store) (scope `pricing:write`)."""

    queryset = Product.objects.none()
    item_serializer_class = CostItemSerializer
    key_fields = ("sku", "store")

    def upsert(self, items):
        return costs_upsert_many(org=self.org, items=items)


@bulk_schema(
    "CompetitorOffer", CompetitorOfferItemSerializer, ["sku", "store", "seller_id", "observed_at"]
)
class CompetitorOfferBulkViewSet(BulkUpsertViewSet):
    """Create or update competitor observations (scope `pricing:write`)."""

    queryset = CompetitorOffer.objects.none()
    item_serializer_class = CompetitorOfferItemSerializer
    key_fields = ("sku", "store", "seller_id", "observed_at")

    def upsert(self, items):
        return competitor_offers_upsert_many(org=self.org, items=items)
