"""The `cs_reply` generation kind and draft kind: a grounded reply to a conversation.

Generation (apps.ai pipeline): the item carries the assembled context (apps.support.context)
as facts and the buyer's messages as untrusted data (delimited by apps.ai.untrusted; hidden
and zero-width text removed). Offline, the reply comes from templates over the facts only.
The draft (apps.review registry): the reply in the buyer's language, editable; its checks are
the policy linter and grounding (every order number, tracking number, date and amount must be
in the context stored on the draft), both errors that block approval; a buyer message that
reads as instructions flags the draft for a person. Applying an approved draft only queues the
reply for SMTP: the AI never refunds, cancels or sends on its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.ai.registry import BackTranslation, GenerationKind, Item, Proposal
from apps.ai.registry import register as register_generation
from apps.review import fields as review_fields
from apps.review.fields import TargetDisplay
from apps.review.registry import Check, DraftKind
from apps.review.registry import register as register_draft

from . import grounding, linter, templates_offline
from .context import conversation_context
from .models import Conversation, Mailbox, Message

KIND = "cs_reply"
PROMPTS = Path(__file__).resolve().parent / "prompts"


# --- generation ---------------------------------------------------------------------------------


def load(batch, ids: list[int]) -> list[Conversation]:
    return list(
        Conversation.objects.for_org(batch.org)
        .filter(pk__in=ids)
        .select_related("organization", "store", "order", "product")
    )


def _buyer_messages(conversation: Conversation) -> list[str]:
    texts = (
        conversation.messages.filter(direction=Message.Direction.INBOUND)
        .order_by("-sent_at")
        .values_list("text", flat=True)[:5]
    )
    return list(reversed(list(texts)))


def item(batch, conversation: Conversation) -> Item:
    buyer = _buyer_messages(conversation)
    context = conversation_context(conversation, "\n".join(buyer[-1:]))
    import json

    return Item(
        target=conversation,
        variables={
            "language": context["language"],
            "channel": conversation.channel,
            "facts": json.dumps(context, ensure_ascii=False, default=str),
        },
        untrusted={"buyer_messages": buyer},
        context=context,
    )


def schema(item: Item) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["reply"],
        "additionalProperties": False,
        "properties": {
            "reply": {"type": "string", "minLength": 1, "maxLength": 4000},
            "reply_zh": {"type": "string", "maxLength": 6000},
        },
    }


def rules(item: Item, data: dict) -> list[str]:
    """Blocking errors fed to the model's repair round: lint errors and ungrounded claims."""
    text = str(data.get("reply") or "")
    errors = [
        c.message_en
        for c in linter.lint(
            text,
            channel=item.context.get("channel", "amazon"),
            language=item.context.get("language", "en"),
            ui="en",
        )
        if c.severity == "error"
    ]
    errors += [
        f"'{c.text}' ({c.kind}) is not in the facts"
        for c in grounding.ungrounded(text, item.context)
    ]
    return errors


def offline(request) -> dict[str, Any]:
    context = dict(request.context)
    return {"reply": templates_offline.compose(context, context.get("language", "en"))}


def offline_back(item: Item) -> dict[str, Any]:
    return {"reply": templates_offline.compose(item.context, "zh")}


def propose(item: Item, data: dict, provider: str) -> Proposal:
    return Proposal(
        proposed={
            "reply": str(data.get("reply") or "").strip(),
            "language": item.context.get("language", "en"),
        },
        rationale=f"Reply to a {item.context.get('intent', 'other')} message "
        f"({'offline templates' if provider == 'offline' else provider}).",
        evidence=[{"kind": "cs_context", "context": item.context}],
    )


GENERATION_KIND = GenerationKind(
    name=KIND,
    label=_("Customer-service reply"),
    prompt=KIND,
    prompts_dir=PROMPTS,
    load=load,
    item=item,
    schema=schema,
    propose=propose,
    rules=rules,
    back_translation=BackTranslation(
        fields={"reply": str}, in_answer="reply_zh", offline=offline_back, untrusted_source="reply"
    ),
    offline=offline,
    target_noun="conversations",
    temperature=0.3,
)


# --- review-queue draft kind ------------------------------------------------------------------


def _context_of(conversation: Conversation, payload: dict) -> dict:
    """The context a reply is checked against: assembled now from the shared model (the same
    assembly the draft was written from), so approval checks against today's order and
    shipment data, never against a stale copy."""
    buyer = _buyer_messages(conversation)
    return conversation_context(conversation, "\n".join(buyer[-1:]))


