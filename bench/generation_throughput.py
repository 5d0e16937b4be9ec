"""Benchmark: listing-content generation against an OpenAI-compatible test server that answers
every request after 1 s, with 8 requests in flight (the default per worker).

Runs the job's batches one after another in this process, exactly as one Celery worker runs
them (a task per batch of CROSSBORDER_AI_BATCH_SIZE listings, a thread pool inside), through
the real path: prompt, HTTP call, JSON-schema and marketplace-rule validation, usage ledger,
draft in the review queue, job progress. The sequential figure is computed (N × latency), not
run. Creates its own organization and removes it afterwards.

    .venv/bin/python bench/generation_throughput.py [--drafts 1000] [--latency 1.0]
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from decimal import Decimal

from _setup import django_setup

PAYLOAD = {
    "title": "Voltora 15W Wireless Charger Pad, Aluminium",
    "bullets": ["Fast 15 W charging for Qi phones", "Aluminium body stays cool"],
    "description": "Charges Qi phones at up to 15 W through cases up to 5 mm.",
    "search_terms": "qi charger pad wireless",
}


def build(org, n: int) -> list[int]:
    from apps.catalog.models import Listing, Marketplace, Product, Store

    store = Store.objects.create(
        organization=org, marketplace=Marketplace.objects.get(code="amazon_us"), name="Bench US"
    )
    products = Product.objects.bulk_create(
        Product(organization=org, sku=f"GEN-{i:06d}", name=f"无线充电器 {i}", brand="Voltora",
                category="Chargers", attributes={"power_w": 15, "material": "aluminium"},
                weight_g=Decimal("180"))
        for i in range(n)
    )  # fmt: skip
    listings = Listing.objects.bulk_create(
        Listing(organization=org, product=p, store=store, language="en-US", currency="USD",
                title=f"Charger {p.sku}", price=Decimal("19.99"))
        for p in products
    )  # fmt: skip
    return [x.pk for x in listings]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=1.0, help="seconds per answer")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    django_setup()

    from apps.accounts.models import Organization
    from apps.ai import conf
    from apps.ai.models import AiSettings
    from apps.ai.services import JOB_KIND, generation_batch_run
    from apps.core.services import job_create
    from apps.core.tenancy import unscoped
    from apps.review.models import Draft
    from tests.ai.fake_server import FakeLLMServer, Reply

    with unscoped():
        Organization.objects.filter(slug="bench-generation").delete()
    org = Organization.objects.create(name="Bench generation", slug="bench-generation")
    reply = Reply.json(PAYLOAD, delay=args.latency)
    try:
        ids = build(org, args.drafts)
        with FakeLLMServer(lambda body, n: reply) as server:
            AiSettings.objects.create(
                organization=org, base_url=server.url, api_key="bench", model="bench-model",
                max_concurrency=args.concurrency,
            )  # fmt: skip
            job = job_create(org=org, kind=JOB_KIND, total=len(ids))
            size = int(conf.get("CROSSBORDER_AI_BATCH_SIZE"))
            t0 = time.perf_counter()
            for start in range(0, len(ids), size):
                generation_batch_run(org=org, job_id=job.id, kind="listing_content",
                                     target_ids=ids[start : start + size])  # fmt: skip
            seconds = time.perf_counter() - t0
            requests = len(server.requests)
        job.refresh_from_db()
        pending = Draft.objects.for_org(org).filter(job=job, status="pending").count()
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        with unscoped():
            org.delete()
    sequential = args.drafts * args.latency
    target = args.drafts / args.concurrency * args.latency * 1.3
    print(f"{pending:,} pending drafts ({job.failed} failed, {requests:,} requests) in "
          f"{seconds:.1f}s = {pending / seconds:.2f} drafts/s; sequential would take "
          f"{sequential:.0f}s ({sequential / seconds:.1f}x slower); target under {target:.1f}s; "
          f"peak RSS {peak_mib:.0f} MiB, batches of {size}")  # fmt: skip
    print(json.dumps({
        "benchmark": "generation_throughput", "drafts": pending, "failed": job.failed,
        "latency_s": args.latency, "concurrency": args.concurrency, "batch_size": size,
        "seconds": round(seconds, 2), "drafts_per_second": round(pending / seconds, 2),
        "sequential_seconds": sequential, "ratio_vs_sequential": round(sequential / seconds, 2),
        "target_seconds": round(target, 1), "within_target": seconds < target,
        "peak_rss_mib": round(peak_mib, 1),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
