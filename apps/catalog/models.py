"""Marketplaces (global reference data), stores, products and listings (offers)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel, TimeStampedModel
from apps.core.money import CurrencyField, MoneyField, currency_check


class Channel(models.TextChoices):
    AMAZON = "amazon", "Amazon"
    EBAY = "ebay", "eBay"
    ALIEXPRESS = "aliexpress", "AliExpress"
    SHOPIFY = "shopify", "Shopify"
    TEMU = "temu", "Temu"
    TIKTOK = "tiktok", "TikTok Shop"


class Marketplace(TimeStampedModel):
    """A marketplace site (amazon_de, ebay_uk …): shared reference data, seeded by migration."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    country = models.CharField(max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    currency = CurrencyField()
    language = models.CharField(max_length=10, help_text=_("BCP 47 language of listings"))
    vat_inclusive = models.BooleanField(
        default=False, help_text=_("Prices shown to buyers include VAT/GST (EU, UK, JP).")
    )
    limits = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Content limits: title_max, bullets_max, bullet_max, description_max, …"),
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [currency_check("currency", "marketplace")]

    def __str__(self) -> str:
        return self.name


class Store(TenantModel):
    """An organization's seller account on one marketplace."""

    marketplace = models.ForeignKey(Marketplace, on_delete=models.PROTECT, related_name="stores")
    name = models.CharField(max_length=200)
    seller_id = models.CharField(max_length=100, blank=True, help_text=_("Marketplace account id"))
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="store_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.marketplace.code})"


class Product(TenantModel):
    """A SKU the seller sources, with the facts listings are written from.

    Weight and dimensions are metric (grams, millimetres); listings convert per marketplace.
    """

    sku = models.CharField(max_length=100)
    name = models.CharField(max_length=300, help_text=_("Internal name, usually Chinese"))
    brand = models.CharField(max_length=100, blank=True)
    category = models.CharField(max_length=100, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    source_language = models.CharField(max_length=10, default="zh-Hans")
    unit_cost = MoneyField(null=True, blank=True)
    cost_currency = CurrencyField(default="CNY")
    weight_g = models.DecimalField(max_digits=10, decimal_places=1, null=True, blank=True)
    length_mm = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    width_mm = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    height_mm = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    hs_code = models.CharField(max_length=16, blank=True)
    images = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "sku"], name="product_unique_sku"),
            currency_check("cost_currency", "product"),
            models.CheckConstraint(
                condition=models.Q(unit_cost__isnull=True) | models.Q(unit_cost__gte=0),
                name="product_unit_cost_non_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "category"]),
            models.Index(fields=["organization", "brand"]),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


# The columns of each aspect of a listing a draft can change; the version trigger bumps
# `<aspect>_version` when one of them changes (migration 0011 holds the same lists).
LISTING_ASPECTS: dict[str, tuple[str, ...]] = {
    "content": ("title", "bullets", "description", "search_terms"),
    "price": ("price", "currency"),
    "stock": ("stock",),
    "images": ("images",),
}


class Listing(TenantModel):
    """A product offered in a store: the marketplace copy, price and stock.

    `version` is bumped by a database trigger on every change (including bulk UPDATEs by the
    repricer), so a draft made against version N can tell that the listing moved since. The same
    trigger keeps one version per aspect (content, price, stock, images) and bumps only the
    aspects whose columns changed: a draft records its own aspect's version, so a stock sync
    does not supersede open content drafts (see migration 0011).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        DRAFT = "draft", _("Draft")
        SUPPRESSED = "suppressed", _("Suppressed")

    # Each is the leading column of a composite index in Meta (organization, store, status;
    # store, external_id; product, store): no single-column index of its own, one fewer to
    # maintain per row the repricer updates.
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="listings", db_index=False
    )
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="listings", db_index=False
    )
    external_id = models.CharField(max_length=64, blank=True, help_text=_("ASIN, eBay item id, …"))
    title = models.CharField(max_length=500, blank=True)
    bullets = models.JSONField(default=list, blank=True)
    description = models.TextField(blank=True)
    search_terms = models.TextField(blank=True)
    language = models.CharField(max_length=10)
    price = MoneyField(null=True, blank=True)
    currency = CurrencyField()
    stock = models.IntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # Storage paths (apps/catalog/images/services.py); the first is the main image. Empty: the
    # product's.
    images = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Per aspect, maintained by the same trigger (LISTING_ASPECTS says which columns each covers);
    # a database default too, for set-based inserts (COPY) that name only the columns they fill.
    content_version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    price_version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    stock_version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    images_version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    class Meta:
        ordering = ["store_id", "product_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "store"], name="listing_unique_product_store"
            ),
            currency_check("currency", "listing"),
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | models.Q(price__gte=0),
                name="listing_price_non_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "store", "status"]),
            models.Index(fields=["store", "external_id"]),
            # The API list's default keyset (organization, then Meta.ordering, then id): a page
            # is a short index range instead of a sort of the organization's every listing.
            models.Index(
                fields=["organization", "store", "product", "id"], name="listing_org_keyset"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.sku} @ {self.store.name}"


class ProtectedTerm(TenantModel):
    """A brand name the organization's copy must not use (competitors' trademarks): an error
    check on every listing text it validates (rule `org.protected_term`)."""

    term = models.CharField(max_length=100)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(
                "organization", models.functions.Lower("term"), name="protected_term_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.term


# Models kept in their own modules, imported here so Django registers them with the app.
from apps.catalog.buyer_reviews.models import ProductReview, ReviewInsight  # noqa: E402, F401
from apps.catalog.listings.revisions import ListingRevision  # noqa: E402, F401
from apps.catalog.photos.models import ProductPhoto  # noqa: E402, F401
