"""Writes of the AI layer: settings, the usage ledger, the budget, and the one generation
pipeline every generation kind (apps/ai/registry.py) runs through.

A generation job is a core Job plus Celery tasks over batches of targets (queue "ai"). Inside
a task the kind builds each target's item (database reads, in the task's thread), a thread
pool keeps up to N targets in flight (model calls only: generate, one repair, back-translation;
no database access, so no call ever runs inside a transaction), and every database write
(usage rows, the draft, job progress) happens in the task's own thread as results arrive.
Draft and progress are written in one transaction, and a redelivered batch skips targets that
already have a draft from this job, so a worker killed mid-batch neither loses nor duplicates
drafts.
"""

from __future__ import annotations

import logging
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction

from apps.core import services as jobs
from apps.core.errors import DomainError, NotFound, ValidationFailed
from apps.core.models import Job
from apps.review.selectors import draft_target_ids_for_job
from apps.review.services import Provenance, draft_create, draft_create_failed

from . import conf
from .backends.base import Backend, GenerationRequest
from .backends.offline import OfflineBackend
from .backends.openai_compat import OpenAICompatibleBackend
from .generation import Outcome, generate_item, request_build
from .models import AiSettings, UsageRecord
from .registry import DEFAULT_JOB_KIND, Batch, GenerationKind, Item, get_generation_kind, job_kinds
from .selectors import ai_settings_get, month_spend, month_start

if TYPE_CHECKING:
    from apps.accounts.models import Organization

logger = logging.getLogger(__name__)
JOB_KIND = DEFAULT_JOB_KIND
DEFAULT_MODEL = "gpt-4o-mini"


class BudgetExceeded(DomainError):
    status = 402
    title = "AI budget reached"


# --- settings and backends -------------------------------------------------------------------


@transaction.atomic
def ai_settings_set(*, org: Organization, actor=None, **fields: Any) -> AiSettings:
    allowed = {"model", "base_url", "api_key", "monthly_budget", "budget_currency",
               "max_concurrency"}  # fmt: skip
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed(f"Unknown AI settings: {', '.join(sorted(unknown))}.")
    budget = fields.get("monthly_budget")
    if budget is not None and Decimal(budget) < 0:
        raise ValidationFailed("The budget cannot be negative.", field="monthly_budget")
    if "max_concurrency" in fields and not 1 <= int(fields["max_concurrency"]) <= 64:
        raise ValidationFailed("Concurrency must be between 1 and 64.", field="max_concurrency")
    obj, _ = AiSettings.objects.for_org(org).update_or_create(organization=org, defaults=fields)
    return obj


def backend_for(*, org: Organization) -> Backend:
    """The organization's endpoint, else the deployment's, else the offline generator."""
    own = ai_settings_get(org=org)
    if own is not None and own.base_url:
        base_url, api_key = own.base_url, own.api_key  # never send our key to their host
    else:
        base_url, api_key = settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY
    if not base_url:
        return OfflineBackend()
    model = (own.model if own else "") or settings.CROSSBORDER_LLM_MODEL or DEFAULT_MODEL
    return OpenAICompatibleBackend(base_url=base_url, api_key=api_key, model=model)


def concurrency_for(*, org: Organization) -> int:
    own = ai_settings_get(org=org)
    default = int(conf.get("CROSSBORDER_AI_CONCURRENCY"))
    return max(1, min(default, own.max_concurrency) if own else default)


# --- budget and ledger -----------------------------------------------------------------------


def budget_check(*, org: Organization) -> None:
    """Raise BudgetExceeded once this month's spending reached the organization's budget."""
    own = ai_settings_get(org=org)
    if own is None or own.monthly_budget is None:
        return
    spent = month_spend(org=org, currency=own.budget_currency)
    if spent >= own.monthly_budget:
        start = month_start()
        resume = (start.replace(year=start.year + 1, month=1) if start.month == 12
                  else start.replace(month=start.month + 1))  # fmt: skip
        raise BudgetExceeded(
            f"The monthly AI budget of {own.monthly_budget} {own.budget_currency} is used up "
            f"({spent:.2f} {own.budget_currency} spent since {start:%d %B %Y}). New generation "
            f"is paused until {resume:%d %B %Y}, or until a manager raises the budget.",
            code="ai_budget_reached",
        )


