"""Listing export as a Job: a CSV the seller's ERP or Excel opens as-is.

Why a job: a catalogue seller has 10^5–10^6 listings; the export runs on a worker in chunks
(keyset pagination by id, so each chunk is an index range scan) and reports progress to the
dashboard's jobs widget. UTF-8 with a BOM, so Excel shows Chinese and German text correctly.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction

from apps.catalog.models import Listing
from apps.core import services as jobs
from apps.core.csv_safe import safe_writer
from apps.core.models import Job

if TYPE_CHECKING:
    from apps.accounts.models import Organization

EXPORT_KIND = "catalog.listings_export"
CHUNK_SIZE = 2000
COLUMNS = [
    "sku",
    "store",
    "marketplace",
    "external_id",
    "status",
    "language",
    "title",
    "bullets",
    "description",
    "search_terms",
    "price",
    "currency",
    "stock",
    "version",
]


def export_path(job: Job) -> Path:
    return Path(settings.MEDIA_ROOT) / "exports" / str(job.organization_id) / f"{job.pk}.csv"


@transaction.atomic
def listings_export_start(*, org: Organization, actor=None) -> Job:
    """Create the job and queue the worker once the job row is committed."""
    from apps.catalog.tasks import listings_export_task

    total = Listing.objects.for_org(org).count()
    job = jobs.job_create(
        org=org, kind=EXPORT_KIND, label="Listings export (CSV)", total=total, actor=actor
    )
    transaction.on_commit(lambda: listings_export_task.delay(org.id, job.id))
    return job


# Read as tuples: no model instances on a hot path of 10^5–10^6 rows.
_FIELDS = (
    "id",
    "product__sku",
    "store__name",
    "store__marketplace__code",
    "external_id",
    "status",
    "language",
    "title",
    "bullets",
    "description",
    "search_terms",
    "price",
    "currency",
    "stock",
    "version",
)


def _rows(org, after_id: int) -> list[tuple]:
    return list(
        Listing.objects.for_org(org)
        .filter(id__gt=after_id)
        .order_by("id")
        .values_list(*_FIELDS)[:CHUNK_SIZE]
    )


def _as_csv_row(row: tuple) -> list:
    values = list(row[1:])
    values[7] = " | ".join(values[7] or [])  # bullets
    values[10] = "" if values[10] is None else f"{values[10]:f}"  # price as plain decimal
    return values


def listings_export_run(*, org: Organization, job: Job) -> Path:
    """Write the CSV chunk by chunk, advancing the job after each chunk."""
    path = export_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    jobs.job_start(job_id=job.pk)
    written, last_id = 0, 0
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = safe_writer(fh)
        writer.writerow(COLUMNS)
        while (chunk := _rows(org, last_id)) and not jobs.job_is_cancelled(job.pk):
            writer.writerows(_as_csv_row(row) for row in chunk)
            last_id = chunk[-1][0]
            written += len(chunk)
            jobs.job_advance(job_id=job.pk, done=len(chunk))
    jobs.job_finish(
        job_id=job.pk,
        result={"rows": written, "download_url": f"/exports/{job.pk}/download/"},
    )
    return path
