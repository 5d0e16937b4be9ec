"""Write JSON_LISTINGS_FEED documents: a header and up to 10,000 messages each.

    {"header": {"sellerId": "A1…", "version": "2.0", "issueLocale": "en_US"},
     "messages": [{"messageId": 1, "sku": "…", "operationType": "UPDATE",
                   "productType": "CHARGING_ADAPTER", "requirements": "LISTING",
                   "attributes": {"item_name": [{"value": "…", "language_tag": "en_US",
                                                 "marketplace_id": "ATVPDKIKX0DER"}],
                                  "purchasable_offer": [{"currency": "USD",
                                      "marketplace_id": "ATVPDKIKX0DER",
                                      "our_price": [{"schedule": [{"value_with_tax": 19.99}]}]}],
                                  "fulfillment_availability": [{"fulfillment_channel_code":
                                      "DEFAULT", "quantity": 12}], …}}]}

Three operations (the structure follows Amazon's listings-feed-schema-v2, tests check each
document against it):
- UPDATE: the whole listing (requirements LISTING): copy, selling price, quantity;
- PATCH: `replace` patches of the copy and offer attributes written here, the rest of an existing
  listing stays as it is (PATCH carries no `requirements`);
- OFFER_ONLY: a PATCH of the offer alone (`purchasable_offer`, `fulfillment_availability`), what a
  repricer or a stock sync sends: the copy on Amazon is never touched.

The selling price is `purchasable_offer.our_price` (what the buy box shows), never `list_price`
(the manufacturer's list price). Quantity is sent for merchant-fulfilled offers only (channel
DEFAULT); Amazon counts FBA stock itself. A document holds at most MAX_MESSAGES messages (Amazon's
limit); the writer opens the next one through `open_document`. Streamed message by message, so a
feed of 10^5 SKUs never sits in memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable
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
OPERATIONS = ("UPDATE", "PATCH", "OFFER_ONLY")
DEFAULT_PRODUCT_TYPE = "PRODUCT"  # Amazon's generic type: accepted, but a flagged fallback
MAX_MESSAGES = 10_000  # per document (listings-feed-schema-v2 `messages.maxItems`)
MERCHANT_CHANNEL = "DEFAULT"  # fulfillment_channel_code of merchant-fulfilled offers
OFFER_ATTRIBUTES = ("purchasable_offer", "fulfillment_availability")


def language_tag(language: str) -> str:
    """BCP 47 `de-DE` → Amazon's `de_DE`."""
    return language.replace("-", "_")


def _number(value: Decimal) -> float | int:
    # JSON numbers; Decimal → exact short representation (19.99, not 19.989999…).
    return json.loads(f"{value:f}")


def offer_attributes(row: ExportRow, marketplace_id: str) -> dict:
    """The sales terms: the selling price and, when merchant-fulfilled, the quantity."""
    attrs: dict[str, list] = {}
    if row.price is not None:
        attrs["purchasable_offer"] = [
            {
                "currency": row.currency,
                "marketplace_id": marketplace_id,
                "our_price": [{"schedule": [{"value_with_tax": _number(row.price)}]}],
            }
        ]
    if row.fulfillment == "merchant":
        attrs["fulfillment_availability"] = [
            {"fulfillment_channel_code": MERCHANT_CHANNEL, "quantity": max(int(row.stock), 0)}
        ]
    return attrs


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
    attrs.update(offer_attributes(row, marketplace_id))
    return attrs


def _patches(attrs: dict) -> list[dict]:
    return [
        {"op": "replace", "path": f"/attributes/{name}", "value": value}
        for name, value in attrs.items()
    ]


def message(row: ExportRow, message_id: int, *, marketplace_id: str, operation: str) -> dict:
    msg: dict = {"messageId": message_id, "sku": row.sku}
    msg["productType"] = row.product_type or DEFAULT_PRODUCT_TYPE
    if operation == "UPDATE":
        msg["operationType"] = "UPDATE"
        msg["requirements"] = "LISTING"
        msg["attributes"] = attributes(row, marketplace_id)
    elif operation == "PATCH":
        msg["operationType"] = "PATCH"
        msg["patches"] = _patches(attributes(row, marketplace_id))
    else:  # OFFER_ONLY: price and quantity, nothing else
        msg["operationType"] = "PATCH"
        msg["patches"] = _patches(offer_attributes(row, marketplace_id))
    return msg


def writes_message(row: ExportRow, operation: str) -> bool:
    """Whether `row` gives the operation something to send (a PATCH needs one patch at least:
    an FBA offer without a price has no offer attribute to patch)."""
    return operation != "OFFER_ONLY" or bool(offer_attributes(row, "-"))


class AmazonListingsFeedWriter:
    """Writes one document per MAX_MESSAGES messages.

    `target` is either a callable `open_document(n) -> TextIO` (n = 1, 2, …; the caller owns
    and closes the handles) or a single text handle, which then takes at most one document.
    A document is opened at its first message: an export with no message writes no document
    (a feed needs one message at least).
    """

    extension = "json"
    content_type = "application/json"

    def __init__(
        self,
        target: TextIO | Callable[[int], TextIO],
        *,
        seller_id: str,
        marketplace_code: str,
        language: str,
        operation: str = "UPDATE",
        max_messages: int = MAX_MESSAGES,
    ):
        if operation not in OPERATIONS:
            raise ValueError(f"operation must be one of {OPERATIONS}")
        if marketplace_code not in MARKETPLACE_IDS:
            raise ValueError(f"{marketplace_code} is not an Amazon marketplace")
        if not 1 <= max_messages <= MAX_MESSAGES:
            raise ValueError(f"a document holds 1 to {MAX_MESSAGES} messages")
        self._open = target if callable(target) else self._single(target)
        self.marketplace_id = MARKETPLACE_IDS[marketplace_code]
        self.operation = operation
        self.max_messages = max_messages
        self.header = {
            "sellerId": seller_id,
            "version": "2.0",
            "issueLocale": language_tag(language),
        }
        self.count = 0  # messages in all documents
        self.documents = 0
        self.skipped = 0  # rows with nothing to send for this operation
        self._fh: TextIO | None = None
        self._in_document = 0

    @staticmethod
    def _single(fh: TextIO) -> Callable[[int], TextIO]:
        def open_document(n: int) -> TextIO:
            if n > 1:
                raise ValueError(f"one text handle holds one document of {MAX_MESSAGES} messages")
            return fh

        return open_document

    def _next_document(self) -> TextIO:
        self._end_document()
        self.documents += 1
        fh = self._fh = self._open(self.documents)
        self._in_document = 0
        header = json.dumps(self.header, ensure_ascii=False)
        fh.write('{"header": ' + header + ', "messages": [')
        return fh

    def _end_document(self) -> None:
        if self._fh is not None:
            self._fh.write("\n]}\n")
            self._fh = None

    def write(self, rows) -> None:
        for row in rows:
            if not writes_message(row, self.operation):
                self.skipped += 1
                continue
            fh = self._fh
            if fh is None or self._in_document >= self.max_messages:
                fh = self._next_document()
            self._in_document += 1
            self.count += 1
            msg = message(
                row, self._in_document, marketplace_id=self.marketplace_id, operation=self.operation
            )
            fh.write(("," if self._in_document > 1 else "") + "\n")
            fh.write(json.dumps(msg, ensure_ascii=False))

    def close(self) -> None:
        self._end_document()
