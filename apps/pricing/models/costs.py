"""The cost configuration the engine prices from: VAT, fee tables, cost profiles, inventory.

Read per store by apps.pricing.cost (one listing) and apps.pricing.engine (a whole store).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel
from apps.core.money import CurrencyField, MoneyField, currency_check

PCT = {"max_digits": 7, "decimal_places": 3}  # percentages such as 15.000 (%)


class VatRate(TenantModel):
    """VAT/GST rate (%) of a marketplace country; applied where the marketplace is VAT-inclusive."""

    country = models.CharField(max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    rate = models.DecimalField(**PCT, help_text=_("Percent, e.g. 19 for Germany"))

    class Meta:
        ordering = ["country"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "country"], name="vatrate_unique"),
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lt=100), name="vatrate_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.rate}%"


class FulfilmentFeeTier(TenantModel):
    """One row of a configurable fulfilment-fee table (e.g. FBA size tiers) per marketplace.

    A product falls in the first tier (lowest `rank`) whose limits it fits; empty limits match
    anything. Products without dimensions fall in the largest tier.
    """

    marketplace = models.ForeignKey(
        "catalog.Marketplace", on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=64, help_text=_("e.g. small standard, large standard"))
    rank = models.PositiveSmallIntegerField(default=0)
    max_weight_g = models.DecimalField(max_digits=10, decimal_places=1, null=True, blank=True)
    max_longest_mm = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    max_median_mm = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    max_shortest_mm = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    fee = MoneyField()
    currency = CurrencyField()

    class Meta:
        ordering = ["marketplace_id", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "marketplace", "name"], name="fulfilmentfeetier_unique"
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="fulfilmentfeetier_fee_nonneg"),
            currency_check("currency", "fulfilmentfeetier"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.fee} {self.currency}"


class ReferralFee(TenantModel):
    """Marketplace referral fee: percent of the (net) sale price with a per-unit minimum.

    `category` empty = the marketplace default; a category row wins over the default.
    """

    marketplace = models.ForeignKey(
        "catalog.Marketplace", on_delete=models.CASCADE, related_name="+"
    )
    category = models.CharField(max_length=100, blank=True)
    percent = models.DecimalField(**PCT)
    minimum = MoneyField(default=0)
    currency = CurrencyField()

    class Meta:
        ordering = ["marketplace_id", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "marketplace", "category"], name="referralfee_unique"
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lt=100), name="referralfee_pct_range"
            ),
            models.CheckConstraint(condition=Q(minimum__gte=0), name="referralfee_min_nonneg"),
            currency_check("currency", "referralfee"),
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'} {self.percent}%"


class CostProfile(TenantModel):
    """Per-unit costs beyond the product's unit cost, for a store, a category in it, or a listing.

    Most specific wins: listing, then store + category, then store. Amounts are in `currency`
    and converted to the listing's currency with the date's exchange rate.
    """

    store = models.ForeignKey("catalog.Store", on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=100, blank=True)
    listing = models.ForeignKey(
        "catalog.Listing", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    currency = CurrencyField()
    first_leg_per_unit = MoneyField(default=0, help_text=_("Freight to the marketplace warehouse"))
    other_per_unit = MoneyField(default=0, help_text=_("Packaging, labels, returns allowance …"))
    fulfilment_fee = MoneyField(
        null=True, blank=True, help_text=_("Overrides the size-tier table (e.g. own shipping)")
    )
    price_ceiling = MoneyField(
        null=True, blank=True, help_text=_("Highest price the repricer may set")
    )

    class Meta:
        ordering = ["store_id", "category", "listing_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "category"],
                condition=Q(listing__isnull=True),
                name="costprofile_unique_store_category",
            ),
            models.UniqueConstraint(
                fields=["listing"], condition=Q(listing__isnull=False), name="costprofile_listing"
            ),
            models.CheckConstraint(
                condition=Q(first_leg_per_unit__gte=0)
                & Q(other_per_unit__gte=0)
                & (Q(fulfilment_fee__isnull=True) | Q(fulfilment_fee__gte=0))
                & (Q(price_ceiling__isnull=True) | Q(price_ceiling__gt=0)),
                name="costprofile_amounts_nonneg",
            ),
            currency_check("currency", "costprofile"),
        ]

    def __str__(self) -> str:
        scope = f"listing {self.listing_id}" if self.listing_id else (self.category or "*")
        return f"costs {self.store_id}/{scope}"


class ListingInventory(TenantModel):
    """Sales velocity and stock age per listing, for inventory-aware pricing.

    Refreshed from orders (apps.pricing.services.inventory_refresh) or pushed by an ERP.
    """

    listing = models.OneToOneField(
        "catalog.Listing", on_delete=models.CASCADE, related_name="pricing_inventory"
    )
    units_per_day = models.DecimalField(max_digits=12, decimal_places=4, default=0)
    stock_age_days = models.PositiveIntegerField(
        default=0, help_text=_("Age of the oldest unit in stock")
    )
    lead_time_days = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Replenishment lead time; the strategy's otherwise")
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(units_per_day__gte=0), name="listinginventory_velocity_nonneg"
            )
        ]
