"""ImportRun writes, and `file_import`: the one loop every file importer runs.

    outcome = file_import(org=org, kind="competitor_offers", source=upload, filename=name,
                          open_reader=open_offers, apply_chunk=write_offers, actor=user)

The domain app supplies how to open its reader (schema, whole-file checks) and what to do
with each chunk of typed rows (its rules, then its set-based writes, returning counts and
any further line errors, e.g. unknown listings). This module records the run: the file's
sha256 (the same bytes imported again for the same kind are recognised and not applied
twice), counts, every refused line, and progress on a core Job for big files.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.services import job_advance, job_create, job_fail, job_finish, job_start

from .models import ImportLineError, ImportRun
from .tabular.errors import LineError, TabularFormatError
from .tabular.pipeline import TabularReader, TypedChunk
from .tabular.readers import Source
from .webhooks import (  # noqa: F401 - the webhook services other apps call
    webhook_event_emit,
    webhook_redeliver,
    webhook_secret_rotate,
    webhook_subscription_create,
    webhook_subscription_delete,
    webhook_subscription_update,
)

if TYPE_CHECKING:
    from apps.accounts.models import Organization

JOB_MIN_BYTES = 5 * 1024 * 1024  # files this big report progress on a Job
ERROR_BATCH = 5_000


@dataclass
class ChunkOutcome:
    """What a domain's chunk handler did: rows written and lines it refused itself."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)


@dataclass
class FileImportOutcome:
    run: ImportRun
    duplicate_of: ImportRun | None = None
    errors: list[LineError] = field(default_factory=list)  # up to `keep_errors` of them
    extra: dict[str, Any] = field(default_factory=dict)  # totals the handler accumulates

    @property
    def is_duplicate(self) -> bool:
        return self.duplicate_of is not None

    def duplicate_message(self) -> str:
        first = self.duplicate_of
        if first is None:
            return ""
        return _(
            "This file was already imported (run #%(run)d, %(when)s): nothing was applied again."
        ) % {
            "run": first.pk,
            "when": timezone.localtime(first.created_at).strftime("%Y-%m-%d %H:%M"),
        }


def file_sha256(source: Source) -> tuple[str, int]:
    """The sha256 and size of a file, read in blocks (the upload may be a temp file)."""
    digest = hashlib.sha256()
    if isinstance(source, bytes | bytearray):
        digest.update(source)
        return digest.hexdigest(), len(source)
    handle: IO[bytes] = open(source, "rb") if isinstance(source, str | Path) else source  # noqa: SIM115
    size = 0
    try:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    finally:
        if isinstance(source, str | Path):
            handle.close()
        elif hasattr(handle, "seek"):
            handle.seek(0)
    return digest.hexdigest(), size


def import_run_begin(
    *,
    org: Organization,
    kind: str,
    filename: str,
    sha256: str,
    size: int,
    actor=None,
    target: str = "",
) -> tuple[ImportRun, ImportRun | None]:
    """A new running run, and the earlier run of the same bytes if there is one (then the
    new run is recorded as a duplicate and nothing is to be applied)."""
    fields = {
        "organization": org,
        "kind": kind,
        "target": target[:64],
        "filename": filename[:255],
        "sha256": sha256,
        "size": size,
        "created_by": actor if getattr(actor, "pk", None) else None,
    }
    try:
        with transaction.atomic():
            return ImportRun.objects.create(**fields), None
    except IntegrityError:
        first = (
            ImportRun.objects.for_org(org)
            .filter(kind=kind, target=target[:64], sha256=sha256, status__in=ImportRun.APPLIED)
            .first()
        )
        run = ImportRun.objects.create(
            **fields, status=ImportRun.Status.DUPLICATE, duplicate_of=first,
            finished_at=timezone.now(),
        )  # fmt: skip
        return run, first


def import_run_record(
    *, run: ImportRun, read: int, ok: int, errors: list[LineError], outcome: ChunkOutcome
) -> None:
    """Add one chunk's counts and refused lines to its run (and its Job, if any)."""
    ImportLineError.objects.bulk_create(
        [ImportLineError(run=run, line=e.line, reason=e.reason[:2000]) for e in errors],
        batch_size=ERROR_BATCH,
    )
    ImportRun.objects.for_org(run.organization).filter(pk=run.pk).update(
        rows_read=F("rows_read") + read, rows_ok=F("rows_ok") + ok,
        rows_failed=F("rows_failed") + len({e.line for e in errors}),
        created=F("created") + outcome.created, updated=F("updated") + outcome.updated,
    )  # fmt: skip
    if run.job_id:
        job_advance(job_id=run.job_id, done=ok, failed=read - ok)


def import_run_finish(*, run: ImportRun, reader: TabularReader | None, error: str = "") -> None:
    status = ImportRun.Status.FAILED if error else ImportRun.Status.SUCCEEDED
    changes: dict[str, Any] = {"status": status, "error": error[:4000],
                               "finished_at": timezone.now()}  # fmt: skip
    if reader is not None:
        changes |= {"format": reader.format, "encoding": reader.encoding}
    ImportRun.objects.for_org(run.organization).filter(pk=run.pk).update(**changes)
    run.refresh_from_db()
    if run.job_id:
        if error:
            job_fail(job_id=run.job_id, error=error)
        else:
            job_finish(
                job_id=run.job_id,
                result={
                    "import_run": run.pk,
                    "rows": run.rows_read,
                    "ok": run.rows_ok,
                    "failed": run.rows_failed,
                },
            )


def file_import(
    *,
    org: Organization,
    kind: str,
    source: Source,
    filename: str = "",
    open_reader: Callable[[Source, str], TabularReader],
    apply_chunk: Callable[[TypedChunk], ChunkOutcome],
    actor=None,
    target: str = "",
    keep_errors: int = 10_000,
) -> FileImportOutcome:
    """Read `source` chunk by chunk through the domain's reader and handler, recording an
    ImportRun. Raises TabularFormatError (after recording the failed run) when the file as a
    whole cannot be read; a line's error never stops the import."""
    sha256, size = file_sha256(source)
    run, first = import_run_begin(
        org=org,
        kind=kind,
        filename=filename,
        sha256=sha256,
        size=size,
        actor=actor,
        target=target,
    )
    if first is not None:
        return FileImportOutcome(run=run, duplicate_of=first)
    if size >= JOB_MIN_BYTES:
        job = job_create(org=org, kind=f"import.{kind}", label=filename[:200], actor=actor)
        job_start(job_id=job.pk, total=max(1, size // 100))  # ~100 bytes a line, refined below
        ImportRun.objects.for_org(org).filter(pk=run.pk).update(job=job)
        run.job = job
    outcome = FileImportOutcome(run=run)
    reader = None
    try:
        if isinstance(source, bytes | bytearray):
            source = io.BytesIO(source)
        reader = open_reader(source, filename)
        for chunk in reader:
            result = apply_chunk(chunk)
            errors = sorted([*chunk.errors(), *result.errors], key=lambda e: e.line)
            ok = len(chunk.rows) - len({e.line for e in errors})
            import_run_record(run=run, read=len(chunk.rows), ok=ok, errors=errors, outcome=result)
            room = keep_errors - len(outcome.errors)
            outcome.errors.extend(errors[: max(room, 0)])
            for key in ("created", "updated", "unchanged"):
                outcome.extra[key] = outcome.extra.get(key, 0) + getattr(result, key)
    except TabularFormatError as exc:
        import_run_finish(run=run, reader=reader, error=str(exc))
        raise
    import_run_finish(run=run, reader=reader)
    outcome.run = run
    return outcome
