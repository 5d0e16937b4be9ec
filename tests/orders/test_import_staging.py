"""The staged import: Arrow's reader and the pipeline give the same orders, an order's lines may
be anywhere in the file, and every change to a line (refund, cancellation, deletion) touches
its order's updated_at so incremental readers (analytics' refresh) see it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.db import connection
from django.utils import timezone

from apps.integrations.amazon_orders import parser as amazon
from apps.integrations.tabular.arrow_reader import ArrowReader
from apps.integrations.tabular.pipeline import TabularReader
from apps.orders.imports import order_file_import, order_rows_import
from apps.orders.models import Order, OrderItem
from tests.factories import ProductFactory, StoreFactory

DATA = Path(__file__).resolve().parents[2] / "apps" / "orders" / "demo_data"
AMAZON = (DATA / "amazon-all-orders-report.tsv").read_bytes()


def _snapshot(org, store):
    orders = Order.objects.for_org(org).filter(store=store)
    return sorted(
        (o.marketplace_order_id, o.status, o.currency, o.items_total, o.tax_total, o.order_total,
         o.buyer_key, o.address_key, sorted((i.item_key, i.quantity, i.line_total, i.unit_price,
                                             i.item_status) for i in o.items.all()))
        for o in orders
    )  # fmt: skip


def test_arrow_reader_and_pipeline_import_the_same_orders(org):
    assert isinstance(amazon.open_orders(AMAZON), ArrowReader)
    # A quote anywhere sends the file to the general pipeline (a cell may span lines there).
    lines = AMAZON.decode().splitlines(keepends=True)
    quoted = (lines[0] + "".join(lines[1:]).replace("Kovexa", '"Kovexa"', 1)).encode()
    assert isinstance(amazon.open_orders(quoted), TabularReader)

    fast, slow = StoreFactory(organization=org), StoreFactory(organization=org)
    a = order_file_import(org=org, store=fast, data=AMAZON, score=False)
    b = order_file_import(org=org, store=slow, data=quoted, score=False)
    assert (a.errors, b.errors) == ([], [])
    assert (a.lines, a.orders_created, a.items_created) == (
        b.lines, b.orders_created, b.items_created,
    )  # fmt: skip
    assert _snapshot(org, fast) == _snapshot(org, slow)


def test_arrow_reader_reports_bad_lines_with_their_numbers(org):
    store = StoreFactory(organization=org)
    data = (
        b"amazon-order-id\tsku\tquantity\tpurchase-date\tcurrency\titem-price\n"
        b"1\tA\t1\t2025-09-08T10:00:00Z\tUSD\t9.99\n"
        b"2\tB\tmany\t2025-09-08T10:00:00Z\tUSD\t9.99\n"
        b"\t\t\t\t\t\n"
        b"3\tC\t1\tyesterday\tUSD\t1.234,50\n"
        b"4\tD\t1\t2025-09-08T10:00:00Z\tUSD\t1.234,50\n"
        b"1\tA\t1\t2025-09-08T10:00:00Z\tUSD\t9.99\n"
    )
    assert isinstance(amazon.open_orders(data), ArrowReader)
    result = order_file_import(org=org, store=store, data=data)
    assert [e.line for e in result.errors] == [3, 5, 7]
    assert "repeats line 2" in result.errors[-1].reason
    assert OrderItem.objects.for_org(org).get(sku="D").line_total == Decimal("1234.50")


def test_an_orders_lines_apart_in_the_file_make_one_order(org):
    store = StoreFactory(organization=org)
    rows = [
        {"order_id": "SPLIT-1", "sku": "A", "quantity": "1", "unit_price": "10.00",
         "currency": "EUR", "ordered_at": "2025-09-08T10:00:00Z", "tax_included": True},
        {"order_id": "OTHER", "sku": "A", "quantity": "1", "unit_price": "1.00",
         "currency": "EUR", "ordered_at": "2025-09-08T11:00:00Z"},
        {"order_id": "SPLIT-1", "sku": "B", "quantity": "2", "unit_price": "5.00",
         "currency": "EUR", "ordered_at": "2025-09-08T10:00:00Z", "tax_included": True},
    ]  # fmt: skip
    result = order_rows_import(org=org, store=store, rows=rows)
    assert result.errors == [] and result.orders_created == 2
    order = Order.objects.for_org(org).get(marketplace_order_id="SPLIT-1")
    assert order.items.count() == 2
    assert order.order_total == Decimal("20.00")


def _age(order: Order) -> None:
    old = timezone.now() - timedelta(days=3)
    Order.objects.for_org(order.organization).filter(pk=order.pk).update(updated_at=old)


def test_refunds_cancellations_and_deletions_of_lines_touch_the_order(org):
    store = StoreFactory(organization=org)
    ProductFactory(organization=org, sku="A")
    base = {"order_id": "T-1", "currency": "EUR", "ordered_at": "2025-09-08T10:00:00Z",
            "status": "delivered"}  # fmt: skip
    rows = [base | {"sku": "A", "quantity": "2", "unit_price": "10.00"},
            base | {"sku": "B", "quantity": "1", "unit_price": "5.00"}]  # fmt: skip
    order_rows_import(org=org, store=store, rows=rows)
    order = Order.objects.for_org(org).get(marketplace_order_id="T-1")
    assert order.items.get(sku="A").product is not None  # joined by SKU in SQL
    since = timezone.now() - timedelta(days=1)

    # A line returned, the order's own fields unchanged: the line's trigger touches the order.
    _age(order)
    order_rows_import(org=org, store=store, rows=[rows[0] | {"returned_quantity": "1"}, rows[1]])
    order.refresh_from_db()
    assert order.updated_at > since

    _age(order)
    cancelled = rows[1] | {"item_status": "cancelled", "quantity": "0", "unit_price": ""}
    order_rows_import(org=org, store=store, rows=[rows[0] | {"returned_quantity": "1"}, cancelled])
    order.refresh_from_db()
    assert order.items.get(sku="B").item_status == "cancelled"
    assert order.updated_at > since

    _age(order)
    order.items.get(sku="B").delete()
    order.refresh_from_db()
    assert order.updated_at > since

    # A line added to a stored order touches it too.
    _age(order)
    order_rows_import(org=org, store=store, rows=[base | {"sku": "C", "quantity": "1",
                                                          "unit_price": "1.00"}])  # fmt: skip
    order.refresh_from_db()
    assert order.updated_at > since and order.items.count() == 2


def test_orders_have_an_index_for_changes_since_a_moment(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'order_org_updated_idx'")
        (definition,) = cursor.fetchone()
    assert "(organization_id, updated_at)" in definition
