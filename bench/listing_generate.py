"""Benchmark: generate listing drafts for 1,000 products with the offline generator, end to end.

The real path from the "Generate listings" button: `listings_generate` creates the missing
listings (status draft) for products × one Amazon US store and starts the generation job; the
job's batches (the Celery tasks it enqueues) then run one after another in this process, as
one worker runs them: facts, mined review phrases, few-shot lookup, the offline templates,
JSON-schema and marketplace-rule validation, the Chinese back-translation, the draft in the
review queue, job progress. Target: under 60 s. Creates its own organization and removes it.

    .venv/bin/python bench/listing_generate.py [--products 1000] [--stores 1]
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections import Counter
from decimal import Decimal

from _setup import django_setup

MARKETS = ["amazon_us", "amazon_de", "amazon_jp", "amazon_fr", "ebay_uk"]
KINDS = [
    ("Power banks", {"capacity_mah": 20000, "power_w": 22.5, "material": "aluminium"}),
    ("Chargers", {"power_w": 65, "ports": "2× USB-C + 1× USB-A", "material": "plastic"}),
    ("Cables", {"length_m": 2, "connector": "USB-C", "material": "nylon braided"}),
    ("Audio", {"battery_life_h": 30, "active_noise_cancelling": True, "color": "black"}),
]


def build(org, products: int, stores: int) -> tuple[list[int], list[int]]:
    from apps.catalog.models import Marketplace, Product, Store

    markets = {m.code: m for m in Marketplace.objects.filter(code__in=MARKETS)}
    store_rows = [
        Store.objects.create(organization=org, marketplace=markets[code], name=f"Bench {code}")
        for code in MARKETS[:stores]
    ]
    rows = []
    for i in range(products):
        category, attrs = KINDS[i % len(KINDS)]
        rows.append(Product(
            organization=org, sku=f"LG-{i:06d}", name=f"测试商品 {i}", brand="Voltora",
            category=category, attributes={**attrs, "model": f"VT-{i:05d}"},
            weight_g=Decimal(120 + i % 300), length_mm=Decimal(100 + i % 50),
            width_mm=Decimal(60), height_mm=Decimal(20),
        ))  # fmt: skip
    made = Product.objects.bulk_create(rows)
    return [p.pk for p in made], [s.pk for s in store_rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--stores", type=int, default=1, choices=range(1, len(MARKETS) + 1))
    args = parser.parse_args()
    django_setup()

    from django.conf import settings
    from django.db import transaction

    from apps.accounts.models import Organization
    from apps.ai import tasks
    from apps.ai.services import generation_batch_run
    from apps.catalog.content.studio import listings_generate
    from apps.core.tenancy import unscoped
    from apps.review.models import Draft

    settings.OPENAI_BASE_URL = ""  # the offline generator
    with unscoped():
        Organization.objects.filter(slug="bench-listing-generate").delete()
    org = Organization.objects.create(name="Bench listing generate", slug="bench-listing-generate")
    batches: list[tuple] = []
    tasks.generation_batch_task.delay = lambda *a: batches.append(a)  # run in-process below
    try:
        product_ids, store_ids = build(org, args.products, args.stores)
        t0 = time.perf_counter()
        with transaction.atomic():
            job = listings_generate(org=org, actor=None, product_ids=product_ids,
                                    store_ids=store_ids)  # fmt: skip
        started = time.perf_counter() - t0
        for _org_id, job_id, kind, target_ids in batches:
            generation_batch_run(org=org, job_id=job_id, kind=kind, target_ids=target_ids)
        seconds = time.perf_counter() - t0
        job.refresh_from_db()
        drafts = Draft.objects.for_org(org).filter(job=job)
        pending = drafts.filter(status="pending").count()
        rules: Counter = Counter()
        with_errors = 0
        for checks in drafts.values_list("checks", flat=True):
            errors = [c for c in checks if c["severity"] == "error"]
            with_errors += bool(errors)
            rules.update(f"{c['rule']}: {c.get('claim') or c['message'][:60]}" for c in errors)
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        with unscoped():
            org.delete()
    print(f"{pending:,} pending drafts for {args.products:,} products × {args.stores} store(s) "
          f"({job.failed} failed, {with_errors} with rule errors, job {job.status}) in "
          f"{seconds:.1f}s = {pending / seconds:.1f} drafts/s (listings created and job queued "
          f"in {started:.2f}s, {len(batches)} batches); target under 60 s; "
          f"peak RSS {peak_mib:.0f} MiB")  # fmt: skip
    print(json.dumps({
        "benchmark": "listing_generate", "products": args.products, "stores": args.stores,
        "drafts": pending, "failed": job.failed, "drafts_with_rule_errors": with_errors,
        "seconds": round(seconds, 2), "drafts_per_second": round(pending / seconds, 1),
        "setup_seconds": round(started, 2), "batches": len(batches), "target_seconds": 60,
        "within_target": seconds < 60, "peak_rss_mib": round(peak_mib, 1),
        "error_rules": dict(rules.most_common(5)),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
