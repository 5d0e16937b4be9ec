"""Start a listings export and download its file (only from the organization that made it)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.catalog.exports.listings import EXPORT_KIND, export_path, listings_export_start
from apps.catalog.exports.marketplace import MARKETPLACE_EXPORT_KIND, export_file
from apps.core.errors import NotFound
from apps.core.models import Job
from apps.core.selectors import job_get


@login_required
@require_POST
def listings_export(request):
    if request.org is None:
        raise Http404
    listings_export_start(org=request.org, actor=request.user)
    messages.success(request, _("The export has started; follow its progress under Jobs."))
    return redirect("dashboard:overview")


@login_required
def export_download(request, job_id: int):
    try:
        job = job_get(org=request.org, job_id=job_id)
    except NotFound as exc:
        raise Http404 from exc
    if job.kind == MARKETPLACE_EXPORT_KIND:
        path = export_file(job)
        filename = f"{job.result.get('format', 'export')}-{request.org.slug}-{job.pk}{path.suffix}"
    elif job.kind == EXPORT_KIND:
        path = export_path(job)
        filename = f"listings-{request.org.slug}-{job.pk}.csv"
    else:
        raise Http404
    if job.status != Job.Status.SUCCEEDED or not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename)


@login_required
@require_POST
def marketplace_export(request):
    """Start a marketplace file of one store's listings (format and store from the form)."""
    from apps.catalog.exports.marketplace import marketplace_export_start
    from apps.core.dashboard import can_write
    from apps.core.errors import DomainError

    if request.org is None:
        raise Http404
    if not can_write(request):
        raise PermissionDenied
    try:
        job = marketplace_export_start(
            org=request.org,
            actor=request.user,
            store_id=int(request.POST.get("store") or 0),
            fmt=request.POST.get("format", ""),  # none: the store's marketplace's format
            operation=request.POST.get("operation") or "UPDATE",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("catalog:listings")
    messages.success(
        request,
        _("The export has started; listings that break a rule are left out and listed."),
    )
    return redirect("exports:job", job_id=job.pk)


def _marketplace_job(request, job_id: int) -> Job:
    from apps.catalog.exports.marketplace import MARKETPLACE_EXPORT_KIND

    try:
        job = job_get(org=request.org, job_id=job_id)
    except NotFound as exc:
        raise Http404 from exc
    if job.kind != MARKETPLACE_EXPORT_KIND:
        raise Http404
    return job


@login_required
def export_excluded(request, job_id: int):
    from apps.catalog.exports.marketplace import report_file

    if request.org is None:
        raise Http404
    job = _marketplace_job(request, job_id)
    path = report_file(job)
    if job.status != Job.Status.SUCCEEDED or not path.exists():
        raise Http404
    filename = f"excluded-{request.org.slug}-{job.pk}.csv"
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename)
