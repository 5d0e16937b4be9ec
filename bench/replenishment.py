"""Benchmark: the replenishment plan for 100,000 SKUs with 365 days of order history, from the
database to stored suggestions and restock drafts.

    .venv/bin/python bench/replenishment.py [--skus 100000] [--days 365] [--keep]

Builds (COPY, not measured) an organization with one store, an FBA warehouse whose capacity
binds, the SKUs' products, listings, supply terms and inventory, one order per day and one
order line per SKU and day with sales (demand with trend, weekly seasonality and Poisson noise;
~4 % of SKU-days out of stock, recorded as stock-out days with no sales), then runs
`apps.logistics.planner.plan` once: read order history (SQL → COPY → arrays), forecast all SKUs
(vectorised Holt-Winters with a per-SKU parameter grid chosen by backtest), lead times, safety
stock, reorder points, rounding, capacity allocation by profit per ft³ (pricing cost model),
COPY of the suggestions and restock drafts into the review queue. Prints the phases, the
forecast step alone, and the hold-out accuracy (MAE, WAPE over the last 28 days).
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_setup

SLUG = "bench-replenishment"
CHUNK = 20_000


def _with_defaults(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame plus every NOT NULL column of the table's model it leaves out, at the field's
    default (Django sets defaults in Python, not in the schema): the set-up keeps working when
    an app adds a column with a default."""
    import json as _json

    from django.apps import apps as django_apps
    from django.db import models

    model = next(m for m in django_apps.get_models() if m._meta.db_table == table)
    extra = {}
    for field in model._meta.concrete_fields:
        if field.column in frame.columns or field.null or field.primary_key:
            continue
        if not field.has_default():
            continue
        value = field.get_default()
        if isinstance(field, models.JSONField):
            value = _json.dumps(value)
        extra[field.column] = value
    return frame.assign(**extra) if extra else frame


def _copy(cursor, table: str, frame: pd.DataFrame) -> None:
    frame = _with_defaults(table, frame)
    buf = io.StringIO()
    frame.to_csv(buf, header=False, index=False, quoting=csv.QUOTE_NONNUMERIC)
    buf.seek(0)
    cursor.copy_expert(
        f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv)", buf
    )


def _copy_fast(cursor, table: str, frame: pd.DataFrame) -> None:
    """pyarrow's CSV writer (apps.core.copy) for the big tables, whose text is never empty."""
    from apps.core.copy import frame_csv

    frame = _with_defaults(table, frame)
    cursor.copy_expert(
        f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv)", frame_csv(frame)
    )


