"""A reply written (or edited) by an operator goes to the review queue as a `cs_reply` draft,
with the same lint and grounding checks as a generated one."""

from __future__ import annotations

from apps.core.errors import ValidationFailed
from apps.review.models import Draft
from apps.review.services import draft_create

from ..context import conversation_context
from ..generation import KIND, _buyer_messages
from ..models import Conversation


def reply_submit(*, org, actor, conversation: Conversation, text: str) -> Draft:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("Write a reply first.", field="reply")
    if len(text) > 4000:
        raise ValidationFailed("A reply has at most 4000 characters.", field="reply")
    buyer = _buyer_messages(conversation)
    context = conversation_context(conversation, "\n".join(buyer[-1:]))
    return draft_create(
        org=org,
        kind=KIND,
        target=conversation,
        actor=actor,
        proposed={"reply": text, "language": conversation.language or "en"},
        rationale="Written by an operator.",
        evidence=[{"kind": "cs_context", "context": context}],
    )
