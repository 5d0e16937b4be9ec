"""Competitor observations and the summary kept from them (latest per seller, per listing).

The raw observations are the record; the summary (kept by apps.pricing.competitors) is what
the engine reads, so a run does not scan the whole history.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel
from apps.core.money import CurrencyField, MoneyField, currency_check


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
            # One observation per (listing, seller, time): the natural key the bulk upsert
            # conflicts on, so parallel identical posts store each observation once. Its index
            # also serves "latest per seller" (scanned backwards).
            models.UniqueConstraint(
                fields=["listing", "seller_id", "observed_at"],
                name="competitoroffer_unique_observation",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "-observed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.seller_id} {self.price} {self.currency} @ {self.observed_at:%Y-%m-%d}"


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
