"""Django admin for pricing: configuration editable, runs and price changes read-only (audit)."""

from django.contrib import admin

from .models import (
    CompetitorOffer,
    CostProfile,
    FulfilmentFeeTier,
    ListingInventory,
    PriceChange,
    ReferralFee,
    RepricingRun,
    Strategy,
    StrategyAssignment,
    VatRate,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(VatRate)
class VatRateAdmin(admin.ModelAdmin):
    list_display = ["country", "rate", "organization"]
    list_filter = ["organization"]


@admin.register(FulfilmentFeeTier)
class FulfilmentFeeTierAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "marketplace",
        "rank",
        "max_weight_g",
        "fee",
        "currency",
        "organization",
    ]
    list_filter = ["marketplace", "organization"]
    list_select_related = ["marketplace", "organization"]


@admin.register(ReferralFee)
class ReferralFeeAdmin(admin.ModelAdmin):
    list_display = ["marketplace", "category", "percent", "minimum", "currency", "organization"]
    list_filter = ["marketplace", "organization"]
    list_select_related = ["marketplace", "organization"]


@admin.register(CostProfile)
class CostProfileAdmin(admin.ModelAdmin):
    list_display = ["store", "category", "listing", "currency", "first_leg_per_unit",
                    "other_per_unit", "fulfilment_fee", "price_ceiling"]  # fmt: skip
    list_select_related = ["store__marketplace", "listing__product", "listing__store"]
    raw_id_fields = ["store", "listing"]


@admin.register(ListingInventory)
class ListingInventoryAdmin(admin.ModelAdmin):
    list_display = ["listing", "units_per_day", "stock_age_days", "lead_time_days"]
    list_select_related = ["listing__product", "listing__store"]
    raw_id_fields = ["listing"]


@admin.register(CompetitorOffer)
class CompetitorOfferAdmin(ReadOnlyAdmin):
    list_display = ["listing", "seller_id", "price", "shipping", "currency", "fulfilment",
                    "is_buy_box", "observed_at"]  # fmt: skip
    list_filter = ["fulfilment", "is_buy_box", "source"]
    list_select_related = ["listing__product", "listing__store"]
    raw_id_fields = ["listing"]
    show_full_result_count = False


class AssignmentInline(admin.TabularInline):
    model = StrategyAssignment
    raw_id_fields = ["store", "listing"]
    extra = 0


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "enabled", "priority", "min_margin_pct", "max_change_pct",
                    "organization"]  # fmt: skip
    list_filter = ["kind", "enabled", "organization"]
    search_fields = ["name"]
    inlines = [AssignmentInline]


@admin.register(RepricingRun)
class RepricingRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "store", "status", "trigger", "offers", "changed", "applied", "drafted",
                    "at_floor", "bad_input", "started_at", "finished_at"]  # fmt: skip
    list_filter = ["status", "trigger"]
    list_select_related = ["store__marketplace"]


@admin.register(PriceChange)
class PriceChangeAdmin(ReadOnlyAdmin):
    list_display = ["listing", "old_price", "new_price", "currency", "binding", "outcome",
                    "margin_pct", "created_at"]  # fmt: skip
    list_filter = ["binding", "outcome"]
    list_select_related = ["listing__product", "listing__store"]
    raw_id_fields = ["listing", "run", "strategy", "policy"]
    show_full_result_count = False