def usage_record_many(
    *, org: Organization, kind: str, job_id: int | None, outcome: Outcome
) -> list[UsageRecord]:
    """One ledger row per model call (a repair or a back-translation is a call of its own)."""
    rows = [
        UsageRecord(organization=org, kind=kind, provider=r.provider, model=r.model,
                    prompt_version=r.prompt_version, tokens_in=r.tokens_in,
                    tokens_out=r.tokens_out, cost=r.cost, currency=r.currency, job_id=job_id,
                    purpose=purpose)
        for r, purpose in outcome.calls
    ]  # fmt: skip
    return UsageRecord.objects.bulk_create(rows) if rows else []


# --- jobs ------------------------------------------------------------------------------------


def _kind(name: str) -> GenerationKind:
    try:
        return get_generation_kind(name)
    except LookupError as exc:
        raise ValidationFailed(f"Generation of {name} is not supported.", field="kind") from exc


def _id_list(values) -> list[int]:
    try:
        return list(dict.fromkeys(int(i) for i in values or []))
    except (TypeError, ValueError) as exc:
        raise ValidationFailed("The targets must be a list of ids.", field="target_ids") from exc


@transaction.atomic
def generation_start(*, org: Organization, actor, kind: str, target_ids,
                     options: dict | None = None, label: str = "") -> Job:  # fmt: skip
    """Queue generation of `kind` for the organization's targets among `target_ids`.

    Ids of other organizations' (or deleted) targets are refused: left out and listed in the
    job's result as `refused_ids`. Nothing is generated when none are the organization's.
    `options` (JSON) reach the kind's loader and item builder in every batch.
    """
    from .tasks import generation_batch_task

    spec = _kind(kind)
    ids = _id_list(target_ids)
    noun = spec.target_noun
    if not ids:
        raise ValidationFailed(f"Choose at least one of the {noun}.", field="target_ids")
    options = dict(options or {})
    owned = [t.pk for t in spec.load(Batch(org=org, options=options), ids)]
    refused = sorted(set(ids) - set(owned))
    if not owned:
        raise NotFound(f"None of these {noun} belong to this organization.")
    backend = backend_for(org=org)
    if backend.provider != "offline":
        budget_check(org=org)
    job = jobs.job_create(org=org, kind=spec.job_kind, actor=actor, total=len(owned),
                          label=label or f"{spec.label} for {len(owned)} {noun}")  # fmt: skip
    job.result = {"kind": kind, "provider": backend.provider, "refused_ids": refused,
                  **({"options": options} if options else {})}  # fmt: skip
    job.save(update_fields=["result"])
    size = int(conf.get("CROSSBORDER_AI_BATCH_SIZE"))
    batches = [owned[i : i + size] for i in range(0, len(owned), size)]
    extra = (options,) if options else ()

    def enqueue() -> None:
        for batch in batches:
            generation_batch_task.delay(org.id, job.id, kind, batch, *extra)

    transaction.on_commit(enqueue)
    return job


def generation_cancel(*, org: Organization, job_id: int) -> Job:
    """Stop a generation job: its tasks check before each target and stop; drafts already
    made stay in the queue."""
    return jobs.job_cancel(org=org, job_id=job_id, kinds=job_kinds())


def _stop_reason(org, job_id: int, remote: bool) -> str:
    status = Job.objects.for_org(org).filter(pk=job_id).values_list("status", flat=True).first()
    if status not in Job.ACTIVE:
        return f"job {status or 'deleted'}"
    if remote:
        try:
            budget_check(org=org)
        except BudgetExceeded as exc:
            jobs.job_fail(job_id=job_id, error=exc.message)
            return exc.message
    return ""


def _provenance(outcome: Outcome, backend: Backend, request: GenerationRequest | None,
                job_id: int) -> Provenance:  # fmt: skip
    """Every call of the draft (generate, repair, back-translation) is on its provenance."""
    results = [r for r, _ in outcome.calls]
    main = [r for r, purpose in outcome.calls if purpose != "back_translation"]
    last = main[-1] if main else None
    return Provenance(
        provider=last.provider if last else backend.provider,
        model_name=last.model if last else backend.model,
        prompt_version=request.prompt_version if request else "",
        tokens_in=sum(r.tokens_in for r in results), tokens_out=sum(r.tokens_out for r in results),
        cost=sum((r.cost for r in results), Decimal("0")),
        cost_currency=last.currency if last else "USD", job_id=job_id,
    )  # fmt: skip


