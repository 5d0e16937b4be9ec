"""Marketplace files of a store's listings, as a Job: Amazon JSON_LISTINGS_FEED, Shopify
product CSV, eBay File Exchange CSV.

Every listing is checked against its marketplace's rules (the same checks that block approving
a draft) before it is written. A listing with an error is left out of the file and reported with
its reasons, in the job's result and in a companion CSV, so a file never goes out half-silently
with copy the marketplace would refuse. Read in chunks by id (keyset), like the CSV export.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from apps.catalog.listings.revisions import listing_checks
from apps.catalog.models import Listing, Store
from apps.core import services as jobs
from apps.core.errors import ValidationFailed
from apps.core.models import Job
from apps.core.money import quantize
from apps.integrations.amazon_listings_feed.writer import AmazonListingsFeedWriter
from apps.integrations.ebay_file_exchange.writer import EbayFileExchangeWriter
from apps.integrations.export_row import ExportRow
from apps.integrations.shopify_csv.writer import ShopifyCsvWriter

if TYPE_CHECKING:
    from apps.accounts.models import Organization

MARKETPLACE_EXPORT_KIND = "catalog.marketplace_export"
CHUNK_SIZE = 1000
EXCLUDED_IN_RESULT = 200  # the job row keeps the first ones; the report file keeps them all

FORMATS = {
    "amazon_json": {
        "label": _("Amazon JSON_LISTINGS_FEED"),
        "channel": "amazon",
        "writer": AmazonListingsFeedWriter,
    },
    "shopify_csv": {
        "label": _("Shopify product CSV"),
        "channel": "shopify",
        "writer": ShopifyCsvWriter,
    },
    "ebay_csv": {
        "label": _("eBay File Exchange CSV"),
        "channel": "ebay",
        "writer": EbayFileExchangeWriter,
    },
}


def format_for_channel(channel: str) -> str | None:
    return next((code for code, f in FORMATS.items() if f["channel"] == channel), None)


def export_file(job: Job) -> Path:
    fmt = FORMATS[job.result.get("format") or "amazon_json"]
    base = Path(settings.MEDIA_ROOT) / "exports" / str(job.organization_id)
    return base / f"{job.pk}.{fmt['writer'].extension}"


def report_file(job: Job) -> Path:
    return (
        Path(settings.MEDIA_ROOT) / "exports" / str(job.organization_id) / f"{job.pk}-excluded.csv"
    )


@transaction.atomic
def marketplace_export_start(
    *, org: Organization, actor=None, store_id: int, fmt: str, operation: str = "UPDATE"
) -> Job:
    """Check the request, create the job and queue the worker once the job row is committed."""
    from apps.catalog.tasks import marketplace_export_task

    if fmt not in FORMATS:
        raise ValidationFailed(str(_("Unknown export format.")), field="format")
    store = Store.objects.for_org(org).select_related("marketplace").filter(pk=store_id).first()
    if store is None:
        raise ValidationFailed(str(_("Choose one of your stores.")), field="store")
    if store.marketplace.channel != FORMATS[fmt]["channel"]:
        raise ValidationFailed(
            str(_("%(f)s files are for %(c)s stores; %(s)s is on %(m)s."))
            % {
                "f": FORMATS[fmt]["label"],
                "c": FORMATS[fmt]["channel"],
                "s": store.name,
                "m": store.marketplace.name,
            },
            field="format",
        )
    if operation not in ("UPDATE", "PATCH"):
        raise ValidationFailed("operationType is UPDATE or PATCH.", field="operation")
    total = Listing.objects.for_org(org).filter(store=store).count()
    label = f"{FORMATS[fmt]['label']} · {store.name}"
    job = jobs.job_create(
        org=org, kind=MARKETPLACE_EXPORT_KIND, label=label[:200], total=total, actor=actor
    )
    job.result = {"format": fmt, "store_id": store.pk, "operation": operation}
    job.save(update_fields=["result"])
    transaction.on_commit(lambda: marketplace_export_task.delay(org.id, job.id))
    return job


def _row(listing: Listing) -> ExportRow:
    product = listing.product
    return ExportRow(
        sku=product.sku,
        title=listing.title,
        bullets=list(listing.bullets or []),
        description=listing.description,
        search_terms=listing.search_terms,
        price=None if listing.price is None else quantize(listing.price, listing.currency),
        currency=listing.currency,
        stock=listing.stock,
        language=listing.language,
        brand=product.brand,
        category=product.category,
        external_id=listing.external_id,
        status=listing.status,
        weight_g=product.weight_g,
    )


def _content(listing: Listing) -> dict:
    return {
        "title": listing.title,
        "bullets": list(listing.bullets or []),
        "description": listing.description,
        "search_terms": listing.search_terms,
    }


def _writer(fmt: str, fh, store: Store, operation: str):
    marketplace = store.marketplace
    if fmt == "amazon_json":
        return AmazonListingsFeedWriter(
            fh,
            seller_id=store.seller_id,
            marketplace_code=marketplace.code,
            language=marketplace.language,
            operation=operation,
        )
    if fmt == "ebay_csv":
        return EbayFileExchangeWriter(
            fh, marketplace_code=marketplace.code, currency=marketplace.currency
        )
    return ShopifyCsvWriter(fh)


def _reasons_zh(errors: list) -> list[str]:
    """The same reasons in Chinese (each rule carries its own zh message): the job page shows
    the reader's language, whichever language the worker ran in."""
    with translation.override("zh-hans"):
        return [getattr(c, "message_zh", "") or str(c.message) if c else
                str(_("The listing has no price.")) for c in errors]  # fmt: skip


