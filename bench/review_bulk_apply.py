"""Benchmark: bulk approve and apply 10,000 price-change drafts (target: under 10 s).

Compares the set-based bulk path (apps.review.bulk.drafts_bulk_run: chunk locks, one
UPDATE ... FROM VALUES per chunk, bulk events) with approving drafts one by one through
`draft_approve` (measured on a sample and reported as a rate). Builds its own organization and
removes it afterwards.

    .venv/bin/python bench/review_bulk_apply.py [--drafts 10000] [--one-by-one-sample 500]
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from decimal import Decimal

from _setup import django_setup


def build(org, n: int) -> list[int]:
    """Listings and pending price drafts, created in bulk (set-up is not what we measure)."""
    from django.contrib.contenttypes.models import ContentType

    from apps.catalog.models import Listing, Marketplace, Product, Store
    from apps.review.models import Draft, ReviewEvent

    store = Store.objects.create(
        organization=org, marketplace=Marketplace.objects.get(code="amazon_us"), name="Bench US"
    )
    listing_type = ContentType.objects.get_for_model(Listing)
    ids: list[int] = []
    for start in range(0, n, 5000):
        size = min(5000, n - start)
        products = Product.objects.bulk_create(
            Product(organization=org, sku=f"RB-{start + i:07d}", name="充电器") for i in range(size)
        )
        listings = Listing.objects.bulk_create(
            Listing(
                organization=org,
                product=p,
                store=store,
                language="en-US",
                currency="USD",
                price=Decimal("20.00"),
                title="Voltora charger",
            )
            for p in products
        )
        drafts = Draft.objects.bulk_create(
            Draft(
                organization=org,
                kind="price_change",
                target_type=listing_type,
                target_id=listing.pk,
                target_version=1,
                store_id=store.pk,
                marketplace="amazon_us",
                language="en-US",
                current={"price": "20.00", "currency": "USD"},
                proposed={"price": "20.99", "currency": "USD"},
                provider="bench",
            )
            for listing in listings
        )
        ReviewEvent.objects.bulk_create(
            ReviewEvent(organization=org, draft=d, from_status="", to_status="pending")
            for d in drafts
        )
        ids.extend(d.pk for d in drafts)
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=int, default=10_000)
    parser.add_argument("--one-by-one-sample", type=int, default=500)
    args = parser.parse_args()
    django_setup()

    from apps.accounts.models import Organization
    from apps.catalog.models import Listing
    from apps.core.tenancy import unscoped
    from apps.review.bulk import drafts_bulk_run
    from apps.review.services import draft_approve

    Organization.objects.filter(slug="bench-review").delete()
    org = Organization.objects.create(name="Bench review", slug="bench-review")
    try:
        sample = min(args.one_by_one_sample, args.drafts // 2)
        t0 = time.perf_counter()
        ids = build(org, args.drafts + sample)
        print(f"built {len(ids):,} pending price drafts in {time.perf_counter() - t0:.1f}s")
        bulk_ids, single_ids = ids[: args.drafts], ids[args.drafts :]

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        totals = drafts_bulk_run(org=org, actor=None, job_id=None, action="approve", ids=bulk_ids)
        bulk_s = time.perf_counter() - t0
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak_mb = rss_after / 1024  # ru_maxrss is KiB on Linux
        assert totals["applied"] == args.drafts, totals
        changed = Listing.objects.for_org(org).filter(price=Decimal("20.99")).count()
        assert changed == args.drafts, changed
        bulk_rate = args.drafts / bulk_s
        print(
            f"bulk approve+apply: {args.drafts:,} drafts in {bulk_s:.2f}s "
            f"({bulk_rate:,.0f}/s), process peak RSS {peak_mb:.0f} MiB "
            f"(+{(rss_after - rss_before) / 1024:.0f} MiB during the run)"
        )

        t0 = time.perf_counter()
        for draft_id in single_ids:
            draft_approve(org=org, actor=None, draft_id=draft_id)
        single_s = time.perf_counter() - t0
        single_rate = len(single_ids) / single_s
        print(
            f"one by one (draft_approve): {len(single_ids):,} drafts in {single_s:.2f}s "
            f"({single_rate:,.0f}/s) → {args.drafts / single_rate:.1f}s for {args.drafts:,}"
        )
    finally:
        with unscoped():
            org.delete()
    print(
        json.dumps(
            {
                "benchmark": "review_bulk_apply",
                "drafts": args.drafts,
                "seconds": round(bulk_s, 3),
                "rows_per_second": round(bulk_rate),
                "one_by_one_rows_per_second": round(single_rate),
                "ratio_vs_one_by_one": round(bulk_rate / single_rate, 1),
                "peak_rss_mib": round(peak_mb, 1),
                "target_seconds": 10,
            }
        )
    )


if __name__ == "__main__":
    main()
