"""A reply written (or edited) by an operator goes to the review queue as a `cs_reply` draft,
with the same lint and grounding checks as a generated one.

A reply written in Chinese to a buyer who does not write Chinese is translated first: with an
LLM endpoint, the `cs_reply_translation` kind writes the draft in the buyer's language with a
Chinese back-translation (a job on the ai queue); without one, it is refused with the reason,
so Chinese text never reaches a German buyer."""

from __future__ import annotations

from apps.core.errors import ValidationFailed
from apps.core.models import Job
from apps.review.models import Draft
from apps.review.services import draft_create

from ..context import conversation_context
from ..generation import KIND, _buyer_messages
from ..models import Conversation
from ..translation import KIND as TRANSLATION_KIND
from ..translation import needs_translation
from ..understanding_llm import language_name, llm_configured


class TranslationNeedsEndpoint(ValidationFailed):
    """A Chinese reply to a buyer who does not write Chinese, and no model to translate it."""


def reply_submit(*, org, actor, conversation: Conversation, text: str) -> Draft | Job:
    """The operator's reply as a draft; a Chinese reply to a non-Chinese buyer as a translation
    job (whose draft appears in the review queue when the model has answered)."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("Write a reply first.", field="reply")
    if len(text) > 4000:
        raise ValidationFailed("A reply has at most 4000 characters.", field="reply")
    if needs_translation(conversation, text):
        return reply_translate(org=org, actor=actor, conversation=conversation, text=text)
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


def reply_translate(*, org, actor, conversation: Conversation, text: str) -> Job:
    from apps.ai.services import generation_start

    if not llm_configured(org=org):
        raise TranslationNeedsEndpoint(
            f"This reply is in Chinese and the buyer writes "
            f"{language_name(conversation.language)}. Translating a reply needs an LLM "
            "endpoint (AI settings), and none is configured: write the reply in the buyer's "
            "language, or configure an endpoint. Chinese text is never sent to this buyer.",
            field="reply",
            code="translation_needs_llm",
        )
    return generation_start(
        org=org,
        actor=actor,
        kind=TRANSLATION_KIND,
        target_ids=[conversation.pk],
        options={"source_zh": text},
        label=f"Reply translation into {language_name(conversation.language)}",
    )


def reply_draft_edit(*, org, actor, conversation: Conversation, draft_id: int, text: str):
    """Save the buyer-language text of one of this conversation's pending `cs_reply` drafts
    (apps.review.editing): lint and grounding run again on it, and a back-translation of the
    old text is marked stale. 404 for a draft of another conversation or organization."""
    from apps.core.errors import NotFound
    from apps.review.editing import draft_edit

    draft = (
        Draft.objects.for_org(org).filter(pk=draft_id, kind=KIND, target_id=conversation.pk).first()
    )
    if draft is None:
        raise NotFound("No such reply draft in this conversation.")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("Write a reply first.", field="reply")
    return draft_edit(org=org, actor=actor, draft_id=draft.pk, edited={"reply": text[:4000]})
