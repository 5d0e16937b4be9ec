"""Benchmark: import 1,000,000 order lines from an Amazon All Orders report into the database.

    .venv/bin/python bench/orders_import.py [--lines 1000000] [--products 2000] [--keep]

Generates (into a temporary directory, before timing) a tab-separated All Orders report with
the real 33-column header: 1–3 items per order, US and DE orders (USD sales-tax exclusive,
EUR VAT inclusive), about 2 % cancelled lines (quantity 0, no money) and 3 % pending lines
without amounts. Then measures `apps.orders.imports.order_file_import` end to end — bytes →
tabular pipeline (typed chunks, line errors) → normalised lines → COPY into temporary tables →
`UPDATE … FROM` + `INSERT … ON CONFLICT` of orders and lines → the set-based risk score — and
a second import of the same file with 5 % of the orders shipped (status updates applied in
place). Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_setup

SLUG = "bench-orders"
HEADER = (
    "amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\t"
    "fulfillment-channel\tsales-channel\torder-channel\tship-service-level\tproduct-name\tsku\t"
    "asin\titem-status\tquantity\tcurrency\titem-price\titem-tax\tshipping-price\tshipping-tax\t"
    "gift-wrap-price\tgift-wrap-tax\titem-promotion-discount\tship-promotion-discount\t"
    "ship-city\tship-state\tship-postal-code\tship-country\tpromotion-ids\tcpf\t"
    "is-business-order\tpurchase-order-number\tprice-designation\t"
    "signature-confirmation-recommended"
)


def generate(path: Path, lines: int, products: int, seed: int = 11, shipped_share: float = 0.0):
    rng = np.random.default_rng(seed)
    per_order = rng.integers(1, 4, size=lines)  # 1–3 items; cut to exactly `lines`
    order_of = np.repeat(np.arange(len(per_order)), per_order)[:lines]
    n_orders = int(order_of[-1]) + 1
    de = rng.random(n_orders) < 0.4
    when = 1_757_000_000 + np.sort(rng.integers(0, 180 * 86400, size=n_orders))
    status = np.where(rng.random(n_orders) < 0.03, "Pending", "Shipped").astype(object)
    cancelled = rng.random(n_orders) < 0.02
    status[cancelled] = "Cancelled"
    # Distinct SKUs within an order (a repeated order line is a line error, tested elsewhere).
    position = np.arange(lines) - np.concatenate([[0], np.cumsum(per_order)])[order_of]
    sku = (rng.integers(0, products, size=n_orders)[order_of] + position * 37) % products
    qty = rng.integers(1, 4, size=lines)
    unit = rng.integers(999, 9999, size=lines) / 100
    if shipped_share:  # a later report: pending orders and a share of the others shipped
        later = np.random.default_rng(seed + 1).random(n_orders) < shipped_share
        status[((status == "Pending") | later) & ~cancelled] = "Shipped"
    o_de, o_status = de[order_of], status[order_of]
    price = np.round(unit * qty, 2)
    tax = np.round(np.where(o_de, price - price / 1.19, price * 0.0825), 2)
    money = o_status == "Shipped"
    postal = rng.integers(10000, 99999, size=n_orders)[order_of]
    stamps = np.array(
        [np.datetime_as_string(np.datetime64(int(t), "s")) + "+00:00" for t in when], dtype=object
    )[order_of]
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        block = 200_000
        for start in range(0, lines, block):
            rows = []
            for i in range(start, min(start + block, lines)):
                o = int(order_of[i])
                oid = f"{100 + o % 900:03d}-{o:07d}-{o * 7 % 9999991:07d}"
                st = o_status[i]
                q = 0 if st == "Cancelled" else int(qty[i])
                m = money[i]
                rows.append(
                    f"{oid}\t\t{stamps[i]}\t{stamps[i]}\t{st}\tAmazon\t"
                    f"{'Amazon.de' if o_de[i] else 'Amazon.com'}\t\tStandard\tBench item {sku[i]}\t"
                    f"BENCH-{sku[i]:05d}\tB0{sku[i]:08d}\t{st}\t{q}\t"
                    f"{'EUR' if o_de[i] else 'USD'}\t"
                    + (f"{price[i]:.2f}\t{tax[i]:.2f}\t0.00\t0.00\t0.00\t0.00\t0.00\t0.00\t" if m
                       else "\t\t\t\t\t\t\t\t")
                    + f"{'Berlin' if o_de[i] else 'Austin'}\t\t{postal[i]}\t"
                    f"{'DE' if o_de[i] else 'US'}\t\t\tfalse\t\t\tfalse\n"
                )  # fmt: skip
            out.write("".join(rows))
    return n_orders


def cleanup(org_id: int) -> None:
    from django.db import connection, transaction

    from apps.accounts.models import Organization
    from apps.core.tenancy import unscoped

    # Orders first, then their lines, in one transaction (the lines' foreign key is checked at
    # commit): the lines' delete trigger then has no order left to touch.
    with transaction.atomic(), connection.cursor() as c:
        c.execute(
            "DELETE FROM integrations_importlineerror WHERE run_id IN (SELECT id FROM "
            "integrations_importrun WHERE organization_id = %s)",
            [org_id],
        )
        c.execute("DELETE FROM orders_order WHERE organization_id = %s", [org_id])
        c.execute("DELETE FROM orders_orderitem WHERE organization_id = %s", [org_id])
    with unscoped():
        Organization.objects.filter(pk=org_id).delete()


def postgres_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend (the embedded server runs on this
    machine; 0 when its /proc entry is not readable, e.g. a remote DATABASE_URL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def naive_import(path: Path, org, store, limit: int) -> float:
    """The naive way, for the ratio: the first `limit` lines read with csv.DictReader, money
    as Decimal, one ORM `update_or_create` per order and per line. Seconds per line."""
    import csv
    from decimal import Decimal

    from django.db import transaction

    from apps.catalog.models import Product
    from apps.orders.models import Order, OrderItem

    products = dict(Product.objects.for_org(org).values_list("sku", "id"))
    t0 = time.perf_counter()
    with open(path, encoding="utf-8") as handle, transaction.atomic():
        for i, row in enumerate(csv.DictReader(handle, delimiter="\t")):
            if i >= limit:
                break
            price = Decimal(row["item-price"] or 0)
            quantity = int(row["quantity"])
            order, _ = Order.objects.for_org(org).update_or_create(
                organization=org, store=store, marketplace_order_id=row["amazon-order-id"],
                defaults={"status": row["order-status"].lower(), "currency": row["currency"],
                          "ordered_at": row["purchase-date"], "buyer_country": row["ship-country"]},
            )  # fmt: skip
            if quantity:
                OrderItem.objects.for_org(org).update_or_create(
                    organization=org, order=order, item_key=row["sku"],
                    defaults={"sku": row["sku"], "quantity": quantity, "currency": row["currency"],
                              "unit_price": price / quantity, "line_total": price,
                              "product_id": products.get(row["sku"])},
                )  # fmt: skip
    return (time.perf_counter() - t0) / limit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--naive-lines", type=int, default=2000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    django_setup()

    from apps.accounts.models import Organization
    from apps.catalog.models import Marketplace, Product, Store
    from apps.orders import imports
    from apps.orders.models import Order, OrderItem

    for old in Organization.objects.filter(slug=SLUG).values_list("pk", flat=True):
        cleanup(old)
    org = Organization.objects.create(name="Bench orders", slug=SLUG)
    store = Store.objects.create(
        organization=org, marketplace=Marketplace.objects.get(code="amazon_us"), name="Bench"
    )
    naive_store = Store.objects.create(
        organization=org, marketplace=Marketplace.objects.get(code="amazon_us"), name="Naive"
    )
    Product.objects.bulk_create(
        [Product(organization=org, sku=f"BENCH-{i:05d}", name=f"Bench item {i}")
         for i in range(args.products)]
    )  # fmt: skip
    tmp = Path(tempfile.mkdtemp())
    try:
        t0 = time.perf_counter()
        first = tmp / "all-orders.tsv"
        n_orders = generate(first, args.lines, args.products)
        second = tmp / "all-orders-later.tsv"
        generate(second, args.lines, args.products, shipped_share=0.05)
        print(f"generated {args.lines:,} lines ({n_orders:,} orders) twice in "
              f"{time.perf_counter() - t0:.1f}s; {first.stat().st_size / 1e6:.0f} MB")  # fmt: skip

        naive_per_line = naive_import(first, org, naive_store, args.naive_lines)
        print(f"naive (csv.DictReader + ORM update_or_create per order and line): "
              f"{args.naive_lines:,} lines in {naive_per_line * args.naive_lines:.1f}s "
              f"→ {naive_per_line * args.lines:,.0f}s projected for {args.lines:,}")  # fmt: skip

        pg0, cpu0, t0 = postgres_cpu(), time.process_time(), time.perf_counter()
        result = imports.order_file_import(org=org, store=store, data=first)
        total_s = time.perf_counter() - t0
        cpu_s, pg_s = time.process_time() - cpu0, postgres_cpu() - pg0
        print(
            f"first import incl. its risk score: {result.lines:,} lines, "
            f"{result.orders_created:,} orders, {len(result.errors)} line errors in {total_s:.1f}s"
            f" wall; CPU: Python {cpu_s:.1f}s + PostgreSQL backend {pg_s:.1f}s"
        )

        t0 = time.perf_counter()
        again = imports.order_file_import(org=org, store=store, data=second)
        again_s = time.perf_counter() - t0
        print(f"re-import with status changes: {again.orders_updated:,} orders and "
              f"{again.items_updated:,} lines updated, {again.items_created} created, "
              f"in {again_s:.1f}s (incl. its risk score)")  # fmt: skip
        t0 = time.perf_counter()
        same = imports.order_file_import(org=org, store=store, data=second, score=False)
        print(f"same file again: recognised as run #{same.duplicate_of} in "
              f"{time.perf_counter() - t0:.1f}s")  # fmt: skip
        items = OrderItem.objects.for_org(org).filter(order__store=store).count()
        orders = Order.objects.for_org(org).filter(store=store).count()
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            json.dumps(
                {
                    "bench": "orders_import",
                    "lines": args.lines,
                    "orders": orders,
                    "items_stored": items,
                    "seconds": round(total_s, 2),
                    "rows_per_s": round(args.lines / total_s),
                    "python_cpu_s": round(cpu_s, 2),
                    "postgres_cpu_s": round(pg_s, 2),
                    "naive_projected_s": round(naive_per_line * args.lines, 1),
                    "ratio_vs_naive": round(naive_per_line * args.lines / total_s, 1),
                    "reimport_s": round(again_s, 2),
                    "reimport_orders_updated": again.orders_updated,
                    "peak_rss_mib": round(peak_mib),
                    "load_average": [round(x, 2) for x in os.getloadavg()],
                    "target_s": 60,
                    "ok": total_s < 60,
                }
            )
        )
    finally:
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()
        if not args.keep:
            cleanup(org.pk)


if __name__ == "__main__":
    main()
