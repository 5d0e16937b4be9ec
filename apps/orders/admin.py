from django.contrib import admin

from .models import ExchangeRate, Order, OrderItem, RiskDestination


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    raw_id_fields = ["listing", "product"]
    exclude = ["organization"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "marketplace_order_id",
        "organization",
        "store",
        "status",
        "order_total",
        "currency",
        "buyer_country",
        "ordered_at",
        "risk_score",
    ]
    list_filter = ["status", "source", "store", "organization"]
    search_fields = ["marketplace_order_id"]
    date_hierarchy = "ordered_at"
    list_select_related = ["organization", "store"]
    raw_id_fields = ["store"]
    inlines = [OrderItemInline]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["date", "base", "quote", "rate", "source", "organization"]
    list_filter = ["source", "base", "quote"]
    date_hierarchy = "date"


@admin.register(RiskDestination)
class RiskDestinationAdmin(admin.ModelAdmin):
    list_display = ["country", "points", "note", "organization"]
    list_filter = ["organization"]
    search_fields = ["country", "note"]
