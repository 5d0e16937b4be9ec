"""Marketplace files of a store's listings, as a Job: Amazon JSON_LISTINGS_FEED, Shopify
product CSV, eBay File Exchange CSV.

Every listing is checked against its marketplace's rules (the same checks that block approving
a draft) before it is written. A listing with an error is left out of the file and reported with
its reasons, in the job's result and in a companion CSV, so a file never goes out half-silently
with copy the marketplace would refuse. Read in chunks by id (keyset), like the CSV export.

An Amazon feed is split into documents of at most 10,000 messages (Amazon's limit per feed
document); more than one document downloads as a zip of `feed-001.json`, `feed-002.json`, ….
Listings whose category maps to no Amazon product type go out as `PRODUCT` and are flagged in
the job's result.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from apps.catalog.exports.product_types import amazon_product_type
from apps.catalog.models import Listing, Store
from apps.catalog.rules.checks import protected_terms_of, validate_listing
from apps.core import services as jobs
from apps.core.csv_safe import safe_writer
from apps.core.errors import ValidationFailed
from apps.core.models import Job
from apps.core.money import quantize
from apps.integrations.amazon_listings_feed.writer import OPERATIONS, AmazonListingsFeedWriter
from apps.integrations.ebay_file_exchange.writer import EbayFileExchangeWriter
from apps.integrations.export_row import ExportRow
from apps.integrations.shopify_csv.writer import ShopifyCsvWriter

if TYPE_CHECKING:
    from apps.accounts.models import Organization

MARKETPLACE_EXPORT_KIND = "catalog.marketplace_export"
CHUNK_SIZE = 1000
EXCLUDED_IN_RESULT = 200  # the job row keeps the first ones; the report file keeps them all
FLAGGED_IN_RESULT = 200  # likewise for listings sent with the fallback product type
# What an Amazon feed sends (the writer's operations), in words for the export form.
AMAZON_OPERATIONS = {
    "UPDATE": _("Full listing (UPDATE): copy, price and quantity"),
    "PATCH": _("Changed fields (PATCH): copy, price and quantity"),
    "OFFER_ONLY": _("Price and quantity only (PATCH of the offer)"),
}

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


def _export_dir(job: Job) -> Path:
    return Path(settings.MEDIA_ROOT) / "exports" / str(job.organization_id)


def export_file(job: Job) -> Path:
    """The file to download: a zip when an Amazon feed needed more than one document."""
    if job.result.get("documents", 1) > 1:
        return _export_dir(job) / f"{job.pk}.zip"
    fmt = FORMATS[job.result.get("format") or "amazon_json"]
    return _export_dir(job) / f"{job.pk}.{fmt['writer'].extension}"


def export_content_type(job: Job) -> str:
    if job.result.get("documents", 1) > 1:
        return "application/zip"
    return FORMATS[job.result.get("format") or "amazon_json"]["writer"].content_type


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

    store = Store.objects.for_org(org).select_related("marketplace").filter(pk=store_id).first()
    if store is None:
        raise ValidationFailed(str(_("Choose one of your stores.")), field="store")
    fmt = fmt or format_for_channel(store.marketplace.channel) or ""  # "": the store's format
    if fmt not in FORMATS:
        raise ValidationFailed(str(_("Unknown export format.")), field="format")
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
    if operation not in OPERATIONS:
        raise ValidationFailed(
            str(_("The operation is one of %(ops)s.")) % {"ops": ", ".join(OPERATIONS)},
            field="operation",
        )
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
        product_type=amazon_product_type(category=product.category, attributes=product.attributes),
    )


def _content(listing: Listing) -> dict:
    return {
        "title": listing.title,
        "bullets": list(listing.bullets or []),
        "description": listing.description,
        "search_terms": listing.search_terms,
    }


def _writer(fmt: str, target, store: Store, operation: str):
    marketplace = store.marketplace
    if fmt == "amazon_json":
        return AmazonListingsFeedWriter(
            target,
            seller_id=store.seller_id,
            marketplace_code=marketplace.code,
            language=marketplace.language,
            operation=operation,
        )
    if fmt == "ebay_csv":
        return EbayFileExchangeWriter(
            target, marketplace_code=marketplace.code, currency=marketplace.currency
        )
    return ShopifyCsvWriter(target)


def _reasons_zh(errors: list) -> list[str]:
    """The same reasons in Chinese (each rule carries its own zh message): the job page shows
    the reader's language, whichever language the worker ran in."""
    with translation.override("zh-hans"):
        return [getattr(c, "message_zh", "") or str(c.message) if c else
                str(_("The listing has no price.")) for c in errors]  # fmt: skip


