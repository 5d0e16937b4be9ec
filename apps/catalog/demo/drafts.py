"""Demo: pending listing-copy drafts written by the offline generator (moved from apps/ai,
which knows no listings).

The catalog's seeder runs a real generation job synchronously with the offline backend (no
network, and no model call inside the seeding transaction), so the queue opened by `make run`
shows what the generator really produces. It runs once per organization: when the demo
organization already has listing drafts, nothing is added.
"""

from __future__ import annotations

from apps.ai.backends.offline import OfflineBackend
from apps.ai.services import JOB_KIND, generation_batch_run
from apps.catalog.content.generation import KIND
from apps.catalog.selectors import listing_list
from apps.core import services as jobs
from apps.review.selectors import draft_list

DRAFTS_PER_STORE = 4


def seed_listing_drafts(ctx) -> None:
    org = ctx.orgs.get("demo")
    if org is None or draft_list(org=org).filter(kind=KIND).exists():
        return
    ids: list[int] = []
    for store_id in sorted({row[0] for row in listing_list(org=org).values_list("store_id")}):
        store_listings = listing_list(org=org, store_id=store_id).order_by("id")
        ids += list(store_listings.values_list("id", flat=True)[:DRAFTS_PER_STORE])
    job = jobs.job_create(org=org, kind=JOB_KIND, label="Demo: listing copy", total=len(ids))
    job.result = {"kind": KIND, "provider": "offline", "refused_ids": []}
    job.save(update_fields=["result"])
    generation_batch_run(org=org, job_id=job.pk, kind=KIND, target_ids=ids,
                         backend=OfflineBackend())  # fmt: skip
