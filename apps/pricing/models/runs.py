"""What the engine did: runs, the price changes they made or proposed, incremental state.

RepriceMarker and RepricingState let a scheduled run skip the listings whose inputs did not
change (apps.pricing.incremental).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel
from apps.core.money import CurrencyField, MoneyField, currency_check

from .strategies import Strategy


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
    # Django still nulls them when a strategy or policy is deleted. Nor is the organization
    # (the run, a constraint, belongs to it; Django deletes the changes with the organization).
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
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


class RepriceMarker(TenantModel):
    """What the engine last priced a listing from, so a scheduled run skips unchanged ones.

    `inputs` is a 64-bit hash of the listing's own inputs as the run read them (stock,
    currency, product category, cost and dimensions, inventory; computed by PostgreSQL),
    `price_u` the price, `comp_version` the competitor
    summary version it saw, `due_at` the moment time alone changes the answer (the freshest
    counted competitor observation ageing past the strategy's max age, a daily change limit
    lapsing). Store-wide inputs are covered by `RepricingState.fingerprint`.
    """

    # A cache the engine rewrites for every offer it prices (10^6 rows in a big store's first
    # run): no foreign-key constraints, whose deferred checks cost more than the upsert itself.
    # Django still deletes a listing's or organization's markers with it (on_delete), and a
    # marker without its listing is never read (the engine joins from the listing).
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)  # no index: millions of rows
    listing = models.OneToOneField(
        "catalog.Listing",
        on_delete=models.CASCADE,
        related_name="reprice_marker",
        db_constraint=False,
    )
    inputs = models.BigIntegerField()
    # The price it was priced at, in 1/10,000 units (-1: none); kept apart from `inputs` so an
    # applied change that settled is marked with its new price.
    price_u = models.BigIntegerField(default=-1)
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
