"""The analytics read model: profit facts per SKU × store × day, the traffic they need, the
refresh state, and candidate products for selection.

These tables are analytics' own. Being the "read-only" app means analytics never writes another
app's tables; it reads them (orders, catalog, pricing configuration, exchange rates) in SQL to
build these (docs/profit-analytics.md).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel
from apps.core.money import CurrencyField, MoneyField
from apps.core.tenancy import TenantManager

AMOUNT = {"max_digits": 18, "decimal_places": 4}


class ProfitFact(TenantModel):
    """One SKU in one store on one day (the organization's time zone), in its base currency.

    A cost column is NULL when its source is missing (not set up, not configured, no exchange
    rate): the page names it, and `net_profit` is then the profit before that cost.
    """

    # A rebuildable read model written 10^5–10^6 rows at a time: unlogged (migration 0002), no
    # foreign-key triggers and one index beyond the key (Django's collector still cascades
    # deletes).
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    day = models.DateField()
    store = models.ForeignKey(
        "catalog.Store",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    marketplace = models.ForeignKey(
        "catalog.Marketplace",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    product = models.ForeignKey(
        "catalog.Product",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    currency = CurrencyField()
    sessions = models.IntegerField(null=True)
    page_views = models.IntegerField(null=True)
    orders = models.IntegerField(default=0)
    units = models.IntegerField(default=0)
    units_refunded = models.IntegerField(default=0)
    revenue = models.DecimalField(**AMOUNT, default=0)
    refunds = models.DecimalField(**AMOUNT, default=0)
    vat = models.DecimalField(**AMOUNT, default=0)
    product_cost = models.DecimalField(**AMOUNT, null=True)
    freight = models.DecimalField(**AMOUNT, null=True)
    marketplace_fees = models.DecimalField(**AMOUNT, null=True)
    fulfilment_fees = models.DecimalField(**AMOUNT, null=True)
    ad_spend = models.DecimalField(**AMOUNT, null=True)
    net_profit = models.DecimalField(**AMOUNT, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "day", "store", "product"],
                name="profitfact_unique_key",
                nulls_distinct=False,
            )
        ]
        # No (organization, product, day) index: a SKU's facts are read through the day
        # range of the unique key, and a full build writing 10^6 rows pays for every index.


class TrafficDay(TenantModel):
    """Sessions and page views of one SKU in one store on one day (business-report import)."""

    store = models.ForeignKey("catalog.Store", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sessions = models.PositiveIntegerField(default=0)
    page_views = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "store", "product", "day"], name="trafficday_unique"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "updated_at"]),
            models.Index(fields=["organization", "day"]),
        ]


class ProfitRefresh(TenantModel):
    """Where the organization's read model stands: what was read up to when, and what was
    missing at the last build (shown on the page)."""

    orders_seen_at = models.DateTimeField(null=True)
    traffic_seen_at = models.DateTimeField(null=True)
    built_at = models.DateTimeField(null=True)
    full_built_at = models.DateTimeField(null=True)
    days_refreshed = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)
    sources = models.JSONField(default=dict)
    problems = models.JSONField(default=list)
    # what the last refresh saw, to tell later what changed: orders and traffic rows per day
    # (a deletion or a moved order lowers a day's count), and per input table a version
    # (row count, latest updated_at) of exchange rates and the cost configuration
    fingerprint = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="profitrefresh_one_per_org")
        ]


class _Input(models.Model):
    """Base of the refresh's input snapshots: what the facts were last built with, joined by the
    build and compared with the sources at each refresh to find what changed. Lean (no
    timestamps), but scoped like every tenant row: an ORM query without the organization
    fails."""

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )

    objects = TenantManager()

    class Meta:
        abstract = True


class ProfitRate(_Input):
    """Units of the organization's base currency per one unit of `currency` on `day`
    (`fxtable.rates_to`, the same rules as `apps.orders.fx.rate_on`)."""

    currency = CurrencyField()
    day = models.DateField()
    rate = models.DecimalField(max_digits=30, decimal_places=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "currency", "day"], name="profitrate_unique_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.day}: {self.rate}"


class ProfitCostInput(_Input):
    """Per-unit costs of a product in a store (`costs.unit_costs`), or with no store the
    product's own unit cost; amounts in their own currency, NULL where not configured."""

    store_id = models.BigIntegerField(null=True)
    product_id = models.BigIntegerField()
    unit_cost = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    cost_currency = models.CharField(max_length=3, blank=True)
    vat_pct = models.DecimalField(max_digits=7, decimal_places=4, null=True)
    referral_pct = models.DecimalField(max_digits=7, decimal_places=4, null=True)
    referral_min = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    referral_currency = models.CharField(max_length=3, blank=True)
    fulfilment_fee = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    fulfilment_currency = models.CharField(max_length=3, blank=True)
    first_leg = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    first_leg_currency = models.CharField(max_length=3, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "store_id", "product_id"],
                name="profitcostinput_unique_key",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"costs of product {self.product_id} in store {self.store_id}"


class ProfitOrderDay(_Input):
    """Orders (not cancelled) of a store on a day: the distinct-order count of any slice that
    does not split orders (all, a store, a marketplace, days). A SKU's facts count the orders
    that contain it, and an order with two SKUs is in both."""

    store_id = models.BigIntegerField()
    marketplace_id = models.BigIntegerField()
    day = models.DateField()
    orders = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "day", "store_id"], name="profitorderday_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.orders} orders in store {self.store_id} on {self.day}"


class ProfitDirty(_Input):
    """Days of an input that another module announced as changed, which the watermark and the
    snapshots cannot see (ad spend re-imported for past days: apps.ads.signals). Written in the
    announcing transaction; the next refresh rebuilds those days and deletes the row. No days:
    every day (the next refresh is a full one)."""

    source = models.CharField(max_length=32)
    store_id = models.BigIntegerField(null=True)
    first_day = models.DateField(null=True)
    last_day = models.DateField(null=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "id"], name="profitdirty_org")]

    def __str__(self) -> str:
        return f"{self.source} changed {self.first_day or 'all'}..{self.last_day or ''}"


class Candidate(TenantModel):
    """A product the seller might start selling, with the market data it was imported with."""

    name = models.CharField(max_length=300)
    source = models.CharField(max_length=200, help_text=_("Where the market data comes from"))
    category = models.CharField(max_length=100, blank=True)
    marketplace = models.ForeignKey(
        "catalog.Marketplace", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    price = MoneyField(null=True)
    currency = CurrencyField(default="USD")
    unit_cost = MoneyField(null=True)
    cost_currency = CurrencyField(default="CNY")
    monthly_sales = models.PositiveIntegerField(null=True)
    reviews = models.PositiveIntegerField(null=True)
    rating = models.DecimalField(max_digits=3, decimal_places=2, null=True)
    sellers = models.PositiveIntegerField(null=True)
    trend_pct = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    weight_g = models.DecimalField(max_digits=10, decimal_places=1, null=True)
    length_mm = models.DecimalField(max_digits=8, decimal_places=1, null=True)
    width_mm = models.DecimalField(max_digits=8, decimal_places=1, null=True)
    height_mm = models.DecimalField(max_digits=8, decimal_places=1, null=True)
    estimated = models.JSONField(default=list, help_text=_("Fields the source only estimated"))
    line = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "source", "name"], name="candidate_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name