def build(org, n: int, days: int, seed: int = 11):
    from django.db import connection
    from django.utils import timezone

    from apps.catalog.models import Marketplace, Store
    from apps.logistics.models import Warehouse
    from apps.orders.models import ExchangeRate
    from apps.pricing.models import FulfilmentFeeTier, ReferralFee

    rng = np.random.default_rng(seed)
    mkt = Marketplace.objects.get(code="amazon_us")
    store = Store.objects.create(organization=org, marketplace=mkt, name="Bench US", seller_id="B")
    today = timezone.localdate()
    ExchangeRate.objects.get_or_create(
        organization=org,
        base="CNY",
        quote="USD",
        date=today - timedelta(days=1),
        defaults={"rate": Decimal("0.14"), "source": "bench"},
    )
    FulfilmentFeeTier.objects.create(
        organization=org, marketplace=mkt, name="std", rank=0, fee=Decimal("4.75"), currency="USD"
    )
    ReferralFee.objects.create(
        organization=org, marketplace=mkt, percent=15, minimum=Decimal("0.30"), currency="USD"
    )
    wh = Warehouse.objects.create(
        organization=org,
        code="FBA-US",
        name="FBA US",
        kind="fba",
        country="US",
        store=store,
        # ~70 % of the ~0.49 ft³ per SKU the plan suggests: the limit binds, so the allocation by
        # profit per ft³ (listing frame, pricing cost model) is part of what is measured.
        capacity_ft3=Decimal(n) * Decimal("0.35"),
    )
    ts = timezone.now().isoformat()
    start = today - timedelta(days=days)
    t = np.arange(days)
    with connection.cursor() as c:
        cur = c.cursor
        # Set-up only: skip the foreign-key triggers while loading (as a restore does); the ids
        # come from the rows just written. The measured plan runs with every check on.
        cur.execute("SET session_replication_role = replica")
        # One order per day (the lines carry the SKUs).
        orders = pd.DataFrame(
            {
                "created_at": ts,
                "updated_at": ts,
                "organization_id": org.id,
                "store_id": store.id,
                "marketplace_order_id": [f"BR-{d}" for d in range(days)],
                "buyer_country": "US",
                "status": "shipped",
                "ordered_at": [
                    (pd.Timestamp(start) + pd.Timedelta(days=int(d), hours=12)).isoformat()
                    + "+00:00"
                    for d in t
                ],
                "currency": "USD",
                "items_total": 0,
                "shipping_total": 0,
                "tax_total": 0,
                "order_total": 0,
            }
        )
        _copy(cur, "orders_order", orders)
        cur.execute(
            "SELECT id FROM orders_order WHERE organization_id = %s ORDER BY ordered_at", [org.id]
        )
        order_ids = np.array([r[0] for r in cur.fetchall()])
        lines = 0
        for s0 in range(0, n, CHUNK):
            size = min(CHUNK, n - s0)
            idx = np.arange(s0, s0 + size)
            products = pd.DataFrame(
                {
                    "created_at": ts,
                    "updated_at": ts,
                    "organization_id": org.id,
                    "sku": [f"RP-{i:07d}" for i in idx],
                    "name": "充电器",
                    "brand": "Bench",
                    "category": "Chargers",
                    "attributes": "{}",
                    "source_language": "zh-Hans",
                    "unit_cost": rng.integers(2000, 9000, size) / 100,
                    "cost_currency": "CNY",
                    "weight_g": 300,
                    "length_mm": 120,
                    "width_mm": 80,
                    "height_mm": 40,
                    "hs_code": "",
                    "images": "[]",
                    "version": 1,
                }
            )
            _copy(cur, "catalog_product", products)
            cur.execute(
                "SELECT id FROM catalog_product WHERE organization_id = %s AND sku >= %s "
                "AND sku <= %s ORDER BY sku",
                [org.id, f"RP-{s0:07d}", f"RP-{s0 + size - 1:07d}"],
            )
            pids = np.array([r[0] for r in cur.fetchall()])
            _copy(
                cur,
                "catalog_listing",
                pd.DataFrame(
                    {
                        "created_at": ts,
                        "updated_at": ts,
                        "organization_id": org.id,
                        "product_id": pids,
                        "store_id": store.id,
                        "external_id": [f"B{p:09d}" for p in pids],
                        "title": "Bench charger",
                        "bullets": "[]",
                        "description": "",
                        "search_terms": "",
                        "language": "en-US",
                        "currency": "USD",
                        "price": rng.integers(1500, 4500, size) / 100,
                        "stock": 0,
                        "status": "active",
                        "version": 1,
                        "images": "[]",
                    }
                ),
            )
            _copy(
                cur,
                "logistics_supplyterms",
                pd.DataFrame(
                    {
                        "created_at": ts,
                        "updated_at": ts,
                        "organization_id": org.id,
                        "product_id": pids,
                        "carton_units": rng.choice([12, 24, 48], size),
                        "moq": rng.choice([0, 100, 300], size),
                        "production_days": 15,
                        "production_days_sd": 3,
                        "mode": rng.choice(["sea", "air", "rail"], size, p=[0.7, 0.2, 0.1]),
                    }
                ),
            )
            # Demand: level × weekly pattern × trend, Poisson; stock-outs zero the sales.
            level = rng.gamma(0.8, 0.6, size)[:, None]
            week = 1 + rng.uniform(0, 0.5, size)[:, None] * np.sin(
                2 * np.pi * (t + rng.integers(0, 7, size)[:, None]) / 7
            )
            trend = 1 + rng.normal(0, 0.0015, size)[:, None] * t
            units = rng.poisson(np.clip(level * week * trend, 0.01, None))
            out = np.zeros_like(units, dtype=bool)
            begin = rng.integers(0, days - 20, size)
            has_out = rng.random(size) < 0.3
            for k in range(14):
                out[np.arange(size), np.minimum(begin + k, days - 1)] |= has_out
            units[out] = 0
            rows, cols = np.nonzero(units)
            lines += len(rows)
            _copy_fast(
                cur,
                "orders_orderitem",
                pd.DataFrame(
                    {
                        "created_at": ts,
                        "updated_at": ts,
                        "organization_id": org.id,
                        "order_id": order_ids[cols],
                        "product_id": pids[rows],
                        "sku": "RP",
                        "quantity": units[rows, cols],
                        "unit_price": 20,
                        "currency": "USD",
                        "line_total": 20,
                    }
                ),
            )
            orow, ocol = np.nonzero(out)
            _copy_fast(
                cur,
                "logistics_stockoutday",
                pd.DataFrame(
                    {
                        "created_at": ts,
                        "updated_at": ts,
                        "organization_id": org.id,
                        "product_id": pids[orow],
                        "warehouse_id": wh.id,
                        "day": (np.datetime64(start, "D") + ocol.astype("timedelta64[D]")).astype(
                            str
                        ),
                    }
                ),
            )
            _copy(
                cur,
                "logistics_inventory",
                pd.DataFrame(
                    {
                        "created_at": ts,
                        "updated_at": ts,
                        "organization_id": org.id,
                        "product_id": pids,
                        "warehouse_id": wh.id,
                        "fulfillable": rng.integers(0, 200, size),
                        "reserved": 0,
                        "unsellable": 0,
                        "inbound": 0,
                        "unit_volume_ft3": 0.0136,
                        "reported_at": ts,
                    }
                ),
            )
        cur.execute("SET session_replication_role = DEFAULT")
        for table in (
            "orders_order",
            "orders_orderitem",
            "catalog_product",
            "catalog_listing",
            "logistics_inventory",
            "logistics_stockoutday",
            "logistics_supplyterms",
        ):
            c.execute(f"ANALYZE {table}")
    return lines


