from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from .errors import NotFound
from .models import Job

if TYPE_CHECKING:
    from apps.accounts.models import Organization


def job_list_recent(*, org: Organization, limit: int = 5) -> QuerySet[Job]:
    """Active jobs, plus those finished in the last ten minutes (so a user sees the outcome)."""
    recent = timezone.now() - timedelta(minutes=10)
    return (
        Job.objects.for_org(org)
        .filter(Q(status__in=Job.ACTIVE) | Q(finished_at__gte=recent))
        .order_by("-created_at")[:limit]
    )


def job_get(*, org: Organization, job_id: int) -> Job:
    try:
        return Job.objects.for_org(org).get(pk=job_id)
    except Job.DoesNotExist as exc:
        raise NotFound("No such job.") from exc


def job_list(*, org: Organization, status: str | None = None) -> QuerySet[Job]:
    """The organization's jobs, most recent first, optionally of one status."""
    qs = Job.objects.for_org(org).select_related("created_by").order_by("-created_at", "-pk")
    if status:
        qs = qs.filter(status=status)
    return qs
