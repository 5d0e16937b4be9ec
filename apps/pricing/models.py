"""Pricing: cost configuration, competitor observations, strategies, runs and price changes.

Money is Decimal with an explicit currency everywhere (NUMERIC columns). The engine
(apps.pricing.engine) reads these set-based; the models hold fields and constraints only.

Cost model (apps.pricing.cost) per listing, in the listing's currency:
    landed = unit cost (Product.unit_cost, converted) + first leg + other costs
             + fulfilment fee (size tier of the product, or the profile's override)
    price  = (landed + max(referral % × net, referral minimum)) grossed up by VAT where the
             marketplace shows VAT-inclusive prices.
`CostProfile` rows are per store, optionally narrowed to a category or one listing (most
specific wins). Fee tables (`FulfilmentFeeTier`, `ReferralFee`) and `VatRate` are per
organization and marketplace (or country), so each seller keeps its own negotiated fees.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel
from apps.core.money import CurrencyField, MoneyField, currency_check

PCT = {"max_digits": 7, "decimal_places": 3}  # percentages such as 15.000 (%)


# --------------------------------------------------------------------------- cost model


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


# --------------------------------------------------------------------------- competitors


class FulfilmentType(models.TextChoices):
    FBA = "fba", _("Fulfilled by marketplace (FBA)")
    FBM = "fbm", _("Fulfilled by merchant (FBM)")
    OTHER = "other", _("Other")


class CompetitorOffer(TenantModel):
    """One observation of a competitor's offer on a listing. Every observation is kept.

    The engine uses each seller's latest observation younger than the strategy's maximum age.
    `price` is the item price; the landed competitor price is `price + shipping`.
    """

    listing = models.ForeignKey(
        "catalog.Listing", on_delete=models.CASCADE, related_name="competitor_offers"
    )
    seller_id = models.CharField(max_length=100)
    seller_name = models.CharField(max_length=200, blank=True)
    price = MoneyField()
    shipping = MoneyField(default=0)
    currency = CurrencyField()
    fulfilment = models.CharField(
        max_length=8, choices=FulfilmentType.choices, default=FulfilmentType.FBM
    )
    rating = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text=_("Seller rating, 0-100")
    )
    is_buy_box = models.BooleanField(default=False)
    observed_at = models.DateTimeField(db_index=True)
    source = models.CharField(max_length=32, default="api")

    class Meta:
        ordering = ["listing_id", "-observed_at"]
        constraints = [
            # Price 0 is accepted (and reported as bad input by the engine); negatives are not.
            models.CheckConstraint(
                condition=Q(price__gte=0) & Q(shipping__gte=0), name="competitoroffer_nonneg"
            ),
            currency_check("currency", "competitoroffer"),
        ]
        indexes = [
            models.Index(fields=["listing", "seller_id", "-observed_at"]),
            models.Index(fields=["organization", "-observed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.seller_id} {self.price} {self.currency} @ {self.observed_at:%Y-%m-%d}"


# --------------------------------------------------------------------------- strategies


class Strategy(TenantModel):
    """How to price: a rule, which competitors count, scenarios, inventory tweaks, guardrails."""

    class Kind(models.TextChoices):
        TARGET_MARGIN = "target_margin", _("Target margin")
        MATCH_LOWEST = "match_lowest", _("Match the lowest competitor")
        BEAT_LOWEST_AMOUNT = "beat_lowest_amount", _("Beat the lowest by an amount")
        BEAT_LOWEST_PCT = "beat_lowest_pct", _("Beat the lowest by a percentage")
        STEP_UNDER_BUY_BOX = "step_under_buy_box", _("A step under the Buy Box")

    class Scenario(models.TextChoices):
        FLOOR = "floor", _("Go to the floor")
        HOLD = "hold", _("Hold the current price")
        CEILING = "ceiling", _("Go to the ceiling")
        TARGET_MARGIN = "target_margin", _("Price at the target margin")

    class Ending(models.TextChoices):
        AUTO = "auto", _("Marketplace default (.99; whole yen)")
        NONE = "none", _("None (cents)")
        E99 = "99", _(".99")
        E95 = "95", _(".95")
        E00 = "00", _("Whole units")

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.TARGET_MARGIN)
    enabled = models.BooleanField(default=False)
    priority = models.SmallIntegerField(default=0, help_text=_("Higher wins at equal scope"))

    target_margin_pct = models.DecimalField(
        **PCT, default=20, help_text=_("Margin on the net price for the target-margin rule")
    )
    beat_amount = MoneyField(
        default=0, help_text=_("Amount under the lowest / Buy Box, in the listing's currency")
    )
    beat_pct = models.DecimalField(**PCT, default=0)
    hold_buy_box = models.BooleanField(
        default=False, help_text=_("Don't lower the price while we hold the Buy Box")
    )

    # Which competitors count.
    fulfilment_types = models.JSONField(
        default=list, blank=True, help_text=_("Only these fulfilment types (empty = all)")
    )
    min_rating = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    ignore_own_stores = models.BooleanField(default=True)
    max_age_hours = models.PositiveIntegerField(
        default=48, help_text=_("Competitor observations older than this are ignored")
    )

    # Scenarios.
    no_competitor = models.CharField(
        max_length=16, choices=Scenario.choices, default=Scenario.TARGET_MARGIN
    )
    competitor_below_floor = models.CharField(
        max_length=16, choices=Scenario.choices, default=Scenario.FLOOR
    )
    competitor_at_floor = models.CharField(
        max_length=16, choices=Scenario.choices, default=Scenario.FLOOR
    )

    # Inventory-aware adjustments.
    lead_time_days = models.PositiveIntegerField(default=30)
    low_cover_raise_pct = models.DecimalField(
        **PCT, default=0, help_text=_("Raise when days of cover fall below the lead time")
    )
    ageing_days = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Stock older than this is ageing")
    )
    ageing_lower_pct = models.DecimalField(**PCT, default=0)

    # Guardrails.
    min_margin_pct = models.DecimalField(
        **PCT, default=5, help_text=_("Floor = break-even × (1 + minimum margin)")
    )
    ceiling_margin_pct = models.DecimalField(
        **PCT, default=200, help_text=_("Ceiling = break-even × (1 + this margin)")
    )
    max_change_pct = models.DecimalField(
        **PCT, default=10, help_text=_("Largest move per run, except a climb to the floor")
    )
    max_changes_per_day = models.PositiveSmallIntegerField(default=24)
    price_ending = models.CharField(max_length=8, choices=Ending.choices, default=Ending.AUTO)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-priority", "name"]
        verbose_name_plural = "strategies"
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="strategy_unique_name"),
            models.CheckConstraint(
                condition=Q(min_margin_pct__gt=-100)
                & Q(ceiling_margin_pct__gt=-100)
                & Q(max_change_pct__gte=0)
                & Q(beat_amount__gte=0)
                & Q(beat_pct__gte=0)
                & Q(beat_pct__lt=100)
                & Q(target_margin_pct__lt=100)
                & Q(low_cover_raise_pct__gte=0)
                & Q(ageing_lower_pct__gte=0)
                & Q(ageing_lower_pct__lt=100),
                name="strategy_ranges",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StrategyAssignment(TenantModel):
    """Assigns a strategy to a store, a category in a store, or one listing.

    Per listing the most specific assignment wins (listing > category > store), then the
    strategy's priority, then the newest assignment. Only enabled strategies count.
    """

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="assignments")
    store = models.ForeignKey("catalog.Store", on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=100, blank=True)
    listing = models.ForeignKey(
        "catalog.Listing", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["store_id", "category", "listing_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "store", "category"],
                condition=Q(listing__isnull=True),
                name="strategyassignment_unique_scope",
            ),
            models.UniqueConstraint(
                fields=["strategy", "listing"],
                condition=Q(listing__isnull=False),
                name="strategyassignment_unique_listing",
            ),
        ]
        indexes = [models.Index(fields=["organization", "store"])]

    @property
    def scope(self) -> str:
        if self.listing_id:
            return "listing"
        return "category" if self.category else "store"

    def __str__(self) -> str:
        return f"{self.strategy_id} → store {self.store_id} {self.category or ''}".strip()


# --------------------------------------------------------------------------- runs and changes


class RepricingRun(TenantModel):
    """One pass of the engine over a store; counts and the report of what needs attention.

    `report` holds lists of {listing_id, sku, reason, …} under at_floor, raised_to_floor,
    ceiling_below_floor and bad_input (capped; counts are exact), and `timings` the phase
    durations in seconds.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        MANUAL = "manual", _("Manual")
        SIMULATION = "simulation", _("Simulation")

    store = models.ForeignKey("catalog.Store", on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    dry_run = models.BooleanField(default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offers = models.PositiveIntegerField(default=0, help_text=_("Offers considered"))
    priced = models.PositiveIntegerField(default=0, help_text=_("Offers with a strategy"))
    changed = models.PositiveIntegerField(default=0)
    raised = models.PositiveIntegerField(default=0)
    lowered = models.PositiveIntegerField(default=0)
    applied = models.PositiveIntegerField(default=0)
    drafted = models.PositiveIntegerField(default=0)
    at_floor = models.PositiveIntegerField(default=0)
    raised_to_floor = models.PositiveIntegerField(default=0)
    ceiling_below_floor = models.PositiveIntegerField(default=0)
    bad_input = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "store", "-created_at"])]

    def __str__(self) -> str:
        return f"run #{self.pk} store {self.store_id} ({self.status})"


