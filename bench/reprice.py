"""Benchmark: reprice 1,000,000 offers with 5 competitor offers each, end to end.

Two runs, as the beat makes them: the worst case (first activation: no markers yet, every offer
is priced and moves; target < 60 s) and a regular run after 5 % of the markets moved (new
observations through `competitor_offers_upsert`, which keeps the competitor summary; the
incremental run prices only the listings whose inputs changed; target < 15 s).

End to end = `reprice_store`: read offers, costs and competitors from PostgreSQL (COPY),
compute every price in one vectorised pass per chunk, write the changed prices (COPY into a
temporary table, one UPDATE ... FROM, the version and revision triggers firing), the
PriceChange rows, and price_change drafts for changes outside the auto-approve policy.
Compared with a naive per-offer ORM loop (Decimal cost model per listing, a query for its
competitors, save() per change) timed on a sample and extrapolated. Builds its own
organization with COPY and removes it afterwards.

    .venv/bin/python bench/reprice.py [--offers 1000000] [--competitors 5] [--naive-sample 1000]
                                      [--chunk 250000] [--moving 0.05] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import resource
import time
from datetime import timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
from _setup import django_setup

SLUG = "bench-reprice"
BUILD_CHUNK = 200_000


def _copy_frame(cursor, table: str, frame: pd.DataFrame) -> None:
    """COPY a frame (all NOT NULL columns given; empty strings quoted so they stay strings)."""
    buf = io.StringIO()
    frame.to_csv(buf, header=False, index=False, quoting=csv.QUOTE_NONNUMERIC)
    buf.seek(0)
    columns = ", ".join(frame.columns)
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", buf)


def build(org, n: int, k: int, seed: int = 7):
    """Products, listings and k competitor offers per listing, written with COPY in chunks."""
    from django.db import connection
    from django.utils import timezone

    from apps.catalog.models import Marketplace, Store
    from apps.orders.models import ExchangeRate
    from apps.pricing.models import (
        CostProfile,
        FulfilmentFeeTier,
        ReferralFee,
        Strategy,
        StrategyAssignment,
    )
    from apps.review.models import Policy

    rng = np.random.default_rng(seed)
    mkt = Marketplace.objects.get(code="amazon_us")
    store = Store.objects.create(organization=org, marketplace=mkt, name="Bench US", seller_id="ME")
    ExchangeRate.objects.get_or_create(
        organization=org,
        base="USD",
        quote="CNY",
        date=timezone.localdate() - timedelta(days=1),
        defaults={"rate": Decimal("7.2"), "source": "bench"},
    )
    CostProfile.objects.create(
        organization=org, store=store, currency="USD", first_leg_per_unit=Decimal("0.80")
    )
    for rank, (name, weight, fee) in enumerate(
        [("small", 250, "3.22"), ("standard", 1000, "4.75"), ("large", None, "9.61")]
    ):
        FulfilmentFeeTier.objects.create(
            organization=org,
            marketplace=mkt,
            name=name,
            rank=rank,
            max_weight_g=weight,
            fee=Decimal(fee),
            currency="USD",
        )
    ReferralFee.objects.create(
        organization=org, marketplace=mkt, percent=15, minimum=Decimal("0.30"), currency="USD"
    )
    ReferralFee.objects.create(
        organization=org, marketplace=mkt, category="Toys", percent=8, currency="USD"
    )
    strategy = Strategy.objects.create(
        organization=org,
        name="Beat lowest by 0.10",
        kind=Strategy.Kind.BEAT_LOWEST_AMOUNT,
        beat_amount=Decimal("0.10"),
        enabled=True,
        max_change_pct=15,
        fulfilment_types=["fba", "fbm"],
        hold_buy_box=True,
    )
    StrategyAssignment.objects.create(organization=org, strategy=strategy, store=store)
    Policy.objects.update_or_create(
        organization=org,
        kind="price_change",
        defaults={"auto_approve": True, "max_change_pct": Decimal("10")},
    )
    now = timezone.now()
    ts = now.isoformat()
    with connection.cursor() as c:
        cur = c.cursor
        for start in range(0, n, BUILD_CHUNK):
            size = min(BUILD_CHUNK, n - start)
            idx = np.arange(start, start + size)
            products = pd.DataFrame(
                {
                    "created_at": ts,
                    "updated_at": ts,
                    "organization_id": org.id,
                    "sku": [f"BR-{i:07d}" for i in idx],
                    "name": "充电器",
                    "brand": "Voltora",
                    "category": np.where(idx % 10 == 0, "Toys", "Chargers"),
                    "attributes": "{}",
                    "source_language": "zh-Hans",
                    "unit_cost": rng.integers(2000, 9000, size) / 100,  # CNY
                    "cost_currency": "CNY",
                    "weight_g": rng.integers(50, 1500, size),
                    "length_mm": 120,
                    "width_mm": 80,
                    "height_mm": 30,
                    "hs_code": "",
                    "images": "[]",
                    "version": 1,
                }
            )
            _copy_frame(cur, "catalog_product", products)
            cur.execute(
                "SELECT id FROM catalog_product WHERE organization_id = %s AND sku >= %s "
                "AND sku <= %s ORDER BY sku",
                [org.id, f"BR-{start:07d}", f"BR-{start + size - 1:07d}"],
            )
            pids = np.array([r[0] for r in cur.fetchall()])
            price = rng.integers(1500, 3500, size) / 100
            listings = pd.DataFrame(
                {
                    "created_at": ts,
                    "updated_at": ts,
                    "organization_id": org.id,
                    "product_id": pids,
                    "store_id": store.id,
                    "external_id": [f"B{p:09d}" for p in pids],
                    "title": "Voltora charger",
                    "bullets": "[]",
                    "description": "",
                    "search_terms": "",
                    "language": "en-US",
                    "currency": "USD",
                    "price": price,
                    "stock": rng.integers(0, 500, size),
                    "status": "active",
                    "version": 1,
                    "images": "[]",
                }
            )
            _copy_frame(cur, "catalog_listing", listings)
            cur.execute(
                "SELECT l.id FROM catalog_listing l WHERE l.organization_id = %s "
                "AND l.product_id >= %s AND l.product_id <= %s ORDER BY l.product_id",
                [org.id, int(pids.min()), int(pids.max())],
            )
            lids = np.array([r[0] for r in cur.fetchall()])
            base = price * rng.uniform(0.85, 1.1, size)
            fulfil = ["fba", "fbm", "fbm", "fba", "other"]
            for j in range(k):
                comps = pd.DataFrame(
                    {
                        "created_at": ts,
                        "updated_at": ts,
                        "organization_id": org.id,
                        "listing_id": lids,
                        "seller_id": f"S{j:02d}",
                        "seller_name": f"Seller {j}",
                        "price": np.round(base * rng.uniform(0.95, 1.15, size), 2),
                        "shipping": np.where(rng.random(size) < 0.3, 0.99, 0.0),
                        "currency": "USD",
                        "fulfilment": fulfil[j % len(fulfil)],
                        "rating": 97.5,
                        "is_buy_box": j == 0,
                        "observed_at": (
                            pd.Timestamp(now) - pd.to_timedelta(rng.integers(0, 1800, size), "m")
                        ),
                        "source": "bench",
                    }
                )
                _copy_frame(cur, "pricing_competitoroffer", comps)
    # COPY bypasses the services: build the competitor summary as migration 0005 does.
    from apps.pricing.competitors import rebuild_competitor_summary

    rebuild_competitor_summary(org_id=org.id)
    with connection.cursor() as c:
        for table in (
            "catalog_product",
            "catalog_listing",
            "pricing_competitoroffer",
            "pricing_competitorlatest",
            "pricing_competitorsummary",
        ):
            c.execute(f"ANALYZE {table}")
    return store


def naive(org, store, sample: int) -> float:
    """Per-offer ORM loop on a sample: cost model, competitor query, save, PriceChange."""
    from django.db import transaction

    from apps.catalog.models import Listing
    from apps.core.money import quantize
    from apps.pricing.cost import cost_breakdown
    from apps.pricing.models import CompetitorOffer, PriceChange

    listings = list(
        Listing.objects.for_org(org)
        .filter(store=store)
        .select_related("product", "store__marketplace")
        .order_by("-id")[:sample]
    )
    t0 = time.perf_counter()
    with transaction.atomic():
        for listing in listings:
            costs = cost_breakdown(org=org, listing=listing)
            floor = costs.break_even * Decimal("1.05")
            low = (
                CompetitorOffer.objects.for_org(org)
                .filter(listing=listing)
                .order_by("price")
                .first()
            )
            target = max(low.price - Decimal("0.10"), floor) if low else listing.price
            new = quantize(target, listing.currency)
            if new != listing.price:
                old, listing.price = listing.price, new
                listing.save(update_fields=["price", "updated_at"])
                PriceChange.objects.create(
                    organization=org,
                    listing=listing,
                    old_price=old,
                    new_price=new,
                    currency=listing.currency,
                    binding="strategy",
                    outcome="applied",
                    margin_pct=costs.margin_pct(new),
                )
        transaction.set_rollback(True)
    return time.perf_counter() - t0


def _steps(out) -> str:
    """The write steps and the load's parts (summed over the writers)."""
    write = [f"{k[6:]} {v:.2f}s" for k, v in out.timings.items() if k.startswith("write_")]
    load = [f"{k} {v:.2f}s" for k, v in out.timings.items() if k.startswith("load_")]
    return ", ".join(write) + "; " + ", ".join(load)


