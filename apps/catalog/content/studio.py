"""Listing studio: generate listings for products × stores, and translate a listing.

Generation creates the listings a product lacks in the chosen stores (status "draft", in the
marketplace's language and currency) and runs the AI layer's generation job over them; the
copy arrives as listing_content drafts in the review queue. Translation is a job of
the same pipeline (kind listing_translation, apps/catalog/content/generation.py): one draft
per target store, from the product's facts (units per the target marketplace) and the source
copy; every non-Chinese draft carries a Chinese back-translation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction

from apps.catalog.content.generation import KIND, TRANSLATION_JOB, TRANSLATION_KIND
from apps.catalog.models import Listing, Product, Store
from apps.core.errors import NotFound, ValidationFailed
from apps.core.models import Job

if TYPE_CHECKING:
    from apps.accounts.models import Organization

logger = logging.getLogger(__name__)
MAX_PAIRS = 5000
__all__ = [
    "TRANSLATION_JOB",
    "ContentGeneration",
    "listing_translate",
    "listings_content_generate",
    "listings_ensure",
    "listings_generate",
]


def _ids(values, field: str) -> list[int]:
    try:
        ids = list(dict.fromkeys(int(v) for v in values or []))
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"The {field} must be a list of ids.", field=field) from exc
    if not ids:
        raise ValidationFailed(f"Choose at least one of {field.replace('_ids', 's')}.", field=field)
    return ids


def listings_ensure(
    *, org: Organization, products: list[Product], stores: list[Store]
) -> list[int]:
    """Ids of the listings of every product × store pair, creating the missing ones as drafts."""
    existing = set(
        Listing.objects.for_org(org)
        .filter(product__in=products, store__in=stores)
        .values_list("product_id", "store_id")
    )
    new = [
        Listing(organization=org, product=p, store=s, language=s.marketplace.language,
                currency=s.marketplace.currency, status=Listing.Status.DRAFT)
        for p in products for s in stores if (p.pk, s.pk) not in existing
    ]  # fmt: skip
    Listing.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    pairs = Listing.objects.for_org(org).filter(product__in=products, store__in=stores)
    return list(pairs.order_by("product_id", "store_id").values_list("pk", flat=True))


@transaction.atomic
def listings_generate(*, org: Organization, actor, product_ids, store_ids,
                      include_good: bool = False) -> Job:  # fmt: skip
    """Drafts of listing copy for the chosen products in the chosen stores (one job); existing
    listings whose copy already scores at the quality threshold are skipped unless
    `include_good` (counted in `job.result["skipped_good"]`)."""

    product_ids, store_ids = _ids(product_ids, "product_ids"), _ids(store_ids, "store_ids")
    products = list(Product.objects.for_org(org).filter(pk__in=product_ids))
    stores = list(Store.objects.for_org(org).filter(pk__in=store_ids).select_related("marketplace"))
    if not products or not stores:
        raise NotFound("None of these products or stores belong to this organization.")
    if len(products) * len(stores) > MAX_PAIRS:
        raise ValidationFailed(
            f"At most {MAX_PAIRS:,} product × store pairs at once; choose fewer.",
            field="product_ids",
        )
    listing_ids = listings_ensure(org=org, products=products, stores=stores)
    generation = listings_content_generate(org=org, actor=actor, listing_ids=listing_ids,
                                           include_good=include_good)  # fmt: skip
    if generation.job is None:
        raise ValidationFailed(
            f"All {len(generation.skipped_ids)} listings already score {generation.threshold} or "
            "more; tick “include listings whose copy is already good” to rewrite them anyway.",
            field="include_good",
            code="all_good",
        )
    job = generation.job
    job.result = {
        **job.result,
        "refused_product_ids": sorted(set(product_ids) - {p.pk for p in products}),
        "refused_store_ids": sorted(set(store_ids) - {s.pk for s in stores}),
    }
    job.save(update_fields=["result"])
    return job


@dataclass(frozen=True)
class ContentGeneration:
    """A bulk content generation: the job (None when every listing was skipped) and the
    listings left alone because their copy already scores at or above the threshold."""

    job: Job | None
    skipped_ids: list[int]
    threshold: int


@transaction.atomic
def listings_content_generate(*, org: Organization, actor, listing_ids: list[int],
                              include_good: bool = False) -> ContentGeneration:  # fmt: skip
    """Drafts of new copy for the listings among `listing_ids`, except those whose current
    copy already scores at least the quality threshold, unless `include_good` (the user asked
    for them too): rewriting good copy costs money and reviewer time and risks making it worse."""
    from apps.ai.services import generation_start
    from apps.catalog.content.quality.listing import good_threshold, listings_split_by_quality

    todo, skipped = listings_split_by_quality(org=org, listing_ids=listing_ids,
                                              include_good=include_good)  # fmt: skip
    threshold = good_threshold()
    if not todo and skipped:
        return ContentGeneration(None, skipped, threshold)
    job = generation_start(org=org, actor=actor, kind=KIND, target_ids=todo)
    job.result = {**job.result, "skipped_good": len(skipped), "quality_threshold": threshold}
    job.save(update_fields=["result"])
    return ContentGeneration(job, skipped, threshold)


@transaction.atomic
def listing_translate(*, org: Organization, actor, listing: Listing, store_ids) -> Job:
    """A translation job: one listing_translation draft per target store, written by the AI
    layer's generation pipeline (kind listing_translation, the source listing as an option)."""
    from apps.ai.services import generation_start

    if listing.organization_id != org.id:
        raise NotFound("No such listing.")
    store_ids = _ids(store_ids, "store_ids")
    stores = list(
        Store.objects.for_org(org)
        .filter(pk__in=store_ids)
        .exclude(pk=listing.store_id)
        .select_related("marketplace")
    )
    if not stores:
        raise ValidationFailed("Choose at least one other store of yours.", field="store_ids")
    target_ids = listings_ensure(org=org, products=[listing.product], stores=stores)
    job = generation_start(
        org=org, actor=actor, kind=TRANSLATION_KIND, target_ids=target_ids,
        options={"source_listing_id": listing.pk},
        label=f"Translate {listing.product.sku} to {len(target_ids)} stores",
    )  # fmt: skip
    job.result = {**job.result, "source_listing_id": listing.pk}
    job.save(update_fields=["result"])
    return job
