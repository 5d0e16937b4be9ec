"""Marketplace policy linter for replies to buyers: rule files (rules/*.yaml, document
`buyer_reply`) on the shared rules engine, plus the rules that need the conversation
(`context_rules`: one review request per order inside its window, no unrequired proactive
message). Errors block sending; messages in English and Chinese."""

from __future__ import annotations

import functools
import re
from datetime import datetime
from pathlib import Path

import yaml
from django.utils import timezone

from apps.catalog.rules.engine import RuleCheck, make_check, ui_language, validate_fields
from apps.catalog.rules.loader import Rule, Ruleset, load_ruleset

RULES_DIR = Path(__file__).with_name("rules")
REVIEW_REQUEST = re.compile(
    r"\b(leave|write|post)\b[^.!?\n]{0,40}\b(review|feedback)|\breview\b[^.!?\n]{0,30}\b"
    r"(your (purchase|order)|us)\b|Bewertung (hinterlassen|schreiben|abgeben)|"
    r"(laisser|écrire) un avis|(dejar|escribir) una (reseña|opinión)|lasciare una recensione|"
    r"レビュー(を|の)?(書|投稿|お願い)|留下评价|写评价",
    re.IGNORECASE,
)


@functools.cache
def rulesets() -> dict[str, tuple[Ruleset, tuple[Rule, ...], dict]]:
    out = {}
    for path in sorted(RULES_DIR.glob("*_reply.yaml")):
        ruleset = load_ruleset(path)
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        context = tuple(
            Rule(r["id"], r["version"], "context", r["severity"], dict(r["message"]))
            for r in raw.get("context_rules") or []
        )
        params = {r["id"]: r for r in raw.get("context_rules") or []}
        out[ruleset.family.removesuffix("_reply")] = (ruleset, context, params)
    return out


def ruleset_for(channel: str):
    sets = rulesets()
    return sets.get(channel) or sets["amazon"]


def is_review_request(text: str) -> bool:
    return bool(REVIEW_REQUEST.search(text or ""))


def _rule(context: tuple[Rule, ...], rule_id: str) -> Rule:
    return next(r for r in context if r.id == rule_id)


def lint(
    text: str,
    *,
    channel: str = "amazon",
    language: str = "en",
    conversation=None,
    now: datetime | None = None,
    ui: str | None = None,
) -> list[RuleCheck]:
    """Checks of one reply; with the conversation also the per-order and proactive rules."""
    ui = ui or ui_language()
    ruleset, context, params = ruleset_for(channel)
    checks = validate_fields(ruleset, {"reply": text}, language=language, ui=ui)
    if conversation is None:
        return checks
    label = ruleset.version_label
    if is_review_request(text):
        checks += _review_request_checks(conversation, context, params, label, ui, now)
    if not _awaits_answer(conversation) and not is_review_request(text):
        checks.append(make_check(_rule(context, "reply.unrequired_proactive"), label, ui, "reply"))
    return checks


def _awaits_answer(conversation) -> bool:
    from .models import Message

    last_in = (
        conversation.messages.filter(direction=Message.Direction.INBOUND)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    if last_in is None:
        return False
    last_out = (
        conversation.messages.filter(direction=Message.Direction.OUTBOUND)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    return last_out is None or last_out < last_in


def _review_request_checks(conversation, context, params, label, ui, now) -> list[RuleCheck]:
    from .models import Message

    checks = []
    if conversation.order_id:
        earlier = Message.objects.for_org(conversation.organization).filter(
            conversation__order_id=conversation.order_id,
            direction=Message.Direction.OUTBOUND,
            is_review_request=True,
        )
        if earlier.exists():
            checks.append(
                make_check(_rule(context, "reply.review_request_once"), label, ui, "reply")
            )
    start, end = params["reply.review_request_window"].get("window_days", [5, 30])
    order = conversation.order
    delivered = getattr(order, "delivered_at", None) if order is not None else None
    days = ((now or timezone.now()) - delivered).days if delivered else -1
    if not (start <= days <= end):
        checks.append(
            make_check(
                _rule(context, "reply.review_request_window"),
                label,
                ui,
                "reply",
                start=start,
                end=end,
                days=days if days >= 0 else "—",
            )
        )
    return checks


def client_messages() -> dict:
    """What the reply editor's live lint needs in the browser: the patterns and messages."""
    ruleset, _context, _params = ruleset_for("amazon")
    ui = ui_language()
    return {
        r.id: {"pattern": r.params.get("pattern", ""), "message": r.message[ui]}
        for r in ruleset.rules
        if r.check == "forbidden_pattern"
    }
