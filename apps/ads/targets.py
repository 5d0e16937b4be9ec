"""Profit-derived ACoS targets.

    break-even ACoS (SKU, marketplace) = (price − landed cost before ads) / price
                                        = profit(price) / price   (pricing's cost model, with FX)
    target ACoS (campaign) = lowest break-even ACoS of its advertised listings − profit goal

The profit before ads is the pricing cost model's (apps.pricing.cost: VAT, referral fee,
landed cost converted with the organization's exchange rates). A manager may override a
campaign's target; the override wins and is shown with who set it and when. A campaign none
of whose listings has a cost model falls back to the organization's default target, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from apps.catalog.models import Listing
from apps.core.errors import NotFound, ValidationFailed
from apps.pricing.cost import cost_breakdown

from .models import AdsSettings, Campaign, ProductAd

if TYPE_CHECKING:
    from apps.accounts.models import Organization

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def settings_for(org: Organization) -> AdsSettings:
    found = AdsSettings.objects.for_org(org).first()
    return found or AdsSettings(organization=org)


@dataclass
class ListingAcos:
    listing_id: int
    sku: str
    price: Decimal | None
    currency: str
    break_even_acos: Decimal | None  # percent
    problems: list[str] = field(default_factory=list)


@dataclass
class CampaignTarget:
    campaign_id: int
    target_acos: Decimal  # percent, what the rules use
    source: str  # "override" | "profit" | "default"
    derived_acos: Decimal | None = None  # from the cost model and the profit goal
    break_even_acos: Decimal | None = None
    profit_goal: Decimal = Decimal(0)
    override_acos: Decimal | None = None
    override_by: str = ""
    override_at: object = None
    listings: list[ListingAcos] = field(default_factory=list)

    def as_evidence(self) -> dict:
        return {
            "target_acos": str(self.target_acos),
            "source": self.source,
            "break_even_acos": None if self.break_even_acos is None else str(self.break_even_acos),
            "profit_goal_pct": str(self.profit_goal),
            "override_acos": None if self.override_acos is None else str(self.override_acos),
        }


def listing_break_even_acos(*, org: Organization, listing: Listing) -> ListingAcos:
    b = cost_breakdown(org=org, listing=listing)
    price = listing.price
    acos = None
    if price and price > 0 and b.landed is not None and not b.problems:
        profit = b.profit(Decimal(price))
        acos = max(profit / Decimal(price) * HUNDRED, Decimal(0)).quantize(CENT)
    return ListingAcos(
        listing.pk,
        listing.product.sku,
        price,
        listing.currency,
        acos,
        list(b.problems) or ([] if price else ["missing_price"]),
    )


def campaign_targets(*, org: Organization, campaign_ids=None) -> dict[int, CampaignTarget]:
    """The target ACoS of each campaign (all of the organization's when `campaign_ids` is None)."""
    conf = settings_for(org)
    campaigns = Campaign.objects.for_org(org).select_related("override_by")
    if campaign_ids is not None:
        campaigns = campaigns.filter(pk__in=list(campaign_ids))
    campaigns = list(campaigns)
    links: dict[int, set[int]] = {}
    for cid, lid in (
        ProductAd.objects.for_org(org)
        .filter(ad_group__campaign__in=campaigns, listing__isnull=False)
        .values_list("ad_group__campaign_id", "listing_id")
    ):
        links.setdefault(cid, set()).add(lid)
    listing_ids = {lid for ids in links.values() for lid in ids}
    per_listing = {
        listing.pk: listing_break_even_acos(org=org, listing=listing)
        for listing in Listing.objects.for_org(org)
        .filter(pk__in=listing_ids)
        .select_related("product", "store__marketplace")
    }
    out: dict[int, CampaignTarget] = {}
    for c in campaigns:
        rows = [per_listing[i] for i in sorted(links.get(c.pk, ())) if i in per_listing]
        known = [r.break_even_acos for r in rows if r.break_even_acos is not None]
        be = min(known) if known else None
        derived = None if be is None else max(be - conf.profit_goal_pct, Decimal(0)).quantize(CENT)
        if c.target_acos_override is not None:
            target, source = c.target_acos_override, "override"
        elif derived is not None and derived > 0:
            target, source = derived, "profit"
        else:
            target, source = conf.default_target_acos, "default"
        out[c.pk] = CampaignTarget(
            campaign_id=c.pk,
            target_acos=Decimal(target),
            source=source,
            derived_acos=derived,
            break_even_acos=be,
            profit_goal=conf.profit_goal_pct,
            override_acos=c.target_acos_override,
            override_by=c.override_by.get_username() if c.override_by else "",
            override_at=c.override_at,
            listings=rows,
        )
    return out


def campaign_target_override(
    *, org: Organization, actor, campaign_id: int, target_acos: Decimal | None
) -> Campaign:
    """Set (or clear, with None) a manager's target ACoS for a campaign."""
    campaign = Campaign.objects.for_org(org).filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound("No such campaign.")
    if target_acos is not None and not (Decimal("0.5") <= Decimal(target_acos) <= Decimal(200)):
        raise ValidationFailed(
            "The target ACoS must be between 0.5 and 200 %.", field="target_acos"
        )
    campaign.target_acos_override = target_acos
    campaign.override_by = actor if target_acos is not None and getattr(actor, "pk", None) else None
    campaign.override_at = timezone.now() if target_acos is not None else None
    campaign.save(
        update_fields=["target_acos_override", "override_by", "override_at", "updated_at"]
    )
    return campaign
