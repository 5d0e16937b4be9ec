"""eBay File Exchange writer: the Action header and one Add/Revise row per listing."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from apps.integrations.ebay_file_exchange.writer import EbayFileExchangeWriter
from apps.integrations.export_row import ExportRow


def row(**over) -> ExportRow:
    values = {
        "sku": "CHG-15",
        "title": "15W Wireless Charger",
        "bullets": ["Qi", "15 W"],
        "description": "Charges phones.",
        "search_terms": "",
        "price": Decimal("17.99"),
        "currency": "GBP",
        "stock": 40,
        "language": "en-GB",
    }
    return ExportRow(**{**values, **over})


def test_the_header_carries_site_country_currency_and_version():
    fh = io.StringIO()
    writer = EbayFileExchangeWriter(fh, marketplace_code="ebay_uk", currency="GBP")
    writer.write([row(), row(sku="CHG-20", external_id="123456789012", stock=-2)])
    lines = list(csv.reader(io.StringIO(fh.getvalue())))
    assert lines[0][0] == "Action(SiteID=UK|Country=CN|Currency=GBP|Version=1193)"
    assert lines[0][1:4] == ["ItemID", "CustomLabel", "Title"]
    records = list(csv.DictReader(io.StringIO(fh.getvalue())))
    action = lines[0][0]
    first, second = records
    assert first[action] == "Add" and first["ItemID"] == ""
    assert first["CustomLabel"] == "CHG-15" and first["Title"] == "15W Wireless Charger"
    assert first["Description"] == "<p>Charges phones.</p><ul><li>Qi</li><li>15 W</li></ul>"
    assert first["StartPrice"] == "17.99" and first["Quantity"] == "40"
    assert first["Format"] == "FixedPrice" and first["Duration"] == "GTC"
    assert first["ConditionID"] == "1000"
    assert second[action] == "Revise" and second["ItemID"] == "123456789012"
    assert second["Quantity"] == "0"


def test_germany_uses_its_site_name_and_non_ebay_is_refused():
    fh = io.StringIO()
    EbayFileExchangeWriter(fh, marketplace_code="ebay_de", currency="EUR")
    assert fh.getvalue().startswith("Action(SiteID=Germany|Country=CN|Currency=EUR|")
    with pytest.raises(ValueError):
        EbayFileExchangeWriter(io.StringIO(), marketplace_code="amazon_de", currency="EUR")
