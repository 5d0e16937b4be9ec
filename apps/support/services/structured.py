"""Messages from channels that are not mail (a marketplace API, a chat widget): the same
threading, dedupe, understanding and SLA clock as relay mail, from JSON fields."""

from __future__ import annotations

import hashlib

from django.utils import timezone

from apps.core.errors import ValidationFailed

from .. import relay
from .ingest import IngestResult, mail_ingest_parsed


def message_ingest_structured(
    *,
    org,
    store,
    buyer_alias: str = "",
    text: str = "",
    buyer_name: str = "",
    marketplace_order_id: str = "",
    message_id: str = "",
    subject: str = "",
    sent_at=None,
    **_ignored,
) -> IngestResult:
    buyer_alias = (buyer_alias or "").strip().lower()
    if not buyer_alias or not (text or "").strip():
        raise ValidationFailed("A message needs buyer_alias and text (or raw).", field="text")
    clean, invisible = relay.strip_invisible(text)
    when = sent_at or timezone.now()
    if not message_id:  # the same message posted twice is still stored once
        digest = hashlib.sha256(f"{store.pk}|{buyer_alias}|{when.isoformat()}|{text}".encode())
        message_id = f"<{digest.hexdigest()[:40]}@api.crossborder>"
    parsed = relay.ParsedMail(
        message_id=message_id[:998],
        subject=subject[:500],
        sent_at=when,
        sender=buyer_alias[:255],
        sender_name=buyer_name,
        buyer_name=buyer_name[:200],
        channel="other",
        marketplace_order_id=marketplace_order_id[:64],
        asins=[],
        skus=[],
        text=clean.strip(),
        hidden_text=invisible,
    )
    return mail_ingest_parsed(org=org, store=store, parsed=parsed)
