"""Where buyers' questions come from, beyond review phrases: sources other apps register.

The support inbox sits above catalog in the import graph (support reads catalog), so catalog
cannot import it; instead `apps.support` registers its `product_questions` selector here in
`AppConfig.ready()`. No registered source means "not available", which the page says plainly
instead of counting it as zero questions.
"""

from __future__ import annotations

from collections.abc import Callable

QuestionSource = Callable[..., list[str]]

_SOURCES: list[QuestionSource] = []


def question_source_register(source: QuestionSource) -> QuestionSource:
    """Register `source(*, org, product_id, limit) -> list[str]` (idempotent)."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def product_questions(*, org, product_id: int, limit: int = 50) -> list[str] | None:
    """Buyers' product questions from every registered source, or None when none is set up."""
    if not _SOURCES:
        return None
    questions: list[str] = []
    for source in _SOURCES:
        questions.extend(source(org=org, product_id=product_id, limit=limit))
    return questions[:limit]


def unavailable_note() -> str:
    return "apps.support"
