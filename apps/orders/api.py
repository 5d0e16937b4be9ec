"""REST API of orders (list, detail, create with items) and exchange rates (list, create)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.catalog.models import Listing, Product, Store
from apps.core.api import (
    FILTERS,
    FILTERS_AND_SEARCH,
    CurrencyField,
    Money,
    OrgPrimaryKeyRelatedField,
    TenantViewSet,
    request_actor,
)
from apps.core.bounds import DateField, DateTimeField

from . import services
from .filters import ExchangeRateFilter, OrderFilter
from .models import ExchangeRate, Order, OrderItem

# Orders ---------------------------------------------------------------------------------------

ORDER_FIELDS = ["id", "store", "store_name", "marketplace", "marketplace_order_id",
                "buyer_country", "status", "ordered_at", "shipped_at", "delivered_at", "currency",
                "items_total", "shipping_total", "tax_total", "order_total", "created_at",
                "updated_at"]  # fmt: skip


class OrderItemSerializer(serializers.ModelSerializer):
    unit_price = Money(read_only=True)
    line_total = Money(read_only=True)

    class Meta:
        model = OrderItem
        fields = ["id", "product", "listing", "sku", "quantity", "unit_price", "currency",
                  "line_total"]  # fmt: skip
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    store_name = serializers.CharField(source="store.name", read_only=True)
    marketplace = serializers.CharField(source="store.marketplace.code", read_only=True)
    items_total = Money(read_only=True)
    shipping_total = Money(read_only=True)
    tax_total = Money(read_only=True)
    order_total = Money(read_only=True)

    class Meta:
        model = Order
        fields = ORDER_FIELDS
        read_only_fields = fields


class OrderDetailSerializer(OrderSerializer):
    items = OrderItemSerializer(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [*ORDER_FIELDS, "items"]
        read_only_fields = fields


class OrderItemInputSerializer(serializers.Serializer):
    product = OrgPrimaryKeyRelatedField(
        queryset=Product.objects.none(), required=False, allow_null=True
    )
    listing = OrgPrimaryKeyRelatedField(
        queryset=Listing.objects.none(), required=False, allow_null=True
    )
    sku = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="Defaults to the product's."
    )
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    unit_price = Money(min_value=Decimal("0"))


class OrderCreateSerializer(serializers.Serializer):
    store = OrgPrimaryKeyRelatedField(queryset=Store.objects.none())
    marketplace_order_id = serializers.CharField(max_length=64)
    buyer_country = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        help_text="ISO 3166-1 alpha-2",
        error_messages={"invalid": "Use two letters such as DE."},
    )
    status = serializers.ChoiceField(choices=Order.Status.choices, default=Order.Status.PENDING)
    ordered_at = DateTimeField()
    shipped_at = DateTimeField(required=False, allow_null=True)
    delivered_at = DateTimeField(required=False, allow_null=True)
    currency = CurrencyField(required=False, help_text="Defaults to the store's marketplace's.")
    shipping_total = Money(min_value=Decimal("0"), default=Decimal("0"))
    tax_total = Money(min_value=Decimal("0"), default=Decimal("0"))
    items = serializers.ListField(
        child=OrderItemInputSerializer(), allow_empty=False, max_length=500
    )


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Orders of the organization's stores. Lists carry no items; the detail nests them."""

    queryset = Order.objects.none()
    serializer_class = OrderSerializer
    filter_backends = FILTERS_AND_SEARCH
    filterset_class = OrderFilter
    search_fields = ["marketplace_order_id"]
    ordering_fields = ["ordered_at", "order_total", "created_at"]

    def get_serializer_class(self):
        if self.action == "create":
            return OrderCreateSerializer
        if self.action == "retrieve":
            return OrderDetailSerializer
        return OrderSerializer

    def scope_queryset(self, queryset):
        queryset = queryset.select_related("store", "store__marketplace")
        if self.action != "list":
            queryset = queryset.prefetch_related("items")
        return queryset

    @extend_schema(responses={201: OrderDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        items = [services.ItemInput(**item) for item in data.pop("items")]
        order = services.order_create(
            org=self.org, actor=request_actor(request), items=items, **data
        )
        order = self.get_queryset().get(pk=order.pk)
        body = OrderDetailSerializer(order, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


# Exchange rates -------------------------------------------------------------------------------


class ExchangeRateSerializer(serializers.ModelSerializer):
    rate = serializers.DecimalField(max_digits=20, decimal_places=10, coerce_to_string=True)
    scope = serializers.SerializerMethodField()

    class Meta:
        model = ExchangeRate
        fields = ["id", "base", "quote", "rate", "date", "source", "scope", "created_at"]
        read_only_fields = fields

    def get_scope(self, obj) -> str:
        return "organization" if obj.organization_id else "public"


class ExchangeRateCreateSerializer(serializers.Serializer):
    base = CurrencyField()
    quote = CurrencyField()
    rate = serializers.DecimalField(max_digits=20, decimal_places=10, min_value=Decimal("0"))
    date = DateField()
    source = serializers.CharField(max_length=32, default="manual")

    def validate(self, attrs):
        if attrs["base"] == attrs["quote"]:
            raise serializers.ValidationError({"quote": "Base and quote must differ."})
        if attrs["rate"] <= 0:
            raise serializers.ValidationError({"rate": "A rate must be positive."})
        return attrs


class ExchangeRateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Public reference rates plus the organization's own; created rates are always your own.

    Units of `quote` per one `base`. Your own rates take precedence over public ones for you
    and are invisible to every other organization.
    """

    queryset = ExchangeRate.objects.none()
    serializer_class = ExchangeRateSerializer
    filter_backends = FILTERS
    filterset_class = ExchangeRateFilter
    ordering_fields = ["date", "base", "quote"]

    def base_queryset(self, org):
        # Not a TenantModel: the organization is nullable, NULL meaning a public rate.
        return ExchangeRate.objects.filter(Q(organization=org) | Q(organization__isnull=True))

    def get_serializer_class(self):
        if self.action == "create":
            return ExchangeRateCreateSerializer
        return ExchangeRateSerializer

    @extend_schema(responses={201: ExchangeRateSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rate = services.exchange_rate_create(
            org=self.org, actor=request_actor(request), **serializer.validated_data
        )
        body = ExchangeRateSerializer(rate, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)
