"""Job pages (one generic page per job, the organization's job list), the live jobs widget and
/healthz. The overview page is `analytics`'s (the read-only top layer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .dashboard import member_required, paginate, render_page
from .errors import NotFound
from .health import health_report
from .jobs import cancellable_kinds, job_kind_get, job_kind_is_cancellable, job_links
from .models import Job
from .selectors import job_get, job_list, job_list_recent
from .services import job_cancel

if TYPE_CHECKING:
    from apps.accounts.models import Organization


@never_cache
@require_GET
def healthz(request):
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


def _job_or_404(request, job_id: int) -> Job:
    try:
        return job_get(org=request.org, job_id=job_id)
    except NotFound as exc:
        raise Http404 from exc


def _may_cancel(request, job: Job) -> bool:
    from apps.accounts.models import Role

    return job.created_by_id == request.user.pk or request.membership.can(Role.MANAGER)


@member_required
def job_detail(request, job_id: int):
    """The one page of a job, whatever its kind: label, kind in words, progress, the kind's
    result summary and links, and a cancel button for kinds that honour it. Polls itself
    (the `status` fragment) while the job is active. Apps route their job URLs here."""
    job = _job_or_404(request, job_id)
    # Polls its own URL: an app's job URL keeps its query (the queue filter to go back to).
    context = _job_context(request, job, poll_url=request.get_full_path())
    return render_page(request, "core/job.html", "status", context)


def _job_context(request, job: Job, poll_url: str = "") -> dict[str, Any]:
    cancellable = job.is_active and job_kind_is_cancellable(job.kind)
    return {
        "job": job,
        "poll_url": poll_url or reverse("dashboard:job", args=[job.pk]),
        "job_kind": job_kind_get(job.kind),
        "links": job_links(job, request),
        "can_cancel": cancellable and _may_cancel(request, job),
    }


@member_required
def jobs_page(request):
    """The organization's jobs, most recent first, filterable by status."""
    status = request.GET.get("status", "")
    if status not in Job.Status.values:
        status = ""
    page = paginate(request, job_list(org=request.org, status=status or None))
    for job in page:
        job.kind_label = job_kind_get(job.kind).label
    context = {"page": page, "status": status, "statuses": Job.Status.choices}
    return render_page(request, "core/jobs.html", "table", context)


@login_required
@require_POST
def job_cancel_view(request, job_id: int):
    """Cancel a running job (its starter, or a manager). Answers the refreshed fragment of the
    page that asked: the job page's status, else the jobs widget."""
    if request.org is None:
        raise Http404
    job = _job_or_404(request, job_id)
    if not _may_cancel(request, job):
        raise PermissionDenied
    try:
        job = job_cancel(org=request.org, job_id=job.pk, kinds=cancellable_kinds())
    except NotFound as exc:  # a kind whose tasks do not check for cancellation
        raise Http404 from exc
    if request.headers.get("HX-Target") == "job-status":
        return render(request, "core/job.html#status", _job_context(request, job))
    return render(request, "core/jobs_widget.html#jobs", jobs_context(request.org))


@login_required
def jobs_widget(request):
    """The htmx-polled fragment: re-rendered every two seconds while a job is active."""
    return render(request, "core/jobs_widget.html#jobs", jobs_context(request.org))


def jobs_context(org: Organization | None) -> dict[str, Any]:
    """Context of the jobs widget (the overview page includes it)."""
    jobs = list(job_list_recent(org=org)) if org is not None else []
    for job in jobs:
        job.cancellable = job.is_active and job_kind_is_cancellable(job.kind)  # type: ignore[attr-defined]
    return {"jobs": jobs, "jobs_active": any(job.is_active for job in jobs)}
