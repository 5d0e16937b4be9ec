"""Benchmark: bulk upsert of 10,000 products in one API request (target: under 5 s), and the
other bulk upserts (inventory, tracking events, costs, competitor offers, orders) at the same
size as extra measured lines.

Each request goes through the whole stack in process (WSGI handler, API-key authentication,
rate limit, idempotency, JSON parsing, per-item validation, the set-based writes, JSON
rendering). Products three times: all new (created), all changed (updated), all the same
(unchanged); every other endpoint twice: created, then the same batch again (unchanged).
Wall seconds and this process's CPU seconds (PostgreSQL's CPU is not in it) per request.
Builds its own organization and removes it afterwards.

    .venv/bin/python bench/api_bulk_upsert.py [--items 10000] [--only-products]
"""

from __future__ import annotations

import argparse
import json
import time

from _setup import django_setup


def items(n: int, variant: str) -> list[dict]:
    return [
        {
            "sku": f"BU-{i:07d}",
            "name": f"磁吸手机支架 {variant} {i}",
            "brand": "Voltora",
            "category": "Phone accessories",
            "unit_cost": f"{10 + i % 50}.50",
            "cost_currency": "CNY",
            "weight_g": "120.5",
            "attributes": {"colour": "black", "variant": variant},
        }
        for i in range(n)
    ]


def other_batches(n: int, store_id: int) -> dict[str, list[dict]]:
    """10,000 items of each other bulk endpoint, on the products created above."""
    sku = [f"BU-{i:07d}" for i in range(n)]
    return {
        "inventory": [{"sku": s, "warehouse": "bench-wh", "fulfillable": i % 97,
                       "reserved": i % 5} for i, s in enumerate(sku)],
        "tracking-events": [{"carrier": "yunexpress", "tracking_number": f"YT{i // 4:08d}",
                             "at": f"2026-11-{1 + i % 4:02d}T08:00:00+08:00",
                             "status": ("InfoReceived", "InTransit", "OutForDelivery",
                                        "Delivered")[i % 4],
                             "location": "Shenzhen, CN"} for i in range(n)],
        "costs": [{"sku": s, "store": store_id, "unit_cost": f"{12 + i % 40}.25",
                   "first_leg_per_unit": "1.10", "other_per_unit": "0.35"}
                  for i, s in enumerate(sku)],
        "competitor-offers": [{"sku": s, "store": store_id, "seller_id": "A1BENCH",
                               "price": f"{15 + i % 30}.99", "shipping": "0",
                               "observed_at": "2026-11-30T12:00:00Z"}
                              for i, s in enumerate(sku)],
        # Orders of two lines each: n/2 orders, n lines.
        "orders": [{"store": store_id, "marketplace_order_id": f"113-{i:07d}",
                    "buyer_country": "DE", "ordered_at": "2026-11-29T10:00:00+01:00",
                    "status": "shipped",
                    "lines": [{"item_key": "1", "sku": sku[(2 * i) % n], "quantity": 1,
                               "unit_price": "19.99"},
                              {"item_key": "2", "sku": sku[(2 * i + 1) % n], "quantity": 2,
                               "unit_price": "9.50"}]} for i in range(n // 2)],
    }  # fmt: skip


def _post(client, url: str, batch: list[dict]) -> tuple[dict, float, float]:
    body = json.dumps({"items": batch})
    t0, c0 = time.perf_counter(), time.process_time()
    response = client.post(url, body, content_type="application/json")
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert response.status_code == 200, response.content[:500]
    return response.json()["summary"], wall, cpu


def _seed_listings(org, n: int):
    from apps.catalog.models import Listing, Marketplace, Product, Store
    from apps.logistics.models import Warehouse

    store = Store.objects.create(organization=org, name="Bench US",
                                 marketplace=Marketplace.objects.get(code="amazon_us"),
                                 seller_id="ABENCH")  # fmt: skip
    Warehouse.objects.create(organization=org, code="bench-wh", name="Bench FBA", kind="fba",
                             country="US", store=store)  # fmt: skip
    products = Product.objects.for_org(org).values_list("pk", flat=True)[:n]
    Listing.objects.bulk_create(
        [Listing(organization=org, product_id=pk, store=store, language="en-US",
                 currency="USD", title=f"Listing {pk}") for pk in products],
        batch_size=2000,
    )  # fmt: skip
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--only-products", action="store_true")
    args = parser.parse_args()
    django_setup()

    from django.conf import settings
    from django.test import Client

    from apps.accounts.models import Organization
    from apps.accounts.services import api_key_issue
    from apps.core.tenancy import tenant_scope, unscoped

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    Organization.objects.filter(slug="bench-bulk-upsert").delete()
    org = Organization.objects.create(name="Bench bulk upsert", slug="bench-bulk-upsert")
    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}
    extra: dict[str, dict] = {}
    try:
        raw = api_key_issue(org=org, name="bench").raw_key
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert client.get("/api/v1/products/").status_code == 200  # warm: URL conf, imports
        for phase, variant in (("created", "a"), ("updated", "b"), ("unchanged", "b")):
            summary, timings[phase], cpu[phase] = _post(
                client, "/api/v1/products/bulk/", items(args.items, variant)
            )
            assert summary[phase] == args.items, summary
            print(f"products {phase}: {args.items:,} in {timings[phase]:.2f}s "
                  f"(CPU {cpu[phase]:.2f}s) {summary}")  # fmt: skip
        if not args.only_products:
            with tenant_scope(org):
                store = _seed_listings(org, args.items)
            for name, batch in other_batches(args.items, store.pk).items():
                url = f"/api/v1/{name}/bulk-upsert/"
                for phase in ("created", "unchanged"):
                    summary, wall, used = _post(client, url, batch)
                    assert summary["error"] == 0, summary
                    assert phase == "created" or summary["unchanged"] == len(batch), summary
                    extra[f"{name}_{phase}"] = {"items": len(batch), "seconds": round(wall, 3),
                                                "cpu_seconds": round(used, 3)}  # fmt: skip
                    print(f"{name} {phase}: {len(batch):,} in {wall:.2f}s (CPU {used:.2f}s) "
                          f"{summary}")  # fmt: skip
    finally:
        with unscoped():
            org.delete()
    print(
        json.dumps(
            {
                "benchmark": "api_bulk_upsert",
                "items": args.items,
                "seconds": round(timings["created"], 3),
                "cpu_seconds": round(cpu["created"], 3),
                "update_seconds": round(timings["updated"], 3),
                "update_cpu_seconds": round(cpu["updated"], 3),
                "unchanged_seconds": round(timings["unchanged"], 3),
                "target_seconds": 5,
                "other_endpoints": extra,
            }
        )
    )


if __name__ == "__main__":
    main()
