"""Competitor-offer files: every encoding and decimal convention sellers send, per-line errors
with line numbers, good lines kept, and the same observation imported once."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from apps.integrations.competitor_csv.parser import (
    CompetitorFormatError,
    parse,
    parse_decimal,
    parse_rating,
)
from apps.pricing.competitor_import import competitor_file_import
from apps.pricing.models import CompetitorOffer
from tests.factories import ListingFactory, StoreFactory, marketplace

NOW = datetime(2024, 11, 21, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "value"),
    [("12.99", "12.99"), ("12,99", "12.99"), ("1.234,56", "1234.56"), ("1,234.56", "1234.56"),
     ("€ 12,99", "12.99"), ("¥1,980", "1980"), ("1 299,00", "1299.00"), ("0,5", "0.5")],
)  # fmt: skip
def test_decimals_are_read_in_either_convention(text, value):
    assert parse_decimal(text) == Decimal(value)


def test_unreadable_numbers_are_none_and_ratings_become_percentages():
    assert parse_decimal("abc") is None and parse_decimal("1.2.3") is None
    assert parse_rating("4.8") == Decimal("96.00")
    assert parse_rating("98%") == Decimal("98.00")
    assert parse_rating("120") is None


def test_a_utf8_bom_file_with_comma_decimals_and_semicolons_parses_exactly():
    data = (
        "\ufefflisting_id;seller;price;shipping;fulfilment;rating;buy_box;observed_at\n"
        "7;Anker Official;12,99;0;FBA;4,8;ja;2024-11-20 13:05\n"
    ).encode()
    result = parse(data, now=NOW)
    assert result.errors == []
    [row] = result.rows
    assert (row.listing_id, row.seller, row.seller_id) == (7, "Anker Official", "Anker Official")
    assert (row.price, row.shipping, row.fulfilment) == (Decimal("12.99"), 0, "fba")
    assert row.rating == Decimal("96.00") and row.buy_box is True
    assert row.observed_at == datetime(2024, 11, 20, 13, 5, tzinfo=UTC)


def test_a_gbk_file_with_chinese_headers_parses():
    data = "ASIN,卖家,价格,配送方式,购物车\nB0TEST0001,深圳优品,19.99,自发货,否\n".encode("gbk")
    [row] = parse(data, now=NOW).rows
    assert (row.external_id, row.seller, row.price) == ("B0TEST0001", "深圳优品", Decimal("19.99"))
    assert row.fulfilment == "fbm" and row.buy_box is False and row.observed_at == NOW


def test_tsv_and_xlsx_are_read_too():
    tsv = "listing_id\tseller\tprice\n3\tA\t9.50\n".encode("utf-16")
    assert parse(tsv, now=NOW).rows[0].price == Decimal("9.50")
    book = Workbook()
    book.active.append(["listing_id", "seller", "price", "observed_at"])
    book.active.append([3, "B", 11.2, datetime(2024, 11, 20, 8, 0)])
    buffer = io.BytesIO()
    book.save(buffer)
    [row] = parse(buffer.getvalue(), "offers.xlsx", now=NOW).rows
    assert row.price == Decimal("11.2")
    assert row.observed_at == datetime(2024, 11, 20, 8, 0, tzinfo=UTC)


def test_bad_lines_are_reported_with_their_line_numbers_and_good_ones_kept():
    data = (
        b"listing_id,seller,price,buy_box,observed_at\n"
        b"1,A,10.00,no,2024-11-20\n"
        b"\n"  # blank lines are skipped, but still counted in the numbering
        b"2,,abc,maybe,2024-11-20\n"
        b"3,C,0,no,2024-11-20\n"
        b"4,D,5.00,no,2099-01-01\n"
        b"5,E,7.50,yes,yesterday\n"
        b'6,F,"8,25",yes,2024-11-20\n'
    )
    result = parse(data, now=NOW)
    errors = {e.line: e.reason for e in result.errors}
    assert set(errors) == {4, 5, 6, 7}
    assert "the seller is empty" in errors[4] and "price is not a number: 'abc'" in errors[4]
    assert "buy_box is not yes/no: 'maybe'" in errors[4]
    assert errors[5] == "price must be above zero: 0"
    assert "in the future" in errors[6]
    assert "observed_at is not a date and time: 'yesterday'" in errors[7]
    assert [(r.line, r.listing_id, r.price) for r in result.rows] == [
        (2, 1, Decimal("10.00")),
        (8, 6, Decimal("8.25")),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
        (b"listing,price\n1,2\n", "Missing columns: seller"),
        (b"seller,price\nA,2\n", "listing_id | asin | sku"),
        (b"sku,seller,price\nX,A,2\n", "needs a store column"),
        (b"\xff\xd8\xff\xe0 not text \x81\x00\xfe", "neither UTF-8 nor GBK"),
    ],
)
def test_a_file_that_is_not_an_offer_table_is_rejected_as_a_whole(data, message):
    with pytest.raises(CompetitorFormatError, match=message):
        parse(data)


@pytest.fixture
def listings(org):
    store = StoreFactory(organization=org, name="Voltora US")
    de = StoreFactory(organization=org, name="Voltora DE", marketplace=marketplace("amazon_de"))
    us = ListingFactory(organization=org, store=store, external_id="B0SAME0001")
    eu = ListingFactory(
        organization=org, store=de, external_id="B0SAME0001", currency="EUR", product=us.product
    )
    return us, eu


def test_import_resolves_listings_in_the_organization_and_keeps_history(org, other_org, listings):
    us, eu = listings
    foreign = ListingFactory(organization=other_org)
    data = (
        "listing_id,asin,store,seller,price,currency,observed_at\n"
        f"{us.id},,,Rival,18.49,,2024-11-19 10:00\n"
        f"{us.id},,,Rival,18.29,USD,2024-11-20 10:00\n"
        f',B0SAME0001,Voltora DE,Rival DE,"16,90",,2024-11-20 10:00\n'
        f"{foreign.id},,,Rival,9.99,,2024-11-20 10:00\n"
        f",B0SAME0001,,Rival,9.99,,2024-11-20 10:00\n"
        f"{us.id},,,Rival,9.99,EUR,2024-11-20 11:00\n"
    ).encode()
    result = competitor_file_import(org=org, data=data, filename="offers.csv")
    assert (result.rows, result.imported, result.counts.created) == (6, 3, 3)
    errors = {e.line: e.reason for e in result.errors}
    assert errors[5] == f"no listing {foreign.id} in this organization or store"
    assert errors[6] == "B0SAME0001 is listed in 2 stores: add a store column"
    assert errors[7] == "currency EUR differs from the listing's USD"
    history = CompetitorOffer.objects.for_org(org).filter(listing=us).order_by("observed_at")
    assert [o.price for o in history] == [Decimal("18.49"), Decimal("18.29")]
    german = CompetitorOffer.objects.for_org(org).get(listing=eu)
    assert (german.price, german.currency, german.source) == (Decimal("16.90"), "EUR", "csv")
    assert not CompetitorOffer.objects.for_org(other_org).exists()

    again = competitor_file_import(org=org, data=data.replace(b"18.29", b"18.19"))
    assert (again.counts.created, again.counts.updated, again.counts.unchanged) == (0, 1, 2)
    assert CompetitorOffer.objects.for_org(org).count() == 3


def test_the_store_option_limits_the_import_to_one_store(org, listings):
    us, eu = listings
    data = f"listing_id,seller,price\n{us.id},A,10\n{eu.id},A,10\n".encode()
    result = competitor_file_import(org=org, data=data, store_id=eu.store_id)
    assert result.imported == 1 and [e.line for e in result.errors] == [2]


def test_the_management_command_imports_and_lists_errors(org, listings, tmp_path):
    us, _ = listings
    path = tmp_path / "offers.csv"
    path.write_text(f"listing_id,seller,price\n{us.id},A,10\n{us.id},B,x\n")
    out, err = StringIO(), StringIO()
    call_command("import_competitors", org.slug, str(path), stdout=out, stderr=err)
    assert "Read 2 lines from offers.csv: 1 imported (1 new" in out.getvalue()
    assert "line 3: price is not a number: 'x'" in err.getvalue()
    path.write_text("nothing,useful\n1,2\n")
    with pytest.raises(CommandError, match="Missing columns"):
        call_command("import_competitors", org.slug, str(path), stdout=out, stderr=err)
    with pytest.raises(CommandError, match="No organization"):
        call_command("import_competitors", "nobody", str(path))
