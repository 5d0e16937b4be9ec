"""`{% pricing_cost_breakdown listing %}`: the landed-cost breakdown on any listing page.

An inclusion tag, so the catalog's listing page shows pricing's breakdown with one include line
and no change to its view. The organization comes from the request (the listing is already
the active organization's: the page fetched it with a tenant-scoped selector).
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def problem_messages() -> dict[str, str]:
    return {
        "missing_cost": _("The product has no unit cost: set it to see margins."),
        "negative_cost": _("The unit cost is negative."),
        "unknown_currency": _("A currency is not one crossborder knows."),
        "missing_exchange_rate": _("An exchange rate is missing for a cost's currency."),
    }


@register.inclusion_tag("pricing/_cost_breakdown.html", takes_context=True)
def pricing_cost_breakdown(context, listing, link: bool = True):
    from apps.pricing.cost import cost_breakdown

    request = context.get("request")
    org = getattr(request, "org", None)
    if org is None or listing is None or listing.organization_id != org.pk:
        return {"breakdown": None, "listing": listing, "link": False}
    breakdown = cost_breakdown(org=org, listing=listing)
    messages = problem_messages()
    return {
        "breakdown": breakdown,
        "at": breakdown.at(listing.price) if listing.price is not None else None,
        "problems": [messages.get(p, p) for p in breakdown.problems],
        "listing": listing,
        "link": link,
    }


@register.filter
def reason_label(code: str | None) -> str:
    """A price change's reason code for people: `{{ change.reason|reason_label }}`."""
    from apps.pricing.reasons import reason_label as label

    return label(code)


# What a repricing run did, in the order a seller asks: what moved, what waits for a person,
# what did not move and why. Keys are the run's counts (engine.run.COUNT_KEYS). Not "changed" nor
# "raised_to_floor": those count what the engine wanted, which may be already proposed.
SUMMARY_PARTS = (
    ("applied", "ok"),
    ("drafted", "pending"),
    ("already_proposed", "pending"),
    ("at_floor", "warn"),
    ("ceiling_below_floor", "bad"),
    ("daily_limit", ""),
    ("conflicts", ""),
    ("bad_input", "bad"),
)


def summary_labels() -> dict[str, str]:
    return {
        "applied": _("changed"),
        "drafted": _("sent to review"),
        "already_proposed": _("already proposed, waiting for review"),
        "at_floor": _("held at the floor"),
        "ceiling_below_floor": _("ceiling below the floor"),
        "daily_limit": _("at the daily change limit"),
        "conflicts": _("changed meanwhile, left as they are"),
        "bad_input": _("skipped: missing or bad data"),
    }


def run_counts(run) -> dict:
    """The counts of a RepricingRun or of a repricing job's result (a dict)."""
    if isinstance(run, dict):
        return {k: int(v or 0) for k, v in run.items() if isinstance(v, int | float)}
    report = run.report or {}
    own = ("offers", "applied", "drafted", "at_floor", "raised_to_floor", "ceiling_below_floor",
           "bad_input")  # fmt: skip
    counts = {k: getattr(run, k) for k in own}
    from_report = ("already_proposed", "daily_limit", "conflicts")
    counts.update({k: int(report.get(k) or 0) for k in from_report})
    return counts


@register.inclusion_tag("pricing/_run_summary.html")
def reprice_summary(run, compact: bool = False):
    """`{% reprice_summary run %}`: "3 changed · 5 sent to review · 8 held at the floor", or
    "No price changed" with the reasons, instead of the engine's raw "changed" count (which
    counts prices it wanted to move, whether or not they moved)."""
    counts = run_counts(run)
    labels = summary_labels()
    parts = [
        {"key": key, "n": counts[key], "label": labels[key], "tone": tone}
        for key, tone in SUMMARY_PARTS
        if counts.get(key)
    ]
    moved = counts.get("applied", 0) + counts.get("drafted", 0)
    return {"parts": parts, "moved": moved, "offers": counts.get("offers", 0), "compact": compact}
