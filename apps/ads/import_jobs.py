"""Search-term report uploads as Celery jobs (queue "default").

The page and the API call `search_terms_import_start`: the upload is saved under MEDIA_ROOT
(`ads-uploads/<org>/`), a Job (`ads_search_terms_import`) is created and
`search_terms_import_task` is enqueued once the request's transaction commits. The task runs
the ordinary import (`apps.ads.imports.search_terms_import`, the shared pipeline with its
ImportRun and line-numbered errors), advances the Job by the rows of each chunk, stores the
result (counts and the first line errors) on the Job, and removes the saved file. A file that
is not a search-term report fails the Job with the reason. When an AI endpoint is configured,
the new terms' translations are queued after a successful import.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction

from apps.core import services as jobs
from apps.core.models import Job

from .imports import store_for

if TYPE_CHECKING:
    from apps.accounts.models import Organization

log = logging.getLogger(__name__)
JOB_KIND = "ads_search_terms_import"
BYTES_PER_ROW = 40  # an XLSX's compressed bytes per row, for the progress estimate
ERRORS_KEPT = 200  # line errors kept on the Job (all of them are on the ImportRun)
UPLOAD_TTL = timedelta(hours=24)  # a saved upload no job has taken by then is deleted


def upload_dir(org_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "ads-uploads" / str(int(org_id))


def _safe_name(filename: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(filename or "report").name)[-80:]
    return stem.lstrip(".") or "report"


def _save(org_id: int, upload) -> Path:
    folder = upload_dir(org_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}-{_safe_name(getattr(upload, 'name', ''))}"
    with path.open("wb") as out:
        if hasattr(upload, "chunks"):
            for piece in upload.chunks():
                out.write(piece)
        elif isinstance(upload, bytes | bytearray):
            out.write(upload)
        else:
            upload.seek(0)
            while piece := upload.read(1 << 20):
                out.write(piece)
    return path


@transaction.atomic
def search_terms_import_start(
    *, org: Organization, actor, store_id: int, upload, filename: str = ""
) -> Job:
    """Save the upload and queue its import into the store (NotFound for another
    organization's store, before anything is saved)."""
    from .tasks import search_terms_import_task

    store = store_for(org=org, store_id=store_id)
    name = (filename or getattr(upload, "name", "") or "report")[:200]
    path = _save(org.pk, upload)
    job = jobs.job_create(org=org, kind=JOB_KIND, label=name, actor=actor)
    job.result = {"store": store.pk, "store_name": store.name, "filename": name}
    job.save(update_fields=["result"])
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    args = (org.pk, job.pk, str(path), store.pk, name, actor_id)
    transaction.on_commit(lambda: search_terms_import_task.apply_async(args, queue="default"))
    return job


def _unlink_upload(org_id: int, path: Path) -> None:
    """Remove a saved upload, only ever inside the organization's own upload folder."""
    if path.resolve().parent == upload_dir(org_id).resolve():
        path.unlink(missing_ok=True)


def search_term_uploads_purge(*, older_than: timedelta = UPLOAD_TTL) -> int:
    """Delete saved uploads older than `older_than` (beat, daily): a job that has not taken
    its file by then never will (jobs without a heartbeat fail after 30 minutes, and an import
    of a million rows takes under a minute), and a worker lost mid-import leaves its file.
    Returns how many files went."""
    root = Path(settings.MEDIA_ROOT) / "ads-uploads"
    if not root.is_dir():
        return 0
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    for path in root.glob("*/*"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # taken by its import meanwhile
            continue
    return removed


def _json_result(result, job_result: dict) -> dict[str, Any]:
    out = result.as_dict()
    out["errors"] = out["errors"][:ERRORS_KEPT]
    out["errors_total"] = len(result.errors)
    for key in ("first_day", "last_day"):
        out[key] = out[key].isoformat() if out[key] else None
    return {**job_result, **out}


def _rows_expected(source: Path) -> int:
    """The job's total: a CSV's lines counted (streaming, ~0.1 s per 100 MB), an XLSX's rows
    estimated from its size (the job ends succeeded whatever the estimate)."""
    if source.suffix.lower() in (".csv", ".txt", ".tsv"):
        lines = 0
        with source.open("rb") as fh:
            while piece := fh.read(1 << 22):
                lines += piece.count(b"\n")
        return max(1, lines - 1)
    return max(1, source.stat().st_size // BYTES_PER_ROW)


def search_terms_import_run(
    *, org: Organization, job_id: int, path: str, store_id: int, filename: str, actor_id=None
) -> dict:
    """The job's work: import the saved file, report progress, record the result."""
    from django.contrib.auth import get_user_model

    from apps.integrations.tabular.errors import TabularFormatError

    from .imports import search_terms_import
    from .translation import terms_translate_schedule

    source = Path(path)
    job = Job.objects.for_org(org).filter(pk=job_id, kind=JOB_KIND).first()
    if job is None or not job.is_active:
        # Cancelled or failed (e.g. as stale) before the worker got to it: nobody will import
        # this file, so it goes now rather than staying under MEDIA_ROOT for good.
        _unlink_upload(org.pk, source)
        return {"skipped": "job not active"}
    if not source.is_file():
        jobs.job_fail(job_id=job_id, error="The uploaded file is no longer available.")
        return {"skipped": "file gone"}
    jobs.job_start(job_id=job_id, total=_rows_expected(source))
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        with source.open("rb") as fh:
            result = search_terms_import(
                org=org, store_id=store_id, data=fh, filename=filename, actor=actor,
                progress=lambda rows: jobs.job_advance(job_id=job_id, done=rows),
            )  # fmt: skip
    except TabularFormatError as exc:
        jobs.job_fail(job_id=job_id, error=str(exc))
        return {"failed": str(exc)}
    except Exception as exc:
        log.exception("search-term import job %s failed", job_id)
        jobs.job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        source.unlink(missing_ok=True)
    out = _json_result(result, job.result)
    jobs.job_finish(job_id=job_id, result=out)
    if result.imported:
        terms_translate_schedule(org=org)
    return out