def grounding_checks(text: str, context: dict) -> list[Check]:
    return [
        Check(
            rule=f"grounding.{c.kind}",
            severity="error",
            field="reply",
            message=str(
                _("“%(claim)s” is not in the order, shipment or knowledge-base context.")
                % {"claim": c.text}
            ),
        )
        for c in grounding.ungrounded(text, context)
    ]


def validate(conversation: Conversation, payload: dict) -> list[Check]:
    text = str(payload.get("reply") or "")
    language = str(payload.get("language") or conversation.language or "en")
    checks: list[Check] = list(
        linter.lint(
            text, channel=conversation.channel, language=language, conversation=conversation
        )
    )
    checks += grounding_checks(text, _context_of(conversation, payload))
    from .translation import is_chinese
    from .understanding import detect_language

    written = detect_language(text)
    if is_chinese(text) and not language.startswith("zh"):
        written = "zh"  # Chinese to a buyer who does not read it: blocks, whatever the length
    if written and language and written != language[:2] and (len(text) > 40 or written == "zh"):
        checks.append(
            Check(
                "reply.language",
                "error",
                str(
                    _("The reply is in %(written)s but the buyer writes %(language)s.")
                    % {"written": written, "language": language}
                ),
                "reply",
            )
        )
    if conversation.messages.filter(
        direction=Message.Direction.INBOUND, looks_like_instruction=True
    ).exists():
        checks.append(
            _FlagCheck(
                "safety.buyer_instructions",
                "warning",
                str(
                    _(
                        "The buyer's message contains instructions or hidden text: it was "
                        "treated as data only. Read it before approving."
                    )
                ),
                "",
            )
        )
    return checks


class _FlagCheck(Check):
    def as_dict(self) -> dict:
        return {**super().as_dict(), "flag": True}


def snapshot(conversation: Conversation) -> dict:
    last = (
        conversation.messages.filter(direction=Message.Direction.INBOUND)
        .order_by("-sent_at")
        .values_list("text", flat=True)
        .first()
    )
    return {"reply": "", "buyer_message": (last or "")[:4000], "language": conversation.language}


def apply(conversation: Conversation, payload: dict) -> None:
    """Queue the approved reply for SMTP (after commit); record it on the conversation."""
    from .services.channels import new_message_id, schedule_send

    now = timezone.now()
    mailbox = (
        Mailbox.objects.for_org(conversation.organization)
        .filter(store_id=conversation.store_id)
        .first()
    )
    text = str(payload.get("reply") or "")
    message = Message.objects.create(
        organization=conversation.organization,
        conversation=conversation,
        direction=Message.Direction.OUTBOUND,
        sent_at=now,
        text=text,
        language=str(payload.get("language") or conversation.language),
        message_id=new_message_id(mailbox.address if mailbox else ""),
        sender=mailbox.address if mailbox else "",
        send_status=Message.SendStatus.QUEUED,
        is_review_request=linter.is_review_request(text),
    )
    Conversation.objects.for_org(conversation.organization).filter(pk=conversation.pk).update(
        status=Conversation.Status.WAITING,
        responded_at=now,
        version=F("version") + 1,
        first_response_at=conversation.first_response_at or now,
    )
    schedule_send(message.pk)


def display(conversation: Conversation) -> TargetDisplay:
    from django.urls import reverse

    buyer = conversation.buyer_name or conversation.buyer_alias
    label = f"{buyer} · {conversation.marketplace_order_id or '-'}"
    return TargetDisplay(
        label=label,
        store_id=conversation.store_id,
        url=reverse("support:conversation", args=[conversation.pk]),
    )


def _on_edit(evidence: list, before: dict, after: dict) -> list:
    from .services.back_translation import reply_evidence_on_edit

    return reply_evidence_on_edit(evidence, before, after)


def _back_translate(conversation: Conversation, payload: dict) -> dict:
    from .services.back_translation import reply_back_translate

    return reply_back_translate(conversation, payload)


DRAFT_KIND = DraftKind(
    kind=KIND,
    label=_("Customer-service reply"),
    target_model="support.Conversation",
    snapshot=snapshot,
    apply=apply,
    validate=validate,
    display=display,
    facets=lambda c: {"language": c.language or ""},
    fields=(review_fields.text("reply", _("Reply"), max_length=4000, rows=10),),
    panels=("support/_draft_panel.html",),
    auto_approve=None,  # a reply to a buyer is always read by a person
    on_edit=_on_edit,  # an edited reply's back-translation is stale
    back_translate=_back_translate,
)


def register() -> None:
    register_generation(GENERATION_KIND)
    register_draft(DRAFT_KIND)
