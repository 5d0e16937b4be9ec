"""Sponsored Products: the campaign tree learned from bulk files and reports, daily performance
per search term × targeting and per target, the approved changes waiting for a bulk file, and
the organization's ads settings.

Amazon ids are kept as text (long digit strings; a campaign learned from a search-term report
has none until a bulk file names it). Money is Decimal with its currency on the same row.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel
from apps.core.money import CurrencyField, MoneyField


class Campaign(TenantModel):
    class Targeting(models.TextChoices):
        AUTO = "auto", _("Automatic")
        MANUAL = "manual", _("Manual")

    class State(models.TextChoices):
        ENABLED = "enabled", _("Enabled")
        PAUSED = "paused", _("Paused")
        ARCHIVED = "archived", _("Archived")

    store = models.ForeignKey("catalog.Store", on_delete=models.CASCADE, related_name="+")
    amazon_id = models.CharField(max_length=40, blank=True)
    name = models.CharField(max_length=255)
    campaign_type = models.CharField(max_length=32, default="sponsoredProducts")
    targeting = models.CharField(max_length=8, choices=Targeting.choices, default="manual")
    daily_budget = MoneyField(null=True, blank=True)
    currency = CurrencyField(default="USD")
    bidding_strategy = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default="enabled")
    portfolio = models.CharField(max_length=255, blank=True)
    start_date = models.DateField(null=True, blank=True)
    # A manager's target ACoS (percent) instead of the profit-derived one; shown with who/when.
    target_acos_override = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True
    )
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["store_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["store", "name"], name="ads_campaign_unique_name"),
        ]
        indexes = [models.Index(fields=["organization", "store"])]

    def __str__(self) -> str:
        return self.name


class AdGroup(TenantModel):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="ad_groups")
    amazon_id = models.CharField(max_length=40, blank=True)
    name = models.CharField(max_length=255)
    default_bid = MoneyField(null=True, blank=True)
    state = models.CharField(max_length=16, default="enabled")

    class Meta:
        ordering = ["campaign_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="ads_adgroup_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Target(TenantModel):
    """A keyword (text + match type) or a product/auto target (expression), with its bid."""

    class Kind(models.TextChoices):
        KEYWORD = "keyword", _("Keyword")
        PRODUCT = "product", _("Product target")
        AUTO = "auto", _("Automatic target")

    ad_group = models.ForeignKey(AdGroup, on_delete=models.CASCADE, related_name="targets")
    amazon_id = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    text = models.CharField(max_length=255)  # keyword text or targeting expression
    match_type = models.CharField(max_length=16, blank=True)  # broad/phrase/exact; "" for targets
    bid = MoneyField(null=True, blank=True)
    state = models.CharField(max_length=16, default="enabled")

    class Meta:
        ordering = ["ad_group_id", "text"]
        constraints = [
            models.UniqueConstraint(
                fields=["ad_group", "kind", "text", "match_type"], name="ads_target_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.text} [{self.match_type or self.kind}]"


class NegativeKeyword(TenantModel):
    """Negative keyword of an ad group, or of the whole campaign when `ad_group` is empty."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="negatives")
    ad_group = models.ForeignKey(
        AdGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="negatives"
    )
    amazon_id = models.CharField(max_length=40, blank=True)
    text = models.CharField(max_length=255)
    match_type = models.CharField(max_length=16)  # negativeExact / negativePhrase
    state = models.CharField(max_length=16, default="enabled")

    class Meta:
        ordering = ["campaign_id", "text"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "ad_group", "text", "match_type"],
                name="ads_negative_unique",
                nulls_distinct=False,
            ),
        ]


class ProductAd(TenantModel):
    ad_group = models.ForeignKey(AdGroup, on_delete=models.CASCADE, related_name="product_ads")
    amazon_id = models.CharField(max_length=40, blank=True)
    sku = models.CharField(max_length=100, blank=True)
    asin = models.CharField(max_length=20, blank=True)
    listing = models.ForeignKey(
        "catalog.Listing", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=16, default="enabled")

    class Meta:
        ordering = ["ad_group_id", "sku"]
        constraints = [
            models.UniqueConstraint(
                fields=["ad_group", "sku", "asin"], name="ads_productad_unique"
            ),
        ]


