"""B2B terms of an organization, its margin rules by quantity break, inquiries and quotations.

Imported by apps.support.models so the rows belong to the `support` app (one migration)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel
from apps.core.money import CurrencyField, MoneyField


class B2BTerms(TenantModel):
    """One row per organization: what a quotation is computed with besides cost and freight."""

    currency = CurrencyField(default="USD")
    moq = models.PositiveIntegerField(default=100, help_text=_("Minimum order quantity"))
    production_days = models.PositiveIntegerField(default=20)
    export_fee_per_shipment = MoneyField(
        default=Decimal("150"), help_text=_("Export clearance and port handling (FOB)")
    )
    handling_per_unit = MoneyField(default=Decimal("0.10"), help_text=_("Origin handling per unit"))
    insurance_pct = models.DecimalField(max_digits=6, decimal_places=3, default=Decimal("0.300"))
    validity_days = models.PositiveIntegerField(default=30)
    origin_port = models.CharField(max_length=64, default="Shenzhen")
    # Quoted when the inquiry names no Incoterm (blank: the text quotes DDP).
    default_incoterm = models.CharField(max_length=3, blank=True, default="")
    # The freight modes (lanes) quoted: a subset of sea, air, express.
    freight_modes = models.JSONField(default=list, blank=True)
    # Stores whose inbox receives B2B inquiries and sender domains known as B2B buyers.
    inbox_store_ids = models.JSONField(default=list, blank=True)
    buyer_domains = models.JSONField(default=list, blank=True)
    # {country: duty %} overriding apps.support.b2b.rates.DUTY_PCT.
    duty_pct = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="b2b_terms_one_per_org")
        ]

    def __str__(self) -> str:
        return f"B2B terms {self.organization_id}"


class B2BMarginRule(TenantModel):
    """Margin on the EXW price from a quantity on (the highest break ≤ quantity applies)."""

    min_quantity = models.PositiveIntegerField()
    margin_pct = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["min_quantity"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "min_quantity"], name="b2b_margin_unique_break"
            ),
            models.CheckConstraint(
                condition=models.Q(margin_pct__gte=0) & models.Q(margin_pct__lt=95),
                name="b2b_margin_range",
            ),
        ]

    def __str__(self) -> str:
        return f"≥{self.min_quantity}: {self.margin_pct}%"


class Inquiry(TenantModel):
    class Source(models.TextChoices):
        EMAIL = "email", _("E-mail")
        API = "api", _("API")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        QUOTED = "quoted", _("Quotation drafted")
        SENT = "sent", _("Quotation sent")
        CLOSED = "closed", _("Closed")

    source = models.CharField(max_length=8, choices=Source.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.NEW)
    conversation = models.ForeignKey(
        "support.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        "support.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    buyer_name = models.CharField(max_length=200, blank=True)
    buyer_email = models.CharField(max_length=255, blank=True)
    company = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    text = models.TextField()
    language = models.CharField(max_length=10, blank=True)
    parse_method = models.CharField(max_length=32, default="offline_rules")  # | llm
    parsed = models.JSONField(default=dict, blank=True)  # every field with its evidence
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    product_match = models.CharField(max_length=16, blank=True)  # sku | model | name
    quantity = models.PositiveIntegerField(null=True, blank=True)
    destination_country = models.CharField(max_length=2, blank=True)
    destination_port = models.CharField(max_length=64, blank=True)
    incoterm = models.CharField(max_length=3, blank=True)
    target_price = MoneyField(null=True, blank=True)
    target_currency = models.CharField(max_length=3, blank=True)
    deadline = models.DateField(null=True, blank=True)
    customisation = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"{self.buyer_name or self.buyer_email or '-'} · {self.quantity or '?'}"


class Quotation(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        SENT = "sent", _("Sent")

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="quotations")
    currency = CurrencyField(default="USD")
    language = models.CharField(max_length=10, default="en")
    computation = models.JSONField(default=dict)  # apps.support.b2b.quote.compute, as JSON
    text = models.TextField(blank=True)  # the approved text (the draft holds the proposal)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"Q-{self.pk} · {self.inquiry}"
