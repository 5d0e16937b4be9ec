"""Benchmark: what the ListingRevision trigger costs a repricer-style bulk UPDATE.

Changes the price of every listing of a store in one UPDATE, first with the statement-level
revision trigger (one INSERT ... SELECT of N revisions), then the same UPDATE with the trigger
disabled, and reports both and the overhead. Creates its own organization, removes it after.

    .venv/bin/python bench/listing_revisions.py [--listings 100000]
"""

from __future__ import annotations

import argparse
import json
import time

from _setup import django_setup


def timed_update(org, price: str, *, trigger: bool) -> float:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if not trigger:
            cursor.execute("ALTER TABLE catalog_listing DISABLE TRIGGER catalog_listing_revision")
        start = time.perf_counter()
        cursor.execute(
            "UPDATE catalog_listing SET price = %s, updated_at = now() WHERE organization_id = %s",
            [price, org.pk],
        )
        seconds = time.perf_counter() - start
        if not trigger:
            cursor.execute("ALTER TABLE catalog_listing ENABLE TRIGGER catalog_listing_revision")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--listings", type=int, default=100_000)
    args = parser.parse_args()
    django_setup()
    from export_listings import build

    from apps.accounts.models import Organization
    from apps.catalog.models import ListingRevision

    org = Organization.objects.create(name="Bench revisions", slug=f"bench-rev-{time.time_ns()}")
    try:
        build(org, args.listings)
        timed_update(org, "20.99", trigger=False)  # warm-up: both measured runs hit a warm table
        with_trigger = timed_update(org, "21.49", trigger=True)
        revisions = ListingRevision.objects.for_org(org).count()
        without = timed_update(org, "22.99", trigger=False)
        print(f"{args.listings:,} listings repriced in one UPDATE")
        print(f"  with the revision trigger:    {with_trigger:.2f} s ({revisions:,} revisions)")
        print(f"  with the trigger disabled:    {without:.2f} s")
        print(f"  overhead: {with_trigger / without:.2f}x")
        print(
            json.dumps(
                {
                    "listings": args.listings,
                    "seconds_with_trigger": round(with_trigger, 3),
                    "seconds_without_trigger": round(without, 3),
                    "revisions": revisions,
                    "rows_per_s_with_trigger": round(args.listings / with_trigger),
                    "overhead_ratio": round(with_trigger / without, 2),
                }
            )
        )
    finally:
        org.delete()


if __name__ == "__main__":
    main()
