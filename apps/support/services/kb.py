"""Knowledge base and macros: writes (the search vector is refreshed with each save)."""

from __future__ import annotations

import re

from django.db import transaction

from apps.core.errors import ValidationFailed

from ..context import kb_vector_update
from ..models import KnowledgeArticle, Macro

LANGUAGES = ("en", "de", "fr", "es", "it", "ja", "zh")


def _clean(title: str, body: str, language: str) -> tuple[str, str, str]:
    title, body = (title or "").strip()[:300], (body or "").strip()[:20000]
    if not title:
        raise ValidationFailed("An article needs a title.", field="title")
    if not body:
        raise ValidationFailed("An article needs a body.", field="body")
    if language not in LANGUAGES:
        raise ValidationFailed(f"Language is one of {', '.join(LANGUAGES)}.", field="language")
    return title, body, language


def _tags(raw) -> list[str]:
    if isinstance(raw, str):
        raw = re.split(r"[,\s]+", raw)
    return [str(t).strip().lower()[:40] for t in raw or [] if str(t).strip()][:20]


@transaction.atomic
def kb_article_save(
    *,
    org,
    article: KnowledgeArticle | None = None,
    title: str,
    body: str,
    language: str = "en",
    tags=(),
    is_active: bool = True,
) -> KnowledgeArticle:
    title, body, language = _clean(title, body, language)
    article = article or KnowledgeArticle(organization=org)
    if article.organization_id != org.pk:
        raise ValidationFailed("No such article.")
    article.title, article.body, article.language = title, body, language
    article.tags, article.is_active = _tags(tags), is_active
    article.save()
    kb_vector_update(org=org, article_ids=[article.pk])
    return article


def kb_article_delete(*, org, article: KnowledgeArticle) -> None:
    if article.organization_id == org.pk:
        article.delete()


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def macro_render(macro: Macro, values: dict) -> str:
    """The macro's body with its variables filled ({buyer_name}, {order_id}, …); unknown ones
    stay visible for the operator to fill."""
    try:
        return macro.body.format_map(_Blank({k: str(v) for k, v in values.items()}))
    except (ValueError, IndexError):
        return macro.body


def macro_save(
    *, org, macro: Macro | None = None, name: str, body: str, language: str = "en", intent: str = ""
) -> Macro:
    if not (name or "").strip() or not (body or "").strip():
        raise ValidationFailed("A macro needs a name and a body.", field="name")
    macro = macro or Macro(organization=org)
    macro.name, macro.body, macro.language, macro.intent = (
        name.strip()[:200],
        body[:10000],
        language,
        intent,
    )
    macro.save()
    return macro
