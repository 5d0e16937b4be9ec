"""A `cs_reply` draft's Chinese back-translation after its buyer-language text was edited.

An edit of the reply marks the back-translation stale (it describes the old text; the review
queue then refuses approval unless the reviewer confirms having read the edited text, and the
pages say "back-translate again"). Back-translating again goes through the same generation
kind as the operator's translated replies (`cs_reply_translation`'s back-translation prompt),
with the AI layer's budget check and usage ledger; offline it is refused: back-translating free
text needs an LLM endpoint."""

from __future__ import annotations

from django.utils import timezone

from apps.ai.generation import Outcome, back_translate
from apps.ai.registry import Item
from apps.core.errors import ValidationFailed

from ..models import Conversation


class BackTranslationNeedsEndpoint(ValidationFailed):
    """No model to translate an edited reply back into Chinese."""


def reply_evidence_on_edit(evidence: list, before: dict, after: dict) -> list:
    """The evidence with its back-translation marked stale when the reply text changed."""
    if str(before.get("reply") or "") == str(after.get("reply") or ""):
        return evidence
    out = []
    for e in evidence:
        if isinstance(e, dict) and e.get("kind") == "back_translation" and not e.get("stale"):
            e = {**e, "stale": True, "stale_since": timezone.now().isoformat()}
        out.append(e)
    return out


def reply_back_translate(conversation: Conversation, payload: dict) -> dict:
    """A fresh back-translation entry of the reply as it is now (one model call, budgeted and
    recorded in the usage ledger under the `cs_reply_translation` kind)."""
    from apps.ai.services import backend_for, budget_check, usage_record_many

    from ..translation import GENERATION_KIND
    from ..understanding_llm import llm_configured

    org = conversation.organization
    if not llm_configured(org=org):
        raise BackTranslationNeedsEndpoint(
            "Translating the edited reply back into Chinese needs an LLM endpoint (AI "
            "settings), and none is configured. Read the edited text yourself before approving.",
            code="back_translation_needs_llm",
        )
    budget_check(org=org)
    item = Item(
        target=conversation,
        variables={},
        untrusted={},
        context={"language": conversation.language or "en"},
    )
    outcome = Outcome()
    data = {"reply": str(payload.get("reply") or "")}
    entry = back_translate(GENERATION_KIND, item, data, None, backend_for(org=org), outcome, org.pk)
    usage_record_many(org=org, kind=GENERATION_KIND.name, job_id=None, outcome=outcome)
    if not entry or entry.get("method") != "llm":
        error = (entry or {}).get("error") or "no back-translation"
        raise ValidationFailed(
            f"The LLM endpoint could not back-translate this reply: {error}",
            code="back_translation_failed",
        )
    return {**entry, "refreshed_at": timezone.now().isoformat()}