def _record(org, job_id: int, spec: GenerationKind, item: Item,
            request: GenerationRequest | None, outcome: Outcome, back: dict | None,
            backend: Backend) -> None:  # fmt: skip
    """Ledger rows, then the draft and the job's progress together (one transaction)."""
    usage_record_many(org=org, kind=spec.name, job_id=job_id, outcome=outcome)
    provenance = _provenance(outcome, backend, request, job_id)
    target = item.target
    try:
        with transaction.atomic():
            if outcome.ok:
                proposal = spec.propose(item, outcome.data or {}, provenance.provider)
                evidence = [*proposal.evidence, *([back] if back else [])]
                draft_create(org=org, kind=spec.produces, target=target,
                             proposed=proposal.proposed, rationale=proposal.rationale,
                             evidence=evidence, provenance=provenance)  # fmt: skip
                jobs.job_advance(job_id=job_id, done=1)
            else:
                draft_create_failed(org=org, kind=spec.produces, target=target,
                                    error=outcome.error, provenance=provenance)  # fmt: skip
                jobs.job_advance(job_id=job_id, failed=1)
    except Exception as exc:  # a bad answer must never stop the batch
        logger.exception("saving the %s draft of target %s failed", spec.name, target.pk)
        with transaction.atomic():
            reason = f"Could not save the draft: {type(exc).__name__}: {exc}"
            draft_create_failed(org=org, kind=spec.produces, target=target,
                                provenance=provenance, error=reason)  # fmt: skip
            jobs.job_advance(job_id=job_id, failed=1)


def _prepare(spec: GenerationKind, batch: Batch, target) -> tuple[Item, GenerationRequest | None,
                                                                  str]:  # fmt: skip
    """The item and request of one target, or the reason they could not be built."""
    try:
        item = spec.item(batch, target)
        return item, request_build(spec, item, org_id=batch.org.id), ""
    except Exception as exc:  # one target's bad data fails its draft, not the batch
        logger.exception("building the %s request of target %s failed", spec.name, target.pk)
        return Item(target=target, variables={}), None, f"{type(exc).__name__}: {exc}"


def generation_batch_run(*, org: Organization, job_id: int, kind: str, target_ids: list[int],
                         options: dict | None = None,
                         backend: Backend | None = None) -> dict:  # fmt: skip
    """Generate drafts for one batch of a job. Idempotent; stops when the job is cancelled.

    `backend` overrides the organization's (the demo seeder forces the offline generator)."""
    spec = get_generation_kind(kind)
    job = Job.objects.for_org(org).filter(pk=job_id, kind=spec.job_kind).first()
    if job is None or not job.is_active:
        return {"skipped": "job not active"}
    if job.status == Job.Status.QUEUED:
        jobs.job_start(job_id=job_id)
    already = draft_target_ids_for_job(org=org, job_id=job_id, kind=spec.produces,
                                       target_ids=target_ids)  # fmt: skip
    todo = [i for i in target_ids if i not in already]
    batch = Batch(org=org, options=dict(options or {}), job_id=job_id)
    targets = spec.load(batch, todo) if todo else []
    if len(targets) < len(todo):  # deleted since the job started
        jobs.job_advance(job_id=job_id, failed=len(todo) - len(targets))
    backend = backend or backend_for(org=org)
    limit = concurrency_for(org=org)
    remote = backend.provider != "offline"
    stats: dict[str, Any] = {"generated": 0, "failed": 0, "skipped": len(already), "stopped": ""}
    in_flight: dict[Future, tuple[Item, GenerationRequest]] = {}

    def collect(done: set[Future]) -> None:
        for future in done:
            item, request = in_flight.pop(future)
            outcome, back = future.result()
            _record(org, job_id, spec, item, request, outcome, back, backend)
            stats["generated" if outcome.ok else "failed"] += 1

    with ThreadPoolExecutor(max_workers=limit, thread_name_prefix="ai-gen") as pool:
        for target in targets:
            while len(in_flight) >= limit:
                collect(wait(in_flight, return_when=FIRST_COMPLETED).done)
            stats["stopped"] = _stop_reason(org, job_id, remote)
            if stats["stopped"]:
                break
            item, request, error = _prepare(spec, batch, target)
            if request is None:
                _record(org, job_id, spec, item, None, Outcome(error=error), None, backend)
                stats["failed"] += 1
                continue
            future = pool.submit(generate_item, spec, item, request, backend)
            in_flight[future] = (item, request)
        while in_flight:
            collect(wait(in_flight).done)
    _finish_if_complete(org, job_id)
    return stats


def _finish_if_complete(org, job_id: int) -> None:
    job = Job.objects.for_org(org).filter(pk=job_id).first()
    if job is not None and job.status == Job.Status.RUNNING and job.done + job.failed >= job.total:
        jobs.job_finish(job_id=job_id, result={**job.result, "drafts": job.done,
                                               "failed": job.failed})  # fmt: skip
