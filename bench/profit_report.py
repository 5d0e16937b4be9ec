"""Benchmark: the profit report for 1,000,000 order lines over a year, by SKU and day.

Two numbers, as the issue sets them:

* cold: the read model is empty; one full `profit_refresh` (order lines × costs × each day's
  exchange rate × traffic → ProfitFact, one INSERT … SELECT in PostgreSQL) plus the SKU × day
  report (`profit_report_csv`, COPY … TO STDOUT). Target < 10 s.
* incremental: 1,000 new order lines on the last day, then the refresh the Celery task runs
  (only the changed days are rebuilt). Target < 1 s.

The data: 1,000 SKUs listed in three stores (Amazon US in USD, Amazon DE in EUR with VAT, eBay
UK in GBP), 500,000 orders of two lines over 365 days (5 % returned, 3 % cancelled), unit
costs in CNY, referral fees, size-tier fees and cost profiles per store, daily EUR rates, and
a business report's sessions for every Amazon SKU and day. Orders are written with COPY (a
benchmark's set-up, not an app's write path); the organization is removed afterwards.

    .venv/bin/python bench/profit_report.py [--lines 1000000] [--skus 1000] [--new 1000] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
from _setup import django_setup

SLUG = "bench-profit"
END = date(2026, 11, 29)
DAYS = 365


def _with_defaults(model, frame: pd.DataFrame) -> pd.DataFrame:
    """Fill the model's other NOT NULL columns with their defaults (fields added by other
    modules since), so the COPY stays valid as the orders tables grow."""
    extra = {}
    for f in model._meta.concrete_fields:
        if f.column in frame.columns or f.null or f.primary_key or not f.has_default():
            continue
        value = f.get_default()
        extra[f.column] = json.dumps(value) if isinstance(value, list | dict) else value
    return frame.assign(**extra)


def _copy(cursor, table: str, frame: pd.DataFrame) -> None:
    from django.apps import apps

    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    frame = _with_defaults(model, frame)
    buf = io.StringIO()
    frame.to_csv(buf, header=False, index=False, quoting=csv.QUOTE_MINIMAL, na_rep="\\N")
    buf.seek(0)
    cursor.copy_expert(
        f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
        buf,
    )


def build_catalogue(org, skus: int, rng):
    from apps.catalog.models import Listing, Marketplace, Product, Store
    from apps.orders.fx import Rate, rates_upsert
    from apps.pricing.models import CostProfile, FulfilmentFeeTier, ReferralFee

    markets = {
        m.code: m
        for m in Marketplace.objects.filter(code__in=["amazon_us", "amazon_de", "ebay_uk"])
    }
    stores = [
        Store.objects.create(organization=org, marketplace=markets[c], name=f"Bench {c}")
        for c in ("amazon_us", "amazon_de", "ebay_uk")
    ]
    products = Product.objects.bulk_create(
        [
            Product(
                organization=org,
                sku=f"BP-{n:05d}",
                name=f"商品 {n}",
                category="Chargers",
                unit_cost=Decimal(int(rng.integers(20, 200))),
                cost_currency="CNY",
                weight_g=Decimal(int(rng.integers(80, 900))),
            )
            for n in range(skus)
        ],
        batch_size=5000,
    )
    currency = {"amazon_us": "USD", "amazon_de": "EUR", "ebay_uk": "GBP"}
    Listing.objects.bulk_create(
        [
            Listing(
                organization=org,
                product=p,
                store=s,
                external_id=f"B{s.pk % 10}{p.pk:08d}",
                title=p.sku,
                language="en-US",
                price=Decimal("19.99"),
                currency=currency[s.marketplace.code],
            )
            for s in stores
            for p in products
        ],
        batch_size=5000,
    )
    for s in stores:
        cur = currency[s.marketplace.code]
        ReferralFee.objects.create(
            organization=org,
            marketplace=s.marketplace,
            category="",
            percent=Decimal("15"),
            minimum=Decimal("0.30"),
            currency=cur,
        )
        FulfilmentFeeTier.objects.create(
            organization=org,
            marketplace=s.marketplace,
            name="standard",
            rank=0,
            fee=Decimal("3.20"),
            currency=cur,
        )
        CostProfile.objects.create(
            organization=org, store=s, currency="CNY", first_leg_per_unit=Decimal("6.50")
        )
    rates = []
    for n in range(DAYS + 5):
        day = END - timedelta(days=n)
        wobble = Decimal(str(round(float(rng.normal(0, 0.01)), 4)))
        rates += [
            Rate(day, "EUR", "USD", Decimal("1.08") + wobble),
            Rate(day, "EUR", "CNY", Decimal("7.80") + wobble * 7),
            Rate(day, "EUR", "GBP", Decimal("0.85") + wobble / 2),
        ]
    rates_upsert(org=org, rates=rates, source="bench")
    return stores, [p.pk for p in products], currency


def build_orders(
    cursor, org, stores, product_ids, currency, lines: int, rng, *, days=DAYS, prefix="B"
):
    """`lines` order lines, two per order, over `days` days ending on END."""
    n_orders = lines // 2
    # the base data is an hour old: only the new lines fall in the refresh's look-back window
    now = (datetime.now(UTC) - timedelta(hours=0 if prefix.startswith("N") else 1)).isoformat()
    store_idx = rng.integers(0, len(stores), n_orders)
    start = datetime.combine(END - timedelta(days=days - 1), datetime.min.time(), UTC)
    at = pd.to_datetime(start) + pd.to_timedelta(rng.integers(0, days * 86400, n_orders), "s")
    status = rng.choice(
        ["shipped", "delivered", "returned", "cancelled"], n_orders, p=[0.62, 0.30, 0.05, 0.03]
    )
    codes = np.array([s.marketplace.code for s in stores])[store_idx]
    cur = pd.Series(codes).map(currency)
    mids = [f"{prefix}{n:09d}" for n in range(n_orders)]
    orders = pd.DataFrame(
        {
            "created_at": now,
            "updated_at": now,
            "organization_id": org.pk,
            "store_id": np.array([s.pk for s in stores])[store_idx],
            "marketplace_order_id": mids,
            "buyer_country": "US",
            "status": status,
            "ordered_at": at.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "currency": cur,
            "items_total": 0,
            "shipping_total": 0,
            "tax_total": 0,
            "order_total": 0,
        }
    )
    _copy(cursor, "orders_order", orders)
    cursor.execute(
        "SELECT marketplace_order_id, id FROM orders_order WHERE organization_id = %s "
        "AND marketplace_order_id LIKE %s",
        [org.pk, f"{prefix}%"],
    )
    ids = dict(cursor.fetchall())
    order_ids = np.repeat(np.array([ids[m] for m in mids]), 2)
    pid = np.array(product_ids)[np.minimum(rng.zipf(1.3, n_orders * 2) - 1, len(product_ids) - 1)]
    qty = rng.integers(1, 4, n_orders * 2)
    price = np.round(rng.uniform(9, 60, n_orders * 2), 2)
    items = pd.DataFrame(
        {
            "created_at": now,
            "updated_at": now,
            "organization_id": org.pk,
            "order_id": order_ids,
            "product_id": pid,
            "sku": "x",
            "quantity": qty,
            "unit_price": price,
            "currency": np.repeat(cur.to_numpy(), 2),
            "line_total": np.round(price * qty, 2),
        }
    )
    _copy(cursor, "orders_orderitem", items)
    return n_orders * 2


def build_traffic(cursor, org, stores, product_ids, rng) -> int:
    now = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    frames = []
    for s in stores:
        if not s.marketplace.code.startswith("amazon"):
            continue
        days = [END - timedelta(days=n) for n in range(DAYS)]
        grid = pd.MultiIndex.from_product([product_ids, days]).to_frame(
            index=False, name=["product_id", "day"]
        )
        sessions = rng.integers(5, 400, len(grid))
        frames.append(
            grid.assign(
                created_at=now,
                updated_at=now,
                organization_id=org.pk,
                store_id=s.pk,
                sessions=sessions,
                page_views=(sessions * 1.6).astype(int),
                source="bench",
            )
        )
    frame = pd.concat(frames)
    _copy(cursor, "analytics_trafficday", frame)
    return len(frame)


def cpu() -> tuple[float, float]:
    """CPU seconds so far of this process and of PostgreSQL: its backend (the build runs there;
    on a loaded machine wall time is mostly waiting for a core, CPU time is not) plus the
    parallel workers that have exited (counted in the postmaster's children's time; that
    includes any other exited child, e.g. autovacuum workers, so it is an upper bound)."""
    import os

    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        pid = c.fetchone()[0]
    tick = os.sysconf("SC_CLK_TCK")
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        backend = (int(fields[11]) + int(fields[12])) / tick
        with open(f"/proc/{int(fields[1])}/stat") as f:  # the postmaster
            parent = f.read().rsplit(")", 1)[1].split()
        backend += (int(parent[13]) + int(parent[14])) / tick
    except OSError:  # a server on another machine
        backend = float("nan")
    return time.process_time(), backend


def reuse(cursor, org):
    """The stores, SKUs and currencies of a kept benchmark organization, without the lines an
    earlier run added for its incremental measure."""
    from apps.catalog.models import Product, Store

    cursor.execute(
        "DELETE FROM orders_orderitem WHERE order_id IN (SELECT id FROM orders_order "
        "WHERE organization_id = %s AND marketplace_order_id LIKE 'N%%')",
        [org.pk],
    )
    cursor.execute(
        "DELETE FROM orders_order WHERE organization_id = %s AND marketplace_order_id LIKE 'N%%'",
        [org.pk],
    )
    stores = list(Store.objects.for_org(org).select_related("marketplace").order_by("id"))
    pids = list(Product.objects.for_org(org).order_by("id").values_list("id", flat=True))
    currency = {"amazon_us": "USD", "amazon_de": "EUR", "ebay_uk": "GBP"}
    return stores, pids, currency


def cleanup(org_id: int) -> None:
    from django.db import connection

    from apps.accounts.models import Organization
    from apps.core.tenancy import unscoped

    with connection.cursor() as c:
        for table in (
            "analytics_profitfact",
            "analytics_profitorderday",
            "analytics_profitrate",
            "analytics_profitcostinput",
            "analytics_trafficday",
            "orders_orderitem",
            "orders_order",
            "catalog_listingrevision",
            "catalog_listing",
            "catalog_product",
        ):
            c.execute(f"DELETE FROM {table} WHERE organization_id = %s", [org_id])
    with unscoped():
        Organization.objects.filter(pk=org_id).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--skus", type=int, default=1000)
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="leave the organization in place")
    parser.add_argument(
        "--reuse", action="store_true", help="measure again on the data a --keep run left"
    )
    args = parser.parse_args()
    django_setup()

    from django.db import connection, transaction

    from apps.accounts.models import Organization
    from apps.analytics import inputs
    from apps.analytics.models import ProfitRefresh
    from apps.analytics.profit import Slice
    from apps.analytics.refresh import profit_refresh
    from apps.analytics.report import profit_report_csv
    from apps.core.tenancy import unscoped

    # the benchmark measures the build, whatever other modules are merged yet
    inputs._provider = lambda module, name: None
    with unscoped():
        org = Organization.objects.filter(slug=SLUG).first() if args.reuse else None
        for old in Organization.objects.filter(slug=SLUG).values_list("pk", flat=True):
            if org is None:
                cleanup(old)
        if org is None:
            org = Organization.objects.create(
                name="Bench profit", slug=SLUG, default_currency="USD", timezone="Asia/Shanghai"
            )
    rng = np.random.default_rng(11)
    try:
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            if args.reuse:
                stores, pids, currency = reuse(cursor, org)
                lines, traffic = 0, 0
            else:
                stores, pids, currency = build_catalogue(org, args.skus, rng)
                lines = build_orders(cursor, org, stores, pids, currency, args.lines, rng)
                traffic = build_traffic(cursor, org, stores, pids, rng)
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE orders_order; ANALYZE orders_orderitem; ANALYZE analytics_trafficday"
            )
            cursor.execute(
                "SELECT count(*) FROM orders_orderitem WHERE organization_id = %s", [org.pk]
            )
            lines = cursor.fetchone()[0]
        print(
            f"built {lines:,} order lines, {len(pids):,} SKUs × {len(stores)} stores, "
            f"{traffic:,} traffic rows in {time.perf_counter() - t0:.1f}s"
        )

        ProfitRefresh.objects.for_org(org).delete()
        with connection.cursor() as cursor:
            # a --reuse run starts cold too: no facts, not even dead ones in the indexes
            cursor.execute("DELETE FROM analytics_profitfact WHERE organization_id = %s", [org.pk])
            cursor.execute("VACUUM analytics_profitfact")
        c0 = cpu()
        t0 = time.perf_counter()
        built = profit_refresh(org=org, full=True)
        t_build = time.perf_counter() - t0
        report = profit_report_csv(org=org, s=Slice(END - timedelta(days=DAYS - 1), END))
        cold = time.perf_counter() - t0
        c1 = cpu()
        rows = report.count("\n") - 1
        print(
            f"cold: read model of {built.rows:,} facts in {t_build:.2f}s, report of {rows:,} "
            f"SKU-day rows ({len(report) / 1e6:.1f} MB CSV) in {cold - t_build:.2f}s: "
            f"{cold:.2f}s (target < 10 s)"
        )

        with transaction.atomic(), connection.cursor() as cursor:
            prefix = f"N{int(time.time()) % 10**6}-"
            build_orders(cursor, org, stores, pids, currency, args.new, rng, days=1, prefix=prefix)
        c2 = cpu()
        t0 = time.perf_counter()
        inc = profit_refresh(org=org)
        t_inc = time.perf_counter() - t0
        c3 = cpu()
        print(
            f"CPU seconds (python + PostgreSQL backend): cold {c1[0] - c0[0]:.2f} + "
            f"{c1[1] - c0[1]:.2f}, incremental {c3[0] - c2[0]:.3f} + {c3[1] - c2[1]:.3f}"
        )
        print(
            f"incremental: {args.new:,} new lines, {inc.days} day(s) rebuilt, {inc.rows:,} facts "
            f"in {t_inc:.3f}s (target < 1 s)"
        )
        result = {
            "bench": "profit_report",
            "lines": lines,
            "skus": len(pids),
            "facts": built.rows,
            "report_rows": rows,
            "cold_s": round(cold, 2),
            "read_model_s": round(t_build, 2),
            "incremental_s": round(t_inc, 3),
            "cold_cpu_s": [round(c1[0] - c0[0], 2), round(c1[1] - c0[1], 2)],
            "incremental_cpu_s": [round(c3[0] - c2[0], 3), round(c3[1] - c2[1], 3)],
            "incremental_lines": args.new,
            "cold_ok": cold < 10,
            "incremental_ok": t_inc < 1,
        }
    finally:
        if not args.keep:
            cleanup(org.pk)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
