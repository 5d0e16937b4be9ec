"""Import customer reviews for products from an uploaded file (CSV, TSV, XLSX).

Rows go to the product given, or, when the file has a SKU column, to the organization's
product with that SKU (an unknown SKU is an error on that line). The same review imported
twice is stored once (fingerprint). Afterwards the products' review mining is refreshed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from apps.core.errors import ValidationFailed
from apps.integrations.reviews.parser import LineError, ReviewFormatError, parse

from .models import Product
from .review_mining import guess_language, review_insight_refresh
from .review_models import ProductReview

MAX_BYTES = 20 * 1024 * 1024


@dataclass
class ReviewImportResult:
    created: int = 0
    duplicates: int = 0
    errors: list[LineError] = field(default_factory=list)
    product_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "duplicates": self.duplicates,
            "errors": [{"line": e.line, "reason": e.reason} for e in self.errors],
            "product_ids": self.product_ids,
        }


@transaction.atomic
def product_reviews_import(
    *, org, actor=None, data: bytes, filename: str = "", product: Product | None = None
) -> ReviewImportResult:
    if len(data) > MAX_BYTES:
        raise ValidationFailed("The file is larger than 20 MB.", field="file")
    if product is not None and product.organization_id != org.id:
        raise ValidationFailed("The product does not exist.", field="product")
    try:
        parsed = parse(data, filename)
    except ReviewFormatError as exc:
        raise ValidationFailed(str(exc), field="file", code="bad_review_file") from exc
    result = ReviewImportResult(errors=list(parsed.errors))
    skus = {r.sku for r in parsed.reviews if r.sku}
    by_sku = {p.sku: p.pk for p in Product.objects.for_org(org).filter(sku__in=skus)}
    rows = []
    for review in parsed.reviews:
        product_id = by_sku.get(review.sku) if review.sku else None
        if review.sku and product_id is None:
            result.errors.append(LineError(review.line, f"no product with SKU {review.sku!r}"))
            continue
        product_id = product_id or (product.pk if product else None)
        if product_id is None:
            result.errors.append(LineError(review.line, "no SKU on the line and no product chosen"))
            continue
        rows.append(ProductReview(
            organization=org, product_id=product_id, rating=review.rating, title=review.title,
            text=review.text, date=review.date, source=filename[:100],
            language=review.language or guess_language(f"{review.title} {review.text}"),
            fingerprint=review.fingerprint,
        ))  # fmt: skip
    result.errors.sort(key=lambda e: e.line)
    unique = {(r.product_id, r.fingerprint): r for r in rows}
    existing = set(
        ProductReview.objects.for_org(org)
        .filter(product_id__in={r.product_id for r in rows},
                fingerprint__in={r.fingerprint for r in rows})
        .values_list("product_id", "fingerprint")
    )  # fmt: skip
    new = [r for key, r in unique.items() if key not in existing]
    ProductReview.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    result.created, result.duplicates = len(new), len(rows) - len(new)
    result.product_ids = sorted({r.product_id for r in rows})
    if result.product_ids:
        review_insight_refresh(org=org, product_ids=result.product_ids)
    return result
