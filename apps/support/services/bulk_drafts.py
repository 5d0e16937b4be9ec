"""Offline reply drafts for many conversations at once (a backlog, the benchmark), set-based.

The same drafts as the ai pipeline's offline run (the `cs_reply` kind's item context, offline
templates, Chinese back-translation, lint and grounding checks), but loaded with a handful of
queries for the whole chunk (conversations with their orders and items, the latest buyer
messages, one knowledge-base search per distinct message and language, product listings once
per product) and written with the review app's set-based services (`drafts_supersede_open`,
`drafts_create_many`): no query per draft. Used for offline generation only; with an LLM
endpoint the ai pipeline runs (apps.support.services.drafts).
"""

from __future__ import annotations

import json

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from psycopg2.extras import execute_values

from apps.ai.backends.offline import OfflineBackend
from apps.ai.services import JOB_KIND
from apps.core import services as jobs
from apps.review.batch import drafts_create_many, drafts_supersede_open
from apps.review.services import Provenance

from .. import context as ctx_mod
from .. import grounding, linter, templates_offline
from ..generation import DRAFT_KIND, KIND
from ..models import Conversation, KnowledgeArticle, Message

CHUNK = 2000
TEMP = "support_bulk_drafts"


def _latest_buyer_texts(org, ids: list[int]) -> tuple[dict[int, list[str]], set[int]]:
    """Each conversation's buyer texts (oldest first), and which carry instructions."""
    out: dict[int, list[str]] = {}
    rows = (
        Message.objects.for_org(org)
        .filter(conversation_id__in=ids, direction=Message.Direction.INBOUND)
        .order_by("conversation_id", "sent_at", "id")
        .values_list("conversation_id", "text", "looks_like_instruction")
    )
    flagged: set[int] = set()
    for cid, text, injected in rows:
        out.setdefault(cid, []).append(text)
        if injected:
            flagged.add(cid)
    return out, flagged


class _Memo:
    """Per-chunk caches: knowledge-base searches and product facts repeat across buyers."""

    def __init__(self, org) -> None:
        self.org, self.kb, self.products = org, {}, {}

    def knowledge(self, text: str, language: str) -> list[dict]:
        key = (text, language)
        if key not in self.kb:
            found = ctx_mod.kb_search(org=self.org, text=text, language=language)
            self.kb[key] = [{"id": a.pk, "title": a.title, "body": a.body[:1500]} for a in found]
        return self.kb[key]


def _context(memo: _Memo, convo: Conversation, buyer: list[str], policies: list[dict]) -> dict:
    order = convo.order
    return {
        "language": convo.language or "en",
        "buyer_name": convo.buyer_name,
        "channel": convo.channel,
        "intent": convo.intent,
        "store": convo.store.name,
        "marketplace_order_id": convo.marketplace_order_id,
        "order": ctx_mod._order_facts(order) if order is not None else None,
        "logistics": ctx_mod._shipments(memo.org, order)
        if order is not None
        else {"available": False, "note": "no order linked"},
        "product": None,
        "knowledge": memo.knowledge(buyer[-1] if buyer else "", convo.language),
        "policies": policies,
    }


def _checks(convo: Conversation, reply: str, context: dict, injected: bool) -> list[dict]:
    checks = [
        c.as_dict() for c in linter.lint(reply, channel=convo.channel, language=context["language"])
    ]
    checks += [c.as_dict() for c in _grounding(reply, context)]
    if injected:
        checks.append(
            {
                "rule": "safety.buyer_instructions",
                "severity": "warning",
                "message": "The buyer's message contains instructions or hidden text: it "
                "was treated as data only. Read it before approving.",
                "field": "",
                "flag": True,
            }
        )
    return checks


def _grounding(reply: str, context: dict):
    from ..generation import grounding_checks

    return grounding_checks(reply, context) if grounding.claims(reply) else []


