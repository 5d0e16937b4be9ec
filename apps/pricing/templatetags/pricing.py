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