def market_moves(org, store, fraction: float) -> int:
    """New observations (3 % cheaper) for seller S01 on `fraction` of the offers, written the
    way imports and the bulk API write them (`competitor_offers_upsert`, summary included)."""
    from django.db import connection
    from django.utils import timezone

    from apps.pricing.bulk import OfferValues, competitor_offers_upsert

    now = timezone.now()
    with connection.cursor() as c:
        c.execute(
            "SELECT listing_id, seller_name, price, shipping, currency, fulfilment, rating, "
            "is_buy_box FROM pricing_competitoroffer WHERE organization_id = %s "
            "AND seller_id = 'S01' AND listing_id %% %s = 0",
            [org.id, max(1, round(1 / fraction))],
        )
        rows = c.fetchall()
    offers = [
        OfferValues(
            listing_id=lid, seller_id="S01", seller_name=name,
            price=(price * Decimal("0.97")).quantize(Decimal("0.01")), shipping=shipping,
            currency=cur, fulfilment=ful, rating=rating, is_buy_box=bb, observed_at=now,
        )
        for lid, name, price, shipping, cur, ful, rating, bb in rows
    ]  # fmt: skip
    return competitor_offers_upsert(org=org, offers=offers, source="bench").created


def cleanup(org_id: int) -> None:
    """Set-based deletes of the big tables, then the organization (small rest) via the ORM."""
    from django.db import connection

    from apps.accounts.models import Organization
    from apps.core.tenancy import unscoped

    with connection.cursor() as c:
        for table in (
            "pricing_repricemarker",
            "pricing_repricingstate",
            "pricing_competitorsummary",
            "pricing_competitorlatest",
            "pricing_pricechange",
            "review_reviewevent",
            "review_draft",
            "pricing_competitoroffer",
            "catalog_listingrevision",
            "catalog_listing",
            "catalog_product",
        ):
            c.execute(f"DELETE FROM {table} WHERE organization_id = %s", [org_id])
    with unscoped():
        Organization.objects.filter(pk=org_id).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=1_000_000)
    parser.add_argument("--competitors", type=int, default=5)
    parser.add_argument("--naive-sample", type=int, default=1000)
    parser.add_argument("--chunk", type=int, default=250_000)
    parser.add_argument(
        "--moving", type=float, default=0.05, help="share of offers whose market moves"
    )
    parser.add_argument("--keep", action="store_true", help="keep the data afterwards")
    args = parser.parse_args()
    django_setup()

    from apps.accounts.models import Organization
    from apps.pricing.engine.run import reprice_store

    for old in Organization.objects.filter(slug=SLUG).values_list("pk", flat=True):
        cleanup(old)
    org = Organization.objects.create(name="Bench reprice", slug=SLUG)
    try:
        t0 = time.perf_counter()
        store = build(org, args.offers, args.competitors)
        print(
            f"built {args.offers:,} offers and {args.offers * args.competitors:,} competitor "
            f"offers with COPY in {time.perf_counter() - t0:.1f}s"
        )
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        out = reprice_store(org=org, store=store, chunk_size=args.chunk, incremental=True)
        seconds = time.perf_counter() - t0
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        c = out.counts
        print(
            f"worst case ({out.report_mode}): {c['offers']:,} offers in {seconds:.2f}s "
            f"({c['offers'] / seconds:,.0f}/s); "
            f"phases load {out.timings['load']:.2f}s, compute {out.timings['compute']:.2f}s, "
            f"write {out.timings['write']:.2f}s ({_steps(out)})"
        )
        print(
            f"changed {c['changed']:,} (up {c['raised']:,}, down {c['lowered']:,}): "
            f"applied {c['applied']:,}, drafted {c['drafted']:,}; at floor {c['at_floor']:,}, "
            f"raised to floor {c['raised_to_floor']:,}, bad input {c['bad_input']:,}"
        )
        print(
            f"process peak RSS {rss_after / 1024:.0f} MiB "
            f"(+{(rss_after - rss_before) / 1024:.0f} MiB over the build's peak)"
        )
        t0 = time.perf_counter()
        moved = market_moves(org, store, args.moving)
        print(f"{moved:,} new observations upserted in {time.perf_counter() - t0:.1f}s")
        t0 = time.perf_counter()
        later = reprice_store(org=org, store=store, chunk_size=args.chunk, incremental=True)
        later_s = time.perf_counter() - t0
        lc = later.counts
        print(
            f"regular ({later.report_mode}) run after {moved:,} competitors moved: "
            f"{lc['offers']:,} offers priced, {lc['skipped']:,} unchanged skipped, in "
            f"{later_s:.2f}s, changed {lc['changed']:,} (applied {lc['applied']:,}, "
            f"drafted {lc['drafted']:,}, daily limit {lc['daily_limit']:,}); phases load "
            f"{later.timings['load']:.2f}s, compute {later.timings['compute']:.2f}s, write "
            f"{later.timings['write']:.2f}s ({_steps(later)})"
        )
        naive_s = naive(org, store, args.naive_sample)
        naive_rate = args.naive_sample / naive_s
        print(
            f"naive per-offer ORM loop: {args.naive_sample:,} offers in {naive_s:.2f}s "
            f"({naive_rate:,.0f}/s) → {args.offers / naive_rate:,.0f}s for {args.offers:,}"
        )
    finally:
        if not args.keep:
            cleanup(org.pk)
    rate = c["offers"] / seconds
    print(
        json.dumps(
            {
                "benchmark": "reprice",
                "offers": args.offers,
                "competitor_offers": args.offers * args.competitors,
                "seconds": round(seconds, 3),
                "load_seconds": out.timings["load"],
                "compute_seconds": out.timings["compute"],
                "write_seconds": out.timings["write"],
                "changed": c["changed"],
                "next_run_seconds": round(later_s, 3),
                "next_run_changed": lc["changed"],
                "next_run_priced": lc["offers"],
                "next_run_skipped": lc["skipped"],
                "next_run_load_seconds": later.timings["load"],
                "next_run_compute_seconds": later.timings["compute"],
                "next_run_write_seconds": later.timings["write"],
                "next_run_ratio_vs_naive": round(args.offers / later_s / naive_rate, 1),
                "applied": c["applied"],
                "drafted": c["drafted"],
                "rows_per_second": round(rate),
                "naive_rows_per_second": round(naive_rate),
                "ratio_vs_naive": round(rate / naive_rate, 1),
                "peak_rss_mib": round(rss_after / 1024, 1),
                "target_seconds": 60,
                "next_run_target_seconds": 15,
            }
        )
    )


if __name__ == "__main__":
    main()
