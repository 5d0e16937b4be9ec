"""REST API of logistics: warehouses, inventory (bulk rows in the FBA report's columns),
inbound shipments with items and milestones, parcels with tracking events (bulk events in the
tracking CSV's columns), delay risk, replenishment plans and their suggestions."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.catalog.models import Product, Store
from apps.core.api import CurrencyField, Money, OrgPrimaryKeyRelatedField, TenantViewSet
from apps.core.bounds import DateField, DateTimeField
from apps.orders.base_currency import utc_day
from apps.orders.base_currency_api import BaseAmountField, BaseCurrencyMixin, in_base_parameter
from apps.orders.models import Order

from . import services
from .api_drafts import (
    DelayDraftsInputSerializer,
    DelayDraftsResultSerializer,
    delay_drafts_result,
)
from .imports import inventory_records_import, tracking_records_import
from .models import (
    InboundItem,
    InboundShipment,
    Inventory,
    Mode,
    Parcel,
    PlanRun,
    RestockSuggestion,
    TrackingEvent,
    Warehouse,
)
from .risk import parcel_risks

BULK_MAX = 10_000
MAX_COLUMNS = 40


class RowField(serializers.DictField):
    """One row: column → text (at most 40 columns of 500 characters)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "child", serializers.CharField(max_length=500, allow_blank=True, allow_null=True)
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, dict) and len(data) > MAX_COLUMNS:
            raise serializers.ValidationError(f"At most {MAX_COLUMNS} columns.")
        return super().to_internal_value(data)


class BulkRowsSerializer(serializers.Serializer):
    rows = serializers.ListField(child=RowField(), max_length=BULK_MAX)


BULK_RESULT = inline_serializer(
    "LogisticsBulkResult",
    {
        "rows": serializers.IntegerField(),
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
        "errors": serializers.ListField(child=serializers.DictField()),
    },
)


def _bulk_result(rows: int, out) -> dict:
    return {
        "rows": rows,
        "created": out.created,
        "updated": out.updated,
        "unchanged": out.unchanged,
        "errors": [e.as_dict() for e in out.errors],
    }


# --- warehouses and inventory ------------------------------------------------------------------


class WarehouseSerializer(serializers.ModelSerializer):
    capacity_ft3 = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), required=False, allow_null=True
    )
    store = OrgPrimaryKeyRelatedField(
        queryset=Store.objects.none(), required=False, allow_null=True
    )
    country = serializers.RegexField(r"^[A-Z]{2}$", max_length=2)

    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "kind", "country", "store", "capacity_ft3", "is_active"]


class WarehouseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TenantViewSet
):
    """Own warehouses, third-party overseas warehouses and FBA, with capacity limits (ft³)."""

    queryset = Warehouse.objects.none()
    serializer_class = WarehouseSerializer

    def perform_create(self, serializer):
        serializer.instance = services.warehouse_create(org=self.org, **serializer.validated_data)


class InventorySerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)

    class Meta:
        model = Inventory
        fields = [
            "id",
            "product",
            "sku",
            "warehouse",
            "warehouse_code",
            "fulfillable",
            "reserved",
            "unsellable",
            "inbound",
            "unit_volume_ft3",
            "reported_at",
        ]
        read_only_fields = fields


class InventoryBulkSerializer(BulkRowsSerializer):
    warehouse = OrgPrimaryKeyRelatedField(queryset=Warehouse.objects.none())


class InventoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Stock per SKU and warehouse. `bulk` takes rows with the FBA inventory report's columns
    (`sku`, `afn-fulfillable-quantity`, …) for one warehouse, through the report's rules."""

    queryset = Inventory.objects.none()
    serializer_class = InventorySerializer

    def scope_queryset(self, queryset):
        qs = queryset.select_related("product", "warehouse").order_by("id")
        warehouse = self.request.query_params.get("warehouse", "")
        return qs.filter(warehouse_id=int(warehouse)) if warehouse.isdigit() else qs

    @extend_schema(request=InventoryBulkSerializer, responses={200: BULK_RESULT})
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        body = InventoryBulkSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        rows = body.validated_data["rows"]
        out = inventory_records_import(
            org=self.org, warehouse=body.validated_data["warehouse"], records=rows
        )
        return Response(_bulk_result(len(rows), out))


# --- inbound shipments -------------------------------------------------------------------------


class InboundItemSerializer(serializers.ModelSerializer):
    product = OrgPrimaryKeyRelatedField(queryset=Product.objects.none())
    units = serializers.IntegerField(min_value=1, max_value=10_000_000)

    class Meta:
        model = InboundItem
        fields = ["product", "units"]