class _FeedDocuments:
    """Opens `<job>-001.json`, `<job>-002.json`, … for the Amazon writer, closes them, and
    leaves one file to download: the single document, or a zip of them all."""

    def __init__(self, job: Job):
        self.job, self.paths, self._fh = job, [], None

    def __call__(self, n: int):
        self.close()
        path = _export_dir(self.job) / f"{self.job.pk}-{n:03d}.json"
        self.paths.append(path)
        self._fh = path.open("w", encoding="utf-8")
        return self._fh

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def finish(self, target: Path) -> None:
        self.close()
        if len(self.paths) == 1:
            self.paths[0].replace(target)
            return
        if len(self.paths) > 1:
            with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                for n, path in enumerate(self.paths, start=1):
                    zf.write(path, arcname=f"feed-{n:03d}.json")
                    path.unlink()


def split_checked(listings) -> tuple[list[tuple[Listing, ExportRow]], list[dict]]:
    """The listings that pass every error-level rule (with their rows), and the others with
    their reasons. The same rules as a listing_content draft (`validate_listing`), with the
    organization's protected names read once per chunk rather than once per listing."""
    good, excluded = [], []
    protected = protected_terms_of(listings[0].organization_id) if listings else None
    for listing in listings:
        checks = validate_listing(marketplace=listing.store.marketplace, payload=_content(listing),
                                  language=listing.language, protected=protected)  # fmt: skip
        errors = [c for c in checks if c.severity == "error"]
        if listing.price is None:
            errors.append(None)
        if errors:
            reasons = [str(c.message) if c else str(_("The listing has no price.")) for c in errors]
            excluded.append({"sku": listing.product.sku, "id": listing.pk, "reasons": reasons,
                             "reasons_zh": _reasons_zh(errors)})  # fmt: skip
        else:
            good.append((listing, _row(listing)))
    return good, excluded


def _flagged(listing: Listing, row: ExportRow) -> dict | None:
    """A listing sent with Amazon's generic product type: what the report shows of it."""
    if row.product_type:
        return None
    return {"sku": row.sku, "id": listing.pk, "category": row.category}


def _write_report(path: Path, excluded: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        out = safe_writer(fh)
        out.writerow(["sku", "listing_id", "reasons"])
        out.writerows([e["sku"], e["id"], " | ".join(e["reasons"])] for e in excluded)


def marketplace_export_run(*, org: Organization, job: Job) -> Path:
    fmt, operation = job.result["format"], job.result.get("operation", "UPDATE")
    store = Store.objects.for_org(org).select_related("marketplace").get(pk=job.result["store_id"])
    _export_dir(job).mkdir(parents=True, exist_ok=True)
    jobs.job_start(job_id=job.pk)
    written, excluded_all, flagged, last_id = 0, [], [], 0
    amazon = fmt == "amazon_json"
    documents = _FeedDocuments(job) if amazon else None
    single = export_file(job)
    fh = None if amazon else single.open("w", newline="", encoding="utf-8-sig")
    try:
        writer = _writer(fmt, documents if amazon else fh, store, operation)
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
            writer.write(row for _listing, row in good)
            if amazon:
                flagged.extend(f for listing, row in good if (f := _flagged(listing, row)))
            written += len(good)
            excluded_all.extend(excluded)
            last_id = chunk[-1].pk
            jobs.job_advance(job_id=job.pk, done=len(good), failed=len(excluded))
        writer.close()
    finally:
        if fh is not None:
            fh.close()
        if documents is not None:
            documents.close()
    result = {**job.result, "rows": written}
    if amazon:
        result["documents"] = len(documents.paths)
        result["messages"] = writer.count
        documents.finish(export_file(Job(pk=job.pk, organization_id=job.organization_id,
                                          result=result)))  # fmt: skip
        result["fallback_count"] = len(flagged)
        result["fallback"] = flagged[:FLAGGED_IN_RESULT]
        result["fallback_categories"] = sorted({f["category"] or "—" for f in flagged})
    _write_report(report_file(job), excluded_all)
    has_file = not amazon or result["documents"] > 0
    jobs.job_finish(
        job_id=job.pk,
        result={
            **result,
            "excluded_count": len(excluded_all),
            "excluded": excluded_all[:EXCLUDED_IN_RESULT],
            "download_url": f"/exports/{job.pk}/download/" if has_file else "",
            "report_url": f"/exports/{job.pk}/excluded/",
        },
    )
    return export_file(Job(pk=job.pk, organization_id=job.organization_id, result=result))
