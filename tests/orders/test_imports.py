"""Order imports: the sample files parse, quirks become line errors, re-imports are idempotent."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from apps.integrations.tabular.errors import TabularFormatError
from apps.orders.imports import order_file_import, order_rows_import
from apps.orders.models import Order, OrderItem
from tests.factories import ProductFactory, StoreFactory

DATA = Path(__file__).resolve().parents[2] / "apps" / "orders" / "demo_data"
AMAZON = (DATA / "amazon-all-orders-report.tsv").read_bytes()
SHOPIFY = (DATA / "shopify-orders-export.csv").read_bytes()


@pytest.fixture
def store(org):
    return StoreFactory(organization=org, name="Kovexa US")


def _items(org):
    return OrderItem.objects.for_org(org)


def test_the_amazon_sample_imports_every_line(org, store):
    ProductFactory(organization=org, sku="KVX-PB10K-BLK")
    result = order_file_import(org=org, store=store, data=AMAZON, filename="all.tsv")

    assert result.errors == []
    assert result.rows == 30
    orders = Order.objects.for_org(org)
    assert orders.count() == len({row.split("\t")[0] for row in AMAZON.decode().splitlines()[1:]})
    multi = orders.get(marketplace_order_id="112-7741093-8865019")
    assert multi.items.count() == 3
    cable = multi.items.get(sku="KVX-CC2M-2PK")
    assert cable.quantity == 2
    assert cable.line_total == Decimal("25.98")  # item-price is for the whole quantity
    assert cable.unit_price == Decimal("12.99")
    assert multi.currency == "USD"
    # US prices exclude sales tax: the total adds it.
    assert multi.order_total == Decimal("25.98") + Decimal("45.99") + Decimal("17.99") + Decimal(
        "4.08"
    ) + Decimal("2.31") + Decimal("1.60")
    cancelled = orders.get(marketplace_order_id="111-2250648-0093718")
    assert cancelled.status == Order.Status.CANCELLED
    assert cancelled.items.count() == 0  # quantity 0, no money: nothing to store as a line
    assert _items(org).filter(sku="KVX-PB10K-BLK").exclude(product=None).exists()


def test_eu_prices_include_vat(org, store):
    order_file_import(org=org, store=store, data=AMAZON)
    eur = Order.objects.for_org(org).filter(currency="EUR").exclude(status="cancelled").first()
    assert eur is not None
    assert eur.order_total == eur.items_total + eur.shipping_total  # VAT already inside
    assert eur.tax_total > 0


def test_reimport_is_idempotent_and_status_updates_apply(org, store):
    first = order_file_import(org=org, store=store, data=AMAZON)
    again = order_file_import(org=org, store=store, data=AMAZON)
    assert again.duplicate_of == first.import_run_id
    count = _items(org).count()

    changed = AMAZON.replace(b"\tPending\t", b"\tShipped\t", 1)
    third = order_file_import(org=org, store=store, data=changed + b"\n")
    assert third.duplicate_of is None
    assert third.items_created == 0
    assert third.orders_created == 0
    assert third.orders_updated >= 1
    assert _items(org).count() == count
    assert not Order.objects.for_org(org).filter(
        status="pending", marketplace_order_id__in=[
            r.split("\t")[0] for r in changed.decode().splitlines() if "\tShipped\t" in r
        ]).exists()  # fmt: skip


def test_pending_lines_without_money_keep_stored_amounts(org, store):
    header = AMAZON.decode().splitlines()[0]
    row = AMAZON.decode().splitlines()[1].split("\t")
    cols = header.split("\t")
    order_file_import(org=org, store=store, data=(header + "\n" + "\t".join(row) + "\n").encode())
    pending = dict(zip(cols, row, strict=True))
    pending["order-status"] = "Pending"
    for c in cols:
        if c.endswith(("-price", "-tax", "-discount")):
            pending[c] = ""
    line = "\t".join(pending[c] for c in cols)
    order_file_import(org=org, store=store, data=(header + "\n" + line + "\r\n").encode())
    order = Order.objects.for_org(org).get(marketplace_order_id=row[0])
    assert order.status == "pending"
    assert order.items_total == Decimal("25.99")


def test_gbk_bom_locale_decimals_duplicates_and_bad_lines(org, store):
    text = (
        "订单号\tsku\t数量\t购买日期\t订单状态\tcurrency\titem-price\tship-country\n"
        "900-1\tKVX-中文-1\t2\t2025-09-08T10:00:00+08:00\tShipped\tEUR\t1.234,50\tDE\n"
        "900-1\tKVX-中文-1\t2\t2025-09-08T10:00:00+08:00\tShipped\tEUR\t1.234,50\tDE\n"
        "900-2\tKVX-2\tzwei\t2025-09-08T10:00:00+08:00\tShipped\tEUR\t9,99\tDE\n"
        "900-3\tKVX-3\t1\t2025-09-08T10:00:00+08:00\tWeird\tEUR\t9,99\tDE\n"
        "900-4\tKVX-4\t1\t2025-09-08T10:00:00+08:00\tShipped\tEUR\t12,5\tDE\n"
    )
    data = "\ufeff".encode() if False else text.encode("gbk")
    result = order_file_import(org=org, store=store, data=data, filename="gbk.tsv")
    lines = {e.line: e.reason for e in result.errors}
    assert sorted(lines) == [3, 4, 5]
    assert "repeats line 2" in lines[3]
    assert "quantity" in lines[4]
    assert "Weird" in lines[5]
    item = _items(org).get(sku="KVX-中文-1")
    assert item.line_total == Decimal("1234.50")
    assert _items(org).get(sku="KVX-4").line_total == Decimal("12.50")

    bom = "\ufeff".encode() + AMAZON
    result = order_file_import(org=org, store=StoreFactory(organization=org), data=bom)
    assert result.errors == []
    assert result.lines == 30


def test_a_file_missing_required_columns_is_refused_whole(org, store):
    with pytest.raises(TabularFormatError, match="purchase-date"):
        order_file_import(org=org, store=store, data=b"amazon-order-id\tsku\tquantity\n1\tA\t1\n")
    # an optional column missing is fine
    result = order_file_import(
        org=org, store=store,
        data=b"amazon-order-id\tsku\tquantity\tpurchase-date\n1\tA\t1\t2025-09-08T10:00:00Z\n",
    )  # fmt: skip
    assert result.errors == [] and result.lines == 1


def test_the_shopify_sample_imports_with_order_fields_spread(org, store):
    result = order_file_import(org=org, store=store, data=SHOPIFY, format="shopify")

    assert result.errors == []
    orders = Order.objects.for_org(org)
    assert orders.count() == 8
    o1041 = orders.get(marketplace_order_id="#1041")
    assert o1041.items.count() == 2
    assert o1041.order_total == Decimal("40.14")
    assert o1041.currency == "USD"
    assert all(i.currency == "USD" for i in o1041.items.all())
    refunded = orders.get(marketplace_order_id="#1043")
    assert refunded.refunded_total == Decimal("44.71")
    assert refunded.items.get().refunded_quantity == 1
    assert orders.get(marketplace_order_id="#1046").status == "cancelled"  # voided
    assert orders.get(marketplace_order_id="#1045").status == "pending"
    assert o1041.ship_postal_code == "02139"
    assert o1041.buyer_key and o1041.address_key

    again = order_file_import(org=org, store=store, data=SHOPIFY + b"\n", format="shopify")
    assert (again.orders_created, again.items_created, again.items_updated) == (0, 0, 0)


def test_shopify_orders_split_over_chunks_keep_their_totals(org, store, monkeypatch):
    from apps.integrations.tabular import readers

    monkeypatch.setattr(readers, "CHUNK_ROWS", 3)
    from apps.integrations.tabular import pipeline

    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 3)
    import apps.integrations.shopify_orders.parser as sp

    original = sp.read
    monkeypatch.setattr(sp, "read", lambda *a, **k: original(*a, chunk_rows=3, **k))
    result = order_file_import(org=org, store=store, data=SHOPIFY, format="shopify")
    assert result.errors == []
    o1044 = Order.objects.for_org(org).get(marketplace_order_id="#1044")
    assert o1044.items.count() == 3
    assert o1044.order_total == Decimal("101.96")


def test_bulk_rows_record_refunds_and_returns(org, store):
    rows = [
        {"order_id": "API-1", "sku": "A", "quantity": 2, "unit_price": "10.00",
         "currency": "EUR", "ordered_at": "2025-09-08T10:00:00+02:00", "status": "delivered",
         "buyer_country": "DE", "shipping": "4.90"},
        {"order_id": "API-1", "sku": "B", "quantity": 1, "line_total": "5,50",
         "currency": "EUR", "ordered_at": "2025-09-08T10:00:00+02:00", "status": "delivered"},
        {"order_id": "API-2", "sku": "A", "quantity": "x", "currency": "EUR",
         "ordered_at": "2025-09-08"},
    ]  # fmt: skip
    result = order_rows_import(org=org, store=store, rows=rows)
    assert [e.line for e in result.errors] == [3]
    order = Order.objects.for_org(org).get(marketplace_order_id="API-1")
    assert order.order_total == Decimal("30.40")
    rows[0] |= {"refunded_quantity": 1, "refunded_amount": "10.00", "returned_quantity": 1}
    again = order_rows_import(org=org, store=store, rows=rows[:2])
    assert again.items_updated == 1 and again.items_created == 0
    item = order.items.get(sku="A")
    assert (item.refunded_quantity, item.returned_quantity) == (1, 1)
    order.refresh_from_db()
    assert order.refunded_total == Decimal("10.00")


def test_shopify_with_bom_duplicate_rows_and_without_optional_columns(org, store):
    lines = SHOPIFY.decode("utf-8").splitlines(keepends=True)
    # a repeated line item row (the export written twice over) is reported, the rest imported
    data = ("\ufeff" + "".join([*lines[:3], lines[2], *lines[3:]])).encode("utf-8")
    result = order_file_import(org=org, store=store, data=data, format="shopify")
    assert [e.line for e in result.errors] == [4]
    assert "repeats line 3" in result.errors[0].reason
    assert Order.objects.for_org(org).count() == 8
    slim = (
        "Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity,"
        "Lineitem price,Lineitem sku\n"
        '#9001,a@example.com,paid,EUR,"1.234,50",2025-09-08 09:12:44 +0200,1,"1.234,50",KVX-1\n'
    )
    result = order_file_import(
        org=org, store=StoreFactory(organization=org), data=slim.encode(), format="shopify"
    )
    assert result.errors == []
    order = Order.objects.for_org(org).get(marketplace_order_id="#9001")
    assert order.order_total == Decimal("1234.50") and order.currency == "EUR"


def test_order_lines_file_in_gbk_with_chinese_headers(org, store):
    text = (
        "订单号,货号,数量,单价,币种,下单时间,订单状态,退款数量,退款金额\n"
        'CN-1,KVX-1,2,"12,50",EUR,2025-09-08 10:00:00,shipped,1,"12,50"\n'
        "CN-2,KVX-2,1,9.99,EUR,not a date,shipped,,\n"
    )
    result = order_file_import(
        org=org, store=store, data=text.encode("gbk"), format="lines", filename="订单.csv"
    )
    assert [e.line for e in result.errors] == [3]
    item = OrderItem.objects.for_org(org).get(sku="KVX-1")
    assert item.line_total == Decimal("25.00")
    assert (item.refunded_quantity, item.refunded_amount) == (1, Decimal("12.50"))


def test_amounts_and_quantities_too_large_are_line_errors_not_crashes(org, store):
    rows = [
        {"order_id": "BIG-1", "sku": "A", "quantity": "99999999999", "unit_price": "1",
         "currency": "EUR", "ordered_at": "2025-09-08T10:00:00Z"},
        {"order_id": "BIG-2", "sku": "A", "quantity": "1000", "unit_price": "9999999",
         "currency": "EUR", "ordered_at": "2025-09-08T10:00:00Z"},
        {"order_id": "OK-1", "sku": "A", "quantity": "1", "unit_price": "1",
         "currency": "EUR", "ordered_at": "2025-09-08T10:00:00Z"},
    ]  # fmt: skip
    result = order_rows_import(org=org, store=store, rows=rows)
    assert [e.line for e in result.errors] == [1, 2]
    assert result.lines == 1


def test_orders_without_an_address_get_no_address_key_and_trip_no_address_rule(org, store):
    """Slim files carry no address: hashing the bare country would put all of a country's
    orders on one "address" and flag every one as many-orders-to-one-address."""
    from apps.orders.risk import order_risk_score

    rows = [
        {"order_id": f"NA-{i}", "sku": "A", "quantity": 1, "unit_price": "10.00",
         "currency": "EUR", "ordered_at": f"2026-11-2{i}T10:00:00+01:00", "status": "shipped",
         "buyer_country": "DE"}
        for i in range(5)
    ] + [
        {"order_id": f"AD-{i}", "sku": "A", "quantity": 1, "unit_price": "10.00",
         "currency": "EUR", "ordered_at": f"2026-11-2{i}T11:00:00+01:00", "status": "shipped",
         "buyer_country": "DE", "ship_postal_code": "10115", "ship_city": "Berlin",
         "ship_address": "Invalidenstr. 1"}
        for i in range(5)
    ]  # fmt: skip
    result = order_rows_import(org=org, store=store, rows=rows)
    assert result.errors == []
    order_risk_score(org=org, since=None)
    bare = Order.objects.for_org(org).filter(marketplace_order_id__startswith="NA-")
    same = Order.objects.for_org(org).filter(marketplace_order_id__startswith="AD-")
    assert set(bare.values_list("address_key", flat=True)) == {""}
    assert len(set(same.values_list("address_key", flat=True))) == 1
    assert not any("address_velocity" in o.risk_reasons for o in bare)
    assert any("address_velocity" in o.risk_reasons for o in same)