def _rows(convos: list[Conversation], buyer_texts, memo: _Memo, policies) -> list[tuple]:
    texts, flagged = buyer_texts
    rows = []
    for convo in convos:
        buyer = texts.get(convo.pk, [])
        context = _context(memo, convo, buyer, policies)
        reply = templates_offline.compose(context, context["language"])
        back = templates_offline.compose(context, "zh")
        evidence = [
            {"kind": "cs_context", "context": context},
            {
                "kind": "back_translation",
                "language": "zh-Hans",
                "method": "offline_templates",
                "reply": back,
            },
        ]
        shown = DRAFT_KIND.columns(convo)
        rows.append(
            (
                convo.pk,
                convo.version,
                shown.get("store_id"),
                "",
                convo.language or "",
                "",
                shown.get("title", "")[:300],
                json.dumps(
                    {
                        "reply": "",
                        "buyer_message": (buyer[-1] if buyer else "")[:4000],
                        "language": convo.language,
                    },
                    ensure_ascii=False,
                ),
                json.dumps({"reply": reply, "language": context["language"]}, ensure_ascii=False),
                f"Reply to a {convo.intent} message (offline templates).",
                json.dumps(evidence, ensure_ascii=False, default=str),
                convo.priority,
                json.dumps(_checks(convo, reply, context, convo.pk in flagged), ensure_ascii=False),
            )
        )
    return rows


def reply_drafts_offline_many(*, org, actor, conversation_ids: list[int]):
    """One pending `cs_reply` draft per conversation (superseding its open one); returns the Job."""
    ids = list(
        Conversation.objects.for_org(org)
        .filter(pk__in=conversation_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    job = jobs.job_create(
        org=org,
        kind=JOB_KIND,
        actor=actor,
        total=len(ids),
        label=f"Customer-service reply for {len(ids)} conversations",
    )
    job.result = {"kind": KIND, "provider": "offline", "refused_ids": [], "set_based": True}
    job.save(update_fields=["result"])
    jobs.job_start(job_id=job.pk)
    backend = OfflineBackend()
    provenance = Provenance(
        provider=backend.provider,
        model_name=backend.model,
        prompt_version=f"{KIND}@offline",
        job_id=job.pk,
    )
    ct = ContentType.objects.get_for_model(Conversation).pk
    memo = _Memo(org)
    policy_rows = [
        {"id": a.pk, "title": a.title, "body": a.body[:1500]}
        for a in KnowledgeArticle.objects.for_org(org)
        .filter(is_active=True, tags__contains=["policy"])
        .order_by("id")[:3]
    ]
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        convos = list(
            Conversation.objects.for_org(org)
            .filter(pk__in=chunk)
            .select_related("store", "order")
            .prefetch_related("order__items")
            .order_by("pk")
        )
        rows = _rows(convos, _latest_buyer_texts(org, chunk), memo, policy_rows)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TEMP}")
            cursor.execute(
                f"CREATE TEMP TABLE {TEMP} (target_id bigint, target_version int, store_id bigint,"
                " marketplace text, language text, category text, title text, current jsonb,"
                " proposed jsonb, rationale text, evidence jsonb, priority int, checks jsonb)"
                " ON COMMIT DROP"
            )
            execute_values(cursor, f"INSERT INTO {TEMP} VALUES %s", rows, page_size=1000)
            drafts_supersede_open(
                org=org,
                kind=KIND,
                target_type_id=ct,
                targets=chunk,
                note="Replaced by a newer draft.",
            )
            made = drafts_create_many(
                org=org,
                kind=KIND,
                target_type_id=ct,
                source=TEMP,
                provenance=provenance,
                with_checks=True,
            )
            cursor.execute(f"DROP TABLE {TEMP}")
            jobs.job_advance(job_id=job.pk, done=made)
    jobs.job_finish(job_id=job.pk, result={**job.result, "drafts": len(ids)})
    job.refresh_from_db()
    return job