class PriceChange(TenantModel):
    """One price the engine moved (or proposed): why, against whom, and at what margin."""

    class Binding(models.TextChoices):
        STRATEGY = "strategy", _("Strategy target")
        FLOOR = "floor", _("Floor")
        BELOW_FLOOR = "below_floor", _("Raised to the floor")
        CEILING = "ceiling", _("Ceiling")
        STEP_LIMIT = "step_limit", _("Maximum change per run")
        BUY_BOX_HOLD = "buy_box_hold", _("Holding the Buy Box")
        ENDING = "ending", _("Price ending")

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied")
        DRAFTED = "drafted", _("Sent to review")
        SIMULATED = "simulated", _("Simulated")

    # A run writes up to one row per offer (10^6 for a big store) in one COPY: every index and
    # deferred foreign-key check here is paid a million times. The composite indexes below lead
    # with organization and created_at, so their single-column indexes are left out, and the
    # references that are only descriptive (strategy, policy) are not database constraints:
    # Django still nulls them when a strategy or policy is deleted.
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    run = models.ForeignKey(
        RepricingRun, null=True, blank=True, on_delete=models.CASCADE, related_name="changes"
    )
    listing = models.ForeignKey(
        "catalog.Listing", on_delete=models.CASCADE, related_name="price_changes"
    )
    strategy = models.ForeignKey(
        Strategy,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    old_price = MoneyField(null=True, blank=True)
    new_price = MoneyField()
    currency = CurrencyField()
    binding = models.CharField(max_length=16, choices=Binding.choices)
    reason = models.CharField(max_length=300, blank=True)
    competitor_price = MoneyField(null=True, blank=True)
    competitor_seller = models.CharField(max_length=100, blank=True)
    floor = MoneyField(null=True, blank=True)
    ceiling = MoneyField(null=True, blank=True)
    break_even = MoneyField(null=True, blank=True)
    margin_pct = models.DecimalField(
        max_digits=9, decimal_places=3, null=True, blank=True, help_text=_("At the new price")
    )
    profit = MoneyField(null=True, blank=True, help_text=_("Per unit at the new price"))
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    policy = models.ForeignKey(
        "review.Policy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    draft_id = models.BigIntegerField(null=True, blank=True)
    # The review record of the policy batch that applied this change (outcome "applied").
    policy_run = models.ForeignKey(
        "review.PolicyRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(new_price__gte=0), name="pricechange_nonneg"),
            currency_check("currency", "pricechange"),
        ]
        indexes = [
            models.Index(fields=["organization", "listing", "-created_at"]),
            models.Index(fields=["organization", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id}: {self.old_price} → {self.new_price} {self.currency}"


# --------------------------------------------------------------------------- competitor summary


class CompetitorLatest(TenantModel):
    """Each seller's latest observation of a listing: the competitor summary the engine reads.

    Design: one row per (listing, seller), a copy of that seller's newest `CompetitorOffer`
    (by observed_at, then id) rather than one pre-aggregated row per listing, because the
    strategies filter competitors per offer (fulfilment types, minimum rating, own sellers
    excluded or not, each strategy's own maximum age): a single "lowest price" per listing
    could not answer every strategy, while the latest row per seller answers all of them
    exactly as the raw observations did (the engine's old DISTINCT ON query picked the same
    rows), with five rows per listing instead of its whole history. `CompetitorSummary` adds
    the per-listing aggregates and a `version` that moves whenever this set changes.

    Maintained set-based by `apps.pricing.competitors.refresh_competitor_latest` whenever
    observations are written (`bulk.competitor_offers_upsert`, single saves through a signal);
    built for existing data by migration 0005. `total` = price + shipping in `currency`
    (conversion stays in the engine, with the run's exchange rates).
    """

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)  # no index: millions of rows
    listing = models.ForeignKey(
        "catalog.Listing", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    seller_id = models.CharField(max_length=100)
    offer_id = models.BigIntegerField(help_text=_("The CompetitorOffer this row copies"))
    total = MoneyField(help_text=_("Landed price: price + shipping"))
    currency = CurrencyField()
    fulfilment = models.CharField(max_length=8, choices=FulfilmentType.choices)
    rating = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    is_buy_box = models.BooleanField(default=False)
    observed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "seller_id"], name="competitorlatest_unique_seller"
            )
        ]


class CompetitorSummary(TenantModel):
    """Per listing: lowest landed price, Buy Box, counts by fulfilment, freshness, version.

    Derived from `CompetitorLatest` (all sellers, own stores included, no age filter): what the
    screens show at a glance and what the incremental repricer compares: `version` goes up by
    one whenever the listing's latest observations change, so a run knows which listings'
    markets moved since it last priced them. `lowest_total` is the lowest price + shipping among
    the rows in `lowest_currency` (the currency of the cheapest row when currencies are mixed).
    """

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    listing = models.OneToOneField(
        "catalog.Listing", on_delete=models.CASCADE, related_name="competitor_summary"
    )
    sellers = models.PositiveIntegerField(default=0)
    fba = models.PositiveIntegerField(default=0)
    fbm = models.PositiveIntegerField(default=0)
    other = models.PositiveIntegerField(default=0)
    lowest_total = MoneyField(null=True, blank=True)
    lowest_currency = models.CharField(max_length=3, blank=True)
    lowest_seller = models.CharField(max_length=100, blank=True)
    buy_box_total = MoneyField(null=True, blank=True)
    buy_box_seller = models.CharField(max_length=100, blank=True)
    latest_observed_at = models.DateTimeField(null=True, blank=True)
    version = models.BigIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.listing_id}: {self.sellers} sellers, lowest {self.lowest_total}"


