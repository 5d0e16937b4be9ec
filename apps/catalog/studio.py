"""Listing studio: generate listings for products × stores, and translate a listing.

Generation creates the listings a product lacks in the chosen stores (status "draft", in the
marketplace's language and currency) and runs the AI layer's generation job over them; the
copy arrives as listing_content drafts in the review queue. Translation makes one
listing_translation draft per target store, from the product's facts (units per the target
marketplace) and the source copy; every non-Chinese draft carries a Chinese back-translation.
"""

from __future__ import annotations

import logging

from django.db import transaction

from apps.core import services as jobs
from apps.core.errors import NotFound, ValidationFailed
from apps.core.models import Job

from .models import Listing, Product, Store

logger = logging.getLogger(__name__)
MAX_PAIRS = 5000
TRANSLATION_JOB = "catalog.translation"
jobs.job_kind_cancellable(TRANSLATION_JOB)


def _ids(values, field: str) -> list[int]:
    try:
        ids = list(dict.fromkeys(int(v) for v in values or []))
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"The {field} must be a list of ids.", field=field) from exc
    if not ids:
        raise ValidationFailed(f"Choose at least one of {field.replace('_ids', 's')}.", field=field)
    return ids


def listings_ensure(*, org, products: list[Product], stores: list[Store]) -> list[int]:
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
def listings_generate(*, org, actor, product_ids, store_ids) -> Job:
    """Drafts of listing copy for the chosen products in the chosen stores (one job)."""
    from apps.ai.services import generation_start

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
    job = generation_start(org=org, actor=actor, listing_ids=listing_ids)
    job.result = {
        **job.result,
        "refused_product_ids": sorted(set(product_ids) - {p.pk for p in products}),
        "refused_store_ids": sorted(set(store_ids) - {s.pk for s in stores}),
    }
    job.save(update_fields=["result"])
    return job


@transaction.atomic
def listing_translate(*, org, actor, listing: Listing, store_ids) -> Job:
    """A translation job: one listing_translation draft per target store."""
    from .tasks import listing_translate_task

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
    label = f"Translate {listing.product.sku} to {len(target_ids)} stores"
    job = jobs.job_create(
        org=org, kind=TRANSLATION_JOB, actor=actor, total=len(target_ids), label=label
    )
    job.result = {"kind": "listing_translation", "source_listing_id": listing.pk}
    job.save(update_fields=["result"])
    transaction.on_commit(
        lambda: listing_translate_task.delay(org.id, job.pk, listing.pk, target_ids)
    )
    return job


def translation_run(*, org, job_id: int, source_id: int, target_ids: list[int]) -> dict:
    """Translate the source listing into each target listing; idempotent per job."""
    from apps.ai import listing_content
    from apps.ai.generation import generate_validated
    from apps.ai.services import backend_for, usage_record_many
    from apps.review.selectors import draft_target_ids_for_job
    from apps.review.services import Provenance, draft_create, draft_create_failed

    job = Job.objects.for_org(org).filter(pk=job_id, kind=TRANSLATION_JOB).first()
    source = Listing.objects.for_org(org).select_related("product", "store__marketplace")
    source = source.filter(pk=source_id).first()
    if job is None or not job.is_active or source is None:
        return {"skipped": "job not active or source gone"}
    if job.status == Job.Status.QUEUED:
        jobs.job_start(job_id=job_id)
    kind = listing_content.TRANSLATION_KIND
    done = draft_target_ids_for_job(org=org, job_id=job_id, kind=kind, target_ids=target_ids)
    targets = (
        Listing.objects.for_org(org)
        .filter(pk__in=[i for i in target_ids if i not in done])
        .select_related("product", "store__marketplace")
    )
    backend = backend_for(org=org)
    for target in targets:
        if jobs.job_is_cancelled(job_id):
            return {"stopped": "cancelled"}
        request = listing_content.translation_request_for(source, target, org_id=org.id)
        limits, channel = request.context["limits"], request.context["channel"]
        outcome = generate_validated(
            backend,
            request,
            lambda d, lm=limits, ch=channel: listing_content.rule_errors(lm, ch, d),
        )
        usage_record_many(org=org, kind=kind, job_id=job_id, outcome=outcome)
        last = outcome.calls[-1][0] if outcome.calls else None
        provenance = Provenance(
            provider=last.provider if last else backend.provider,
            model_name=last.model if last else backend.model,
            prompt_version=request.prompt_version, job_id=job_id,
        )  # fmt: skip
        with transaction.atomic():
            if outcome.ok:
                evidence = listing_content.evidence_of(
                    request.context["facts"], [], request=request,
                    provider=provenance.provider, data=outcome.data, back_translate_llm=True,
                )  # fmt: skip
                origin = {"source": "listing", "listing_id": source.pk,
                          "store": source.store.name, "language": source.language}  # fmt: skip
                evidence.insert(0, origin)
                draft_create(
                    org=org, kind=kind, target=target, proposed=outcome.data, evidence=evidence,
                    rationale=(f"Translated from the {source.language} listing in "
                               f"{source.store.name} to {target.language} for "
                               f"{target.store.marketplace.code}: brand and model numbers kept, "
                               "units per the marketplace's convention."),
                    provenance=provenance,
                )  # fmt: skip
                jobs.job_advance(job_id=job_id, done=1)
            else:
                draft_create_failed(org=org, kind=kind, target=target, error=outcome.error,
                                    provenance=provenance)  # fmt: skip
                jobs.job_advance(job_id=job_id, failed=1)
    job.refresh_from_db()
    if job.status == Job.Status.RUNNING and job.done + job.failed >= job.total:
        jobs.job_finish(job_id=job_id, result={**job.result, "drafts": job.done,
                                               "failed": job.failed})  # fmt: skip
    return {"translated": len(targets)}
