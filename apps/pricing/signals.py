"""Keep the competitor summary current for observations saved one by one through the ORM.

Bulk writers call `apps.pricing.competitors.refresh_competitor_latest` themselves (set-based);
this covers single saves (admin, shell, fixtures and tests). No post_delete receiver on purpose:
it would make Django load every observation of a deleted listing or organization one by one.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from .competitors import refresh_competitor_latest
from .models import CompetitorOffer


@receiver(post_save, sender=CompetitorOffer, dispatch_uid="pricing_competitor_latest")
def competitor_offer_saved(sender, instance: CompetitorOffer, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata: rebuild_competitor_summary afterwards
        return
    refresh_competitor_latest(
        org_id=instance.organization_id, pairs=[(instance.listing_id, instance.seller_id)]
    )
