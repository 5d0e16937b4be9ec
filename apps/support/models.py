"""Customer service: mailboxes (channels), conversations with buyers, their messages and
attachments, the knowledge base, macros and the team's SLA settings."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel


class Mailbox(TenantModel):
    """One store's relay mailbox: IMAP in (polled by UID), SMTP out from the relay address.
    Passwords are stored encrypted (apps.support.crypto); never shown back."""

    store = models.ForeignKey("catalog.Store", on_delete=models.CASCADE, related_name="+")
    address = models.EmailField(help_text=_("The store's relay address replies are sent from"))
    imap_host = models.CharField(max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(default=993)
    imap_ssl = models.BooleanField(default=True)
    imap_username = models.CharField(max_length=255, blank=True)
    imap_password_encrypted = models.TextField(blank=True)
    imap_folder = models.CharField(max_length=100, default="INBOX")
    smtp_host = models.CharField(max_length=255, blank=True)
    smtp_port = models.PositiveIntegerField(default=587)
    smtp_starttls = models.BooleanField(default=True)
    smtp_username = models.CharField(max_length=255, blank=True)
    smtp_password_encrypted = models.TextField(blank=True)
    # UID polling: the folder's UIDVALIDITY and the highest UID already read.
    uid_validity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "address"], name="mailbox_unique_address"
            )
        ]

    def __str__(self) -> str:
        return self.address


class Conversation(TenantModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WAITING = "waiting", _("Waiting on buyer")
        CLOSED = "closed", _("Closed")

    class Intent(models.TextChoices):
        WHERE_IS_MY_ORDER = "where_is_my_order", _("Where is my order")
        RETURN_REFUND = "return_refund", _("Return / refund")
        PRODUCT_QUESTION = "product_question", _("Product question")
        DELIVERY_PROBLEM = "delivery_problem", _("Delivery problem")
        CANCELLATION = "cancellation", _("Cancellation")
        ADDRESS_CHANGE = "address_change", _("Address change")
        COMPLAINT = "complaint", _("Complaint / negative-feedback risk")
        OTHER = "other", _("Other")

    class Sentiment(models.TextChoices):
        NEGATIVE = "negative", _("Negative")
        NEUTRAL = "neutral", _("Neutral")
        POSITIVE = "positive", _("Positive")

    store = models.ForeignKey("catalog.Store", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=16, default="amazon")  # amazon | ebay | other
    buyer_alias = models.CharField(max_length=255)  # the relay address replies go to
    buyer_name = models.CharField(max_length=200, blank=True)
    marketplace_order_id = models.CharField(max_length=64, blank=True)
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    asins = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=10, blank=True)
    intent = models.CharField(max_length=32, choices=Intent.choices, default=Intent.OTHER)
    sentiment = models.CharField(max_length=16, choices=Sentiment.choices, default="neutral")
    understanding_method = models.CharField(max_length=32, blank=True)  # offline_rules | llm
    priority = models.PositiveSmallIntegerField(default=0)  # 0 low … 3 urgent
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_buyer_message_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    sla_due_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    no_response_needed = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # bumped by every outbound reply

    class Meta:
        ordering = ["sla_due_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "store", "buyer_alias", "marketplace_order_id"],
                name="conversation_unique_thread",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "status", "sla_due_at"]),
            models.Index(fields=["organization", "order"]),
            models.Index(fields=["organization", "product", "intent"]),
        ]

    def __str__(self) -> str:
        return f"{self.buyer_name or self.buyer_alias} · {self.marketplace_order_id or '-'}"


class Message(TenantModel):
    class Direction(models.TextChoices):
        INBOUND = "inbound", _("Inbound")
        OUTBOUND = "outbound", _("Outbound")
        NOTE = "note", _("Internal note")

    class SendStatus(models.TextChoices):
        NONE = "", "-"
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    direction = models.CharField(max_length=16, choices=Direction.choices)
    message_id = models.CharField(max_length=998, blank=True)  # RFC 5322 Message-ID, <…>
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    sender = models.CharField(max_length=255, blank=True)
    sent_at = models.DateTimeField()
    text = models.TextField(blank=True)  # the buyer's (or our) text, markers/quotes/footer removed
    language = models.CharField(max_length=10, blank=True)
    translation = models.TextField(blank=True)  # into the operator's language
    translation_language = models.CharField(max_length=10, blank=True)
    translation_method = models.CharField(max_length=32, blank=True)  # offline_lexicon | llm
    hidden_text = models.BooleanField(default=False)  # zero-width or HTML-hidden text was found
    looks_like_instruction = models.BooleanField(default=False)
    is_review_request = models.BooleanField(default=False)
    raw_size = models.PositiveIntegerField(default=0)
    send_status = models.CharField(max_length=16, choices=SendStatus.choices, blank=True)
    send_error = models.TextField(blank=True)
    author = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "message_id"],
                condition=~models.Q(message_id=""),
                name="support_message_unique_message_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.message_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"support/{instance.organization_id}/{instance.message_id}/{filename}"


class Attachment(TenantModel):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=127)
    size = models.PositiveIntegerField()
    data = models.BinaryField()  # size-limited (CROSSBORDER_SUPPORT_ATTACHMENT_MAX)

    def __str__(self) -> str:
        return self.filename


class KnowledgeArticle(TenantModel):
    title = models.CharField(max_length=300)
    body = models.TextField()
    language = models.CharField(max_length=10, default="en")
    tags = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    search = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["title"]
        indexes = [GinIndex(fields=["search"], name="support_kb_search")]

    def __str__(self) -> str:
        return self.title


class Macro(TenantModel):
    """A canned answer with variables ({buyer_name}, {order_id}, {tracking_number}, …)."""

    name = models.CharField(max_length=200)
    language = models.CharField(max_length=10, default="en")
    intent = models.CharField(max_length=32, choices=Conversation.Intent.choices, blank=True)
    body = models.TextField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SlaSettings(TenantModel):
    class Mode(models.TextChoices):
        CALENDAR = "calendar", _("Marketplace calendar hours (24 h, weekends included)")
        BUSINESS = "business", _("Business hours (team time zone, public holidays)")

    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.CALENDAR)
    hours = models.PositiveSmallIntegerField(default=24)
    time_zone = models.CharField(max_length=64, default="Asia/Shanghai")
    holiday_country = models.CharField(max_length=8, default="CN")
    day_start = models.TimeField(default="09:00")
    day_end = models.TimeField(default="18:00")
    operator_language = models.CharField(max_length=10, default="zh-Hans")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="support_sla_one_per_org")
        ]


# B2B inquiries and quotations live in apps/support/b2b (issue 12 item 3).
from .b2b.models import B2BMarginRule, B2BTerms, Inquiry, Quotation  # noqa: E402,F401
