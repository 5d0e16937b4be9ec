"""Logistics background work on the "default" queue: one plan per organization (never per SKU),
and the delay-message drafts for customer service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="apps.logistics.tasks.plan_task", ignore_result=True, acks_late=True,
             time_limit=60 * 20, soft_time_limit=60 * 18)  # fmt: skip
def plan_task(org_id: int, service_level: float = 0.95) -> int | None:
    """Compute the replenishment plan of one organization; quietly nothing if it is gone."""
    from apps.accounts.models import Organization

    from .planner import plan

    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return None
    return plan(org=org, service_level=service_level).pk


@shared_task(name="apps.logistics.tasks.delay_message_drafts_task", ignore_result=True)
def delay_message_drafts_task(org_id: int) -> int:
    """Draft proactive messages for the organization's parcels at risk (never sent)."""
    from apps.accounts.models import Organization

    from .services import delay_message_drafts_create

    org = Organization.objects.filter(pk=org_id).first()
    return 0 if org is None else delay_message_drafts_create(org=org)
