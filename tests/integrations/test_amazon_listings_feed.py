"""Amazon JSON_LISTINGS_FEED writer: the document parses back with the values we wrote."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest

from apps.integrations.amazon_listings_feed.writer import AmazonListingsFeedWriter
from apps.integrations.export_row import ExportRow


def row(**over) -> ExportRow:
    values = {
        "sku": "CAB-001",
        "title": "Voltora Kupferkabel 2 m",
        "bullets": ["Reines Kupfer", "Länge 2 m"],
        "description": "Ein Kabel aus Kupfer.",
        "search_terms": "kabel kupfer ladekabel",
        "price": Decimal("19.90"),
        "currency": "EUR",
        "stock": 12,
        "language": "de-DE",
        "brand": "Voltora",
    }
    return ExportRow(**{**values, **over})


def write(rows, **options) -> dict:
    fh = io.StringIO()
    writer = AmazonListingsFeedWriter(
        fh,
        seller_id=options.pop("seller_id", "A2SELLER"),
        marketplace_code=options.pop("marketplace_code", "amazon_de"),
        language="de-DE",
        **options,
    )
    writer.write(rows)
    writer.close()
    return json.loads(fh.getvalue())


def test_the_header_names_seller_version_and_locale():
    doc = write([row()])
    assert doc["header"] == {"sellerId": "A2SELLER", "version": "2.0", "issueLocale": "de_DE"}


def test_an_update_message_carries_every_attribute_with_marketplace_and_language():
    doc = write([row(), row(sku="CAB-002", title="Zweites Kabel", bullets=[])])
    first, second = doc["messages"]
    assert first["messageId"] == 1 and second["messageId"] == 2
    assert first["sku"] == "CAB-001" and first["operationType"] == "UPDATE"
    assert first["productType"] == "PRODUCT" and first["requirements"] == "LISTING"
    attrs = first["attributes"]
    de = {"language_tag": "de_DE", "marketplace_id": "A1PA6795UKMFR9"}
    assert attrs["item_name"] == [{"value": "Voltora Kupferkabel 2 m", **de}]
    assert attrs["bullet_point"] == [{"value": "Reines Kupfer", **de}, {"value": "Länge 2 m", **de}]
    assert attrs["product_description"] == [{"value": "Ein Kabel aus Kupfer.", **de}]
    assert attrs["generic_keyword"] == [{"value": "kabel kupfer ladekabel", **de}]
    assert attrs["list_price"] == [
        {"value": 19.9, "currency": "EUR", "marketplace_id": "A1PA6795UKMFR9"}
    ]
    assert "bullet_point" not in second["attributes"]


def test_a_patch_message_replaces_only_the_attributes_written():
    doc = write([row()], operation="PATCH")
    msg = doc["messages"][0]
    assert msg["operationType"] == "PATCH" and "attributes" not in msg
    paths = {p["path"]: p for p in msg["patches"]}
    assert paths["/attributes/item_name"]["op"] == "replace"
    assert paths["/attributes/item_name"]["value"][0]["value"] == "Voltora Kupferkabel 2 m"
    assert "/attributes/list_price" in paths


def test_japanese_text_stays_readable_utf8_and_an_empty_feed_is_valid():
    fh = io.StringIO()
    writer = AmazonListingsFeedWriter(
        fh, seller_id="A1", marketplace_code="amazon_jp", language="ja-JP"
    )
    writer.write(
        [row(title="銅ケーブル 2m", language="ja-JP", currency="JPY", price=Decimal("2980"))]
    )
    writer.close()
    assert "銅ケーブル" in fh.getvalue()
    doc = json.loads(fh.getvalue())
    assert doc["messages"][0]["attributes"]["list_price"][0]["value"] == 2980
    assert doc["messages"][0]["attributes"]["item_name"][0]["marketplace_id"] == "A1VC38T7YXB528"
    assert write([]) == {"header": write([])["header"], "messages": []}


def test_a_non_amazon_marketplace_or_unknown_operation_is_refused():
    with pytest.raises(ValueError):
        write([row()], marketplace_code="ebay_uk")
    with pytest.raises(ValueError):
        write([row()], operation="DELETE")
