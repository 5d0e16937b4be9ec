"""Strategies (how to price) and their assignments to a store, a category or a listing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel
from apps.core.money import MoneyField

from .costs import PCT


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
