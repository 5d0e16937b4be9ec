"""How ad_change drafts speak: labels of their evidence keys and the rationale of each rule,
rendered in the viewer's language at display time.

A draft stores its reason as data, never as a sentence: an evidence item
`{"kind": "ads_reason", "code": "bid_to_target", "args": {"old": "1.00", "new": "1.20", ...}}`
(hidden from the evidence table) and the rule's code in `rationale`. `rationale_label` turns it
into the active language's sentence (English and Chinese in the catalogue).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

REASON_KIND = "ads_reason"

EVIDENCE_LABELS = {
    "rule": _("Rule"),
    "clicks": _("Clicks"),
    "orders": _("Orders"),
    "spend": _("Spend"),
    "sales": _("Sales"),
    "cpc": _("Cost per click"),
    "smoothed_cvr": _("Smoothed conversion rate"),
    "prior_cvr": _("Ad group conversion rate (prior)"),
    "expected_acos_pct": _("Expected ACoS (%)"),
    "target_acos_pct": _("Target ACoS (%)"),
    "acos_pct": _("ACoS (%)"),
    "raw_bid": _("Bid toward target"),
    "capped_bid": _("Bid after the per-run cap"),
    "current_bid": _("Current bid"),
    "expected_spend": _("Expected spend over the look-back window"),
    "expected_sales": _("Expected sales over the look-back window"),
    "lookback_days": _("Look-back window (days)"),
    "search_term": _("Search term"),
    "target_cost_per_order": _("Target cost per order"),
    "detected_language": _("Detected language"),
    "marketplace_language": _("Marketplace language"),
    "served_by": _("Served by"),
    "kept_in": _("Kept in"),
    "daily_budget": _("Daily budget"),
    "days_capped": _("Days capped by budget"),
    "stock_check": _("Stock check"),
    "days_of_cover": _("Days of cover (logistics planner)"),
    "translation": _("Translation"),
}

RULE_LABELS = {
    "bid_to_target": _("Bid toward the target ACoS"),
    "negative_waste": _("Negative: clicks or spend without orders"),
    "negative_phrase": _("Negative phrase: a word wasting across terms"),
    "harvest": _("Harvest: exact keyword from a converting term"),
    "cannibalisation": _("Overlap: one term served by several campaigns"),
    "budget_move": _("Budget move"),
    "foreign_language": _("Term in another language"),
}

# One sentence per reason code; %(name)s are the reason's args (numbers and names, as stored).
REASONS = {
    "bid_to_target": _("Bid %(old)s → %(new)s %(currency)s toward %(target)s%% ACoS"),
    "negative_phrase": _(
        "“%(word)s” wasted %(spend)s %(currency)s across %(terms)s terms with no orders"
    ),
    "negative_waste_clicks": _(
        "“%(term)s”: %(clicks)s clicks (at least %(min_clicks)s), no orders"
    ),
    "negative_waste_spend": _(
        "“%(term)s”: spend %(spend)s %(currency)s ≥ %(factor)s × target cost per order "
        "%(cpo)s, no orders"
    ),
    "harvest": _(
        "“%(term)s”: %(orders)s orders at %(acos)s%% ACoS ≤ %(target)s%%: exact keyword, "
        "negated in the source"
    ),
    "cannibalisation": _("“%(term)s” is served by %(n)s campaigns; kept in %(kept)s"),
    "budget_receive": _(
        "Capped by its budget at %(acos)s%% ACoS, below the %(target)s%% target: budget "
        "%(old)s → %(new)s %(currency)s"
    ),
    "budget_give": _(
        "Far above the %(target)s%% target ACoS: budget %(old)s → %(new)s %(currency)s, moved "
        "to better campaigns"
    ),
    "foreign_language": _("“%(term)s” looks %(language)s; the marketplace is %(marketplace)s"),
}

VALUE_LABELS = {
    "unavailable": _("not available yet: apps.logistics not set up"),
    "checked": _("checked"),
    "needs_endpoint": _(
        "offline: translating terms needs an AI endpoint (configure one in AI settings)"
    ),
}


def rule_label(code: str) -> str:
    return str(RULE_LABELS.get(code, code))


def reason_of(evidence: Any) -> dict | None:
    for item in evidence if isinstance(evidence, list) else []:
        if isinstance(item, dict) and item.get("kind") == REASON_KIND:
            return item
    return None


def reason_text(reason: dict | None) -> str:
    """The reason's sentence in the active language ("" when there is none)."""
    if not reason:
        return ""
    template = REASONS.get(str(reason.get("code", "")))
    args = reason.get("args") or {}
    if template is None:
        return rule_label(str(reason.get("code", "")))
    safe = {k: ("—" if v is None else v) for k, v in args.items()}
    try:
        return str(template) % safe
    except (KeyError, TypeError, ValueError):
        return rule_label(str(reason.get("code", "")))


def value_label(value: Any) -> Any:
    """A stored code among the evidence values (`unavailable`, `needs_endpoint`) in words."""
    return VALUE_LABELS.get(value, value) if isinstance(value, str) else value


def rationale_label(draft) -> str | None:
    """An ad_change draft's rationale in the active language, from its stored reason."""
    if getattr(draft, "kind", "") != "ad_change":
        return None
    return reason_text(reason_of(draft.evidence)) or None
