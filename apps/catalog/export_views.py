"""Start a listings export and download its file (only from the organization that made it)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.errors import NotFound
from apps.core.models import Job
from apps.core.selectors import job_get

from .exports import EXPORT_KIND, export_path, listings_export_start


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
    path = export_path(job)
    if job.kind != EXPORT_KIND or job.status != Job.Status.SUCCEEDED or not path.exists():
        raise Http404
    filename = f"listings-{request.org.slug}-{job.pk}.csv"
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename)
