from django.contrib import admin

from apps.catalog.models import Listing, ListingRevision, Marketplace, Product, ProtectedTerm, Store


@admin.register(Marketplace)
class MarketplaceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "channel", "country", "currency", "language", "vat_inclusive"]
    list_filter = ["channel", "vat_inclusive", "is_active"]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "marketplace", "seller_id", "is_active"]
    list_filter = ["marketplace", "is_active", "organization"]
    search_fields = ["name", "seller_id"]
    list_select_related = ["organization", "marketplace"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "sku",
        "name",
        "organization",
        "brand",
        "category",
        "unit_cost",
        "cost_currency",
        "version",
    ]
    list_filter = ["category", "organization"]
    search_fields = ["sku", "name", "brand"]
    list_select_related = ["organization"]
    readonly_fields = ["version"]


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = [
        "product",
        "store",
        "external_id",
        "language",
        "price",
        "currency",
        "stock",
        "status",
        "version",
    ]
    list_filter = ["status", "store__marketplace", "organization"]
    search_fields = ["product__sku", "external_id", "title"]
    list_select_related = ["product", "store"]
    raw_id_fields = ["product", "store"]
    readonly_fields = ["version"]


@admin.register(ListingRevision)
class ListingRevisionAdmin(admin.ModelAdmin):
    """Read-only: revisions are written by the database trigger, never by hand."""

    list_display = ["listing", "version", "source", "actor", "organization", "created_at"]
    list_filter = ["source", "organization"]
    list_select_related = ["listing__product", "listing__store", "actor", "organization"]
    raw_id_fields = ["listing"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProtectedTerm)
class ProtectedTermAdmin(admin.ModelAdmin):
    list_display = ["term", "organization", "note", "created_at"]
    list_filter = ["organization"]
    search_fields = ["term"]
    list_select_related = ["organization"]
