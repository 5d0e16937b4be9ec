"""Benchmark: bulk upsert of 10,000 products in one API request (target: under 5 s).

One `POST /api/v1/products/bulk/` with 10,000 items through the whole stack in process (WSGI
handler, API-key authentication, rate limit, JSON parsing, per-item validation, the set-based
writes, JSON rendering), three times: all new (created), all changed (updated), all the same
(unchanged). Builds its own organization and removes it afterwards.

    .venv/bin/python bench/api_bulk_upsert.py [--items 10000]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    args = parser.parse_args()
    django_setup()

    from django.conf import settings
    from django.test import Client

    from apps.accounts.models import Organization
    from apps.accounts.services import api_key_issue
    from apps.core.tenancy import unscoped

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    Organization.objects.filter(slug="bench-bulk-upsert").delete()
    org = Organization.objects.create(name="Bench bulk upsert", slug="bench-bulk-upsert")
    timings: dict[str, float] = {}
    try:
        raw = api_key_issue(org=org, name="bench").raw_key
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert client.get("/api/v1/products/").status_code == 200  # warm: URL conf, imports
        for phase, variant in (("created", "a"), ("updated", "b"), ("unchanged", "b")):
            body = json.dumps({"items": items(args.items, variant)})
            t0 = time.perf_counter()
            response = client.post("/api/v1/products/bulk/", body, content_type="application/json")
            timings[phase] = time.perf_counter() - t0
            assert response.status_code == 200, response.content[:500]
            summary = response.json()["summary"]
            assert summary[phase] == args.items, summary
            print(f"{phase}: {args.items:,} products in {timings[phase]:.2f}s ({summary})")
    finally:
        with unscoped():
            org.delete()
    print(
        json.dumps(
            {
                "benchmark": "api_bulk_upsert",
                "items": args.items,
                "seconds": round(timings["created"], 3),
                "update_seconds": round(timings["updated"], 3),
                "unchanged_seconds": round(timings["unchanged"], 3),
                "target_seconds": 5,
            }
        )
    )


if __name__ == "__main__":
    main()
