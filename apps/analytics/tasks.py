"""Profit read-model refreshes on queue "default", one task per organization.

Beat runs `profit_refresh_due_task` every 5 minutes: each organization's refresh re-reads only
the days whose inputs changed since its last run (cheap when nothing did; changes.py: orders,
lines and traffic by watermark and per-day counts, rates and cost configuration against their
snapshots, ad spend of past days by the marks the ads module's signal leaves, listeners.py).
Once a night it rebuilds in full, as a safety net. The business-report import and an ad-spend
change enqueue a refresh on commit.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import connection

log = logging.getLogger(__name__)
LOCK = 0x414E  # advisory lock namespace "AN"


@shared_task(name="apps.analytics.tasks.profit_refresh_due_task", ignore_result=True)
def profit_refresh_due_task(full: bool = False) -> int:
    from apps.accounts.models import Organization

    ids = list(Organization.objects.values_list("id", flat=True))
    for org_id in ids:
        profit_refresh_task.delay(org_id, full)
    return len(ids)


@shared_task(
    name="apps.analytics.tasks.profit_refresh_task",
    ignore_result=True,
    acks_late=True,
    time_limit=60 * 30,
    soft_time_limit=60 * 28,
)
def profit_refresh_task(org_id: int, full: bool = False) -> dict:
    """Refresh one organization's profit facts; a refresh already running makes this one
    return at once (the running one or the next tick picks the changes up)."""
    from apps.accounts.models import Organization

    from .refresh import profit_refresh

    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return {"skipped": "gone"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK, org_id])
        if not cursor.fetchone()[0]:
            return {"skipped": "already running"}
    try:
        result = profit_refresh(org=org, full=full)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK, org_id])
    log.info(
        "profit refresh org=%s full=%s days=%s rows=%s in %.2fs",
        org_id,
        result.full,
        result.days,
        result.rows,
        result.seconds,
    )
    return {"full": result.full, "days": result.days, "rows": result.rows}
