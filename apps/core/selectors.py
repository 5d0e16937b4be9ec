from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from .errors import NotFound
from .models import Job


def job_list_recent(*, org, limit: int = 5) -> QuerySet[Job]:
    """Active jobs, plus those finished in the last ten minutes (so a user sees the outcome)."""
    recent = timezone.now() - timedelta(minutes=10)
    return (
        Job.objects.for_org(org)
        .filter(Q(status__in=Job.ACTIVE) | Q(finished_at__gte=recent))
        .order_by("-created_at")[:limit]
    )


def job_get(*, org, job_id: int) -> Job:
    try:
        return Job.objects.for_org(org).get(pk=job_id)
    except Job.DoesNotExist as exc:
        raise NotFound("No such job.") from exc
