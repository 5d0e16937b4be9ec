"""Reads of customer service, always for one organization."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from apps.core.errors import NotFound

from . import sla
from .models import Attachment, Conversation, KnowledgeArticle, Macro, Mailbox, Message

SLA_STATES = ("overdue", "due_soon", "ok", "done")


def conversation_list(
    *,
    org,
    store_id: int | None = None,
    language: str = "",
    intent: str = "",
    status: str = "",
    sla_state: str = "",
    search: str = "",
    assignee: int | str | None = None,
    now=None,
) -> QuerySet[Conversation]:
    """Conversations by time left (overdue first), then newest. `assignee`: a user id, or
    "none" for unassigned ones."""
    now = now or timezone.now()
    qs = Conversation.objects.for_org(org).select_related("store", "order", "assignee")
    if store_id:
        qs = qs.filter(store_id=store_id)
    if language:
        qs = qs.filter(language=language)
    if intent:
        qs = qs.filter(intent=intent)
    if status:
        qs = qs.filter(status=status)
    if assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif isinstance(assignee, int):
        qs = qs.filter(assignee_id=assignee)
    open_ = qs.filter(status=Conversation.Status.OPEN, responded_at__isnull=True)
    if sla_state == "overdue":
        qs = open_.filter(sla_due_at__lte=now)
    elif sla_state == "due_soon":
        qs = open_.filter(sla_due_at__gt=now, sla_due_at__lte=now + timedelta(hours=4))
    elif sla_state == "ok":
        qs = open_.filter(sla_due_at__gt=now + timedelta(hours=4))
    elif sla_state == "done":
        qs = qs.exclude(pk__in=open_.values("pk"))
    if search:
        qs = qs.filter(marketplace_order_id__icontains=search) | qs.filter(
            buyer_name__icontains=search
        )
    return qs.order_by(status_rank(), "sla_due_at", "-id")


def status_rank() -> Case:
    """Open first, then waiting on the buyer, then closed ("closed" sorts before "open" as text,
    which put closed conversations at the top of the inbox)."""
    return Case(
        When(status=Conversation.Status.OPEN, then=Value(0)),
        When(status=Conversation.Status.WAITING, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def conversation_get(*, org, conversation_id: int) -> Conversation:
    found = (
        Conversation.objects.for_org(org)
        .select_related("store", "store__marketplace", "order", "product", "assignee")
        .filter(pk=conversation_id)
        .first()
    )
    if found is None:
        raise NotFound("No such conversation.")
    return found


def conversation_sla_state(conversation: Conversation, now=None) -> str:
    done = conversation.status != Conversation.Status.OPEN or conversation.responded_at is not None
    return sla.state(conversation.sla_due_at, now or timezone.now(), done)


def message_list(*, org, conversation: Conversation) -> QuerySet[Message]:
    return (
        Message.objects.for_org(org)
        .filter(conversation=conversation)
        .prefetch_related("attachments")
        .select_related("author")
    )


def attachment_get(*, org, attachment_id: int) -> Attachment:
    found = Attachment.objects.for_org(org).filter(pk=attachment_id).first()
    if found is None:
        raise NotFound("No such attachment.")
    return found


def kb_list(*, org) -> QuerySet[KnowledgeArticle]:
    return KnowledgeArticle.objects.for_org(org).order_by("language", "title")


def kb_get(*, org, article_id: int) -> KnowledgeArticle:
    found = KnowledgeArticle.objects.for_org(org).filter(pk=article_id).first()
    if found is None:
        raise NotFound("No such article.")
    return found


def macro_list(*, org) -> QuerySet[Macro]:
    return Macro.objects.for_org(org).order_by("language", "name")


def macro_get(*, org, macro_id: int) -> Macro:
    found = Macro.objects.for_org(org).filter(pk=macro_id).first()
    if found is None:
        raise NotFound("No such macro.")
    return found


MACRO_VARIABLES = (
    "buyer_name",
    "order_id",
    "order_date",
    "shipped_date",
    "delivered_date",
    "order_total",
    "carrier",
    "tracking_number",
    "product",
    "store",
)


def macro_variables(*, org, conversation: Conversation) -> dict[str, str]:
    """What a macro's variables stand for in this conversation: the buyer, the order (dates,
    total), its latest shipment (carrier, tracking number), the product and the store. A value
    the data does not have is "" (the macro keeps the placeholder for the operator)."""
    from . import inputs

    order = conversation.order
    values = dict.fromkeys(MACRO_VARIABLES, "")
    values["buyer_name"] = conversation.buyer_name or ""
    values["order_id"] = conversation.marketplace_order_id or ""
    values["store"] = conversation.store.name
    if order is not None:
        values["order_date"] = order.ordered_at.date().isoformat()
        values["shipped_date"] = order.shipped_at.date().isoformat() if order.shipped_at else ""
        values["delivered_date"] = (
            order.delivered_at.date().isoformat() if order.delivered_at else ""
        )
        values["order_total"] = f"{order.order_total:.2f} {order.currency}"
        shipments = inputs.shipments_for_order(org=org, order_id=order.pk) or []
        if shipments:
            latest = shipments[-1]
            values["carrier"] = str(latest.get("carrier") or "")
            values["tracking_number"] = str(latest.get("tracking_number") or "")
    if conversation.product_id is not None:
        from apps.catalog.models import Listing

        title = (
            Listing.objects.for_org(org)
            .filter(product_id=conversation.product_id, store_id=conversation.store_id)
            .values_list("title", flat=True)
            .first()
        )
        values["product"] = title or conversation.product.sku
    return values


def mailbox_list(*, org) -> QuerySet[Mailbox]:
    return Mailbox.objects.for_org(org).select_related("store")


def mailbox_status(*, org) -> list[dict]:
    """Each mailbox with what its IMAP path last did, for the inbox page: when it was polled,
    the highest UID read, the last error; and, for the demo mailbox served by a local Dovecot
    (manage.py support_demo_imap on `make run`), why it cannot work when Dovecot is missing."""
    import os

    from .demo import DEMO_IMAP_PORT
    from .devimap import DOVECOT

    rows = []
    for box in mailbox_list(org=org).order_by("address"):
        demo = box.imap_host in ("127.0.0.1", "localhost") and box.imap_port == DEMO_IMAP_PORT
        rows.append(
            {
                "mailbox": box,
                "demo": demo,
                "dovecot_missing": demo and not os.path.exists(DOVECOT),
                "imap": bool(box.imap_host),
            }
        )
    return rows


def sla_report(*, org, days: int, now=None) -> dict:
    """Response times (hours from the buyer's last message to the first reply) of conversations
    whose buyer wrote in the last `days` days: p50/p90/p95, late rate, still overdue. Conversations
    closed as "no response needed" are counted apart, not as answers."""
    now = now or timezone.now()
    qs = Conversation.objects.for_org(org).filter(
        last_buyer_message_at__gte=now - timedelta(days=days)
    )
    rows = list(
        qs.values_list(
            "last_buyer_message_at", "responded_at", "sla_due_at", "no_response_needed", "status"
        )
    )
    hours, late, answered = [], 0, 0
    overdue = no_response = 0
    for asked, responded, due, skipped, status in rows:
        if skipped:
            no_response += 1
            continue
        if responded is not None and asked is not None:
            answered += 1
            hours.append((responded - asked).total_seconds() / 3600)
            late += int(due is not None and responded > due)
        elif status == Conversation.Status.OPEN and due is not None and due <= now:
            overdue += 1
            late += 1
    measured = answered + overdue
    return {
        "days": days,
        "conversations": len(rows),
        "answered": answered,
        "p50": sla.percentile(hours, 50),
        "p90": sla.percentile(hours, 90),
        "p95": sla.percentile(hours, 95),
        "late_rate": (late / measured) if measured else None,
        "overdue": overdue,
        "no_response_needed": no_response,
    }


def product_questions(*, org, product_id: int, limit: int = 50) -> list[str]:
    """Buyers' product questions (intent product_question) about the product, newest first:
    the text of inbound messages in conversations linked to the product (CONTRACTS.md)."""
    limit = max(0, min(int(limit), 500))
    texts = (
        Message.objects.for_org(org)
        .filter(
            direction=Message.Direction.INBOUND,
            conversation__product_id=product_id,
            conversation__intent=Conversation.Intent.PRODUCT_QUESTION,
        )
        .exclude(text="")
        .exclude(looks_like_instruction=True)
        .order_by("-sent_at", "-id")
        .values_list("text", flat=True)[:limit]
    )
    return list(texts)
