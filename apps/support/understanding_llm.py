"""Understanding by a model: the `cs_understanding` generation kind.

With an LLM endpoint configured, each inbound message is translated into the operator's
language and its intent and sentiment are read by the model (structured JSON, validated
against a bounded schema and rules, one repair round), the buyer's text travelling only as
delimited untrusted data (apps.ai.untrusted). Ingest still reads every message offline at once
(rules and lexicons, labelled so); the model's reading then replaces it, labelled `llm`. A
message the model fails on keeps its offline reading and label.

This kind proposes no review draft: a translation and a classification change nothing a buyer
sees. It runs through the same request builder, validation, repair, backend (retries, circuit
breaker), budget check and usage ledger as every kind, but writes its answer onto the message.
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.ai.generation import generate_validated, kind_rules, request_build
from apps.ai.registry import Batch, GenerationKind, Item, Proposal
from apps.ai.registry import register as register_generation

from . import understanding
from .models import Conversation, Message

log = logging.getLogger(__name__)
KIND = "cs_understanding"
LLM = "llm"
PROMPTS = Path(__file__).resolve().parent / "prompts"
INTENTS = [value for value, _label in Conversation.Intent.choices]
SENTIMENTS = [value for value, _label in Conversation.Sentiment.choices]
LANGUAGE_NAMES = {
    "zh": "Simplified Chinese",
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "ja": "Japanese",
    "nl": "Dutch",
    "pt": "Portuguese",
}
TEXT_MAX = 6000
_HAN = re.compile(r"[\u4e00-\u9fff]")


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get((code or "en")[:2].lower(), code or "English")


def load(batch: Batch, ids: list[int]) -> list[Message]:
    return list(
        Message.objects.for_org(batch.org)
        .filter(pk__in=ids, direction=Message.Direction.INBOUND)
        .select_related("conversation")
    )


def item(batch: Batch, message: Message) -> Item:
    operator = str(batch.options.get("operator_language") or "zh-Hans")
    text = message.text[:TEXT_MAX]
    return Item(
        target=message,
        variables={
            "operator_language": language_name(operator),
            "language": language_name(message.language),
            "intents": ", ".join(INTENTS),
        },
        untrusted={"buyer_message": [text]},
        context={
            "language": message.language or "en",
            "operator_language": operator,
            "text": text,
        },
    )


def schema(item: Item) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["translation", "intent", "sentiment"],
        "additionalProperties": False,
        "properties": {
            "translation": {"type": "string", "minLength": 1, "maxLength": 8000},
            "intent": {"type": "string", "enum": INTENTS},
            "sentiment": {"type": "string", "enum": SENTIMENTS},
        },
    }


def rules(item: Item, data: dict) -> list[str]:
    """A translation into Chinese must be Chinese (a model that echoes the original fails)."""
    translation = str(data.get("translation") or "")
    wants_zh = str(item.context.get("operator_language", "")).startswith("zh")
    if wants_zh and item.context.get("language") != "zh" and not _HAN.search(translation):
        return ["translation: it is not written in Simplified Chinese."]
    return []


def offline(request) -> dict[str, Any]:
    """The same reading the ingest path stores: rules, lexicons and a labelled gist."""
    text = str(request.context.get("text", ""))
    seen = understanding.understand(text, str(request.context.get("operator_language", "zh")))
    return {"translation": seen.translation, "intent": seen.intent, "sentiment": seen.sentiment}


def propose(item: Item, data: dict, provider: str) -> Proposal:
    return Proposal(proposed=dict(data), rationale=f"Understanding by {provider}.")


GENERATION_KIND = GenerationKind(
    name=KIND,
    label=_("Customer-service understanding"),
    prompt=KIND,
    prompts_dir=PROMPTS,
    load=load,
    item=item,
    schema=schema,
    propose=propose,
    rules=rules,
    offline=offline,
    target_noun="messages",
    temperature=0.0,
)


def register() -> None:
    register_generation(GENERATION_KIND)


# --- running it ---------------------------------------------------------------------------------


def llm_configured(*, org) -> bool:
    from apps.ai.services import backend_for

    return backend_for(org=org).provider != "offline"


def messages_understand_schedule(*, org, message_ids: list[int]) -> bool:
    """After commit, queue the model's reading of these messages when an endpoint is set."""
    if not message_ids or not llm_configured(org=org):
        return False
    from .tasks import messages_understand_task

    ids = list(message_ids)
    for i in range(0, len(ids), 200):
        chunk = ids[i : i + 200]
        transaction.on_commit(
            lambda c=chunk: messages_understand_task.apply_async((org.pk, c), queue="ai")
        )
    return True


def messages_understand(*, org, message_ids: list[int], backend=None) -> dict[str, int]:
    """Translate and classify the organization's inbound messages among the ids by the model;
    a failure keeps the message's offline reading. Model calls run in a thread pool with no
    database access; every write happens here, in the caller's thread."""
    from apps.ai.services import backend_for, budget_check, concurrency_for, usage_record_many

    backend = backend or backend_for(org=org)
    if backend.provider == "offline":
        return {"understood": 0, "failed": 0, "skipped": len(message_ids)}
    budget_check(org=org)
    from .services.ingest import sla_settings_get

    batch = Batch(
        org=org, options={"operator_language": sla_settings_get(org=org).operator_language}
    )
    messages = load(batch, list(message_ids)[:1000])
    rules_of = {}
    requests = []
    for message in messages:
        it = item(batch, message)
        rules_of[message.pk] = kind_rules(GENERATION_KIND, it)
        requests.append((message, it, request_build(GENERATION_KIND, it, org_id=org.pk)))
    stats = {"understood": 0, "failed": 0, "skipped": 0}
    with ThreadPoolExecutor(max_workers=concurrency_for(org=org)) as pool:
        futures = [
            (message, it, pool.submit(generate_validated, backend, req, rules_of[message.pk]))
            for message, it, req in requests
        ]
        for message, it, future in futures:
            outcome = future.result()
            usage_record_many(org=org, kind=KIND, job_id=None, outcome=outcome)
            if not outcome.ok:
                log.warning("understanding message %s failed: %s", message.pk, outcome.error)
                stats["failed"] += 1
                continue
            _apply(org, message, it, outcome.data or {})
            stats["understood"] += 1
    return stats


@transaction.atomic
def _apply(org, message: Message, it: Item, data: dict) -> None:
    message.translation = str(data["translation"])[:8000]
    message.translation_language = str(it.context["operator_language"])[:10]
    message.translation_method = LLM
    message.save(update_fields=["translation", "translation_language", "translation_method"])
    convo = Conversation.objects.for_org(org).select_for_update().get(pk=message.conversation_id)
    latest = (
        Message.objects.for_org(org)
        .filter(conversation=convo, direction=Message.Direction.INBOUND)
        .order_by("-sent_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    if latest != message.pk:  # an older message's reading does not relabel the conversation
        return
    convo.intent, convo.sentiment = data["intent"], data["sentiment"]
    convo.understanding_method = LLM
    convo.priority = understanding.priority(
        convo.intent, convo.sentiment, convo.sla_due_at, timezone.now()
    )
    convo.save(
        update_fields=["intent", "sentiment", "understanding_method", "priority", "updated_at"]
    )