class InboundShipmentSerializer(serializers.ModelSerializer):
    warehouse = OrgPrimaryKeyRelatedField(queryset=Warehouse.objects.none())
    items = serializers.ListField(
        child=InboundItemSerializer(), max_length=1000, required=False, write_only=True
    )
    lines = InboundItemSerializer(many=True, read_only=True, source="items")
    cost = Money(min_value=Decimal(0), required=False)
    currency = CurrencyField(required=False)
    cartons = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
    volume_ft3 = serializers.DecimalField(
        max_digits=12, decimal_places=3, min_value=Decimal(0), required=False
    )
    weight_kg = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), required=False
    )
    shipped_at = DateTimeField(required=False, allow_null=True)
    promised_date = DateField(required=False, allow_null=True)
    arrived_at = DateTimeField(required=False, allow_null=True)
    checked_in_at = DateTimeField(required=False, allow_null=True)
    origin_country = serializers.RegexField(r"^[A-Z]{2}$", max_length=2, required=False)
    cost_base = BaseAmountField(help_text="With `currency=base`: cost in the base currency")

    class Meta:
        model = InboundShipment
        fields = [
            "id",
            "reference",
            "warehouse",
            "mode",
            "carrier",
            "tracking_number",
            "origin_country",
            "status",
            "cartons",
            "volume_ft3",
            "weight_kg",
            "cost",
            "currency",
            "shipped_at",
            "promised_date",
            "arrived_at",
            "checked_in_at",
            "milestones",
            "items",
            "lines",
            "cost_base",
        ]
        read_only_fields = ["id", "milestones", "cost_base"]


class MilestoneSerializer(serializers.Serializer):
    milestone = serializers.ChoiceField(
        choices=["departed", "customs", "arrived", "checked_in", "note"]
    )
    at = DateTimeField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


SHIPPED_DAY = in_base_parameter("a shipment's UTC ship day; not shipped yet: the day recorded")


@extend_schema_view(list=extend_schema(parameters=[SHIPPED_DAY]),
                    retrieve=extend_schema(parameters=[SHIPPED_DAY]))  # fmt: skip
class InboundShipmentViewSet(
    BaseCurrencyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    TenantViewSet,
):
    """First-leg shipments (sea, air, express, rail) with cartons, volume, cost and milestones."""

    queryset = InboundShipment.objects.none()
    serializer_class = InboundShipmentSerializer
    base_amount_field = "cost"

    def base_event_day(self, shipment):
        return utc_day(shipment.shipped_at or shipment.created_at)

    def scope_queryset(self, queryset):
        return queryset.prefetch_related("items").order_by("-id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        items = data.pop("items", [])
        serializer.instance = services.inbound_shipment_create(org=self.org, items=items, **data)

    @extend_schema(request=MilestoneSerializer, responses={200: InboundShipmentSerializer})
    @action(detail=True, methods=["post"])
    def milestone(self, request, pk=None):
        body = MilestoneSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        shipment = services.milestone_add(
            org=self.org, shipment=self.get_object(), **body.validated_data
        )
        return Response(
            InboundShipmentSerializer(shipment, context=self.get_serializer_context()).data
        )


# --- parcels and tracking ----------------------------------------------------------------------


class TrackingEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackingEvent
        fields = ["at", "utc_offset_min", "status", "location", "description"]
        read_only_fields = fields


class ParcelSerializer(serializers.ModelSerializer):
    order = OrgPrimaryKeyRelatedField(
        queryset=Order.objects.none(), required=False, allow_null=True
    )
    events = TrackingEventSerializer(many=True, read_only=True)
    promised_date = DateField(required=False, allow_null=True)
    shipped_at = DateTimeField(required=False, allow_null=True)
    mode = serializers.ChoiceField(choices=Mode.choices, required=False)

    class Meta:
        model = Parcel
        fields = [
            "id",
            "tracking_number",
            "carrier",
            "order",
            "origin_country",
            "destination_country",
            "mode",
            "status",
            "shipped_at",
            "promised_date",
            "delivered_at",
            "last_event_at",
            "events",
        ]
        read_only_fields = ["id", "status", "delivered_at", "last_event_at", "events"]


class ParcelViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TenantViewSet
):
    """Last-mile parcels with their tracking events sorted by instant. `events` takes rows in
    the tracking CSV's columns; `at_risk` lists open parcels at risk with the reasons."""

    queryset = Parcel.objects.none()
    serializer_class = ParcelSerializer

    def scope_queryset(self, queryset):
        return queryset.prefetch_related("events").order_by("-id")

    def perform_create(self, serializer):
        serializer.instance = services.parcel_create(org=self.org, **serializer.validated_data)

    @extend_schema(request=BulkRowsSerializer, responses={200: BULK_RESULT})
    @action(detail=False, methods=["post"])
    def events(self, request):
        body = BulkRowsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rows = body.validated_data["rows"]
        return Response(
            _bulk_result(len(rows), tracking_records_import(org=self.org, records=rows))
        )

    @extend_schema(request=DelayDraftsInputSerializer, responses={201: DelayDraftsResultSerializer})
    @action(detail=False, methods=["post"], url_path="delay-drafts")
    def delay_drafts(self, request):
        """Delay-message drafts for at-risk parcels, in the review queue (nothing is sent):
        one per at-risk parcel without an open draft, or only among `parcels` when given (ids
        of other organizations' parcels are a 400 like ids nobody has). `skipped`: the given
        parcels not drafted (not at risk, or a draft is already open)."""
        body = DelayDraftsInputSerializer(data=request.data, context={"org": self.org})
        body.is_valid(raise_exception=True)
        given = body.validated_data.get("parcels")
        drafts = services.delay_message_drafts(org=self.org, parcels=given)
        return Response(delay_drafts_result(drafts, given), status=201)

    @extend_schema(
        responses={
            200: inline_serializer(
                "ParcelRisk",
                {
                    "id": serializers.IntegerField(),
                    "tracking_number": serializers.CharField(),
                    "carrier": serializers.CharField(),
                    "status": serializers.CharField(),
                    "reasons": serializers.ListField(child=serializers.CharField()),
                    "messages": serializers.ListField(child=serializers.CharField()),
                    "lane_level": serializers.CharField(),
                    "lane_p90_days": serializers.FloatField(),
                },
                many=True,
            )
        }
    )
    @action(detail=False, methods=["get"], url_path="at-risk", pagination_class=None)
    def at_risk(self, request):
        rows = [
            {
                "id": p.pk,
                "tracking_number": p.tracking_number,
                "carrier": p.carrier,
                "status": p.status,
                "reasons": r.reasons,
                "messages": [str(m) for m in r.messages],
                "lane_level": r.lane.level,
                "lane_p90_days": round(r.lane.p90, 2),
            }
            for p, r in parcel_risks(org=self.org)
            if r.at_risk
        ][:1000]
        return Response(rows)


