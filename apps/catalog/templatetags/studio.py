"""{% translate_form listing can_write %}: the "Translate to…" form of the listing page."""

from __future__ import annotations

from django import template

from apps.catalog.selectors import store_list

register = template.Library()


@register.inclusion_tag("catalog/_translate_form.html", takes_context=True)
def translate_form(context, listing, can_write: bool) -> dict:
    stores = store_list(org=listing.organization_id).select_related("marketplace")
    return {
        "listing": listing,
        "can_write": can_write,
        "stores": [s for s in stores if s.pk != listing.store_id],
        "csrf_token": context.get("csrf_token"),
    }
