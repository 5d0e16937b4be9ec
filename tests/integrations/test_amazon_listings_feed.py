"""Amazon JSON_LISTINGS_FEED writer: every document has the structure of Amazon's listings-feed
schema v2 and parses back with the values we wrote: the selling price as `purchasable_offer`,
merchant-fulfilled quantity, the product type, offer-only patches, 10,000 messages a document."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest

from apps.integrations.amazon_listings_feed.writer import AmazonListingsFeedWriter
from apps.integrations.export_row import ExportRow
from tests.integrations.feed_schema import assert_valid_feed, message_attributes


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
    doc = json.loads(fh.getvalue())
    assert_valid_feed(doc)
    return doc


def test_the_header_names_seller_version_and_locale():
    doc = write([row()])
    assert doc["header"] == {"sellerId": "A2SELLER", "version": "2.0", "issueLocale": "de_DE"}


DE = "A1PA6795UKMFR9"


def test_an_update_message_carries_the_copy_the_selling_price_and_the_quantity():
    doc = write([row(product_type="ELECTRONIC_CABLE"), row(sku="CAB-002", bullets=[])])
    first, second = doc["messages"]
    assert first["messageId"] == 1 and second["messageId"] == 2
    assert first["sku"] == "CAB-001" and first["operationType"] == "UPDATE"
    assert first["productType"] == "ELECTRONIC_CABLE" and first["requirements"] == "LISTING"
    assert second["productType"] == "PRODUCT"  # no mapping: the generic type
    attrs = first["attributes"]
    de = {"language_tag": "de_DE", "marketplace_id": DE}
    assert attrs["item_name"] == [{"value": "Voltora Kupferkabel 2 m", **de}]
    assert attrs["bullet_point"] == [{"value": "Reines Kupfer", **de}, {"value": "Länge 2 m", **de}]
    assert attrs["product_description"] == [{"value": "Ein Kabel aus Kupfer.", **de}]
    assert attrs["generic_keyword"] == [{"value": "kabel kupfer ladekabel", **de}]
    assert attrs["purchasable_offer"] == [
        {
            "currency": "EUR",
            "marketplace_id": DE,
            "our_price": [{"schedule": [{"value_with_tax": 19.9}]}],
        }
    ]
    assert attrs["fulfillment_availability"] == [
        {"fulfillment_channel_code": "DEFAULT", "quantity": 12}
    ]
    assert "list_price" not in attrs
    assert "bullet_point" not in second["attributes"]


def test_an_fba_offer_sends_no_quantity_and_a_negative_stock_is_sent_as_zero():
    doc = write([row(fulfillment="amazon"), row(sku="CAB-002", stock=-3)])
    fba, merchant = (m["attributes"] for m in doc["messages"])
    assert "fulfillment_availability" not in fba and "purchasable_offer" in fba
    assert merchant["fulfillment_availability"][0]["quantity"] == 0


def test_a_patch_message_replaces_the_copy_and_the_offer():
    doc = write([row()], operation="PATCH")
    msg = doc["messages"][0]
    assert msg["operationType"] == "PATCH" and "attributes" not in msg
    assert "requirements" not in msg  # not allowed with PATCH
    paths = {p["path"]: p for p in msg["patches"]}
    assert {p["op"] for p in msg["patches"]} == {"replace"}
    assert paths["/attributes/item_name"]["value"][0]["value"] == "Voltora Kupferkabel 2 m"
    offer = paths["/attributes/purchasable_offer"]["value"][0]
    assert offer["our_price"][0]["schedule"][0]["value_with_tax"] == 19.9
    assert "/attributes/fulfillment_availability" in paths
    assert "/attributes/list_price" not in paths


def test_an_offer_only_feed_patches_price_and_quantity_and_never_the_copy():
    doc = write([row(), row(sku="FBA-1", fulfillment="amazon", price=None)], operation="OFFER_ONLY")
    (msg,) = doc["messages"]  # an FBA offer without a price has nothing to send
    assert msg["operationType"] == "PATCH" and msg["sku"] == "CAB-001"
    assert set(message_attributes(msg)) == {"purchasable_offer", "fulfillment_availability"}


def test_japanese_text_stays_readable_utf8_and_yen_are_whole_numbers():
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
    assert_valid_feed(doc)
    offer = doc["messages"][0]["attributes"]["purchasable_offer"][0]
    assert offer["our_price"][0]["schedule"][0]["value_with_tax"] == 2980
    assert offer["marketplace_id"] == "A1VC38T7YXB528"


def test_no_rows_write_no_document():
    fh = io.StringIO()
    writer = AmazonListingsFeedWriter(fh, seller_id="A1", marketplace_code="amazon_us",
                                      language="en-US")  # fmt: skip
    writer.write([])
    writer.close()
    assert fh.getvalue() == "" and writer.documents == 0


def test_documents_roll_over_at_the_message_limit_with_ids_restarting_at_one():
    handles: list[io.StringIO] = []

    def open_document(n: int) -> io.StringIO:
        handles.append(io.StringIO())
        return handles[-1]

    writer = AmazonListingsFeedWriter(open_document, seller_id="A1", marketplace_code="amazon_de",
                                      language="de-DE", max_messages=3)  # fmt: skip
    writer.write(row(sku=f"S-{i}") for i in range(7))
    writer.close()
    docs = [json.loads(h.getvalue()) for h in handles]
    for doc in docs:
        assert_valid_feed(doc)
    assert [[m["messageId"] for m in d["messages"]] for d in docs] == [[1, 2, 3], [1, 2, 3], [1]]
    assert [m["sku"] for d in docs for m in d["messages"]] == [f"S-{i}" for i in range(7)]
    assert (writer.documents, writer.count) == (3, 7)


def test_one_handle_takes_one_document_only():
    with pytest.raises(ValueError):
        write([row(sku=f"S-{i}") for i in range(3)], max_messages=2)


@pytest.mark.parametrize(
    "broken",
    [
        {"header": {"sellerId": "A1", "version": "1.0"}, "messages": []},
        {"messageId": 0},
        {"operationType": "UPSERT"},
        {"operationType": "PATCH", "requirements": "LISTING"},
        {"operationType": "DELETE", "productType": "PRODUCT"},
        {"patches": [{"op": "replace", "path": "/attributes/item_name", "value": []}]},
        {"attributes": {"list_price": [{"value": 1, "currency": "EUR"}]}},
    ],
)
def test_the_schema_check_catches_what_amazon_would_refuse(broken):
    doc = write([row()])
    if "header" in broken:
        doc = broken
    else:
        doc["messages"][0].update(broken)
    with pytest.raises(AssertionError):
        assert_valid_feed(doc)


def test_a_non_amazon_marketplace_or_unknown_operation_is_refused():
    with pytest.raises(ValueError):
        write([row()], marketplace_code="ebay_uk")
    with pytest.raises(ValueError):
        write([row()], operation="DELETE")
