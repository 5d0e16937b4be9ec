"""CSV/XLSX exports of the order list and the order-risk list, with the same filters as the
pages and, with `in_base`, the base-currency columns (the rate of each order's UTC day, one rate
query per chunk of CHUNK orders, never one per row; a missing rate is written as missing)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from apps.accounts.models import Organization
from apps.core.csv_safe import safe_cell

from .base_currency import attach_base_amounts, base_currency, utc_day
from .models import Order

EXPORT_MAX = 100_000  # rows; the file says so in its last line when it stops there
CHUNK = 2_000
HEADER = ["order_id", "ordered_at_utc", "store", "marketplace", "buyer_country", "status",
          "currency", "order_total", "risk_score", "risk_reasons"]  # fmt: skip


def header(*, org: Organization, in_base: bool) -> list[str]:
    if not in_base:
        return list(HEADER)
    base = base_currency(org)
    return [*HEADER, f"total_{base.lower()}", "rate", "rate_date", "missing_rate"]


def rows(*, org: Organization, orders: QuerySet[Order], in_base: bool) -> Iterator[list]:
    """One list per order (at most EXPORT_MAX), amounts as Decimal, text formula-escaped."""
    qs = orders.select_related("store", "store__marketplace")[:EXPORT_MAX]
    chunk: list[Order] = []
    for order in qs.iterator(chunk_size=CHUNK):
        chunk.append(order)
        if len(chunk) == CHUNK:
            yield from _chunk_rows(org, chunk, in_base)
            chunk = []
    if chunk:
        yield from _chunk_rows(org, chunk, in_base)


def _chunk_rows(org: Organization, chunk: list[Order], in_base: bool) -> Iterator[list]:
    if in_base:
        attach_base_amounts(org=org, rows=chunk, amount="order_total",
                            day=lambda o: utc_day(o.ordered_at))  # fmt: skip
    for o in chunk:
        row = [o.marketplace_order_id, utc_iso(o.ordered_at), o.store.name,
               o.store.marketplace.code, o.buyer_country, o.status, o.currency, o.order_total,
               o.risk_score, " ".join(o.risk_reasons or [])]  # fmt: skip
        if in_base:
            b = o.base_amount
            row += [b.amount if b.amount is not None else "", b.rate if b.rate is not None else "",
                    b.day.isoformat() if b.day else "", b.missing]  # fmt: skip
        yield [safe_cell(c) for c in row]


def utc_iso(value) -> str:
    from datetime import UTC

    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def export(
    *, org: Organization, orders: QuerySet[Order], fmt: str, in_base: bool
) -> tuple[bytes, str]:
    """The file's bytes and content type (`fmt` csv or xlsx)."""
    from apps.core.table_export import table_bytes

    head = header(org=org, in_base=in_base)
    body = rows(org=org, orders=orders, in_base=in_base)
    return table_bytes(head, body, fmt=fmt, sheet="orders")
