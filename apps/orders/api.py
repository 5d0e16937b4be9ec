"""REST API of orders (list, detail, create with items) and exchange rates (list, create)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
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
from apps.integrations.tabular.errors import TabularFormatError

from . import services
from .base_currency import utc_day
from .base_currency_api import BaseAmountField, BaseCurrencyMixin, in_base_parameter
from .exposure import fx_exposure
from .filters import ExchangeRateFilter, OrderFilter
from .imports import order_file_import, order_rows_import
from .models import ExchangeRate, Order, OrderItem, RiskDestination
from .risk import REVIEW_SCORE

# Orders ---------------------------------------------------------------------------------------

ORDER_FIELDS = ["id", "store", "store_name", "marketplace", "marketplace_order_id",
                "buyer_country", "status", "ordered_at", "shipped_at", "delivered_at", "currency",
                "items_total", "shipping_total", "tax_total", "order_total", "created_at",
                "updated_at", "source", "financial_status", "refunded_total", "billing_country",
                "settled_at", "risk_score", "risk_reasons", "base_total"]  # fmt: skip

IN_BASE = in_base_parameter("an order's UTC order day")


class OrderItemSerializer(serializers.ModelSerializer):
    unit_price = Money(read_only=True)
    line_total = Money(read_only=True)
    tax = Money(read_only=True)
    discount = Money(read_only=True)
    refunded_amount = Money(read_only=True)

    class Meta:
        model = OrderItem
        fields = ["id", "product", "listing", "sku", "quantity", "unit_price", "currency",
                  "line_total", "item_key", "item_status", "tax", "discount",
                  "refunded_quantity", "refunded_amount", "returned_quantity"]  # fmt: skip
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    store_name = serializers.CharField(source="store.name", read_only=True)
    marketplace = serializers.CharField(source="store.marketplace.code", read_only=True)
    items_total = Money(read_only=True)
    shipping_total = Money(read_only=True)
    tax_total = Money(read_only=True)
    order_total = Money(read_only=True)
    refunded_total = Money(read_only=True)
    risk_reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    base_total = BaseAmountField(help_text="With `currency=base`: order_total in base currency")

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


BULK_MAX = 5_000


class BulkOrderLineSerializer(serializers.Serializer):
    """One order line; the order's fields repeat on each of its lines. Values are typed by the
    import's rules (locale numbers, ISO dates), so bad values come back as line errors."""

    order_id = serializers.CharField(max_length=64)
    item_key = serializers.CharField(max_length=120, required=False, allow_blank=True)
    sku = serializers.CharField(max_length=100, required=False, allow_blank=True)
    quantity = serializers.CharField(max_length=20)
    unit_price = serializers.CharField(max_length=40, required=False, allow_blank=True)
    line_total = serializers.CharField(max_length=40, required=False, allow_blank=True)
    tax = serializers.CharField(max_length=40, required=False, allow_blank=True)
    tax_included = serializers.BooleanField(required=False, default=False)
    discount = serializers.CharField(max_length=40, required=False, allow_blank=True)
    shipping = serializers.CharField(max_length=40, required=False, allow_blank=True)
    item_status = serializers.CharField(max_length=24, required=False, allow_blank=True)
    status = serializers.CharField(max_length=24, required=False, allow_blank=True)
    currency = serializers.CharField(max_length=8, required=False, allow_blank=True)
    ordered_at = serializers.CharField(max_length=40)
    shipped_at = serializers.CharField(max_length=40, required=False, allow_blank=True)
    settled_at = serializers.CharField(max_length=40, required=False, allow_blank=True)
    financial_status = serializers.CharField(max_length=24, required=False, allow_blank=True)
    buyer_email = serializers.CharField(max_length=200, required=False, allow_blank=True)
    buyer_country = serializers.CharField(max_length=8, required=False, allow_blank=True)
    billing_country = serializers.CharField(max_length=8, required=False, allow_blank=True)
    ship_postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    ship_city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    ship_address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    refunded_quantity = serializers.CharField(max_length=20, required=False, allow_blank=True)
    refunded_amount = serializers.CharField(max_length=40, required=False, allow_blank=True)
    returned_quantity = serializers.CharField(max_length=20, required=False, allow_blank=True)


class BulkOrderLinesSerializer(serializers.Serializer):
    store = OrgPrimaryKeyRelatedField(queryset=Store.objects.none())
    rows = serializers.ListField(
        child=BulkOrderLineSerializer(), allow_empty=False, max_length=BULK_MAX
    )


class OrderFileSerializer(serializers.Serializer):
    store = OrgPrimaryKeyRelatedField(queryset=Store.objects.none())
    format = serializers.ChoiceField(choices=["amazon", "shopify", "lines"], default="amazon")
    file = serializers.FileField(max_length=255)


