"""Import customer reviews for products from an uploaded file (CSV, TSV, XLSX).

Rows go to the product given, or, when the file has a SKU column, to the organization's
product with that SKU (an unknown SKU is an error on that line). The same review imported
twice is stored once (fingerprint), and the same file imported twice for the same product is
recognised by its sha256 (an ImportRun) and not applied again. Afterwards the products'
review mining is refreshed. Parsing is the integrations pipeline's (`reviews` format).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction

from apps.catalog.buyer_reviews.mining import guess_language, review_insight_refresh
from apps.catalog.buyer_reviews.models import ProductReview
from apps.catalog.models import Product
from apps.core.errors import ValidationFailed
from apps.integrations.reviews.parser import (
    KIND,
    LineError,
    ReviewFormatError,
    check_reviews,
    open_reviews,
    reviews,
)
from apps.integrations.services import ChunkOutcome, file_import
from apps.integrations.tabular.pipeline import TypedChunk

if TYPE_CHECKING:
    from apps.accounts.models import Organization

MAX_BYTES = 20 * 1024 * 1024


@dataclass
class ReviewImportResult:
    created: int = 0
    duplicates: int = 0
    errors: list[LineError] = field(default_factory=list)
    product_ids: list[int] = field(default_factory=list)
    import_run_id: int | None = None
    duplicate_of: int | None = None  # the earlier run of the same file: nothing was applied
    message: str = ""

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "duplicates": self.duplicates,
            "errors": [{"line": e.line, "reason": e.reason} for e in self.errors],
            "product_ids": self.product_ids,
            "import_run": self.import_run_id,
            "duplicate_of": self.duplicate_of,
        }


@transaction.atomic
def product_reviews_import(
    *,
    org: Organization,
    actor=None,
    data: bytes | Any,
    filename: str = "",
    product: Product | None = None,
) -> ReviewImportResult:
    size = len(data) if isinstance(data, bytes | bytearray) else getattr(data, "size", 0)
    if size > MAX_BYTES:
        raise ValidationFailed("The file is larger than 20 MB.", field="file")
    if product is not None and product.organization_id != org.id:
        raise ValidationFailed("The product does not exist.", field="product")
    result = ReviewImportResult()
    product_ids: set[int] = set()

    def apply_chunk(chunk: TypedChunk) -> ChunkOutcome:
        check_reviews(chunk)
        created, duplicates, errors, ids = _store(org, chunk, product, filename)
        result.created += created
        result.duplicates += duplicates
        product_ids.update(ids)
        return ChunkOutcome(created=created, unchanged=duplicates, errors=errors)

    try:
        outcome = file_import(
            org=org, kind=KIND, target=f"product:{product.pk}" if product else "", source=data,
            filename=filename, open_reader=open_reviews, apply_chunk=apply_chunk, actor=actor,
        )  # fmt: skip
    except ReviewFormatError as exc:
        raise ValidationFailed(str(exc), field="file", code="bad_review_file") from exc
    result.import_run_id = outcome.run.pk
    if outcome.is_duplicate:
        first = outcome.duplicate_of
        result.duplicate_of, result.message = first.pk, outcome.duplicate_message()
        result.duplicates = first.rows_ok
        return result
    result.errors = outcome.errors
    result.product_ids = sorted(product_ids)
    if result.product_ids:
        review_insight_refresh(org=org, product_ids=result.product_ids)
    return result


def _store(
    org, chunk: TypedChunk, product: Product | None, filename: str
) -> tuple[int, int, list[LineError], set[int]]:
    """One chunk's reviews stored set-based: (created, duplicates, line errors, products)."""
    parsed = reviews(chunk.good())
    errors: list[LineError] = []
    skus = {r.sku for r in parsed if r.sku}
    by_sku = {p.sku: p.pk for p in Product.objects.for_org(org).filter(sku__in=skus)}
    rows = []
    for review in parsed:
        product_id = by_sku.get(review.sku) if review.sku else None
        if review.sku and product_id is None:
            errors.append(LineError(review.line, f"no product with SKU {review.sku!r}"))
            continue
        product_id = product_id or (product.pk if product else None)
        if product_id is None:
            errors.append(LineError(review.line, "no SKU on the line and no product chosen"))
            continue
        rows.append(ProductReview(
            organization=org, product_id=product_id, rating=review.rating, title=review.title,
            text=review.text, date=review.date, source=filename[:100],
            language=review.language or guess_language(f"{review.title} {review.text}"),
            fingerprint=review.fingerprint,
        ))  # fmt: skip
    unique = {(r.product_id, r.fingerprint): r for r in rows}
    existing = set(
        ProductReview.objects.for_org(org)
        .filter(product_id__in={r.product_id for r in rows},
                fingerprint__in={r.fingerprint for r in rows})
        .values_list("product_id", "fingerprint")
    )  # fmt: skip
    new = [r for key, r in unique.items() if key not in existing]
    ProductReview.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    return len(new), len(rows) - len(new), errors, {r.product_id for r in rows}