def split_checked(listings) -> tuple[list[ExportRow], list[dict]]:
    """The listings that pass every error-level rule, and the others with their reasons."""
    good, excluded = [], []
    for listing in listings:
        errors = [c for c in listing_checks(listing, _content(listing)) if c.severity == "error"]
        if listing.price is None:
            errors.append(None)
        if errors:
            reasons = [str(c.message) if c else str(_("The listing has no price.")) for c in errors]
            excluded.append({"sku": listing.product.sku, "id": listing.pk, "reasons": reasons,
                             "reasons_zh": _reasons_zh(errors)})  # fmt: skip
        else:
            good.append(_row(listing))
    return good, excluded


def marketplace_export_run(*, org: Organization, job: Job) -> Path:
    fmt, operation = job.result["format"], job.result.get("operation", "UPDATE")
    store = Store.objects.for_org(org).select_related("marketplace").get(pk=job.result["store_id"])
    path, report = export_file(job), report_file(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    jobs.job_start(job_id=job.pk)
    written, excluded_all, last_id = 0, [], 0
    encoding = "utf-8" if fmt == "amazon_json" else "utf-8-sig"
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = _writer(fmt, fh, store, operation)
        while not jobs.job_is_cancelled(job.pk):
            chunk = list(
                Listing.objects.for_org(org)
                .filter(store=store, id__gt=last_id)
                .select_related("product", "store__marketplace")
                .order_by("id")[:CHUNK_SIZE]
            )
            if not chunk:
                break
            good, excluded = split_checked(chunk)
            writer.write(good)
            written += len(good)
            excluded_all.extend(excluded)
            last_id = chunk[-1].pk
            jobs.job_advance(job_id=job.pk, done=len(good), failed=len(excluded))
        writer.close()
    with report.open("w", newline="", encoding="utf-8-sig") as fh:
        out = csv.writer(fh)
        out.writerow(["sku", "listing_id", "reasons"])
        out.writerows([e["sku"], e["id"], " | ".join(e["reasons"])] for e in excluded_all)
    jobs.job_finish(
        job_id=job.pk,
        result={
            **job.result,
            "rows": written,
            "excluded_count": len(excluded_all),
            "excluded": excluded_all[:EXCLUDED_IN_RESULT],
            "download_url": f"/exports/{job.pk}/download/",
            "report_url": f"/exports/{job.pk}/excluded/",
        },
    )
    return path
