"""{% draft_quality draft %}: the quality of the copy a content draft replaces and of its
proposal (or what was applied), the differences explained (templates/catalog/_quality.html)."""

from __future__ import annotations

from django import template

from apps.catalog.content.labels import attribute_label
from apps.catalog.content.quality.listing import draft_comparison, good_threshold
from apps.catalog.models import Listing

register = template.Library()


@register.inclusion_tag("catalog/_quality_panel.html")
def draft_quality(draft) -> dict:
    listing = (
        Listing.objects.for_org(draft.organization_id)
        .select_related("product", "store__marketplace")
        .filter(pk=draft.target_id)
        .first()
    )
    if listing is None:
        return {"comparison": None}
    proposed = draft.final or draft.proposed or {}
    return {"comparison": draft_comparison(listing, draft.current or {}, proposed),
            "threshold": good_threshold(), "draft": draft}  # fmt: skip


@register.filter
def attribute_name(key: str, language: str = "") -> str:
    """An attribute key for people: `power_w` → "Output" / "输出功率" (the active language)."""
    from django.utils.translation import get_language

    return attribute_label(key, language or get_language() or "en")


@register.inclusion_tag("catalog/_listing_quality.html")
def listing_quality_card(listing) -> dict:
    """The listing's own score (its current copy), per component, on the listing page."""
    from apps.catalog.content.quality.listing import listing_quality

    has_copy = bool((listing.title or "").strip())
    return {"quality": listing_quality(listing) if has_copy else None,
            "threshold": good_threshold()}  # fmt: skip
