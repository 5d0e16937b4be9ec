"""The one queue of AI drafts: Draft, its append-only ReviewEvent log, and auto-approve Policy.

Modelled on Wagtail's WorkflowState: a generic target, a small status set, one open item per
target, kind and unique key, every transition logged. The logic lives in services, not in these
models.
`review` never imports domain models: targets are reached through ContentType and the handler
registry (apps.review.registry) that each domain app fills in its AppConfig.ready().
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel
from apps.core.money import CurrencyField, MoneyField


class DraftStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    APPLIED = "applied", _("Applied")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")
    FAILED = "failed", _("Failed")


OPEN_STATUSES = (DraftStatus.PENDING, DraftStatus.APPROVED)


def _set_only(prefix: str, fields: list[str]) -> list[models.Index]:
    """Indexes on optional references that only cover the rows where they are set (the
    lookups Django makes when the referenced row is deleted; NULL rows cost nothing)."""
    return [
        models.Index(
            fields=[name],
            condition=models.Q(**{f"{name}__isnull": False}),
            name=f"review_{prefix}_{name}_set"[:30],
        )
        for name in fields
    ]


class Draft(TenantModel):
    # Bulk producers (the repricer) insert drafts by the hundred thousand: every index is paid
    # per row. The organization, kind and target type are the leading columns of the indexes
    # in Meta, so they get none of their own; the optional references are indexed only where
    # they are set (partial indexes in Meta).
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=64)
    status = models.CharField(
        max_length=16, choices=DraftStatus.choices, default=DraftStatus.PENDING
    )
    # Not a database constraint either: content types are Django's own rows, never deleted
    # while a model exists (PROTECT still guards it in Django), and its deferred check would be
    # paid per draft.
    target_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    target_id = models.BigIntegerField()
    target_version = models.PositiveIntegerField(null=True, blank=True)
    # What makes this draft unique among the target's open drafts of its kind (the kind's
    # `unique_key`; "" for one open draft per target). A database default keeps writers that
    # insert rows with their own SQL working.
    unique_key = models.CharField(max_length=200, blank=True, default="", db_default="")
    # Copied from the target so the queue filters without joining domain tables: its store (if
    # any) and label from the kind's `display`, the optional facets from its `facets`.
    store_id = models.BigIntegerField(null=True, blank=True)
    marketplace = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=10, blank=True)
    category = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=300, blank=True, help_text=_("What the reviewer sees"))

    current = models.JSONField(default=dict, blank=True, help_text=_("Snapshot when drafted"))
    proposed = models.JSONField(default=dict, blank=True)
    final = models.JSONField(null=True, blank=True, help_text=_("What was applied"))
    rationale = models.TextField(blank=True)
    evidence = models.JSONField(default=list, blank=True)
    checks = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    job = models.ForeignKey(
        "core.Job",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    provider = models.CharField(max_length=32, blank=True)
    model_name = models.CharField(max_length=100, blank=True)
    prompt_version = models.CharField(max_length=64, blank=True)
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    cost = MoneyField(default=0, decimal_places=6)
    cost_currency = CurrencyField(default="USD")

    priority = models.SmallIntegerField(default=0, help_text=_("Higher is reviewed first"))
    due_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by_policy = models.ForeignKey(
        "review.Policy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    reject_reason = models.CharField(max_length=64, blank=True)
    edit_distance = models.DecimalField(
        max_digits=6,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Normalised word-level edit distance, proposed vs final (0 = unedited)"),
    )

    class Meta:
        ordering = ["-priority", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id", "kind", "unique_key"],
                condition=models.Q(status__in=["pending", "approved"]),
                name="draft_one_open_per_target_kind_key",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "-priority", "created_at"]),
            models.Index(fields=["organization", "kind", "status"]),
            models.Index(fields=["target_type", "target_id"]),
            *_set_only("draft", ["job", "claimed_by", "reviewed_by", "applied_by_policy"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class ReviewEvent(TenantModel):
    """One transition of a draft. Append-only: a database trigger refuses UPDATEs.

    Read by draft only (a draft's history); written one per draft created or superseded in
    bulk, so it carries no other index: none on organization or created_at, and the actor and
    policy are indexed only where set. The organization is its draft's (a constraint there), so
    it is not a database constraint here: one deferred check fewer per event."""

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    policy = models.ForeignKey(
        "review.Policy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    note = models.TextField(blank=True)
    payload = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [*_set_only("event", ["actor", "policy"])]

    def __str__(self) -> str:
        return f"{self.draft_id}: {self.from_status or '∅'} → {self.to_status}"


class Policy(TenantModel):
    """Per organization and kind: may drafts apply without review, inside which guardrails."""

    kind = models.CharField(max_length=64)
    auto_approve = models.BooleanField(default=False)
    max_change_pct = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Price changes: auto-approve only within ± this percentage"),
    )
    options = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind"], name="policy_unique_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {'auto' if self.auto_approve else 'review'}"


class PolicyRun(TenantModel):
    """One batch of changes a policy applied without review (e.g. one repricer chunk).

    Set-based paths apply hundreds of thousands of changes at once: they do not create a draft
    and two events per change, they record one PolicyRun and link their own change rows to it
    (pricing.PriceChange.policy_run). The queue's audit trail and feedback metrics count them.
    """

    policy = models.ForeignKey(
        Policy, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    kind = models.CharField(max_length=64)
    source = models.CharField(max_length=64, help_text=_("Who applied: repricer, bulk job, …"))
    count = models.PositiveIntegerField(default=0, help_text=_("Changes applied"))
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.count} applied by {self.source}"
