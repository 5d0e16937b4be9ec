"""One ImportRun per uploaded file: what was read, what was kept, and each refused line."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel


class ImportRun(TenantModel):
    """An upload of one file for one import kind. The file's sha256 makes re-importing the
    same bytes for the same kind a recognised no-op: at most one running or succeeded run
    per (organization, kind, target, sha256), enforced by the database."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        DUPLICATE = "duplicate", _("Already imported")

    APPLIED = (Status.RUNNING, Status.SUCCEEDED)

    kind = models.CharField(max_length=64)
    # What the file is imported into when the kind alone does not say (reviews for product
    # 42: the same file for another product is another import).
    target = models.CharField(max_length=64, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField(default=0)
    format = models.CharField(max_length=8, blank=True)
    encoding = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    rows_read = models.PositiveIntegerField(default=0)
    rows_ok = models.PositiveIntegerField(default=0)
    rows_failed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)  # why the file as a whole was refused
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "kind", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "target", "sha256"],
                condition=models.Q(status__in=["running", "succeeded"]),
                name="importrun_one_applied_per_file",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} #{self.pk} ({self.status})"


class ImportLineError(models.Model):
    """A line of a run's file that was refused, with why (downloadable as CSV)."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="line_errors")
    line = models.PositiveIntegerField()
    reason = models.TextField()

    class Meta:
        ordering = ["run", "line", "id"]
        indexes = [models.Index(fields=["run", "line"])]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class WebhookSubscription(TenantModel):
    """An organization's HTTPS endpoint told about the events it chose (apps/core/events.py).

    Deliveries are signed with `secret`; after a rotation `previous_secret` signs too (a second
    signature in the header) until `previous_secret_until`, so the receiver can switch over.
    Disabled automatically after `WEBHOOK_DISABLE_AFTER_FAILURES` failed attempts in a row."""

    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=80)
    previous_secret = models.CharField(max_length=80, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "is_active"])]

    def __str__(self) -> str:
        return self.url


class WebhookEvent(TenantModel):
    """The outbox: one row per event, written in the transaction of the change it announces."""

    event = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"


class WebhookDelivery(TenantModel):
    """One event for one subscription: retried with backoff until delivered or given up."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["subscription", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.subscription_id} ({self.status})"


class WebhookAttempt(models.Model):
    """The delivery log: each HTTP attempt with its response code (or the network error)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-attempted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.attempted_at}: {self.status_code or self.error}"
