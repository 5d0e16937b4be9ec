"""The `cs_reply_translation` generation kind: a reply the operator wrote (or edited) in
Chinese, translated by the model into the buyer's language, then back-translated into Chinese
by a second call so the operator sees what the buyer will read. It produces an ordinary
`cs_reply` draft: the linter and grounding run on the translated text (the text that will be
sent), and approval, SMTP and threading are the same as for any reply.

Offline there is no translator: `reply_submit` refuses a Chinese reply to a buyer who does not
write Chinese and says that translating needs an LLM endpoint.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.ai.registry import BackTranslation, Batch, GenerationKind, Item, Proposal
from apps.ai.registry import register as register_generation

from .context import conversation_context
from .generation import PROMPTS, _buyer_messages, load
from .generation import rules as reply_rules
from .models import Conversation
from .understanding_llm import language_name

KIND = "cs_reply_translation"
DRAFT_KIND = "cs_reply"
SOURCE_MAX = 4000
_HAN = re.compile(r"[\u4e00-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")


def is_chinese(text: str) -> bool:
    """Written in Chinese: Han characters and no kana (Japanese uses Han characters too)."""
    return len(_HAN.findall(text or "")) >= 2 and not _KANA.search(text or "")


def needs_translation(conversation: Conversation, text: str) -> bool:
    return is_chinese(text) and not (conversation.language or "en").startswith("zh")


def item(batch: Batch, conversation: Conversation) -> Item:
    source = str(batch.options.get("source_zh") or "")[:SOURCE_MAX]
    buyer = _buyer_messages(conversation)
    context = conversation_context(conversation, "\n".join(buyer[-1:]))
    return Item(
        target=conversation,
        variables={
            "language": language_name(context["language"]),
            "channel": conversation.channel,
            "facts": json.dumps(context, ensure_ascii=False, default=str),
        },
        untrusted={"operator_reply_zh": [source]},
        context={**context, "source_zh": source},
    )


def schema(item: Item) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["reply"],
        "additionalProperties": False,
        "properties": {"reply": {"type": "string", "minLength": 1, "maxLength": 4000}},
    }


def _facts_only(item: Item) -> Item:
    """The item without the operator's text: grounding checks the reply against the order,
    shipment and knowledge-base facts only, never against what the operator typed."""
    context = {k: v for k, v in item.context.items() if k != "source_zh"}
    return replace(item, context=context)


def rules(item: Item, data: dict) -> list[str]:
    """The reply's lint and grounding errors, and a translation still in Chinese."""
    errors = reply_rules(_facts_only(item), data)
    if is_chinese(str(data.get("reply") or "")):
        errors.append(f"reply: it is still Chinese, not {language_name(item.context['language'])}.")
    return errors


def propose(item: Item, data: dict, provider: str) -> Proposal:
    return Proposal(
        proposed={
            "reply": str(data.get("reply") or "").strip(),
            "language": item.context.get("language", "en"),
        },
        rationale=f"The operator's Chinese reply, translated by {provider}.",
        evidence=[
            {
                "kind": "operator_source",
                "language": "zh-Hans",
                "text": item.context.get("source_zh", ""),
            },
            {"kind": "cs_context", "context": _facts_only(item).context},
        ],
    )


GENERATION_KIND = GenerationKind(
    name=KIND,
    label=_("Customer-service reply translation"),
    prompt=KIND,
    prompts_dir=PROMPTS,
    load=load,
    item=item,
    schema=schema,
    propose=propose,
    rules=rules,
    draft_kind=DRAFT_KIND,
    back_translation=BackTranslation(
        fields={"reply": str},
        ask_model=True,
        prompt="cs_reply_back_translation",
        prompts_dir=PROMPTS,
        untrusted_source="reply",
    ),
    target_noun="conversations",
    temperature=0.2,
)


def register() -> None:
    register_generation(GENERATION_KIND)
