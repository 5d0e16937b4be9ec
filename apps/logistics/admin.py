"""Admin for logistics: warehouses, stock, inbound shipments, parcels with their tracking, lanes'
raw data and the planner's runs and suggestions. Every list shows and filters by organization;
foreign keys are raw ids (a tenant's 100,000 products never fill a select box). Plans, notices
and stock-out days are written by the planner and imports, so they are read-only here."""

from __future__ import annotations

from django.contrib import admin

from .models import (
    DelayNotice,
    InboundItem,
    InboundShipment,
    Inventory,
    Parcel,
    PlanRun,
    RestockSuggestion,
    StockoutDay,
    SupplyTerms,
    TrackingEvent,
    Warehouse,
)


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "organization",
        "kind",
        "country",
        "store",
        "capacity_ft3",
        "is_active",
    ]
    list_filter = ["kind", "is_active", "country", "organization"]
    search_fields = ["code", "name"]
    list_select_related = ["organization", "store"]
    raw_id_fields = ["store"]


@admin.register(Inventory)
class InventoryAdmin(admin.ModelAdmin):
    list_display = [
        "product",
        "warehouse",
        "organization",
        "fulfillable",
        "reserved",
        "inbound",
        "unsellable",
        "reported_at",
    ]
    list_filter = ["warehouse__kind", "organization"]
    search_fields = ["product__sku", "warehouse__code"]
    list_select_related = ["organization", "product", "warehouse"]
    raw_id_fields = ["product", "warehouse"]


@admin.register(SupplyTerms)
class SupplyTermsAdmin(admin.ModelAdmin):
    list_display = ["product", "organization", "mode", "carton_units", "moq", "production_days"]
    list_filter = ["mode", "organization"]
    search_fields = ["product__sku"]
    list_select_related = ["organization", "product"]
    raw_id_fields = ["product"]


class InboundItemInline(admin.TabularInline):
    model = InboundItem
    extra = 0
    raw_id_fields = ["product"]
    exclude = ["organization"]


@admin.register(InboundShipment)
class InboundShipmentAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "organization",
        "warehouse",
        "mode",
        "carrier",
        "status",
        "shipped_at",
        "promised_date",
        "checked_in_at",
    ]
    list_filter = ["status", "mode", "organization"]
    search_fields = ["reference", "tracking_number", "carrier"]
    date_hierarchy = "shipped_at"
    list_select_related = ["organization", "warehouse"]
    raw_id_fields = ["warehouse"]
    inlines = [InboundItemInline]

    def save_formset(self, request, form, formset, change):
        # Lines belong to their shipment's organization (the inline does not ask for one).
        for item in formset.save(commit=False):
            item.organization_id = form.instance.organization_id
            item.save()
        for item in formset.deleted_objects:
            item.delete()
        formset.save_m2m()


class TrackingEventInline(admin.TabularInline):
    model = TrackingEvent
    extra = 0
    fields = ["at", "utc_offset_min", "status", "location", "description"]
    readonly_fields = fields
    ordering = ["at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Parcel)
class ParcelAdmin(admin.ModelAdmin):
    list_display = [
        "tracking_number",
        "carrier",
        "organization",
        "status",
        "origin_country",
        "destination_country",
        "shipped_at",
        "promised_date",
        "last_event_at",
    ]
    list_filter = ["status", "carrier", "destination_country", "organization"]
    search_fields = ["tracking_number"]
    date_hierarchy = "shipped_at"
    list_select_related = ["organization"]
    raw_id_fields = ["order"]
    inlines = [TrackingEventInline]


@admin.register(TrackingEvent)
class TrackingEventAdmin(admin.ModelAdmin):
    list_display = ["parcel", "organization", "at", "utc_offset_min", "status", "location"]
    list_filter = ["status", "organization"]
    search_fields = ["parcel__tracking_number", "location", "description"]
    list_select_related = ["organization", "parcel"]
    raw_id_fields = ["parcel"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the planner and the imports write: shown, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PlanRun)
class PlanRunAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "organization",
        "created_at",
        "skus",
        "suggestions",
        "mae",
        "wape",
        "seconds",
    ]
    list_filter = ["organization"]
    list_select_related = ["organization"]


@admin.register(RestockSuggestion)
class RestockSuggestionAdmin(ReadOnlyAdmin):
    list_display = [
        "product",
        "warehouse",
        "organization",
        "run",
        "status",
        "quantity",
        "ship_by",
        "stockout_date",
        "capacity_cut",
    ]
    list_filter = ["status", "capacity_cut", "mode", "organization"]
    search_fields = ["product__sku", "warehouse__code"]
    list_select_related = ["organization", "product", "warehouse", "run"]
    raw_id_fields = ["product", "warehouse", "run"]


@admin.register(DelayNotice)
class DelayNoticeAdmin(ReadOnlyAdmin):
    list_display = ["parcel", "organization", "approved_at"]
    list_filter = ["organization"]
    list_select_related = ["organization", "parcel"]
    raw_id_fields = ["parcel"]


@admin.register(StockoutDay)
class StockoutDayAdmin(ReadOnlyAdmin):
    list_display = ["day", "product", "warehouse", "organization"]
    list_filter = ["organization"]
    date_hierarchy = "day"
    search_fields = ["product__sku"]
    list_select_related = ["organization", "product", "warehouse"]
    raw_id_fields = ["product", "warehouse"]
