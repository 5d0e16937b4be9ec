"""Write a JSON_LISTINGS_FEED document: a header and one message per SKU.

    {"header": {"sellerId": "A1…", "version": "2.0", "issueLocale": "en_US"},
     "messages": [{"messageId": 1, "sku": "…", "operationType": "UPDATE",
                   "productType": "PRODUCT", "requirements": "LISTING",
                   "attributes": {"item_name": [{"value": "…", "language_tag": "en_US",
                                                 "marketplace_id": "ATVPDKIKX0DER"}], …}}]}

UPDATE replaces the whole attribute set; PATCH sends `patches` that replace only the copy and
price attributes written here (the rest of an existing listing stays as it is). Streamed message
by message, so a feed of 10^5 SKUs never sits in memory.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TextIO

from ..export_row import ExportRow

# Amazon's marketplace ids (Selling Partner API), by our marketplace code.
MARKETPLACE_IDS = {
    "amazon_us": "ATVPDKIKX0DER",
    "amazon_ca": "A2EUQ1WTGCTBG2",
    "amazon_uk": "A1F83G8C2ARO7P",
    "amazon_de": "A1PA6795UKMFR9",
    "amazon_fr": "A13V1IB3VIYZZH",
    "amazon_it": "APJ6JRA9NG5V4",
    "amazon_es": "A1RKKUPIHCS9HS",
    "amazon_jp": "A1VC38T7YXB528",
}
OPERATIONS = ("UPDATE", "PATCH")
DEFAULT_PRODUCT_TYPE = "PRODUCT"


def language_tag(language: str) -> str:
    """BCP 47 `de-DE` → Amazon's `de_DE`."""
    return language.replace("-", "_")


def _price(value: Decimal) -> float | int:
    # JSON numbers; Decimal → exact short representation (19.99, not 19.989999…).
    return json.loads(f"{value:f}")


def attributes(row: ExportRow, marketplace_id: str) -> dict:
    tag = language_tag(row.language)

    def text(value: str) -> dict:
        return {"value": value, "language_tag": tag, "marketplace_id": marketplace_id}

    attrs: dict[str, list] = {"item_name": [text(row.title)]}
    if row.bullets:
        attrs["bullet_point"] = [text(b) for b in row.bullets]
    if row.description:
        attrs["product_description"] = [text(row.description)]
    if row.search_terms:
        attrs["generic_keyword"] = [text(row.search_terms)]
    if row.brand:
        attrs["brand"] = [text(row.brand)]
    if row.price is not None:
        attrs["list_price"] = [
            {"value": _price(row.price), "currency": row.currency, "marketplace_id": marketplace_id}
        ]
    return attrs


def message(row: ExportRow, message_id: int, *, marketplace_id: str, operation: str) -> dict:
    attrs = attributes(row, marketplace_id)
    msg: dict = {"messageId": message_id, "sku": row.sku, "operationType": operation}
    msg["productType"] = DEFAULT_PRODUCT_TYPE
    if operation == "PATCH":
        msg["patches"] = [
            {"op": "replace", "path": f"/attributes/{name}", "value": value}
            for name, value in attrs.items()
        ]
    else:
        msg["requirements"] = "LISTING"
        msg["attributes"] = attrs
    return msg


class AmazonListingsFeedWriter:
    extension = "json"
    content_type = "application/json"

    def __init__(
        self,
        fh: TextIO,
        *,
        seller_id: str,
        marketplace_code: str,
        language: str,
        operation="UPDATE",
    ):
        if operation not in OPERATIONS:
            raise ValueError(f"operationType must be one of {OPERATIONS}")
        if marketplace_code not in MARKETPLACE_IDS:
            raise ValueError(f"{marketplace_code} is not an Amazon marketplace")
        self.fh = fh
        self.marketplace_id = MARKETPLACE_IDS[marketplace_code]
        self.operation = operation
        self.count = 0
        header = {"sellerId": seller_id, "version": "2.0", "issueLocale": language_tag(language)}
        fh.write('{"header": ' + json.dumps(header, ensure_ascii=False) + ', "messages": [')

    def write(self, rows) -> None:
        for row in rows:
            self.count += 1
            msg = message(
                row, self.count, marketplace_id=self.marketplace_id, operation=self.operation
            )
            self.fh.write(("," if self.count > 1 else "") + "\n")
            self.fh.write(json.dumps(msg, ensure_ascii=False))

    def close(self) -> None:
        self.fh.write("\n]}\n")