class SearchTermStat(TenantModel):
    """One day × targeting × search term of a search-term report (written with COPY).

    No per-row uniqueness: a re-import deletes the rows of its campaigns whose period overlaps
    the periods it brings and writes its own, so overlapping days are replaced, never doubled."""

    # Written by COPY a million rows at a time: no database foreign keys (their deferred check
    # per row at commit would cost more than the COPY); rows go with their campaign through
    # Django's cascade or the set-based deletes of the import.
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    store = models.ForeignKey(
        "catalog.Store",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    ad_group = models.ForeignKey(
        AdGroup,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    day = models.DateField()  # the report's day, or the first day of a summary row's period
    # The last day of the row's period: `day` for a daily report; a summary report's rows
    # cover start..end (pages spread them evenly over those days).
    end_day = models.DateField()
    targeting = models.CharField(max_length=255)
    match_type = models.CharField(max_length=16, blank=True)
    search_term = models.CharField(max_length=255)
    impressions = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    spend = MoneyField(default=0)
    orders = models.IntegerField(default=0)
    units = models.IntegerField(default=0)
    sales = MoneyField(default=0)
    currency = CurrencyField()
    attribution_days = models.PositiveSmallIntegerField(default=7)
    import_run_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "day"]),
            models.Index(fields=["organization", "day"]),
        ]


class TargetStat(TenantModel):
    """Daily performance per targeting (keyword, product target or auto group): the report's
    search-term rows summed, rewritten for the days an import covers."""

    # Written by COPY a million rows at a time: no database foreign keys (their deferred check
    # per row at commit would cost more than the COPY); rows go with their campaign through
    # Django's cascade or the set-based deletes of the import.
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    store = models.ForeignKey(
        "catalog.Store",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    ad_group = models.ForeignKey(
        AdGroup,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    day = models.DateField()
    end_day = models.DateField()  # as SearchTermStat: the last day of a summary row's period
    targeting = models.CharField(max_length=255)
    match_type = models.CharField(max_length=16, blank=True)
    impressions = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    spend = MoneyField(default=0)
    orders = models.IntegerField(default=0)
    units = models.IntegerField(default=0)
    sales = MoneyField(default=0)
    currency = CurrencyField()
    attribution_days = models.PositiveSmallIntegerField(default=7)

    class Meta:
        indexes = [models.Index(fields=["campaign", "day"])]


class AdChange(TenantModel):
    """An approved `ad_change` draft waiting for (or written to) a bulk file."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="changes")
    draft_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=32)
    payload = models.JSONField(default=dict)
    exported_at = models.DateTimeField(null=True, blank=True)
    export_note = models.TextField(blank=True)

    class Meta:
        ordering = ["campaign_id", "id"]
        indexes = [models.Index(fields=["organization", "exported_at"])]


class AdsSettings(TenantModel):
    """The organization's goal and the recommendation rules' parameters."""

    profit_goal_pct = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("10"))
    lookback_days = models.PositiveSmallIntegerField(default=30)
    max_bid_change_pct = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("20"))
    min_bid = MoneyField(default=Decimal("0.02"))
    max_bid = MoneyField(default=Decimal("20"))
    min_clicks_bid = models.PositiveIntegerField(default=10)
    negative_min_clicks = models.PositiveIntegerField(default=15)
    harvest_min_orders = models.PositiveIntegerField(default=2)
    default_target_acos = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("25"))
    # The language search terms are translated into for the operator (Chinese by default).
    operator_language = models.CharField(max_length=16, default="zh-Hans")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="ads_settings_one_per_org")
        ]


class TermTranslation(TenantModel):
    """A search term translated for the operator, once per (organization, term, language).

    Written by the `ad_term_translation` generation kind (apps.ads.translation) after an import
    when an AI endpoint is configured. A failed call leaves `translation` empty with the reason
    in `error` (shown next to the term); the next run tries those terms again."""

    class Status(models.TextChoices):
        OK = "ok", _("Translated")
        FAILED = "failed", _("Not translated")

    term = models.CharField(max_length=255)
    language = models.CharField(max_length=16)
    translation = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OK)
    error = models.CharField(max_length=500, blank=True)
    provider = models.CharField(max_length=32, blank=True)
    model_name = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "term", "language"], name="ads_term_translation_unique"
            )
        ]
