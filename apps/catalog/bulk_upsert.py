"""Bulk upsert of products matched on SKU: one request of up to 10,000 items, each validated on
its own, a result per item (created, updated, unchanged, error), valid items saved even when
others fail, and set-based writes (one SELECT … FOR UPDATE, one INSERT … SELECT FROM unnest,
one UPDATE … FROM unnest), whatever the number of items.

An item names the fields it sets; the others keep their stored value (or the model default for
a new product). A product whose merged values equal the stored ones is not written (its
`version` does not move); an updated one gets `version + 1` like a single update.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from .models import Product

if TYPE_CHECKING:
    from apps.accounts.models import Organization

FIELDS = ("name", "brand", "category", "attributes", "source_language", "unit_cost",
          "cost_currency", "weight_g", "length_mm", "width_mm", "height_mm", "hs_code",
          "images")  # fmt: skip
JSON_FIELDS = {"attributes", "images"}
DECIMAL_FIELDS = {"unit_cost", "weight_g", "length_mm", "width_mm", "height_mm"}
DEFAULTS: dict[str, Any] = {
    "brand": "",
    "category": "",
    "attributes": {},
    "source_language": "zh-Hans",
    "unit_cost": None,
    "cost_currency": "CNY",
    "weight_g": None,
    "length_mm": None,
    "width_mm": None,
    "height_mm": None,
    "hs_code": "",
    "images": [],
}
_TYPES = {"name": "varchar", "brand": "varchar", "category": "varchar", "attributes": "jsonb",
          "source_language": "varchar", "unit_cost": "numeric", "cost_currency": "varchar",
          "weight_g": "numeric", "length_mm": "numeric", "width_mm": "numeric",
          "height_mm": "numeric", "hs_code": "varchar", "images": "jsonb"}  # fmt: skip


@dataclass(frozen=True)
class UpsertResult:
    sku: str
    status: str  # created | updated | unchanged | error
    id: int | None = None
    error: str = ""


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return (a is None and b is None) or (
            a is not None and b is not None and Decimal(a) == Decimal(b)
        )
    return a == b


def _column(field: str, values: list) -> list:
    if field in JSON_FIELDS:
        return [json.dumps(v, ensure_ascii=False) for v in values]
    return values


def _unnest(fields: tuple[str, ...], alias: str) -> tuple[str, str]:
    """`unnest(%(sku)s::varchar[], …) AS alias(sku, …)`; jsonb travels as text."""
    args = ", ".join(
        f"%({f})s::{'text' if _TYPES.get(f, 'varchar') == 'jsonb' else _TYPES.get(f, 'varchar')}[]"
        for f in fields
    )
    return f"unnest({args})", f"{alias}({', '.join(fields)})"


def _cast(field: str, alias: str) -> str:
    return f"{alias}.{field}::jsonb" if field in JSON_FIELDS else f"{alias}.{field}"


@transaction.atomic
def products_upsert_many(*, org: Organization, items: list[dict[str, Any]]) -> list[UpsertResult]:
    """Upsert validated items (each a dict with `sku` and any of FIELDS) of `org`; returns one
    result per item, in order. Duplicate SKUs in one call: the first wins, the others are
    errors."""
    results: list[UpsertResult | None] = [None] * len(items)
    first_index: dict[str, int] = {}
    for index, item in enumerate(items):
        sku = item["sku"]
        if sku in first_index:
            results[index] = UpsertResult(
                sku, "error", error=f"Duplicate SKU in this request (item {first_index[sku]})."
            )
            continue  # fmt: skip
        first_index[sku] = index
    existing = {
        row["sku"]: row
        for row in Product.objects.for_org(org)
        .filter(sku__in=list(first_index))
        .select_for_update()
        .values("id", "sku", *FIELDS)
    }
    inserts: list[tuple[int, dict[str, Any]]] = []
    updates: list[tuple[int, dict[str, Any]]] = []
    for sku, index in first_index.items():
        item = items[index]
        stored = existing.get(sku)
        if stored is None:
            merged = {**DEFAULTS, **{f: item[f] for f in FIELDS if f in item}}
            inserts.append((index, {"sku": sku, **merged}))
            continue
        merged = {f: item.get(f, stored[f]) for f in FIELDS}
        if all(_same(merged[f], stored[f]) for f in FIELDS):
            results[index] = UpsertResult(sku, "unchanged", stored["id"])
        else:
            updates.append((index, {"id": stored["id"], **merged}))
    with connection.cursor() as cursor:
        if inserts:
            cols = ("sku", *FIELDS)
            source, alias = _unnest(cols, "i")
            params = {f: _column(f, [row[f] for _, row in inserts]) for f in cols}
            params["org"] = org.pk
            select = ", ".join(_cast(f, "i") for f in cols)
            cursor.execute(
                f"""
                INSERT INTO catalog_product (organization_id, created_at, updated_at, version,
                                             {", ".join(cols)})
                SELECT %(org)s, now(), now(), 1, {select} FROM {source} AS {alias}
                ON CONFLICT (organization_id, sku) DO NOTHING
                RETURNING id, sku
                """,
                params,
            )
            created = dict((sku, pk) for pk, sku in cursor.fetchall())
            for index, row in inserts:
                pk = created.get(row["sku"])
                results[index] = (
                    UpsertResult(row["sku"], "created", pk)
                    if pk is not None
                    else UpsertResult(
                        row["sku"], "error", error="Created by a concurrent request; retry."
                    )
                )
        if updates:
            cols = ("id", *FIELDS)
            source, alias = _unnest(cols, "u")
            params = {f: _column(f, [row[f] for _, row in updates]) for f in cols}
            params["id"] = [row["id"] for _, row in updates]
            params["org"] = org.pk
            assignments = ", ".join(f"{f} = {_cast(f, 'u')}" for f in FIELDS)
            cursor.execute(
                f"""
                UPDATE catalog_product p SET {assignments}, version = p.version + 1,
                       updated_at = now()
                FROM {source.replace("%(id)s::varchar[]", "%(id)s::bigint[]")} AS {alias}
                WHERE p.id = u.id AND p.organization_id = %(org)s
                """,
                params,
            )
            for index, row in updates:
                results[index] = UpsertResult(items[index]["sku"], "updated", row["id"])
    return [r for r in results if r is not None]
