"""REST API of pricing: competitor offers and costs in bulk, price changes, strategies.

Bulk endpoints take thousands of rows per call and answer per-row errors (1-based `line`):
good rows are written set-based, bad ones are reported and written nowhere. A row naming a
listing, product or store of another organization is an error for that row, exactly like an id
nobody has. Strategies are managed through services; the organization comes from the key.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import filters, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.catalog.models import Listing, Product, Store
from apps.core.api import CurrencyField, Money, ServiceViewSet, TenantViewSet, request_actor
from apps.core.bounds import IdField
from apps.core.errors import ValidationFailed

from . import strategy_services as services
from .bulk import (
    CostProfileValues,
    UnitCostValues,
    cost_profiles_upsert,
    product_unit_costs_update,
)
from .competitor_import import competitor_rows_import
from .filters import AssignmentFilter, CompetitorOfferFilter, PriceChangeFilter, StrategyFilter
from .models import (
    CompetitorOffer,
    FulfilmentType,
    PriceChange,
    Strategy,
    StrategyAssignment,
)

FILTERS = [DjangoFilterBackend, filters.OrderingFilter]
BULK_MAX = 10_000

# Keys the API accepts for the file importer's columns.
_OFFER_KEYS = {"listing": "listing_id", "asin": "external_id", "seller_name": "seller",
               "is_buy_box": "buy_box"}  # fmt: skip


# --- competitor offers -------------------------------------------------------------------------


class CompetitorOfferSerializer(serializers.ModelSerializer):
    price = Money(read_only=True)
    shipping = Money(read_only=True)

    class Meta:
        model = CompetitorOffer
        fields = ["id", "listing", "seller_id", "seller_name", "price", "shipping",
                  "currency", "fulfilment", "rating", "is_buy_box", "observed_at", "source",
                  "created_at"]  # fmt: skip
        read_only_fields = fields


class OfferRowSerializer(serializers.Serializer):
    """One observation (documentation of the bulk body; rows are checked one by one, by the
    file importer's rules: a bad value is a line error naming the line and the column)."""

    listing_id = IdField(required=False, help_text="Or `asin`, or `sku`+`store`")
    asin = serializers.CharField(required=False, max_length=100)
    sku = serializers.CharField(required=False, max_length=100)
    store = serializers.CharField(required=False, max_length=200, help_text="Store id or name")
    seller_id = serializers.CharField(required=False, max_length=100)
    seller_name = serializers.CharField(required=False, max_length=200)
    price = serializers.CharField(
        max_length=40, help_text='Decimal as a string: "12.99" (or "12,99"), below 10^10'
    )
    shipping = serializers.CharField(required=False, max_length=40)
    currency = serializers.CharField(
        required=False, max_length=3, help_text="Defaults to the listing's"
    )
    fulfilment = serializers.ChoiceField(choices=FulfilmentType.choices, required=False)
    rating = serializers.CharField(
        required=False, max_length=40, help_text="0–100 (%) or 0–5 stars"
    )
    is_buy_box = serializers.BooleanField(required=False)
    observed_at = serializers.DateTimeField(required=False, help_text="Defaults to now")


class BulkOffersSerializer(serializers.Serializer):
    rows = serializers.ListField(
        child=serializers.DictField(), allow_empty=False, max_length=BULK_MAX
    )


BULK_RESULT = inline_serializer(
    "BulkResult",
    {
        "rows": serializers.IntegerField(),
        "imported": serializers.IntegerField(),
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
        "errors": serializers.ListField(child=serializers.DictField()),
    },
)


class CompetitorOfferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Competitor observations per listing (every observation is kept, for history and charts).
    The engine uses each seller's latest observation younger than the strategy's maximum age."""

    queryset = CompetitorOffer.objects.none()
    serializer_class = CompetitorOfferSerializer
    filter_backends = FILTERS
    filterset_class = CompetitorOfferFilter
    ordering_fields = ["observed_at", "price"]
    ordering = ["-observed_at", "-id"]

    @extend_schema(
        request=inline_serializer(
            "BulkOffers",
            {"rows": serializers.ListField(child=OfferRowSerializer(), max_length=BULK_MAX)},
        ),
        responses={200: BULK_RESULT},
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Upsert up to 10,000 observations: one row per (listing, seller, observed_at);
        re-sending an observation updates it. Bad rows come back in `errors` by line."""
        body = BulkOffersSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rows = [{_OFFER_KEYS.get(k, k): v for k, v in row.items()} for row in
                body.validated_data["rows"]]  # fmt: skip
        result = competitor_rows_import(org=self.org, rows=rows, source="api")
        return Response(result.as_dict())


# --- costs -------------------------------------------------------------------------------------


class UnitCostRowSerializer(serializers.Serializer):
    product = IdField(required=False, help_text="Product id, or `sku`")
    sku = serializers.CharField(required=False, max_length=100)
    unit_cost = Money(min_value=0)
    cost_currency = CurrencyField(required=False, default="CNY")

    def validate(self, attrs):
        if "product" not in attrs and not attrs.get("sku"):
            raise serializers.ValidationError("Give `product` (id) or `sku`.")
        return attrs


class CostProfileRowSerializer(serializers.Serializer):
    store = IdField(required=False, help_text="Store id (implied by `listing`)")
    category = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    listing = IdField(required=False, allow_null=True, default=None)
    currency = CurrencyField()
    first_leg_per_unit = Money(min_value=0, required=False, default=0)
    other_per_unit = Money(min_value=0, required=False, default=0)
    fulfilment_fee = Money(min_value=0, required=False, allow_null=True, default=None)
    price_ceiling = Money(min_value=0, required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if attrs.get("store") is None and attrs.get("listing") is None:
            raise serializers.ValidationError("Give `store` (id) or `listing` (id).")
        if attrs.get("price_ceiling") is not None and attrs["price_ceiling"] <= 0:
            raise serializers.ValidationError("`price_ceiling` must be above zero.")
        return attrs


class BulkCostsSerializer(serializers.Serializer):
    products = serializers.ListField(child=serializers.DictField(), required=False,
                                     max_length=BULK_MAX, default=list)  # fmt: skip
    profiles = serializers.ListField(child=serializers.DictField(), required=False,
                                     max_length=BULK_MAX, default=list)  # fmt: skip


def _row_errors(serializer_class, rows: list[dict], section: str, errors: list) -> list[dict]:
    good = []
    for number, row in enumerate(rows, 1):
        serializer = serializer_class(data=row)
        if serializer.is_valid():
            good.append({**serializer.validated_data, "line": number})
        else:
            errors.append({"section": section, "line": number, "errors": serializer.errors})
    return good


def _not_found(section: str, number: int, what: str) -> dict:
    return {"section": section, "line": number, "errors": {what: [f"No such {what}."]}}


@transaction.atomic
def _costs_bulk(org, data: dict[str, Any]) -> dict[str, Any]:
    errors: list[dict] = []
    products = _row_errors(UnitCostRowSerializer, data["products"], "products", errors)
    profiles = _row_errors(CostProfileRowSerializer, data["profiles"], "profiles", errors)
    # Three look-ups, whatever the number of rows: ids, SKUs, stores and listings of this org.
    known_ids = set(
        Product.objects.for_org(org)
        .filter(pk__in={r["product"] for r in products if "product" in r})
        .values_list("pk", flat=True)
    )
    by_sku = dict(
        Product.objects.for_org(org)
        .filter(sku__in={r["sku"] for r in products if "product" not in r})
        .values_list("sku", "pk")
    )
    unit_costs = []
    for r in products:
        pk = r["product"] if "product" in r else by_sku.get(r["sku"])
        if pk is None or ("product" in r and pk not in known_ids):
            errors.append(_not_found("products", r["line"], "product"))
            continue
        unit_costs.append(UnitCostValues(pk, r["unit_cost"], r["cost_currency"]))
    stores = set(
        Store.objects.for_org(org)
        .filter(pk__in={r["store"] for r in profiles if r.get("store")})
        .values_list("pk", flat=True)
    )
    listing_store = dict(
        Listing.objects.for_org(org)
        .filter(pk__in={r["listing"] for r in profiles if r.get("listing")})
        .values_list("pk", "store_id")
    )
    cost_rows = []
    for r in profiles:
        store_id = r.get("store")
        if r["listing"] is not None:
            if r["listing"] not in listing_store:
                errors.append(_not_found("profiles", r["line"], "listing"))
                continue
            if store_id is not None and store_id != listing_store[r["listing"]]:
                wrong = {"store": ["The listing is not in that store."]}
                errors.append({"section": "profiles", "line": r["line"], "errors": wrong})
                continue
            store_id = listing_store[r["listing"]]
        elif store_id not in stores:
            errors.append(_not_found("profiles", r["line"], "store"))
            continue
        cost_rows.append(
            CostProfileValues(
                store_id=store_id,
                category=r["category"].strip(),
                listing_id=r["listing"],
                currency=r["currency"],
                first_leg_per_unit=r["first_leg_per_unit"],
                other_per_unit=r["other_per_unit"],
                fulfilment_fee=r["fulfilment_fee"],
                price_ceiling=r["price_ceiling"],
            )
        )
    return {
        "products": product_unit_costs_update(org=org, rows=unit_costs).as_dict(),
        "profiles": cost_profiles_upsert(org=org, rows=cost_rows).as_dict(),
        "errors": sorted(errors, key=lambda e: (e["section"], e["line"])),
    }


class CostViewSet(TenantViewSet):
    """Costs the pricing engine prices from: product unit costs and per-unit cost profiles."""

    queryset = Product.objects.none()
    serializer_class = BulkCostsSerializer

    @extend_schema(
        request=inline_serializer(
            "BulkCosts",
            {
                "products": serializers.ListField(
                    child=UnitCostRowSerializer(), required=False, max_length=BULK_MAX
                ),
                "profiles": serializers.ListField(
                    child=CostProfileRowSerializer(), required=False, max_length=BULK_MAX
                ),
            },
        ),
        responses={200: OpenApiResponse(description="Counts per section and per-row errors")},
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Set product unit costs (by id or SKU) and upsert cost profiles (store, store +
        category, or listing: first-leg freight, other costs, fulfilment-fee override, price
        ceiling). Up to 10,000 rows per section; bad rows are reported by section and line."""
        body = BulkCostsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(_costs_bulk(self.org, body.validated_data))


# --- price changes -----------------------------------------------------------------------------


class PriceChangeSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="listing.product.sku", read_only=True)
    store = serializers.IntegerField(source="listing.store_id", read_only=True)
    strategy_name = serializers.CharField(source="strategy.name", read_only=True, default=None)
    old_price = Money(read_only=True, allow_null=True)
    new_price = Money(read_only=True)
    competitor_price = Money(read_only=True, allow_null=True)
    floor = Money(read_only=True, allow_null=True)
    ceiling = Money(read_only=True, allow_null=True)
    break_even = Money(read_only=True, allow_null=True)
    profit = Money(read_only=True, allow_null=True)

    class Meta:
        model = PriceChange
        fields = ["id", "run", "listing", "sku", "store", "strategy", "strategy_name",
                  "old_price", "new_price", "currency", "binding", "reason", "competitor_price",
                  "competitor_seller", "floor", "ceiling", "break_even", "margin_pct", "profit",
                  "outcome", "policy", "draft_id", "created_at"]  # fmt: skip
        read_only_fields = fields


class PriceChangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Every price the engine moved or proposed, with the binding constraint that set it, the
    competitor it reacted to and the margin at the new price."""

    queryset = PriceChange.objects.none()
    serializer_class = PriceChangeSerializer
    filter_backends = FILTERS
    filterset_class = PriceChangeFilter
    ordering_fields = ["created_at", "new_price", "margin_pct"]
    ordering = ["-created_at", "-id"]

    def scope_queryset(self, queryset):
        return queryset.select_related("listing", "listing__product", "strategy")


# --- strategies --------------------------------------------------------------------------------


class StrategySerializer(serializers.ModelSerializer):
    beat_amount = Money(read_only=True)

    class Meta:
        model = Strategy
        fields = ["id", *services.EDITABLE, "enabled", "created_at", "updated_at"]
        read_only_fields = fields


class StrategyWriteSerializer(serializers.ModelSerializer):
    beat_amount = Money(required=False, min_value=0)
    fulfilment_types = serializers.ListField(
        child=serializers.ChoiceField(choices=FulfilmentType.choices),
        required=False,
        max_length=len(FulfilmentType.choices),
    )

    class Meta:
        model = Strategy
        fields = [*services.EDITABLE, "enabled"]
        validators = []  # name uniqueness: the service answers 409 with a clear message


@extend_schema_view(
    create=extend_schema(responses={201: StrategySerializer}),
    update=extend_schema(responses=StrategySerializer),
    partial_update=extend_schema(responses=StrategySerializer),
)
class StrategyViewSet(mixins.DestroyModelMixin, ServiceViewSet):
    """Pricing strategies: the rule, competitor filters, scenarios, inventory adjustments and
    guardrails. A strategy prices nothing until it is enabled and assigned."""

    queryset = Strategy.objects.none()
    serializer_class = StrategySerializer
    create_serializer_class = StrategyWriteSerializer
    update_serializer_class = StrategyWriteSerializer
    filter_backends = FILTERS
    filterset_class = StrategyFilter
    ordering_fields = ["name", "priority", "created_at"]

    def create_object(self, data):
        return services.strategy_create(org=self.org, actor=self.actor, **data)

    def update_object(self, instance, data, expected_version):
        return services.strategy_update(
            org=self.org, actor=self.actor, strategy=instance, data=data
        )

    def delete_object(self, instance):
        services.strategy_delete(org=self.org, actor=self.actor, strategy=instance)

    @extend_schema(request=None, responses=StrategySerializer)
    @action(detail=True, methods=["post"])
    def enable(self, request, pk=None):
        strategy = services.strategy_set_enabled(
            org=self.org, actor=self.actor, strategy=self.get_object(), enabled=True
        )
        return Response(self.render(strategy))

    @extend_schema(request=None, responses=StrategySerializer)
    @action(detail=True, methods=["post"])
    def disable(self, request, pk=None):
        strategy = services.strategy_set_enabled(
            org=self.org, actor=self.actor, strategy=self.get_object(), enabled=False
        )
        return Response(self.render(strategy))


class AssignmentSerializer(serializers.ModelSerializer):
    scope = serializers.CharField(read_only=True)
    strategy_name = serializers.CharField(source="strategy.name", read_only=True)
    store_name = serializers.CharField(source="store.name", read_only=True)

    class Meta:
        model = StrategyAssignment
        fields = ["id", "strategy", "strategy_name", "scope", "store", "store_name", "category",
                  "listing", "created_at"]  # fmt: skip
        read_only_fields = fields


class AssignmentCreateSerializer(serializers.Serializer):
    strategy = IdField()
    store = IdField(required=False, allow_null=True, default=None)
    category = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    listing = IdField(required=False, allow_null=True, default=None)


class AssignmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, TenantViewSet
):
    """Which strategy prices what: a store, a category in a store, or a listing. Per listing
    the most specific assignment wins, then the strategy's priority."""

    queryset = StrategyAssignment.objects.none()
    serializer_class = AssignmentSerializer
    filter_backends = FILTERS
    filterset_class = AssignmentFilter
    ordering_fields = ["created_at"]
    ordering = ["store_id", "category", "listing_id", "id"]

    def scope_queryset(self, queryset):
        return queryset.select_related("strategy", "store")

    @extend_schema(request=AssignmentCreateSerializer, responses={201: AssignmentSerializer})
    def create(self, request):
        body = AssignmentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        strategy = Strategy.objects.for_org(self.org).filter(pk=data["strategy"]).first()
        if strategy is None:
            raise ValidationFailed("No such strategy.", field="strategy")
        assignment = services.strategy_assign(
            org=self.org,
            actor=request_actor(request),
            strategy=strategy,
            store_id=data["store"],
            category=data["category"],
            listing_id=data["listing"],
        )
        assignment = self.get_queryset().get(pk=assignment.pk)
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.assignment_delete(org=self.org, actor=request_actor(self.request),
                                   assignment=instance)  # fmt: skip