def _count_lines(org) -> int:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM orders_orderitem WHERE organization_id = %s", [org.pk])
        return c.fetchone()[0]


def cleanup(org_id: int) -> None:
    from django.db import connection

    from apps.accounts.models import Organization
    from apps.core.tenancy import unscoped

    with connection.cursor() as c:
        for table in (
            "review_reviewevent",
            "review_draft",
            "logistics_restocksuggestion",
            "logistics_planrun",
            "logistics_stockoutday",
            "logistics_inventory",
            "logistics_supplyterms",
            "orders_orderitem",
            "orders_order",
            "catalog_listingrevision",
            "catalog_listing",
            "catalog_product",
        ):
            c.execute(f"DELETE FROM {table} WHERE organization_id = %s", [org_id])
    with unscoped():
        Organization.objects.filter(pk=org_id).delete()


def _backend_cpu() -> float | None:
    """CPU seconds of this session's PostgreSQL backend so far, when the server runs on this
    machine (the embedded one does): the database's share of the plan, which the process's
    own CPU time leaves out."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        pid = c.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--keep", action="store_true", help="keep the data afterwards")
    parser.add_argument("--reuse", action="store_true", help="plan again over kept data")
    parser.add_argument("--slug", default=SLUG, help="organization slug (keep several sizes)")
    args = parser.parse_args()
    django_setup()
    from apps.accounts.models import Organization
    from apps.logistics.planner import plan

    org = Organization.objects.filter(slug=args.slug).first() if args.reuse else None
    if org is None:
        for old in Organization.objects.filter(slug=args.slug).values_list("pk", flat=True):
            cleanup(old)
        org = Organization.objects.create(name="Bench replenishment", slug=args.slug)
    try:
        t0 = time.perf_counter()
        lines = _count_lines(org) if args.reuse else build(org, args.skus, args.days)
        print(
            f"built {args.skus:,} SKUs × {args.days} days: {lines:,} order lines with COPY "
            f"in {time.perf_counter() - t0:.1f}s"
        )
        load_before = os.getloadavg()[0]
        pg0 = _backend_cpu()
        t0, c0 = time.perf_counter(), time.process_time()
        run = plan(org=org)
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0
        pg1 = _backend_cpu()
        pg_cpu = None if pg0 is None or pg1 is None else pg1 - pg0
        tm = run.timings
        print(
            f"plan: {run.skus:,} SKU × warehouse pairs in {seconds:.1f}s (load {tm['load']:.1f}s, "
            f"forecast {tm['forecast']:.1f}s [{tm['forecast_cpu']:.1f}s CPU], "
            f"plan {tm['plan']:.1f}s, "
            f"store {tm['store']:.1f}s); "
            f"{run.suggestions:,} suggestions stored and drafted; {cpu:.1f}s CPU in this process "
            f"+ {pg_cpu if pg_cpu is None else round(pg_cpu, 1)}s CPU in PostgreSQL's backend; "
            f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
        )
        print(f"hold-out (last 28 days): MAE {run.mae} units/day, WAPE {run.wape}")
        result = {
            "bench": "replenishment",
            "skus": args.skus,
            "days": args.days,
            "order_lines": lines,
            "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu, 2),
            "postgres_cpu_seconds": None if pg_cpu is None else round(pg_cpu, 2),
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "forecast_seconds": tm["forecast"],
            "forecast_cpu_seconds": round(tm["forecast_cpu"], 2),
            "timings": tm,
            "suggestions": run.suggestions,
            "holdout_mae": float(run.mae) if run.mae is not None else None,
            "holdout_wape": float(run.wape) if run.wape is not None else None,
            "target_seconds": 120,
            "forecast_target_seconds": 10,
        }
    finally:
        if not args.keep:
            cleanup(org.pk)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