# --- replenishment -----------------------------------------------------------------------------


class PlanRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanRun
        fields = [
            "id",
            "created_at",
            "service_level",
            "history_days",
            "skus",
            "suggestions",
            "mae",
            "wape",
            "seconds",
            "timings",
        ]
        read_only_fields = fields


class PlanRunInputSerializer(serializers.Serializer):
    service_level = serializers.DecimalField(
        max_digits=4,
        decimal_places=3,
        min_value=Decimal("0.5"),
        max_value=Decimal("0.999"),
        default=Decimal("0.95"),
    )
    history_days = serializers.IntegerField(min_value=56, max_value=730, default=365)


class PlanRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Replenishment plan runs with their hold-out accuracy; POST computes a new plan (its
    suggestions become `restock` drafts in the review queue)."""

    queryset = PlanRun.objects.none()
    serializer_class = PlanRunSerializer

    def scope_queryset(self, queryset):
        return queryset.order_by("-id")

    @extend_schema(request=PlanRunInputSerializer, responses={201: PlanRunSerializer})
    def create(self, request):
        from .planner import plan

        body = PlanRunInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = plan(
            org=self.org,
            service_level=float(body.validated_data["service_level"]),
            history_days=body.validated_data["history_days"],
        )
        return Response(PlanRunSerializer(run).data, status=201)


class SuggestionSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    profit_per_ft3_base = BaseAmountField(
        help_text="With `currency=base`: profit_per_ft3 in the base currency"
    )

    class Meta:
        model = RestockSuggestion
        fields = [
            "id",
            "run",
            "product",
            "sku",
            "warehouse",
            "warehouse_code",
            "status",
            "mode",
            "demand_per_day",
            "demand_sd",
            "lead_time_days",
            "lead_time_sd",
            "safety_stock",
            "reorder_point",
            "on_hand",
            "inbound",
            "needed",
            "quantity",
            "planned_quantity",
            "cover_days",
            "stockout_date",
            "ship_by",
            "volume_ft3",
            "profit_per_ft3",
            "currency",
            "capacity_cut",
            "mae",
            "params",
            "forecast",
            "profit_per_ft3_base",
        ]
        read_only_fields = fields


RUN_DAY = in_base_parameter("the UTC day the plan was computed")


@extend_schema_view(list=extend_schema(parameters=[RUN_DAY]),
                    retrieve=extend_schema(parameters=[RUN_DAY]))  # fmt: skip
class SuggestionViewSet(
    BaseCurrencyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet
):
    """Suggestions of the latest run (or `?run=`); `?status=planned` is the approved plan."""

    queryset = RestockSuggestion.objects.none()
    serializer_class = SuggestionSerializer
    base_amount_field = "profit_per_ft3"

    def base_event_day(self, suggestion):
        return utc_day(suggestion.run.created_at)

    def scope_queryset(self, queryset):
        qs = queryset.select_related("product", "warehouse", "run").order_by("ship_by", "id")
        run = self.request.query_params.get("run", "")
        status = self.request.query_params.get("status", "")
        if run.isdigit():
            qs = qs.filter(run_id=int(run))
        elif self.action == "list":
            latest = (
                PlanRun.objects.for_org(self.org)
                .order_by("-id")
                .values_list("pk", flat=True)
                .first()
            )
            qs = qs.filter(run_id=latest)
        if status in RestockSuggestion.Status.values:
            qs = qs.filter(status=status)
        return qs
