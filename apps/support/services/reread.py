"""Re-reading by the model the messages that were understood offline.

Messages ingested before an LLM endpoint was configured keep their rule-based reading
(`offline_lexicon` translation, `offline_rules` intent and sentiment). Once an endpoint is
available, beat picks, per organization and run, at most `REREAD_MAX` inbound messages read
offline in open (or waiting) conversations with a buyer message in the last `REREAD_DAYS`
days, and queues the `cs_understanding` kind for them on the ai queue (budget check and usage
ledger of the AI layer). Closed and older conversations are never re-read. Idempotent: a
message the model read is labelled `llm` and not picked again; one already queued in this
window is not queued twice (a cache mark per message), and a failure keeps its offline
reading until a later run.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from ..models import Conversation, Message
from ..understanding import OFFLINE_LEXICON
from ..understanding_llm import llm_configured, messages_understand_schedule

REREAD_DAYS = 14  # conversations whose last buyer message is older are left as they are
REREAD_MAX = 200  # messages per organization per run
QUEUED_FOR = 60 * 30  # seconds a queued message is not queued again


def offline_read_messages(
    *, org, conversation: Conversation | None = None, limit: int = REREAD_MAX
) -> list[int]:
    """Inbound messages read offline, newest conversations first: of one conversation (any
    status, asked for by a person), else of the recent open and waiting conversations."""
    qs = Message.objects.for_org(org).filter(
        direction=Message.Direction.INBOUND, translation_method=OFFLINE_LEXICON
    )
    if conversation is not None:
        qs = qs.filter(conversation=conversation)
    else:
        since = timezone.now() - timedelta(days=REREAD_DAYS)
        qs = qs.filter(
            conversation__status__in=[Conversation.Status.OPEN, Conversation.Status.WAITING],
            conversation__last_buyer_message_at__gte=since,
        )
    return list(
        qs.order_by("-conversation__last_buyer_message_at", "-sent_at", "-id").values_list(
            "pk", flat=True
        )[: max(0, min(limit, REREAD_MAX))]
    )


def _not_queued(org_id: int, ids: list[int]) -> list[int]:
    return [i for i in ids if cache.add(f"support:reread:{org_id}:{i}", 1, timeout=QUEUED_FOR)]


def offline_readings_reread(*, org, conversation: Conversation | None = None,
                            limit: int = REREAD_MAX) -> int:  # fmt: skip
    """Queue the model's reading of the organization's offline-read messages (after commit);
    the number queued, 0 without an endpoint."""
    if not llm_configured(org=org):
        return 0
    ids = offline_read_messages(org=org, conversation=conversation, limit=limit)
    if conversation is None:
        ids = _not_queued(org.pk, ids)
    if not ids:
        return 0
    messages_understand_schedule(org=org, message_ids=ids)
    return len(ids)


def organizations_with_offline_readings(limit: int = 500) -> list[int]:
    """Organizations with a recent open conversation holding a message read offline."""
    since = timezone.now() - timedelta(days=REREAD_DAYS)
    return list(
        Message.objects.unscoped()
        .filter(
            direction=Message.Direction.INBOUND,
            translation_method=OFFLINE_LEXICON,
            conversation__status__in=[Conversation.Status.OPEN, Conversation.Status.WAITING],
            conversation__last_buyer_message_at__gte=since,
        )
        .values_list("organization_id", flat=True)
        .distinct()[:limit]
    )
