"""Knowledge base and macros: writes (the search vector is refreshed with each save)."""

from __future__ import annotations

import re

from django.db import transaction

from apps.core.errors import ValidationFailed

from ..context import kb_vector_update
from ..models import Conversation, KnowledgeArticle, Macro

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


_VARIABLE = re.compile(r"\{([a-z_]{1,40})\}")


def macro_render(macro: Macro, values: dict) -> str:
    """The macro's body with its variables filled ({buyer_name}, {order_id}, …); unknown or
    empty ones stay visible, in braces, for the operator to fill. Plain substitution, never
    str.format: a body cannot reach attributes of the values."""

    def fill(match: re.Match) -> str:
        value = values.get(match.group(1))
        return str(value) if value not in (None, "") else match.group(0)

    return _VARIABLE.sub(fill, macro.body)


def _macro_fields(name: str, body: str, language: str, intent: str) -> tuple[str, str, str, str]:
    name, body = (name or "").strip(), (body or "").strip()
    if not name or not body:
        raise ValidationFailed("A macro needs a name and a body.", field="name")
    if len(name) > 200:
        raise ValidationFailed("A macro's name has at most 200 characters.", field="name")
    if len(body) > 10000:
        raise ValidationFailed("A macro's body has at most 10000 characters.", field="body")
    if language not in LANGUAGES:
        raise ValidationFailed("Choose one of the listed languages.", field="language")
    if intent and intent not in dict(Conversation.Intent.choices):
        raise ValidationFailed("Choose one of the listed intents.", field="intent")
    return name, body, language, intent


@transaction.atomic
def macro_save(
    *, org, macro: Macro | None = None, name: str, body: str, language: str = "en", intent: str = ""
) -> Macro:
    if macro is not None and macro.organization_id != org.pk:
        raise ValidationFailed("No such macro.", field="macro")
    name, body, language, intent = _macro_fields(name, body, language or "en", intent or "")
    macro = macro or Macro(organization=org)
    macro.name, macro.body, macro.language, macro.intent = name, body, language, intent
    macro.save()
    return macro


def macro_delete(*, org, macro: Macro) -> None:
    if macro.organization_id == org.pk:
        macro.delete()
