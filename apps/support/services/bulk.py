"""Set-based ingestion of many relay mails at once (a mailbox backlog, a gateway batch, the
benchmark): one query each for known Message-IDs, orders, listings and conversations, bulk
inserts for conversations, messages and attachments, one bulk update of the conversations'
understanding and SLA clocks. The per-mail work left is parsing and the offline understanding
(CPU only). Same results as `mail_ingest` mail by mail."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from psycopg2.extras import execute_values

from apps.ai.untrusted import looks_like_instruction

from .. import inputs, relay, sla, understanding
from ..models import Attachment, Conversation, Message
from .ingest import (
    attachment_max,
    calendar_for,
    messages_received_announce,
    sla_settings_get,
)

CHUNK = 2000


@dataclass
class BulkResult:
    created: int = 0
    duplicates: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)  # (index, reason)
    conversation_ids: list[int] = field(default_factory=list)


def _parse_all(raws: list[bytes], result: BulkResult) -> list[relay.ParsedMail]:
    parsed, seen = [], set()
    for i, raw in enumerate(raws):
        try:
            mail = relay.parse(raw)
        except ValueError as exc:
            result.failed.append((i, str(exc)))
            continue
        if mail.message_id and mail.message_id in seen:
            result.duplicates += 1
            continue
        seen.add(mail.message_id)
        parsed.append(mail)
    return parsed


def _conversations(org, store, mails: list[relay.ParsedMail]) -> dict[tuple, Conversation]:
    from apps.catalog.models import Listing

    orders = inputs.orders_by_marketplace_ids(
        org=org, ids={m.marketplace_order_id for m in mails if m.marketplace_order_id}
    )
    asins = {a for m in mails for a in m.asins}
    product_of = dict(
        Listing.objects.for_org(org)
        .filter(external_id__in=asins)
        .exclude(product_id=None)
        .values_list("external_id", "product_id")
    )
    keys = {(m.sender, m.marketplace_order_id): m for m in mails}
    rows = []
    for (alias, order_id), m in keys.items():
        order = orders.get(order_id)
        product = next((product_of[a] for a in m.asins if a in product_of), None)
        rows.append(
            Conversation(
                organization=org,
                store=store,
                buyer_alias=alias,
                marketplace_order_id=order_id,
                channel=m.channel,
                buyer_name=m.buyer_name,
                subject=m.subject,
                order=order,
                asins=m.asins,
                product_id=product,
            )
        )
    Conversation.objects.bulk_create(rows, ignore_conflicts=True, batch_size=CHUNK)
    found = Conversation.objects.for_org(org).filter(
        store=store, buyer_alias__in={a for a, _ in keys}
    )
    return {(c.buyer_alias, c.marketplace_order_id): c for c in found}


def mails_ingest_many(*, org, store, raws: list[bytes]) -> BulkResult:
    result = BulkResult()
    mails = _parse_all(raws, result)
    known = set()
    ids = [m.message_id for m in mails if m.message_id]
    for i in range(0, len(ids), CHUNK):
        known |= set(
            Message.objects.for_org(org)
            .filter(message_id__in=ids[i : i + CHUNK])
            .values_list("message_id", flat=True)
        )
    fresh = [m for m in mails if not m.message_id or m.message_id not in known]
    result.duplicates += len(mails) - len(fresh)
    if not fresh:
        return result
    operator = sla_settings_get(org=org).operator_language
    now = timezone.now()
    calendars: dict[str, sla.Calendar] = {}
    with transaction.atomic():
        convos = _conversations(org, store, fresh)
        messages, touched = [], {}
        for m in fresh:
            convo = convos[(m.sender, m.marketplace_order_id)]
            seen = understanding.understand(m.text, operator)
            messages.append(
                Message(
                    organization=org,
                    conversation=convo,
                    direction=Message.Direction.INBOUND,
                    message_id=m.message_id,
                    in_reply_to=m.in_reply_to,
                    references=m.references,
                    sender=m.sender,
                    sent_at=m.sent_at,
                    text=m.text,
                    hidden_text=m.hidden_text,
                    looks_like_instruction=looks_like_instruction(m.text) or m.hidden_text,
                    raw_size=m.raw_size,
                    language=seen.language,
                    translation=seen.translation,
                    translation_language=seen.translation_language,
                    translation_method=seen.translation_method,
                )
            )
            last = convo.last_buyer_message_at
            if last is None or m.sent_at >= last:
                convo.last_buyer_message_at = m.sent_at
                if convo.channel not in calendars:
                    calendars[convo.channel] = calendar_for(org=org, channel=convo.channel)
                convo.sla_due_at = sla.due_at(m.sent_at, calendars[convo.channel])
                convo.responded_at = None
                convo.intent, convo.sentiment = seen.intent, seen.sentiment
            convo.language = convo.language or seen.language
            convo.understanding_method = seen.method
            convo.status, convo.closed_at, convo.no_response_needed = "open", None, False
            convo.priority = understanding.priority(
                convo.intent, convo.sentiment, convo.sla_due_at, now
            )
            touched[convo.pk] = convo
        made = Message.objects.bulk_create(messages, batch_size=CHUNK)
        limit = attachment_max()
        atts = [
            Attachment(
                organization=org,
                message=msg,
                filename=a.filename,
                content_type=a.content_type,
                size=len(a.data),
                data=a.data,
            )
            for msg, m in zip(made, fresh, strict=True)
            for a in m.attachments[:20]
            if len(a.data) <= limit
        ]
        Attachment.objects.bulk_create(atts, batch_size=500)
        _conversations_update(org, list(touched.values()))
        from ..understanding_llm import messages_understand_schedule

        messages_understand_schedule(org=org, message_ids=[m.pk for m in made])
        messages_received_announce(org_id=org.pk, messages=made)
    result.created = len(made)
    result.conversation_ids = sorted(touched)
    return result


def _conversations_update(org, convos: list[Conversation]) -> None:
    """One UPDATE … FROM (VALUES …) per chunk (Django's bulk_update builds a CASE per field and
    row, which costs seconds of Python per thousand rows)."""
    rows = [
        (
            c.pk,
            c.last_buyer_message_at,
            c.sla_due_at,
            c.responded_at,
            c.intent,
            c.sentiment,
            c.language,
            c.understanding_method,
            c.priority,
        )
        for c in convos
    ]
    sql = f"""
        UPDATE support_conversation c SET last_buyer_message_at = v.asked, sla_due_at = v.due,
            responded_at = v.responded, intent = v.intent, sentiment = v.sentiment,
            language = v.language, understanding_method = v.method, status = 'open',
            closed_at = NULL, no_response_needed = false, priority = v.priority, updated_at = now()
        FROM (VALUES %s) AS v (id, asked, due, responded, intent, sentiment, language, method,
                               priority)
        WHERE c.id = v.id AND c.organization_id = {int(org.pk)}
    """
    template = (
        "(%s, %s::timestamptz, %s::timestamptz, %s::timestamptz, %s, %s, %s, %s, %s::smallint)"
    )
    with connection.cursor() as cursor:
        for i in range(0, len(rows), CHUNK):
            execute_values(cursor, sql, rows[i : i + CHUNK], template=template, page_size=CHUNK)
