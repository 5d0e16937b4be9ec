"""Live checks of a reply text, for the dashboard's editor and the API alike: the linter (both
languages), grounding of claims (with their positions, so an editor can mark them) and what
happens to a Chinese reply to a buyer who does not read Chinese. Nothing is stored."""

from __future__ import annotations

from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from .. import grounding
from ..generation import _context_of, validate
from ..models import Conversation
from ..translation import needs_translation
from ..understanding_llm import llm_configured

REPLY_LINT_MAX = 8000  # characters checked (the reply editor's and the API's bound)


def language_label(code: str) -> str:
    """The buyer's language in the active language ("German", "德语")."""
    try:
        return str(get_language_info((code or "en")[:2])["name_translated"])
    except KeyError:
        return code or "—"


def _translation_check(org, convo: Conversation) -> dict:
    """What happens to a Chinese reply: translated first (with an endpoint), else refused."""
    language = language_label(convo.language)
    if llm_configured(org=org):
        message = _(
            "Written in Chinese: it will be translated into %(language)s by the model, with a "
            "Chinese back-translation; the rules and grounding are checked on the translation."
        ) % {"language": language}
        return {"rule": "reply.translate", "severity": "warning", "message": message, "field": ""}
    message = _(
        "Written in Chinese, but the buyer writes %(language)s and translating needs an LLM "
        "endpoint (none is configured): this reply cannot be sent."
    ) % {"language": language}
    return {"rule": "reply.translate", "severity": "error", "message": message, "field": "reply"}


def reply_lint(*, org, conversation: Conversation, text: str) -> dict:
    """`{"checks": [...], "ungrounded": [...]}` for a reply text (cut at REPLY_LINT_MAX)."""
    text = (text or "")[:REPLY_LINT_MAX]
    if needs_translation(conversation, text):
        checks = [_translation_check(org, conversation)]
    else:
        payload = {"reply": text, "language": conversation.language}
        checks = [c.as_dict() for c in validate(conversation, payload)]
    claims = [
        {"kind": c.kind, "text": c.text, "start": c.start, "end": c.end}
        for c in grounding.ungrounded(text, _context_of(conversation, {}))
    ]
    return {"checks": checks, "ungrounded": claims}
