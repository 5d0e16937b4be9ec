"""Search terms translated for the operator: the `ad_term_translation` generation kind.

With an AI endpoint configured, the organization's search terms that have no translation in
the operator's language (`AdsSettings.operator_language`, Chinese by default) are sent in
batches of `BATCH` terms per call, costliest first: the terms travel only as delimited
untrusted data (apps.ai.untrusted, one block per term with its index), the answer is JSON
validated against a bounded schema (one entry per index, each translation ≤ 200 characters)
and the kind's rules, with one repair round. Each distinct term is translated once per
(organization, language) and kept in `TermTranslation`; pages and the API read that table.

A failed call (an error status, a malformed answer after its repair, the budget reached)
leaves the batch's terms untranslated, with the reason stored on them and shown next to each
term; the next run tries them again. Offline (no endpoint) nothing is sent and the pages say
that translating terms needs an endpoint.

This kind proposes no review draft (a translation changes nothing a shopper sees). It runs
through the same request builder, validation and repair, backend (retries, circuit breaker),
budget check and usage ledger as every generation kind.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from apps.ai.generation import generate_validated, kind_rules, request_build
from apps.ai.registry import Batch, GenerationKind, Item, Proposal
from apps.ai.registry import register as register_generation

from .models import SearchTermStat, TermTranslation

if TYPE_CHECKING:
    from apps.accounts.models import Organization

log = logging.getLogger(__name__)
KIND = "ad_term_translation"
PROMPTS_DIR = Path(__file__).with_name("prompts")
BATCH = 100  # terms per model call
RUN_MAX = 5_000  # terms per run (costliest first); the next import's run takes the rest
TRANSLATION_MAX = 200
MAX_TOKENS = 6_000  # 100 short translations with their JSON
DEFAULT_LANGUAGE = "zh-Hans"
LANGUAGE_NAMES = {
    "zh": "Simplified Chinese",
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "ja": "Japanese",
}
_HAN = re.compile(r"[\u4e00-\u9fff]")


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get((code or "zh")[:2].lower(), code or "Simplified Chinese")


def operator_language(org: Organization) -> str:
    from .targets import settings_for

    return (settings_for(org).operator_language or DEFAULT_LANGUAGE)[:16]


# --- the generation kind (no database access below: pure functions of an Item) -----------------


def _load(batch: Batch, ids: list[int]) -> list[Any]:
    return []  # not run by generation jobs: `terms_translate` builds its items itself


def _item(batch: Batch, terms: list[str]) -> Item:
    language = str(batch.options.get("language") or DEFAULT_LANGUAGE)
    return Item(
        target=terms,
        variables={"count": str(len(terms)), "operator_language": language_name(language)},
        untrusted={"search_term": list(terms)},
        context={"operator_language": language, "terms": list(terms)},
    )


def _schema(item: Item) -> dict[str, Any]:
    n = len(item.context["terms"])
    return {
        "type": "object",
        "required": ["translations"],
        "additionalProperties": False,
        "properties": {
            "translations": {
                "type": "array",
                "minItems": n,
                "maxItems": n,
                "items": {
                    "type": "object",
                    "required": ["index", "translation"],
                    "additionalProperties": False,
                    "properties": {
                        "index": {"type": "integer", "minimum": 1, "maximum": n},
                        "translation": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": TRANSLATION_MAX,
                        },
                    },
                },
            }
        },
    }


def translation_rules(item: Item, data: dict) -> list[str]:
    """Every index once; into Chinese, a term with letters comes back with Chinese in it
    (a model that echoes the terms fails), brands and model numbers alone excepted."""
    terms = item.context["terms"]
    entries = data.get("translations", [])
    seen = [e.get("index") for e in entries]
    errors = []
    missing = sorted(set(range(1, len(terms) + 1)) - set(seen))
    if missing or len(seen) != len(set(seen)):
        errors.append(f"translations: each index from 1 to {len(terms)} exactly once "
                      f"(missing: {missing[:20]})")  # fmt: skip
    if str(item.context["operator_language"]).startswith("zh"):
        echoed = [
            e
            for e in entries
            if 1 <= e.get("index", 0) <= len(terms)
            and not _HAN.search(str(e.get("translation", "")))
            and str(e.get("translation", "")).strip().lower() == terms[e["index"] - 1].lower()
        ]
        if len(echoed) > len(terms) // 2:
            errors.append("translations: most entries are not written in Simplified Chinese.")
    return errors


def _offline(request) -> dict[str, Any]:
    raise RuntimeError("translating search terms needs an AI endpoint")


def _propose(item: Item, data: dict, provider: str) -> Proposal:
    return Proposal(proposed=dict(data), rationale=f"Search terms translated by {provider}.")


GENERATION_KIND = GenerationKind(
    name=KIND,
    label=_("Search-term translations"),
    prompt=KIND,
    prompts_dir=PROMPTS_DIR,
    load=_load,
    item=_item,
    schema=_schema,
    propose=_propose,
    rules=translation_rules,
    offline=_offline,
    target_noun="search terms",
    temperature=0.0,
)


def register() -> None:
    register_generation(GENERATION_KIND)


# --- running it -------------------------------------------------------------------------------


def llm_configured(*, org: Organization) -> bool:
    from apps.ai.services import backend_for

    return backend_for(org=org).provider != "offline"


def terms_translate_schedule(*, org: Organization) -> bool:
    """After commit, queue the translation of the organization's new terms (queue "ai") when
    an endpoint is configured."""
    if not llm_configured(org=org):
        return False
    from .tasks import terms_translate_task

    transaction.on_commit(lambda: terms_translate_task.apply_async((org.pk,), queue="ai"))
    return True


def untranslated_terms(*, org: Organization, language: str, limit: int = RUN_MAX) -> list[str]:
    """The organization's search terms without a translation in `language`, costliest first."""
    done = TermTranslation.objects.for_org(org).filter(
        language=language, status=TermTranslation.Status.OK
    )
    return list(
        SearchTermStat.objects.for_org(org)
        .exclude(search_term__in=done.values("term"))
        .values("search_term")
        .annotate(spend=Sum("spend"))
        .order_by("-spend", "search_term")
        .values_list("search_term", flat=True)[:limit]
    )


