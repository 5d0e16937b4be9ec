"""Inbound mail → conversations and messages.

`mail_ingest` takes raw RFC 822 bytes (from IMAP, the forwarding endpoint or the API): parses
the relay mail, stores it once per Message-ID (a second delivery answers the stored message),
threads it into the conversation of (store, buyer alias, order id), links the order when its
id is found, understands the text offline and restarts the SLA clock.
`mails_ingest_many` does the same for many mails set-based (bulk inserts, one order lookup).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.ai.untrusted import looks_like_instruction
from apps.core.errors import ValidationFailed
from apps.core.events import events_emit

from .. import inputs, relay, sla, understanding
from ..models import Attachment, Conversation, Message, SlaSettings

ATTACHMENT_MAX = 5 * 1024 * 1024
RAW_MAX = 25 * 1024 * 1024


def attachment_max() -> int:
    return int(getattr(settings, "CROSSBORDER_SUPPORT_ATTACHMENT_MAX", ATTACHMENT_MAX))


@dataclass(frozen=True)
class IngestResult:
    message: Message
    created: bool


def sla_settings_get(*, org) -> SlaSettings:
    found = SlaSettings.objects.for_org(org).first()
    return found or SlaSettings(organization=org)


def calendar_for(*, org, channel: str) -> sla.Calendar:
    """Amazon measures 24 calendar hours; other channels follow the team's settings."""
    settings_row = sla_settings_get(org=org)
    if channel == "amazon" and settings_row.mode == SlaSettings.Mode.CALENDAR:
        return sla.Calendar(hours=24)
    return sla.Calendar.of(settings_row)


def _product_for(org, asins: list[str], order) -> int | None:
    from apps.catalog.models import Listing

    if asins:
        listing = (
            Listing.objects.for_org(org)
            .filter(external_id__in=asins)
            .exclude(product_id=None)
            .only("product_id")
            .first()
        )
        if listing is not None:
            return listing.product_id
    if order is not None:
        item = next((i for i in order.items.all() if i.product_id), None)
        return item.product_id if item else None
    return None


def _conversation_for(org, store, parsed: relay.ParsedMail, order) -> Conversation:
    conversation, _ = Conversation.objects.for_org(org).get_or_create(
        organization=org,
        store=store,
        buyer_alias=parsed.sender,
        marketplace_order_id=parsed.marketplace_order_id,
        defaults={
            "channel": parsed.channel,
            "buyer_name": parsed.buyer_name,
            "subject": parsed.subject,
            "order": order,
            "asins": parsed.asins,
            "product_id": _product_for(org, parsed.asins, order),
        },
    )
    return conversation


def _understand_and_clock(org, conversation: Conversation, message: Message) -> None:
    seen = understanding.understand(message.text, sla_settings_get(org=org).operator_language)
    message.language = seen.language
    message.translation = seen.translation
    message.translation_language = seen.translation_language
    message.translation_method = seen.translation_method
    message.save(
        update_fields=["language", "translation", "translation_language", "translation_method"]
    )
    now = timezone.now()
    calendar = calendar_for(org=org, channel=conversation.channel)
    if (
        conversation.last_buyer_message_at is None
        or message.sent_at >= conversation.last_buyer_message_at
    ):
        conversation.last_buyer_message_at = message.sent_at
        conversation.sla_due_at = sla.due_at(message.sent_at, calendar)
        conversation.responded_at = None
    conversation.language = conversation.language or seen.language
    conversation.intent, conversation.sentiment = seen.intent, seen.sentiment
    conversation.understanding_method = seen.method
    conversation.priority = understanding.priority(
        seen.intent, seen.sentiment, conversation.sla_due_at, now
    )
    if conversation.status != Conversation.Status.OPEN:
        conversation.status, conversation.closed_at = Conversation.Status.OPEN, None
        conversation.no_response_needed = False
    conversation.save()


def _store_attachments(org, message: Message, parsed: relay.ParsedMail) -> list[str]:
    skipped = []
    limit = attachment_max()
    for att in parsed.attachments[:20]:
        if len(att.data) > limit:
            skipped.append(att.filename)
            continue
        Attachment.objects.create(
            organization=org,
            message=message,
            filename=att.filename,
            content_type=att.content_type,
            size=len(att.data),
            data=att.data,
        )
    return skipped


