"""Orders from marketplaces, their lines, and exchange rates."""

from __future__ import annotations

from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel, TimeStampedModel
from apps.core.money import CurrencyField, MoneyField, currency_check


class Order(TenantModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        UNSHIPPED = "unshipped", _("Unshipped")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")
        RETURNED = "returned", _("Returned")

    # Bulk imports write half a million orders at a time: the organization needs no index of
    # its own (every index below starts with it or with the store) and no per-row database
    # check (the store, checked, belongs to it; imports and services set both together).
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    # RESTRICT, not PROTECT: a store with orders cannot be deleted on its own, but deleting the
    # whole organization (which cascades to its orders too) is allowed.
    # No per-row database check either (measured: the deferred checks of a million-line import
    # cost PostgreSQL ~25 s of CPU at commit): imports take the store from the request, checked
    # to be the organization's, and Django's collector enforces RESTRICT on deletion.
    store = models.ForeignKey(
        "catalog.Store", on_delete=models.RESTRICT, related_name="orders", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    marketplace_order_id = models.CharField(max_length=64)
    buyer_country = models.CharField(max_length=2)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    ordered_at = models.DateTimeField()
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    currency = CurrencyField()
    items_total = MoneyField(default=0)
    shipping_total = MoneyField(default=0)
    tax_total = MoneyField(default=0)
    order_total = MoneyField(default=0)
    # Added for imports, risk and FX (additive: the fields above keep their meaning).
    source = models.CharField(max_length=16, blank=True, default="")
    financial_status = models.CharField(max_length=24, blank=True, default="")
    refunded_total = MoneyField(default=0)
    # A stable pseudonymous buyer key (hash of the marketplace's buyer e-mail/id), never the
    # address itself: enough to tell a first order from a repeat one.
    buyer_key = models.CharField(max_length=64, blank=True, default="")
    billing_country = models.CharField(max_length=2, blank=True, default="")
    # Hash of the normalised shipping address (postal code, city, street line, country).
    address_key = models.CharField(max_length=64, blank=True, default="")
    ship_postal_code = models.CharField(max_length=20, blank=True, default="")
    ship_city = models.CharField(max_length=100, blank=True, default="")
    settled_at = models.DateTimeField(null=True, blank=True)
    risk_score = models.PositiveSmallIntegerField(default=0)
    risk_reasons = models.JSONField(default=list, blank=True)
    risk_scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-ordered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "marketplace_order_id"], name="order_unique_marketplace_id"
            ),
            currency_check("currency", "order"),
        ]
        indexes = [
            models.Index(fields=["organization", "-ordered_at"]),
            models.Index(fields=["organization", "status", "-ordered_at"]),
            models.Index(fields=["store", "-ordered_at"]),
            # Incremental readers (analytics' refresh): orders changed since a moment. A line
            # changed or deleted touches its order (trigger of migration 0006).
            models.Index(fields=["organization", "updated_at"], name="order_org_updated_idx"),
            # Only the orders the review list shows: a bulk import (risk 0) never touches it.
            models.Index(
                fields=["organization", "-risk_score"],
                name="order_org_risky_idx",
                condition=models.Q(risk_score__gte=40),
            ),
        ]

    def __str__(self) -> str:
        return self.marketplace_order_id


class OrderItem(TenantModel):
    # A million lines an import: no per-row foreign-key checks. The organization is the
    # order's; product and listing are looked up in the organization by SKU when written, and
    # Django's collector sets them NULL when one is deleted.
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    # No btree on created_at for a million lines an import: the BRIN below serves time scans.
    created_at = models.DateTimeField(auto_now_add=True)
    # The order's id comes from a join with orders_order in the import's own transaction, and
    # Django's collector cascades deletions: no deferred per-row check at commit.
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="items", db_constraint=False
    )
    listing = models.ForeignKey(
        "catalog.Listing", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False, db_constraint=False,
    )  # fmt: skip
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False, db_constraint=False,
    )  # fmt: skip
    sku = models.CharField(max_length=100)
    quantity = models.PositiveIntegerField()
    unit_price = MoneyField()
    currency = CurrencyField()
    line_total = MoneyField()
    # Added for imports (additive). `item_key` identifies the line within its order across
    # re-imports (the marketplace's order-item id, else the SKU); '' for lines made by hand.
    item_key = models.CharField(max_length=120, blank=True, default="")
    item_status = models.CharField(max_length=24, blank=True, default="")
    tax = MoneyField(default=0)
    discount = MoneyField(default=0)
    refunded_quantity = models.PositiveIntegerField(default=0)
    refunded_amount = MoneyField(default=0)
    returned_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            currency_check("currency", "orderitem"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="orderitem_qty_pos"),
            models.UniqueConstraint(
                fields=["order", "item_key"],
                condition=~models.Q(item_key=""),
                name="orderitem_unique_item_key",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "product"]),
            models.Index(
                fields=["listing"],
                name="orderitem_listing_idx",
                condition=models.Q(listing__isnull=False),
            ),
            # Lines changed since a moment (analytics' refresh): rows are appended in time
            # order, so a BRIN index answers it at almost no cost to bulk imports.
            BrinIndex(fields=["updated_at"], name="orderitem_updated_brin"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"


class ExchangeRate(TimeStampedModel):
    """Units of `quote` per one `base` on `date`.

    Public reference rates (ECB) have no organization; an organization may add its own rates
    (its bank's, its ERP's), which take precedence for it alone and are invisible to others.
    """

    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    base = CurrencyField()
    quote = CurrencyField()
    rate = models.DecimalField(max_digits=20, decimal_places=10)
    date = models.DateField()
    source = models.CharField(max_length=32, default="ecb")

    class Meta:
        ordering = ["-date", "base", "quote"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "base", "quote", "date"],
                name="exchangerate_unique_day",
                nulls_distinct=False,
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchangerate_positive"),
            currency_check("base", "exchangerate"),
            currency_check("quote", "exchangerate"),
        ]
        indexes = [models.Index(fields=["base", "quote", "-date"])]

    def __str__(self) -> str:
        return f"1 {self.base} = {self.rate} {self.quote} on {self.date}"


class RiskDestination(TenantModel):
    """A destination country an organization treats as risky for payment settlement (reshippers,
    high chargeback rates): the destination rule of order risk reads this list as data."""

    country = models.CharField(max_length=2)
    points = models.PositiveSmallIntegerField(default=20)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["country"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "country"], name="riskdestination_unique_country"
            ),
            models.CheckConstraint(
                condition=models.Q(points__lte=100), name="riskdestination_points_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country} (+{self.points})"
