"""Job kinds: what the one generic job page shows for each kind of long task.

An app registers its kinds in `AppConfig.ready()` (as it registers draft kinds in `review`):
a human label, whether its tasks honour cancellation, the links its finished job offers
(download, the queue, the price changes) and optionally a template fragment that summarises
`job.result`. `core` thereby renders every job without knowing any domain app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Job


@dataclass(frozen=True)
class JobLink:
    label: Any  # str or a lazy translation
    url: str
    testid: str = ""


LinksFor = Callable[["Job", "HttpRequest"], Iterable[JobLink]]


@dataclass(frozen=True)
class JobKind:
    kind: str
    label: Any  # str or a lazy translation, shown as "what kind of task this is"
    links: LinksFor | None = None
    result_template: str = ""  # renders `job.result`, e.g. the rows an export left out
    # The job's title in the active language (job -> str, "" to keep the stored label): labels
    # are stored once, in the language of whoever started the job.
    title: Callable[[Job], str] | None = None


_KINDS: dict[str, JobKind] = {}
_CANCELLABLE: set[str] = set()


def job_kind_register(
    kind: str,
    *,
    label: Any,
    cancellable: bool = False,
    links: LinksFor | None = None,
    result_template: str = "",
    title: Callable[[Job], str] | None = None,
) -> JobKind:
    """Declare a kind; registering it again (a reloaded app) replaces the declaration."""
    job_kind = JobKind(
        kind=kind, label=label, links=links, result_template=result_template, title=title
    )
    _KINDS[kind] = job_kind
    if cancellable:
        _CANCELLABLE.add(kind)
    return job_kind


def job_kind_mark_cancellable(kind: str) -> None:
    _CANCELLABLE.add(kind)


def job_kind_is_cancellable(kind: str) -> bool:
    return kind in _CANCELLABLE


def cancellable_kinds() -> tuple[str, ...]:
    return tuple(sorted(_CANCELLABLE))


def job_kind_get(kind: str) -> JobKind:
    """The registered kind, or a stand-in whose label is the code in words (`ai.generation`
    → "Ai generation"), so an unregistered kind still renders."""
    if kind in _KINDS:
        return _KINDS[kind]
    words = kind.replace(".", " ").replace("_", " ").strip()
    return JobKind(kind=kind, label=words[:1].upper() + words[1:])


def job_title(job: Job) -> str:
    """What the job pages call the job: the kind's `title`, else the stored label, else the
    kind's label."""
    kind = job_kind_get(job.kind)
    if kind.title is not None:
        text = kind.title(job)
        if text:
            return str(text)
    return job.label or str(kind.label)


def job_links(job: Job, request: HttpRequest) -> list[JobLink]:
    links = job_kind_get(job.kind).links
    return list(links(job, request)) if links is not None else []