def mail_ingest(*, org, store, raw: bytes) -> IngestResult:
    """Store one relay mail; the same Message-ID twice is stored once."""
    if len(raw) > RAW_MAX:
        raise ValidationFailed("The message is larger than 25 MB.", field="raw")
    try:
        parsed = relay.parse(raw)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="raw") from exc
    return mail_ingest_parsed(org=org, store=store, parsed=parsed)


def mail_ingest_parsed(*, org, store, parsed: relay.ParsedMail) -> IngestResult:
    if store.organization_id != org.pk:
        raise ValidationFailed("No such store.", field="store")
    if parsed.message_id:
        existing = Message.objects.for_org(org).filter(message_id=parsed.message_id).first()
        if existing is not None:
            return IngestResult(existing, False)
    try:
        with transaction.atomic():
            return IngestResult(_ingest_parsed(org, store, parsed), True)
    except IntegrityError:  # a concurrent delivery of the same Message-ID won the race
        existing = Message.objects.for_org(org).filter(message_id=parsed.message_id).first()
        if existing is None:
            raise
        return IngestResult(existing, False)


def _ingest_parsed(org, store, parsed: relay.ParsedMail) -> Message:
    order = inputs.order_by_marketplace_id(
        org=org, marketplace_order_id=parsed.marketplace_order_id, store_id=store.pk
    )
    conversation = _conversation_for(org, store, parsed, order)
    if conversation.order_id is None and order is not None:
        conversation.order = order
    message = Message.objects.create(
        organization=org,
        conversation=conversation,
        direction=Message.Direction.INBOUND,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=parsed.references,
        sender=parsed.sender,
        sent_at=parsed.sent_at,
        text=parsed.text,
        hidden_text=parsed.hidden_text,
        looks_like_instruction=looks_like_instruction(parsed.text) or parsed.hidden_text,
        raw_size=parsed.raw_size,
    )
    skipped = _store_attachments(org, message, parsed)
    if skipped:
        Message.objects.create(
            organization=org,
            conversation=conversation,
            direction=Message.Direction.NOTE,
            sent_at=parsed.sent_at,
            text="Attachments over the size limit were not kept: " + ", ".join(skipped),
        )
    _understand_and_clock(org, conversation, message)
    from ..understanding_llm import messages_understand_schedule

    messages_understand_schedule(org=org, message_ids=[message.pk])  # with an endpoint only
    messages_received_announce(org_id=org.pk, messages=[message])
    from ..b2b.services import inquiry_from_message  # a wholesale inquiry also becomes a quote

    inquiry_from_message(
        org=org, store=store, conversation=conversation, message=message, parsed_mail=parsed
    )
    return message


NOTE_MAX = 20000  # characters of an internal note


def message_note_add(*, org, actor, conversation: Conversation, text: str) -> Message:
    """An internal note on a conversation (never sent to the buyer)."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("A note needs text.", field="text")
    if len(text) > NOTE_MAX:
        raise ValidationFailed(f"A note has at most {NOTE_MAX} characters.", field="text")
    return Message.objects.create(
        organization=org,
        conversation=conversation,
        direction=Message.Direction.NOTE,
        sent_at=timezone.now(),
        text=text,
        author=actor,
    )


@transaction.atomic
def conversation_close_no_response(*, org, actor, conversation: Conversation) -> Conversation:
    """Close without a reply; recorded as a note and excluded from response times."""
    now = timezone.now()
    conversation.status, conversation.closed_at = Conversation.Status.CLOSED, now
    conversation.no_response_needed = True
    conversation.save(update_fields=["status", "closed_at", "no_response_needed", "updated_at"])
    name = getattr(actor, "username", "") or "system"
    Message.objects.create(
        organization=org,
        conversation=conversation,
        direction=Message.Direction.NOTE,
        sent_at=now,
        author=actor,
        text=f"Closed as “no response needed” by {name}.",
    )
    return conversation


def sent_at_or_now(value: datetime | None) -> datetime:
    return value or timezone.now()


def messages_received_announce(*, org_id: int, messages) -> None:
    """`message.received` for inbound messages, in the transaction that stored them."""
    events_emit(
        org=org_id,
        event="message.received",
        payloads=[
            {
                "message_id": m.pk,
                "conversation_id": m.conversation_id,
                "sent_at": m.sent_at.isoformat() if m.sent_at else None,
            }
            for m in messages
        ],
    )
