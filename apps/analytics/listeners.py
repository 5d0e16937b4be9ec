"""What analytics hears from the modules below it (they never import analytics).

A past day's ad spend re-imported (apps.ads.signals.ad_spend_changed) is invisible to the
refresh's watermark and snapshots: the listener marks those days dirty in the announcing
transaction (`ProfitDirty`) and queues the organization's refresh once it commits, which
rebuilds exactly those days (changes.py). Connected in AnalyticsConfig.ready().
"""

from __future__ import annotations

from django.db import transaction

from .models import ProfitDirty


def ad_spend_changed(sender, *, org_id, store_id, first_day=None, last_day=None, **kwargs):
    if (first_day is None) != (last_day is None):
        first_day = last_day = None  # half a range: every day
    ProfitDirty.objects.create(
        organization_id=org_id,
        source="ad_spend",
        store_id=store_id,
        first_day=first_day,
        last_day=last_day,
    )
    _refresh_on_commit(org_id)


def _refresh_on_commit(org_id: int) -> None:
    from .tasks import profit_refresh_task

    transaction.on_commit(lambda: profit_refresh_task.delay(org_id))


def connect() -> None:
    try:
        from apps.ads.signals import ad_spend_changed as signal
    except ImportError:  # no ads module: its spend is reported missing (inputs.py)
        return
    signal.connect(ad_spend_changed, dispatch_uid="analytics.ad_spend_changed")