# --------------------------------------------------------------------------- incremental runs


class RepriceMarker(TenantModel):
    """What the engine last priced a listing from, so a scheduled run skips unchanged ones.

    `inputs` is a 64-bit hash of the listing's own inputs as the run read them (price, stock,
    currency, product category, cost and dimensions, inventory), `comp_version` the competitor
    summary version it saw, `due_at` the moment time alone changes the answer (the freshest
    counted competitor observation ageing past the strategy's max age, a daily change limit
    lapsing). Store-wide inputs are covered by `RepricingState.fingerprint`.
    """

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)  # no index: millions of rows
    listing = models.OneToOneField(
        "catalog.Listing", on_delete=models.CASCADE, related_name="reprice_marker"
    )
    inputs = models.BigIntegerField()
    comp_version = models.BigIntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True)
    repriced_at = models.DateTimeField()


class RepricingState(TenantModel):
    """Per store: the fingerprint of the store-wide inputs of the last full run.

    Strategies and assignments, fee tiers, referral fees, VAT, cost profiles, own sellers and the
    auto-approve policy, plus the exchange rates the run used (`rates`, re-read for the current
    date). A scheduled run whose fingerprint differs runs in full.
    """

    store = models.OneToOneField("catalog.Store", on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=64)
    rates = models.JSONField(default=list, blank=True)
    full_at = models.DateTimeField(null=True, blank=True)
