"""The repricer's reason codes, said for people in the active language.

The engine writes a compact code per price change (`apps/pricing/strategies.py`): the rule or
scenario that set the target (`match_lowest`, `competitor_below_floor:floor`), then inventory
tweaks (`+low_cover`, `+ageing_stock`). The codes stay in the database and the API (machines
filter on them); pages show them through `reason_label`, and a code this module does not know is
shown humanized rather than raw.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.pricing.models import PriceChange, Strategy

# The keys of the repricer's draft evidence (engine/write.py) and of the demo's stock rule.
EVIDENCE_LABELS = {
    "floor": gettext_lazy("Floor"),
    "ceiling": gettext_lazy("Ceiling"),
    "lowest_competitor": gettext_lazy("Lowest competitor"),
    "margin_pct": gettext_lazy("Margin (%)"),
    "repricer": gettext_lazy("Repricer"),
    "competitors": gettext_lazy("Competitor observations"),
    "stock": gettext_lazy("Stock"),
    "price": gettext_lazy("Price"),
    # The low-cover rule's evidence (apps/pricing/cover.py) and its two sources.
    "cover_days": gettext_lazy("Days of cover"),
    "stockout_date": gettext_lazy("Projected stock-out"),
    "next_inbound": gettext_lazy("Next inbound arrival"),
    "logistics": gettext_lazy("Logistics (replenishment plan)"),
    "pricing": gettext_lazy("Listing stock and sales"),
}
_RATIONALE = re.compile(r"^Repricer: (?P<reason>\S+) \(limited by (?P<binding>\w+)\)$")
_DEMO_RATIONALE = re.compile(r"^Demo stock rule \((?P<why>[^)]*)\)")


def _rules() -> dict[str, str]:
    return {
        "no_competitor": _("No competitor offer counts"),
        "competitor_below_floor": _("A competitor is below our floor"),
        "competitor_at_floor": _("Beating the competitor would cross our floor"),
    }


def _tweaks() -> dict[str, str]:
    return {
        "low_cover": _("raised: stock covers less than the lead time"),
        "ageing_stock": _("lowered: ageing stock"),
    }


def _humanize(code: str) -> str:
    return code.replace("_", " ").replace(":", ": ").strip().capitalize()


def reason_label(code: str | None) -> str:
    """`competitor_below_floor:floor+low_cover` -> "A competitor is below our floor → Go to the
    floor; raised: stock covers less than the lead time"."""
    if not code:
        return ""
    base, *tweaks = str(code).split("+")
    name, _sep, choice = base.partition(":")
    kinds = dict(Strategy.Kind.choices)
    scenarios = dict(Strategy.Scenario.choices)
    if name in kinds:
        text = str(kinds[name])
    elif name in _rules():
        text = _rules()[name]
        if choice:
            text += " → " + str(scenarios.get(choice, _humanize(choice)))
    else:
        text = _humanize(base)
    labels = _tweaks()
    parts = [text, *(labels.get(t, _humanize(t)) for t in tweaks if t)]
    return "; ".join(parts)


def binding_label(code: str | None) -> str:
    if not code:
        return ""
    return str(dict(PriceChange.Binding.choices).get(code, _humanize(code)))


def rationale_label(rationale: str) -> str | None:
    """The engine's and the demo's draft rationales in the active language (None: not ours)."""
    match = _RATIONALE.match(rationale or "")
    if match:
        return _("Repricer: %(reason)s (limited by: %(binding)s)") % {
            "reason": reason_label(match["reason"]),
            "binding": binding_label(match["binding"]),
        }
    match = _DEMO_RATIONALE.match(rationale or "")
    if match:
        why = {
            "high stock cover: 5% cut to sell through": _(
                "high stock cover: 5% cut to sell through"
            ),
            "low stock: 6% rise to avoid a stock-out": _("low stock: 6% rise to avoid a stock-out"),
        }.get(match["why"], match["why"])
        return _("Demo stock rule (%(why)s); the repricing engine replaces this rule.") % {
            "why": why
        }
    return None


def job_title(job) -> str:
    """ "Reprice Voltora US" in the reader's language (the scheduled runs store it in English)."""
    match = re.match(r"^Reprice (?P<store>.+)$", job.label or "")
    return _("Reprice %(store)s") % {"store": match["store"]} if match else ""