def terms_translate(*, org: Organization, language: str | None = None, backend=None,
                    terms: Iterable[str] | None = None) -> dict[str, Any]:  # fmt: skip
    """Translate the organization's untranslated terms (or `terms`) into `language` (default:
    the operator's). Model calls run in a thread pool without database access; every write
    happens here, in the caller's thread."""
    from apps.ai.services import (
        BudgetExceeded,
        backend_for,
        budget_check,
        concurrency_for,
        usage_record_many,
    )

    language = (language or operator_language(org))[:16]
    backend = backend or backend_for(org=org)
    if backend.provider == "offline":
        return {"translated": 0, "failed": 0, "skipped": "needs_endpoint"}
    todo = list(dict.fromkeys(terms)) if terms is not None else None
    todo = untranslated_terms(org=org, language=language) if todo is None else todo
    stats: dict[str, Any] = {"translated": 0, "failed": 0, "calls": 0}
    if not todo:
        return stats
    try:
        budget_check(org=org)
    except BudgetExceeded as exc:
        _store_failed(org, todo, language, exc.message, backend)
        return {**stats, "failed": len(todo), "stopped": exc.message}
    batch = Batch(org=org, options={"language": language})
    work = []
    for start in range(0, len(todo), BATCH):
        item = _item(batch, todo[start : start + BATCH])
        request = dataclasses.replace(
            request_build(GENERATION_KIND, item, org_id=org.pk), max_tokens=MAX_TOKENS
        )
        work.append((item, request, kind_rules(GENERATION_KIND, item)))
    with ThreadPoolExecutor(max_workers=concurrency_for(org=org)) as pool:
        futures = [(it, pool.submit(generate_validated, backend, req, rules))
                   for it, req, rules in work]  # fmt: skip
        for it, future in futures:
            outcome = future.result()
            stats["calls"] += len(outcome.calls)
            usage_record_many(org=org, kind=KIND, job_id=None, outcome=outcome)
            terms_of = it.context["terms"]
            if not outcome.ok:
                log.warning("translating %d search terms failed: %s", len(terms_of), outcome.error)
                _store_failed(org, terms_of, language, outcome.error, backend)
                stats["failed"] += len(terms_of)
                continue
            found = {e["index"]: e["translation"] for e in (outcome.data or {})["translations"]}
            pairs = [(t, " ".join(str(found[n]).split())[:TRANSLATION_MAX])
                     for n, t in enumerate(terms_of, start=1)]  # fmt: skip
            model = outcome.calls[-1][0].model if outcome.calls else backend.model
            _store_ok(org, pairs, language, backend.provider, model)
            stats["translated"] += len(pairs)
    return stats


