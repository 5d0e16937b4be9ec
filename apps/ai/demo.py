"""Demo: pending listing-copy drafts written by the offline generator (see apps/core/demo.py).

The seeder runs a real generation job synchronously (the offline backend needs no network), so
the queue opened by `make run` shows what the generator really produces. It runs once per
organization: when the demo organization already has listing drafts, nothing is added.
"""

from __future__ import annotations

from apps.catalog.selectors import listing_list
from apps.core import services as jobs
from apps.review.selectors import draft_list

from . import listing_content
from .services import JOB_KIND, generation_batch_run

SEED_AFTER = ("catalog", "orders")
DRAFTS_PER_STORE = 4


def seed(ctx) -> None:
    org = ctx.orgs.get("demo")
    if org is None or draft_list(org=org).filter(kind=listing_content.KIND).exists():
        return
    ids: list[int] = []
    for store_id in sorted({row[0] for row in listing_list(org=org).values_list("store_id")}):
        store_listings = listing_list(org=org, store_id=store_id).order_by("id")
        ids += list(store_listings.values_list("id", flat=True)[:DRAFTS_PER_STORE])
    job = jobs.job_create(org=org, kind=JOB_KIND, label="Demo: listing copy", total=len(ids))
    job.result = {"kind": listing_content.KIND, "provider": "offline", "refused_ids": []}
    job.save(update_fields=["result"])
    generation_batch_run(org=org, job_id=job.pk, kind=listing_content.KIND, target_ids=ids)
