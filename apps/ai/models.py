"""Per-organization AI settings and the usage ledger (one row per model call)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel
from apps.core.money import CurrencyField, currency_check


class AiSettings(TenantModel):
    """An organization's own endpoint, model, budget and concurrency; blanks use the defaults.

    `api_key` is stored as entered, in plain text, like any other column: whoever can read the
    database or a backup can read it. Give each organization a key limited to this use (a
    project key with a spending cap), and rotate it by saving a new one here.
    """

    model = models.CharField(max_length=100, blank=True, help_text=_("Empty: the default model"))
    base_url = models.URLField(
        max_length=300, blank=True, help_text=_("Empty: OPENAI_BASE_URL (or the offline generator)")
    )
    api_key = models.CharField(max_length=300, blank=True)
    monthly_budget = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("Generation stops for the rest of the month once spending reaches this"),
    )  # fmt: skip
    budget_currency = CurrencyField(default="USD")
    max_concurrency = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(1), MaxValueValidator(64)],
        help_text=_("Requests in flight per worker"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("AI settings")
        verbose_name_plural = _("AI settings")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="ai_settings_one_per_org"),
            currency_check("budget_currency", "ai_settings"),
        ]

    def __str__(self) -> str:
        return f"AI settings of org {self.organization_id}"


class UsageRecord(TenantModel):
    """One model call: tokens and cost, by organization, kind, provider and model."""

    kind = models.CharField(max_length=64)
    provider = models.CharField(max_length=32)
    model = models.CharField(max_length=100, blank=True)
    prompt_version = models.CharField(max_length=64, blank=True)
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=14, decimal_places=6, default=0)
    currency = CurrencyField(default="USD")
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why the call was made: "generate", "repair" (the one retry with validation errors) or
    # "back_translation" (the operator's rendering of a draft, apps/ai/registry.py).
    purpose = models.CharField(max_length=16, default="generate")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "created_at"]),
            models.Index(fields=["organization", "model", "kind"]),
        ]
        constraints = [
            currency_check("currency", "usage_record"),
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="usage_cost_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.model or self.provider}: {self.tokens_in}+{self.tokens_out}"