IMPORT_RESULT = inline_serializer(
    "OrderImportResult",
    {
        "rows": serializers.IntegerField(), "lines": serializers.IntegerField(),
        "orders_created": serializers.IntegerField(),
        "orders_updated": serializers.IntegerField(),
        "items_created": serializers.IntegerField(), "items_updated": serializers.IntegerField(),
        "errors": serializers.ListField(child=serializers.DictField()),
        "import_run": serializers.IntegerField(allow_null=True),
        "duplicate_of": serializers.IntegerField(allow_null=True),
        "message": serializers.CharField(),
    },
)  # fmt: skip
FX_EXPOSURE = inline_serializer(
    "FxExposure",
    {
        "base": serializers.CharField(), "start": serializers.DateField(),
        "end": serializers.DateField(), "stock_available": serializers.BooleanField(),
        "missing_rates": serializers.ListField(child=serializers.CharField()),
        "points": serializers.ListField(child=serializers.DictField()),
        "totals": serializers.ListField(child=serializers.DictField()),
    },
)  # fmt: skip


@extend_schema_view(list=extend_schema(parameters=[IN_BASE]),
                    retrieve=extend_schema(parameters=[IN_BASE]))  # fmt: skip
class OrderViewSet(
    BaseCurrencyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet
):
    """Orders of the organization's stores. Lists carry no items; the detail nests them."""

    base_amount_field = "order_total"

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

    def base_event_day(self, order):
        return utc_day(order.ordered_at)

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

    @extend_schema(request=BulkOrderLinesSerializer, responses={200: IMPORT_RESULT})
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Upsert up to 5,000 order lines into a store (one row per line, the order's fields
        repeated): re-sending changes nothing, a changed status, amount, refund or return is
        applied. Bad rows come back in `errors`, numbered from 1; the others are written."""
        body = BulkOrderLinesSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        result = order_rows_import(
            org=self.org, store=body.validated_data["store"], rows=body.validated_data["rows"]
        )
        return Response(result.as_dict())

    @extend_schema(request=OrderFileSerializer, responses={200: IMPORT_RESULT})
    @action(detail=False, methods=["post"], url_path="import",
            parser_classes=[MultiPartParser, FormParser])  # fmt: skip
    def import_file(self, request):
        """Import an order file (multipart `file`, `format` amazon | shopify | lines, `store`).
        A file that is not a table of the format answers 400 with the reason."""
        body = OrderFileSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        try:
            result = order_file_import(
                org=self.org, store=body.validated_data["store"], data=upload,
                filename=upload.name, format=body.validated_data["format"],
                actor=request_actor(request),
            )  # fmt: skip
        except TabularFormatError as exc:
            raise serializers.ValidationError({"file": [str(exc)]}) from exc
        return Response(result.as_dict())

    @extend_schema(responses={200: OrderSerializer(many=True)}, parameters=[IN_BASE])
    @action(detail=False, methods=["get"])
    def risk(self, request):
        """Orders whose risk score reaches `min` (default 40), highest first, with reasons."""
        try:
            minimum = max(1, min(100, int(request.query_params.get("min", REVIEW_SCORE))))
        except ValueError:
            raise serializers.ValidationError({"min": ["A whole number from 1 to 100."]}) from None
        qs = self.get_queryset().filter(risk_score__gte=minimum).order_by("-risk_score", "-id")
        page = self.paginate_queryset(qs)
        data = OrderSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    @extend_schema(responses={200: FX_EXPOSURE})
    @action(detail=False, methods=["get"], url_path="fx-exposure")
    def fx_exposure(self, request):
        """Receivables (and stock value, when logistics provides it) per day and currency,
        converted to the organization's base currency at each day's rate. `days` 1–366."""
        try:
            days = max(1, min(366, int(request.query_params.get("days", 90))))
        except ValueError:
            raise serializers.ValidationError({"days": ["A whole number from 1 to 366."]}) from None
        end = timezone.now().date()
        exposure = fx_exposure(org=self.org, start=end - timedelta(days=days - 1), end=end)
        return Response(
            {
                "base": exposure.base, "start": exposure.start, "end": exposure.end,
                "stock_available": exposure.stock_available,
                "missing_rates": exposure.missing_rates,
                "points": [
                    {"day": p.day, "currency": p.currency, "kind": p.kind,
                     "amount": str(p.amount), "rate": None if p.rate is None else str(p.rate),
                     "converted": None if p.converted is None else str(p.converted)}
                    for p in exposure.points
                ],
                "totals": [{"day": d, "receivables": str(r), "stock": str(s)}
                           for d, r, s in exposure.totals_by_day()],
            }
        )  # fmt: skip


class RiskDestinationSerializer(serializers.ModelSerializer):
    country = serializers.RegexField(r"^[A-Z]{2}$", max_length=2)
    points = serializers.IntegerField(min_value=1, max_value=100, default=20)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    class Meta:
        model = RiskDestination
        fields = ["id", "country", "points", "note"]


class RiskDestinationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, TenantViewSet
):
    """The organization's destination risk list (data the order risk score reads)."""

    queryset = RiskDestination.objects.none()
    serializer_class = RiskDestinationSerializer

    @extend_schema(responses={201: RiskDestinationSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row, _created = RiskDestination.objects.for_org(self.org).update_or_create(
            organization=self.org, country=serializer.validated_data["country"],
            defaults={k: v for k, v in serializer.validated_data.items() if k != "country"},
        )  # fmt: skip
        return Response(RiskDestinationSerializer(row).data, status=status.HTTP_201_CREATED)


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
