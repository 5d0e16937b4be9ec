"""REST API of the catalog: marketplaces (read-only), stores, products and listings.

Input serializers validate shape and resolve related ids within the caller's organization only;
services do the writes; output serializers render. The organization always comes from the
credentials (`TenantViewSet.org`), never from the request body.
"""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.catalog import services
from apps.catalog.listings.filters import (
    ListingFilter,
    MarketplaceFilter,
    ProductFilter,
    StoreFilter,
)
from apps.catalog.models import Listing, Marketplace, Product, Store
from apps.catalog.rules import api as rules_api
from apps.catalog.selectors import marketplace_list
from apps.core.api import (
    FILTERS,
    FILTERS_AND_SEARCH,
    CurrencyField,
    Money,
    OrgPrimaryKeyRelatedField,
    ServiceViewSet,
    TenantViewSet,
    write_schemas,
)
from apps.core.bounds import BIGINT_MAX, INT32_MAX, CodeRelatedField, JSONObjectField
from apps.core.fastlist import fast_list
from apps.core.renderers import FastJSONRenderer

# Marketplaces ---------------------------------------------------------------------------------


class MarketplaceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Marketplace
        fields = ["code", "name", "channel", "country", "currency", "language", "vat_inclusive",
                  "limits"]  # fmt: skip
        read_only_fields = fields


class MarketplaceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The marketplace sites crossborder supports: reference data shared by all organizations."""

    queryset = Marketplace.objects.none()
    serializer_class = MarketplaceSerializer
    lookup_field = "code"
    lookup_value_regex = "[-a-z0-9_]+"
    filter_backends = FILTERS
    filterset_class = MarketplaceFilter
    ordering_fields = ["code", "country", "channel"]

    def base_queryset(self, org):
        return marketplace_list()


# Stores ---------------------------------------------------------------------------------------


class StoreSerializer(serializers.ModelSerializer):
    marketplace = serializers.SlugRelatedField(slug_field="code", read_only=True)
    marketplace_name = serializers.CharField(source="marketplace.name", read_only=True)
    currency = serializers.CharField(source="marketplace.currency", read_only=True)
    language = serializers.CharField(source="marketplace.language", read_only=True)

    class Meta:
        model = Store
        fields = ["id", "name", "marketplace", "marketplace_name", "currency", "language",
                  "seller_id", "is_active", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields


class StoreCreateSerializer(serializers.ModelSerializer):
    marketplace = CodeRelatedField(
        slug_field="code",
        queryset=Marketplace.objects.filter(is_active=True),
        help_text="Marketplace code, e.g. amazon_de",
    )

    class Meta:
        model = Store
        fields = ["marketplace", "name", "seller_id", "is_active"]


class StoreUpdateSerializer(serializers.ModelSerializer):
    """A store's marketplace is fixed: its listings' currency and language depend on it."""

    class Meta:
        model = Store
        fields = ["name", "seller_id", "is_active"]


@extend_schema_view(**write_schemas(StoreSerializer))
class StoreViewSet(ServiceViewSet):
    """The organization's seller accounts. Viewers read; managers write."""

    queryset = Store.objects.none()
    serializer_class = StoreSerializer
    create_serializer_class = StoreCreateSerializer
    update_serializer_class = StoreUpdateSerializer
    filter_backends = FILTERS_AND_SEARCH
    filterset_class = StoreFilter
    search_fields = ["name", "seller_id"]
    ordering_fields = ["name", "created_at"]

    def scope_queryset(self, queryset):
        return queryset.select_related("marketplace")

    def create_object(self, data):
        return services.store_create(org=self.org, actor=self.actor, **data)

    def update_object(self, instance, data, expected_version):
        return services.store_update(org=self.org, actor=self.actor, store=instance, data=data)

    def delete_object(self, instance):
        services.store_delete(org=self.org, actor=self.actor, store=instance)


# Products -------------------------------------------------------------------------------------

PRODUCT_FIELDS = ["sku", "name", "brand", "category", "attributes", "source_language",
                  "unit_cost", "cost_currency", "weight_g", "length_mm", "width_mm", "height_mm",
                  "hs_code", "images"]  # fmt: skip


class ProductSerializer(serializers.ModelSerializer):
    unit_cost = Money(read_only=True, allow_null=True)
    cost_currency = serializers.CharField(read_only=True)

    class Meta:
        model = Product
        fields = ["id", *PRODUCT_FIELDS, "version", "created_at", "updated_at"]
        read_only_fields = fields


class ProductCreateSerializer(serializers.ModelSerializer):
    unit_cost = Money(required=False, allow_null=True, min_value=0)
    cost_currency = CurrencyField(required=False)
    attributes = JSONObjectField(required=False)
    images = serializers.ListField(
        child=serializers.URLField(max_length=1000), required=False, max_length=50
    )

    class Meta:
        model = Product
        fields = PRODUCT_FIELDS


class ProductUpdateSerializer(ProductCreateSerializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=BIGINT_MAX,
        help_text="The version you read; 409 if it moved since.",
    )

    class Meta(ProductCreateSerializer.Meta):
        fields = [*PRODUCT_FIELDS, "version"]