def _upsert(org: Organization, rows: list[tuple], *, keep_ok: bool) -> None:
    """INSERT … ON CONFLICT of (term, language, translation, status, error, provider, model);
    a failure never overwrites a good translation (`keep_ok`)."""
    if not rows:
        return
    table = TermTranslation._meta.db_table
    guard = f" WHERE {table}.status <> 'ok'" if keep_ok else ""
    values = ", ".join(["(%s, now(), now(), %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    params: list[Any] = []
    for row in rows:
        params += [org.pk, *row]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} (organization_id, created_at, updated_at, term, language,
                translation, status, error, provider, model_name) VALUES {values}
                ON CONFLICT (organization_id, term, language) DO UPDATE SET
                translation = EXCLUDED.translation, status = EXCLUDED.status,
                error = EXCLUDED.error, provider = EXCLUDED.provider,
                model_name = EXCLUDED.model_name, updated_at = now(){guard}""",
            params,
        )


def _store_ok(org, pairs, language, provider, model) -> None:
    rows = [(t[:255], language, tr, "ok", "", provider[:32], (model or "")[:100])
            for t, tr in pairs]  # fmt: skip
    _upsert(org, rows, keep_ok=False)


def _store_failed(org, terms, language, error, backend) -> None:
    reason = " ".join(str(error).split())[:500] or "The model gave no answer."
    rows = [(t[:255], language, "", "failed", reason, backend.provider[:32],
             (backend.model or "")[:100]) for t in terms]  # fmt: skip
    _upsert(org, rows, keep_ok=True)


# --- reading them ---------------------------------------------------------------------------


def draft_term(draft) -> str:
    """The search term a recommendation is about (its evidence), else its keyword text."""
    for e in draft.evidence or []:
        if isinstance(e, dict) and e.get("field") == "search_term" and e.get("value"):
            return str(e["value"])
    return str((draft.proposed or {}).get("text", ""))


def translations_for(*, org: Organization, terms: Iterable[str],
                     language: str | None = None) -> dict[str, TermTranslation]:  # fmt: skip
    """The stored translations (or failures) of these terms in the operator's language."""
    wanted = list({str(t) for t in terms if t})
    if not wanted:
        return {}
    language = (language or operator_language(org))[:16]
    rows = TermTranslation.objects.for_org(org).filter(language=language, term__in=wanted)
    return {r.term: r for r in rows}


def translation_state(*, org: Organization) -> dict[str, Any]:
    """What the pages say about translations: whether an endpoint is configured, the
    language, and the most recent failure reason (if any term is left untranslated)."""
    language = operator_language(org)
    failed = (
        TermTranslation.objects.for_org(org)
        .filter(language=language, status=TermTranslation.Status.FAILED)
        .order_by("-updated_at")
    )
    last = failed.values_list("error", flat=True).first()
    return {
        "configured": llm_configured(org=org),
        "language": language,
        "failed": failed.count(),
        "last_error": last or "",
    }


def translation_json(found: TermTranslation | None) -> dict[str, Any]:
    """The API's view of one term's translation."""
    if found is None:
        return {"translation": None, "translation_status": "pending", "translation_error": ""}
    return {
        "translation": found.translation or None,
        "translation_status": found.status,
        "translation_error": found.error,
    }
