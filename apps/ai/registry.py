"""Generation kinds, registered by the app that owns the targets (in its AppConfig.ready()).

`ai` knows no domain model: a kind says how to load its targets, what one target's prompt
variables, untrusted data and facts are, the JSON schema and rules its answer must pass, how an
answer becomes a draft (proposed payload, rationale, evidence), whether the draft carries a
back-translation for the operator, and how the offline generator writes it. The one pipeline in
apps/ai/services.py does the rest for every kind: batches, requests in flight, budget, usage
ledger, retries and circuit breaker (in the backend), cancellation, idempotent redelivery.
See docs/ai-generation.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.functional import Promise

from .backends.base import GenerationRequest

DEFAULT_JOB_KIND = "ai.generation"


@dataclass
class Batch:
    """What a kind's loader and item builder see for one batch of a job (or a job's start)."""

    org: Any
    options: Mapping[str, Any] = field(default_factory=dict)
    job_id: int | None = None
    # The kind's own per-batch cache (few-shot examples per category, a source row …).
    memo: dict[str, Any] = field(default_factory=dict)


@dataclass
class Item:
    """One target's input to the model, built by the kind with database access; everything the
    worker threads need afterwards travels here (they never touch the database)."""

    target: Any
    variables: dict[str, str]  # the prompt template's $placeholders
    untrusted: dict[str, Any] = field(default_factory=dict)  # third-party text, by source
    # Structured facts: read by the offline generator, the rules, the payload builder. The
    # key "language" (the target's language) is what a back-translation translates from.
    context: dict[str, Any] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)  # few-shot drafts used
    images: list[str] = field(default_factory=list)  # data: URLs for a vision-capable model


@dataclass(frozen=True)
class Proposal:
    """What a valid answer becomes in the review queue."""

    proposed: dict[str, Any]
    rationale: str = ""
    evidence: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class BackTranslation:
    """A literal rendering of the draft in the operator's language, shown, never applied.

    Tried in this order: the offline rendering (when the offline generator wrote the draft), the
    model's own rendering in the same answer under `in_answer`, a second model call with
    `prompt` when `ask_model` (a usage-ledger row of purpose "back_translation"); otherwise the
    evidence says it was not requested.
    """

    fields: Mapping[str, type] = field(
        default_factory=lambda: {"title": str, "bullets": list, "description": str}
    )
    language: str = "zh-Hans"
    wanted: Callable[[Item], bool] = lambda item: True
    in_answer: str = ""  # the answer's key holding the model's own rendering; "": none
    ask_model: bool = False
    prompt: str = "back_translation"
    prompts_dir: Path | None = None
    untrusted_source: str = "copy"  # how the copy is labelled in the untrusted-data block
    offline: Callable[[Item], Mapping[str, Any]] | None = None


@dataclass(frozen=True)
class GenerationKind:
    name: str  # also the usage ledger's kind and the request's kind
    label: str | Promise  # "Listing content": job labels read "<label> for N <target_noun>"
    prompt: str  # the prompt's id: folder <prompts_dir>/<prompt>/v<N>.md
    # (batch, ids) -> the organization's targets among ids, loaded with what `item` reads.
    load: Callable[[Batch, list[int]], list[Any]]
    item: Callable[[Batch, Any], Item]  # one target's variables, untrusted data and facts
    schema: Callable[[Item], dict[str, Any]]  # the answer's JSON schema
    # (item, valid answer without its back-translation, provider) -> the draft's content.
    propose: Callable[[Item, dict[str, Any], str], Proposal]
    draft_kind: str = ""  # the review draft kind produced; "": the same as `name`
    prompts_dir: Path | None = None  # None: apps/ai/prompts
    prompt_version: str = ""  # pinned version ("v1"); "": the newest (settings may pin too)
    # (item, answer) -> blocking errors, fed back to the model in the one repair round.
    rules: Callable[[Item, dict[str, Any]], list[str]] | None = None
    back_translation: BackTranslation | None = None
    # The offline generator of this kind: request (context = the item's facts) -> answer.
    offline: Callable[[GenerationRequest], dict[str, Any]] | None = None
    job_kind: str = DEFAULT_JOB_KIND
    target_noun: str = "targets"
    temperature: float = 0.4

    @property
    def produces(self) -> str:
        return self.draft_kind or self.name


_KINDS: dict[str, GenerationKind] = {}


def register(kind: GenerationKind) -> GenerationKind:
    """Add a kind (idempotent for the same object); its prompt folders become known."""
    from apps.core.services import job_kind_cancellable

    from .prompts import prompt_folder_register

    if kind.name in _KINDS and _KINDS[kind.name] != kind:
        raise ValueError(f"generation kind {kind.name!r} is registered twice")
    _KINDS[kind.name] = kind
    if kind.prompts_dir is not None:
        prompt_folder_register(kind.prompt, kind.prompts_dir)
    back = kind.back_translation
    if back is not None and back.prompts_dir is not None:
        prompt_folder_register(back.prompt, back.prompts_dir)
    job_kind_cancellable(kind.job_kind)
    return kind


def unregister(name: str) -> None:
    """For tests that register a kind of their own."""
    _KINDS.pop(name, None)


def get_generation_kind(name: str) -> GenerationKind:
    try:
        return _KINDS[name]
    except KeyError as exc:
        raise LookupError(f"no generation kind {name!r} is registered") from exc


def find_generation_kind(name: str) -> GenerationKind | None:
    return _KINDS.get(name)


def all_generation_kinds() -> list[GenerationKind]:
    return sorted(_KINDS.values(), key=lambda k: k.name)


def job_kinds() -> tuple[str, ...]:
    """Job kinds generation jobs run under (cancellable by generation_cancel)."""
    return tuple(sorted({DEFAULT_JOB_KIND, *(k.job_kind for k in _KINDS.values())}))
