"""Query-string filters of the catalog API.

Related rows are filtered by id or code on an already org-scoped queryset (NumberFilter rather
than ModelChoiceFilter), so a foreign id simply matches nothing and no choice list of another
organization's rows is ever built.
"""

from __future__ import annotations

from django_filters import rest_framework as filters

from apps.catalog.models import Channel, Listing, Marketplace, Product, Store


class MarketplaceFilter(filters.FilterSet):
    channel = filters.ChoiceFilter(choices=Channel.choices)
    country = filters.CharFilter(lookup_expr="iexact", help_text="ISO 3166-1 alpha-2, e.g. DE")

    class Meta:
        model = Marketplace
        fields = ["channel", "country"]


class StoreFilter(filters.FilterSet):
    marketplace = filters.CharFilter(field_name="marketplace__code", help_text="Marketplace code")
    is_active = filters.BooleanFilter()

    class Meta:
        model = Store
        fields = ["marketplace", "is_active"]


class ProductFilter(filters.FilterSet):
    sku = filters.CharFilter(help_text="Exact SKU")
    category = filters.CharFilter()
    brand = filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Product
        fields = ["sku", "category", "brand"]


class ListingFilter(filters.FilterSet):
    store = filters.NumberFilter(field_name="store_id", help_text="Store id")
    marketplace = filters.CharFilter(
        field_name="store__marketplace__code", help_text="Marketplace code"
    )
    status = filters.ChoiceFilter(choices=Listing.Status.choices)
    language = filters.CharFilter(help_text="BCP 47, e.g. de-DE")
    product = filters.NumberFilter(field_name="product_id", help_text="Product id")
    sku = filters.CharFilter(field_name="product__sku", help_text="Exact product SKU")

    class Meta:
        model = Listing
        fields = ["store", "marketplace", "status", "language", "product", "sku"]