@extend_schema_view(**write_schemas(ProductSerializer))
class ProductViewSet(ServiceViewSet):
    """The organization's SKUs. `search` matches SKU, name and brand."""

    queryset = Product.objects.none()
    serializer_class = ProductSerializer
    create_serializer_class = ProductCreateSerializer
    update_serializer_class = ProductUpdateSerializer
    filter_backends = FILTERS_AND_SEARCH
    filterset_class = ProductFilter
    search_fields = ["sku", "name", "brand"]
    ordering_fields = ["sku", "name", "created_at", "updated_at", "unit_cost"]

    def create_object(self, data):
        return services.product_create(org=self.org, actor=self.actor, **data)

    def update_object(self, instance, data, expected_version):
        return services.product_update(
            org=self.org,
            actor=self.actor,
            product=instance,
            data=data,
            expected_version=expected_version,
        )

    def delete_object(self, instance):
        services.product_delete(org=self.org, actor=self.actor, product=instance)


# Listings -------------------------------------------------------------------------------------

LISTING_FIELDS = ["external_id", "title", "bullets", "description", "search_terms", "language",
                  "price", "currency", "stock", "status"]  # fmt: skip


class ListingSerializer(serializers.ModelSerializer):
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    store_name = serializers.CharField(source="store.name", read_only=True)
    marketplace = serializers.CharField(source="store.marketplace.code", read_only=True)
    price = Money(read_only=True, allow_null=True)

    class Meta:
        model = Listing
        fields = ["id", "product", "product_sku", "store", "store_name", "marketplace",
                  *LISTING_FIELDS, "version", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields


class ListingUpdateSerializer(serializers.ModelSerializer):
    price = Money(
        required=False,
        allow_null=True,
        min_value=Decimal("0.0001"),
        help_text="Rounded to the currency's minor unit, then it must be above zero.",
    )
    stock = serializers.IntegerField(required=False, min_value=0, max_value=INT32_MAX)
    currency = CurrencyField(required=False, help_text="Defaults to the marketplace's currency.")
    language = serializers.CharField(
        required=False, max_length=10, help_text="Defaults to the marketplace's language."
    )
    bullets = serializers.ListField(
        child=serializers.CharField(max_length=1000), required=False, max_length=10
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=BIGINT_MAX,
        help_text="The version you read; 409 if it moved since.",
    )
    # The hard caps of any listing text (the review queue's caps; marketplace rules are tighter).
    title = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    description = serializers.CharField(required=False, allow_blank=True, max_length=50_000)
    search_terms = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    override_reason = serializers.CharField(
        required=False,
        write_only=True,
        allow_blank=True,
        max_length=500,
        help_text="A signed-in manager's reason to set a price outside the floor/ceiling the "
        "repricer computed for the listing.",
    )

    class Meta:
        model = Listing
        fields = [*LISTING_FIELDS, "version", "override_reason"]


class ListingCreateSerializer(ListingUpdateSerializer):
    product = OrgPrimaryKeyRelatedField(queryset=Product.objects.none())
    store = OrgPrimaryKeyRelatedField(queryset=Store.objects.none())
    version = None
    override_reason = None

    class Meta(ListingUpdateSerializer.Meta):
        fields = ["product", "store", *LISTING_FIELDS]
        validators = []  # listing_create checks the product/store pair, with a clearer message


@extend_schema_view(**write_schemas(ListingSerializer))
class ListingViewSet(ServiceViewSet):
    """Products offered in stores. Every change bumps `version`; send the version you read to
    have a concurrent change answered with 409 instead of overwritten."""

    queryset = Listing.objects.none()
    serializer_class = ListingSerializer
    create_serializer_class = ListingCreateSerializer
    update_serializer_class = ListingUpdateSerializer
    filter_backends = FILTERS_AND_SEARCH
    filterset_class = ListingFilter
    search_fields = ["title", "product__sku", "external_id"]
    ordering_fields = ["updated_at", "created_at", "price", "stock"]

    def scope_queryset(self, queryset):
        return queryset.select_related("product", "store", "store__marketplace")

    renderer_classes = [FastJSONRenderer]

    def list(self, request, *args, **kwargs):
        # The same page from `.values()` rows: a third of the CPU (apps/core/fastlist.py).
        return fast_list(self, request) or super().list(request, *args, **kwargs)

    def create_object(self, data):
        listing = services.listing_create(org=self.org, actor=self.actor, **data)
        return (
            Listing.objects.for_org(self.org)
            .select_related("product", "store", "store__marketplace")
            .get(pk=listing.pk)
        )

    def update_object(self, instance, data, expected_version):
        return services.listing_update(
            org=self.org,
            actor=self.actor,
            listing=instance,
            data=data,
            expected_version=expected_version,
        )

    def delete_object(self, instance):
        services.listing_delete(org=self.org, actor=self.actor, listing=instance)

    @extend_schema(responses=rules_api.ChecksResultSerializer)
    @action(detail=True, methods=["get"])
    def checks(self, request, pk=None):
        """The listing's current copy against its marketplace's rules (rules version, rule ids,
        severity, messages in English and Chinese) and its product's facts."""
        return Response(rules_api.listing_checks(self.get_object()))
