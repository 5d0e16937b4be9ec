"""Labels of the evidence keys ad_change drafts carry (the review screen shows them)."""

from django.utils.translation import gettext_lazy as _

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


def rule_label(code: str) -> str:
    return str(RULE_LABELS.get(code, code))


def rationale_label(draft) -> str | None:
    """An ad_change draft's rationale in the active language: the stored sentence is English;
    in Chinese the rule's name and the change's title say it (numbers are in the evidence)."""
    from django.utils.translation import get_language

    if getattr(draft, "kind", "") != "ad_change":
        return None
    if not (get_language() or "").startswith("zh"):
        return None
    return f"{rule_label(draft.category)}：{draft.title}"
