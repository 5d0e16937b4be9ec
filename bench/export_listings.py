"""Benchmark: export a large catalogue of listings to CSV through the Job pipeline.

Measures the chunked keyset export (apps.catalog.exports.listings) against the naive way (iterate
the queryset and follow product/store/marketplace per row: N+1 queries) on a sample, and the peak
Python memory of the chunked run. Creates its own organization and removes it afterwards.

    .venv/bin/python bench/export_listings.py [--listings 100000] [--naive-sample 2000]
"""

from __future__ import annotations

import argparse
import csv
import json
import time
import tracemalloc
from decimal import Decimal

from _setup import django_setup


def build(org, n: int) -> None:
    from apps.catalog.models import Listing, Marketplace, Product, Store

    store = Store.objects.create(
        organization=org, marketplace=Marketplace.objects.get(code="amazon_de"), name="Bench DE"
    )
    batch = 5000
    for start in range(0, n, batch):
        size = min(batch, n - start)
        products = Product.objects.bulk_create(
            Product(
                organization=org,
                sku=f"BENCH-{start + i:07d}",
                name=f"充电器 {start + i}",
                unit_cost=Decimal("42.50"),
                cost_currency="CNY",
            )
            for i in range(size)
        )
        Listing.objects.bulk_create(
            Listing(
                organization=org,
                product=p,
                store=store,
                language="de-DE",
                currency="EUR",
                title=f"Voltora Ladegerät 15 W {p.sku}",
                bullets=["Schnell", "Sicher"],
                price=Decimal("19.99"),
                stock=10,
            )
            for p in products
        )


def naive_export(org, limit: int, path) -> int:
    from apps.catalog.exports.listings import COLUMNS
    from apps.catalog.models import Listing

    rows = 0
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for listing in Listing.objects.for_org(org).order_by("id")[:limit]:
            writer.writerow(
                [  # lazy foreign keys: three queries per row
                    listing.product.sku,
                    listing.store.name,
                    listing.store.marketplace.code,
                    listing.external_id,
                    listing.status,
                    listing.language,
                    listing.title,
                    " | ".join(listing.bullets),
                    listing.description,
                    listing.search_terms,
                    listing.price,
                    listing.currency,
                    listing.stock,
                    listing.version,
                ]
            )
            rows += 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--naive-sample", type=int, default=2_000)
    args = parser.parse_args()
    django_setup()

    import tempfile

    from apps.accounts.models import Organization
    from apps.catalog.exports.listings import export_path, listings_export_run
    from apps.core.services import job_create
    from apps.core.tenancy import unscoped

    Organization.objects.filter(slug="bench-export").delete()
    org = Organization.objects.create(name="Bench export", slug="bench-export")
    try:
        t0 = time.perf_counter()
        build(org, args.listings)
        print(f"built {args.listings:,} listings in {time.perf_counter() - t0:.1f}s")

        job = job_create(org=org, kind="catalog.listings_export", total=args.listings)
        t0 = time.perf_counter()
        listings_export_run(org=org, job=job)
        chunked_s = time.perf_counter() - t0
        # Peak Python allocations in a second run (tracemalloc slows the timed run otherwise).
        job2 = job_create(org=org, kind="catalog.listings_export", total=args.listings)
        tracemalloc.start()
        listings_export_run(org=org, job=job2)
        peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        export_path(job2).unlink(missing_ok=True)
        size_mb = export_path(job).stat().st_size / 2**20
        chunked_rps = args.listings / chunked_s
        print(
            f"chunked export: {args.listings:,} rows in {chunked_s:.2f}s "
            f"({chunked_rps:,.0f} rows/s), file {size_mb:.1f} MiB, peak {peak_mb:.1f} MiB"
        )

        sample = min(args.naive_sample, args.listings)
        with tempfile.NamedTemporaryFile(suffix=".csv") as tmp:
            t0 = time.perf_counter()
            naive_export(org, sample, tmp.name)
            naive_s = time.perf_counter() - t0
        naive_rps = sample / naive_s
        print(
            f"naive export (N+1 per row): {sample:,} rows in {naive_s:.2f}s "
            f"({naive_rps:,.0f} rows/s)"
        )
        export_path(job).unlink(missing_ok=True)
    finally:
        with unscoped():
            org.delete()
    print(
        json.dumps(
            {
                "benchmark": "export_listings",
                "rows": args.listings,
                "seconds": round(chunked_s, 3),
                "rows_per_second": round(chunked_rps),
                "naive_rows_per_second": round(naive_rps),
                "ratio_vs_naive": round(chunked_rps / naive_rps, 1),
                "peak_memory_mib": round(peak_mb, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
