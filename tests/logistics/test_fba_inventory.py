"""The FBA inventory report: parsing quirks, import into a warehouse, idempotence, and that a
stock import leaves open content drafts valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from apps.integrations.fba_inventory import parser
from apps.integrations.tabular.errors import TabularFormatError
from apps.logistics.imports import fba_inventory_import, inventory_records_import
from apps.logistics.models import Inventory

from .helpers import fba_warehouse, sample_products

SAMPLE = Path("/work/shared/data/amazon-fba-inventory-report.tsv")
if not SAMPLE.exists():  # the repository's copy for CI
    SAMPLE = Path(__file__).resolve().parents[1] / "data" / "amazon-fba-inventory-report.tsv"

HEADER = (
    "\t".join(
        [
            "sku",
            "asin",
            "afn-warehouse-quantity",
            "afn-fulfillable-quantity",
            "afn-unsellable-quantity",
            "afn-reserved-quantity",
            "afn-inbound-working-quantity",
            "afn-inbound-shipped-quantity",
            "afn-inbound-receiving-quantity",
            "per-unit-volume",
        ]
    )
    + "\n"
)


def test_sample_report_parses_every_row():
    result = parser.parse(SAMPLE.read_bytes())
    assert len(result.rows) == 15 and result.errors == []
    first = result.rows[0]
    assert (first.sku, first.fulfillable, first.reserved, first.unsellable, first.inbound) == (
        "KVX-PB10K-BLK",
        186,
        31,
        2,
        600,
    )


def test_gbk_bom_locale_decimals_and_chinese_headers():
    text = "卖家SKU\t可售数量\t预留数量\t单位体积\nKVX-1\t12\t3\t0,05\n"
    result = parser.parse(text.encode("gbk"))
    assert result.errors == []
    assert result.rows[0].fulfillable == 12 and str(result.rows[0].unit_volume_ft3) == "0.05"
    bom = ("\ufeff" + HEADER + "KVX-2\t9\t7\t1\t1\t0\t0\t0\t0\t0.02\n").encode("utf-8")
    assert parser.parse(bom).rows[0].sku == "KVX-2"


def test_fulfillable_is_derived_when_the_column_is_missing():
    text = (
        "sku\tafn-warehouse-quantity\tafn-unsellable-quantity\tafn-reserved-quantity\nA\t10\t2\t3\n"
    )
    assert parser.parse(text.encode()).rows[0].fulfillable == 5


def test_duplicate_rows_keep_the_later_line_and_report_the_earlier():
    body = HEADER + "A\tX\t5\t5\t0\t0\t0\t0\t0\t0.1\nA\tX\t7\t7\t0\t0\t0\t0\t0\t0.1\n"
    result = parser.parse(body.encode())
    assert [r.fulfillable for r in result.rows] == [7]
    assert result.errors[0].line == 2 and "line 3" in result.errors[0].reason


def test_missing_required_columns_refuse_the_file():
    with pytest.raises(TabularFormatError, match="Missing columns"):
        parser.parse(b"asin\tcondition\nB01\tNew\n")


def test_bad_quantity_is_a_line_error_and_good_rows_are_kept():
    body = HEADER + "A\tX\t5\tmany\t0\t0\t0\t0\t0\t0.1\nB\tY\t5\t5\t0\t0\t0\t0\t0\t0.1\n"
    result = parser.parse(body.encode())
    assert [r.sku for r in result.rows] == ["B"] and result.errors[0].line == 2


@pytest.mark.django_db
def test_import_writes_inventory_and_listing_stock_and_is_idempotent(org):
    wh = fba_warehouse(org)
    listings = sample_products(org, wh.store, ["KVX-PB10K-BLK", "KVX-PB10K-WHT"])
    data = SAMPLE.read_bytes()
    outcome = fba_inventory_import(org=org, warehouse=wh, source=data, filename="inv.tsv")
    assert outcome.run.rows_ok == 2 and outcome.run.rows_failed == 13  # unknown SKUs reported
    inv = Inventory.objects.for_org(org).get(product=listings["KVX-PB10K-BLK"].product)
    assert (inv.fulfillable, inv.inbound) == (186, 600)
    listings["KVX-PB10K-BLK"].refresh_from_db()
    assert listings["KVX-PB10K-BLK"].stock == 186
    again = fba_inventory_import(org=org, warehouse=wh, source=data, filename="inv.tsv")
    assert again.is_duplicate
    # Same content in new bytes: applied, nothing changes.
    out = inventory_records_import(
        org=org,
        warehouse=wh,
        records=[
            {
                "sku": "KVX-PB10K-BLK",
                "afn-fulfillable-quantity": "186",
                "afn-reserved-quantity": "31",
                "afn-unsellable-quantity": "2",
                "afn-inbound-shipped-quantity": "600",
                "per-unit-volume": "0.02",
            }
        ],
    )
    assert (out.created, out.updated, out.unchanged) == (0, 0, 1)
    assert Inventory.objects.for_org(org).count() == 2


@pytest.mark.django_db
def test_stock_import_does_not_supersede_open_content_drafts(org, user):
    from apps.review.models import DraftStatus
    from apps.review.services import draft_approve, draft_create

    wh = fba_warehouse(org)
    listing = sample_products(org, wh.store, ["KVX-PB10K-BLK"])["KVX-PB10K-BLK"]
    proposed = {
        "title": "Kovexa 10000mAh Power Bank, slim",
        "bullets": listing.bullets,
        "description": listing.description,
        "search_terms": "",
    }
    draft = draft_create(org=org, kind="listing_content", target=listing, proposed=proposed)
    content_before = listing.content_version
    fba_inventory_import(org=org, warehouse=wh, source=SAMPLE.read_bytes(), filename="inv.tsv")
    listing.refresh_from_db()
    assert listing.stock == 186 and listing.content_version == content_before
    draft = draft_approve(org=org, actor=user, draft_id=draft.pk)
    assert draft.status == DraftStatus.APPLIED
    listing.refresh_from_db()
    assert listing.title == proposed["title"]


@pytest.mark.django_db
def test_import_into_another_organizations_warehouse_is_refused(org, other_org):
    from apps.core.errors import ValidationFailed

    wh = fba_warehouse(other_org)
    with pytest.raises(ValidationFailed):
        fba_inventory_import(org=org, warehouse=wh, source=SAMPLE.read_bytes())


@pytest.mark.django_db
def test_a_sku_reported_empty_records_a_stockout_day(org):
    from apps.logistics.models import StockoutDay

    wh = fba_warehouse(org)
    sample_products(org, wh.store, ["EMPTY", "FULL"])
    inventory_records_import(org=org, warehouse=wh, records=[
        {"sku": "EMPTY", "afn-fulfillable-quantity": "0"},
        {"sku": "FULL", "afn-fulfillable-quantity": "9"}])  # fmt: skip
    days = StockoutDay.objects.for_org(org).values_list("product__sku", flat=True)
    assert list(days) == ["EMPTY"]
