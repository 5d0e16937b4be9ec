"""Shopify product CSV writer: Shopify's columns, values read back with csv."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from apps.integrations.export_row import ExportRow
from apps.integrations.shopify_csv.writer import COLUMNS, ShopifyCsvWriter


def test_each_listing_becomes_one_product_row_with_its_variant():
    fh = io.StringIO()
    writer = ShopifyCsvWriter(fh)
    writer.write(
        [
            ExportRow(
                sku="LAMP 01/B",
                title="Desk Lamp <LED>",
                bullets=["Warm & cold light", "USB-C"],
                description="A lamp.\n\nSecond paragraph.",
                search_terms="lamp desk lamp led",
                price=Decimal("24.50"),
                currency="USD",
                stock=7,
                language="en-US",
                brand="Lumo",
                category="Lighting",
                weight_g=Decimal("450.0"),
                status="inactive",
            )
        ]
    )
    rows = list(csv.DictReader(io.StringIO(fh.getvalue())))
    assert list(rows[0]) == COLUMNS
    r = rows[0]
    assert r["Handle"] == "lamp-01-b"
    assert r["Title"] == "Desk Lamp <LED>"
    assert r["Body (HTML)"] == (
        "<p>A lamp.</p><p>Second paragraph.</p>"
        "<ul><li>Warm &amp; cold light</li><li>USB-C</li></ul>"
    )
    assert r["Vendor"] == "Lumo" and r["Type"] == "Lighting"
    assert r["Tags"] == "lamp, desk, led"
    assert r["Variant SKU"] == "LAMP 01/B" and r["Variant Price"] == "24.50"
    assert r["Variant Inventory Qty"] == "7" and r["Variant Grams"] == "450"
    assert r["Published"] == "FALSE" and r["Status"] == "draft"
    assert writer.count == 1
