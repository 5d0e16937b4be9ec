"""Overview page, the live jobs widget and /healthz."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from apps.catalog.selectors import catalog_counts
from apps.orders.selectors import orders_per_day, revenue_by_currency, revenue_by_store

from .health import health_report
from .selectors import job_get, job_list_recent


@never_cache
@require_GET
def healthz(request):
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


@login_required
def overview(request):
    org = request.org
    if org is None:
        return render(request, "core/no_organization.html", status=403)
    per_day = orders_per_day(org=org, days=30)
    peak = max((d["orders"] for d in per_day), default=0) or 1
    context = {
        "counts": catalog_counts(org=org),
        "revenue": revenue_by_currency(org=org, days=30),
        "per_day": [{**d, "height": round(100 * d["orders"] / peak)} for d in per_day],
        "by_store": revenue_by_store(org=org, days=30),
    }
    context.update(_jobs_context(org))
    return render(request, "core/overview.html", context)


@login_required
@require_POST
def job_cancel_view(request, job_id: int):
    """Cancel a running job (its starter, or a manager); answers the refreshed widget."""
    from apps.accounts.models import Role

    from .errors import NotFound
    from .services import CANCELLABLE_KINDS, job_cancel

    if request.org is None:
        raise Http404
    try:
        job = job_get(org=request.org, job_id=job_id)
    except NotFound as exc:
        raise Http404 from exc
    if job.created_by_id != request.user.pk and not request.membership.can(Role.MANAGER):
        raise PermissionDenied
    job_cancel(org=request.org, job_id=job.pk, kinds=tuple(CANCELLABLE_KINDS))
    return render(request, "core/overview.html#jobs", _jobs_context(request.org))


@login_required
def jobs_widget(request):
    """The htmx-polled fragment: re-rendered every two seconds while a job is active."""
    return render(request, "core/overview.html#jobs", _jobs_context(request.org))


def _jobs_context(org) -> dict:
    jobs = list(job_list_recent(org=org)) if org is not None else []
    from .services import CANCELLABLE_KINDS

    for job in jobs:
        job.cancellable = job.is_active and job.kind in CANCELLABLE_KINDS
    return {"jobs": jobs, "jobs_active": any(job.is_active for job in jobs)}
