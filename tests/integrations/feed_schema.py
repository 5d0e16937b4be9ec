"""Check a JSON_LISTINGS_FEED document the way Amazon would before reading a message: the
structure of listings-feed-schema-v2 (apps/catalog/exports/schemas/), unique message ids, and
the shape of the offer attributes crossborder writes (price and quantity)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import jsonschema

import apps.catalog.exports as exports

SCHEMA = Path(exports.__file__).parent / "schemas" / "listings-feed-v2.schema.json"

_MONEY = {"type": "number", "exclusiveMinimum": 0}
OFFER_SCHEMA = {
    "type": "object",
    "properties": {
        "purchasable_offer": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["currency", "marketplace_id", "our_price"],
                "properties": {
                    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                    "marketplace_id": {"type": "string", "minLength": 1},
                    "our_price": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["schedule"],
                            "properties": {
                                "schedule": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "required": ["value_with_tax"],
                                        "properties": {"value_with_tax": _MONEY},
                                    },
                                }
                            },
                        },
                    },
                },
            },
        },
        "fulfillment_availability": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["fulfillment_channel_code", "quantity"],
                "properties": {
                    "fulfillment_channel_code": {"const": "DEFAULT"},
                    "quantity": {"type": "integer", "minimum": 0},
                },
            },
        },
        "list_price": False,  # the manufacturer's price: never what crossborder sells at
    },
}


@functools.cache
def _validators() -> tuple[jsonschema.Draft7Validator, jsonschema.Draft7Validator]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema), jsonschema.Draft7Validator(OFFER_SCHEMA)


def message_attributes(msg: dict) -> dict:
    """The attributes a message sets, whether as attributes or as patches."""
    if "attributes" in msg:
        return msg["attributes"]
    return {p["path"].split("/")[2]: p.get("value") for p in msg.get("patches", [])}


def assert_valid_feed(doc: dict) -> None:
    document, offer = _validators()
    errors = sorted(document.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    ids = [m["messageId"] for m in doc["messages"]]
    assert len(ids) == len(set(ids)), "messageId must be unique within a document"
    for msg in doc["messages"]:
        problems = list(offer.iter_errors(message_attributes(msg)))
        assert not problems, (msg["sku"], [p.message for p in problems[:3]])
