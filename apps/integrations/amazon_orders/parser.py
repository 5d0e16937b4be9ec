"""Amazon's All Orders flat file → order lines in one normalised frame, on the tabular pipeline.

The report has one row per order item; the order's fields repeat on each of its rows:

    amazon-order-id  purchase-date  order-status  sku  quantity  currency  item-price  item-tax …

Quirks this parser handles (see /work/shared/data/README.md):
- `item-price` is the amount for the whole quantity, not the unit price;
- EU marketplaces' prices include VAT (`item-tax` is the VAT part), US/CA prices exclude sales
  tax, so the order total adds the tax only there;
- cancelled lines come with `quantity` 0 and no money fields; `Pending` lines may have no money
  fields yet (their amounts are unknown, not zero: the writer keeps stored ones);
- timestamps are ISO 8601 with an offset; postal codes are text.

The frame is what `apps.orders.imports` writes (columns `LINE_COLUMNS`); integrations know
no order model.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from apps.integrations.tabular.pipeline import TabularReader, TypedChunk, read
from apps.integrations.tabular.readers import Source
from apps.integrations.tabular.schema import load_schema

SCHEMA_FILE = Path(__file__).with_name("columns.yaml")
KIND = "amazon_all_orders"

# Amazon's order/item statuses → ours (pending, unshipped, shipped, delivered, cancelled, returned).
STATUSES = {
    "pending": "pending",
    "pendingavailability": "pending",
    "unshipped": "unshipped",
    "partiallyshipped": "unshipped",
    "shipping": "shipped",
    "shipped": "shipped",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "returned": "returned",
}
# Marketplaces whose prices exclude sales tax; everywhere else prices include VAT/GST.
TAX_EXCLUSIVE_CHANNELS = {"amazon.com", "amazon.ca", "amazon.com.mx", "amazon.com.br"}
TAX_EXCLUSIVE_COUNTRIES = {"US", "CA"}
MONEY = [
    "item_price", "item_tax", "shipping_price", "shipping_tax", "gift_wrap_price",
    "gift_wrap_tax", "item_promotion_discount", "ship_promotion_discount",
]  # fmt: skip
ZERO = Decimal(0)


def open_orders(source: Source, filename: str = "") -> TabularReader:
    return read(source, load_schema(SCHEMA_FILE), filename=filename)


def status_of(text: pd.Series) -> pd.Series:
    key = text.str.lower().str.replace(r"[\s_\-]", "", regex=True)
    return key.map(STATUSES)


def check_lines(chunk: TypedChunk) -> None:
    """The domain's rules on one chunk, a column at a time (a failing line is reported)."""
    rows, text = chunk.rows, chunk.text
    chunk.fail(text["order_id"] == "", _("amazon-order-id is empty"), order=0)
    chunk.fail(text["sku"] == "", _("sku is empty"), order=1)
    chunk.fail(rows["purchase_date"].isna() & (text["purchase_date"] == ""),
               _("purchase-date is empty"), order=2)  # fmt: skip
    status = status_of(text["order_status"])
    chunk.fail(status.isna() & (text["order_status"] != ""),
               _("unknown order-status %(order_status)r"), order=3)  # fmt: skip
    chunk.fail(rows["quantity"].fillna(0) < 0, _("quantity is negative: %(quantity)s"), order=4)
    has_money = _has_money(text)
    currency = text["currency"].str.upper()
    chunk.fail(has_money & ~currency.str.fullmatch(r"[A-Z]{3}"),
               _("currency %(currency)r is not an ISO 4217 code"), order=5)  # fmt: skip


def _has_money(text: pd.DataFrame) -> pd.Series:
    return (text[MONEY] != "").any(axis=1)


def lines(frame: pd.DataFrame) -> pd.DataFrame:
    """The normalised order lines of a chunk's good rows (see apps.orders.imports)."""
    n = len(frame)
    order_status = status_of(frame["order_status"].astype(str)).fillna("pending")
    item_status = status_of(frame["item_status"].astype(str))
    quantity = frame["quantity"].fillna(0).astype("int64")
    # A cancelled line has quantity 0; an order whose every line is cancelled is cancelled.
    item_status = item_status.where(quantity > 0, "cancelled").fillna(order_status)
    has_money = pd.Series(False, index=frame.index)
    for column in MONEY:
        has_money |= frame[column].notna()
    money = {c: frame[c].where(frame[c].notna(), ZERO) for c in MONEY}
    channel = frame["sales_channel"].astype(str).str.lower()
    country = frame["ship_country"].astype(str).str.upper().str.slice(0, 2)
    exclusive = channel.isin(TAX_EXCLUSIVE_CHANNELS) | (
        (channel == "") & country.isin(TAX_EXCLUSIVE_COUNTRIES)
    )
    items_part = money["item_price"] + money["item_promotion_discount"]
    shipping_part = (
        money["shipping_price"] + money["ship_promotion_discount"] + money["gift_wrap_price"]
    )
    tax_part = money["item_tax"] + money["shipping_tax"] + money["gift_wrap_tax"]
    total_part = items_part + shipping_part + tax_part.where(exclusive, ZERO)
    safe_qty = quantity.where(quantity > 0, 1)
    unit = [
        (p / q).quantize(Decimal("0.0001"))
        for p, q in zip(money["item_price"], safe_qty, strict=True)
    ]
    item_key = frame["order_item_id"].astype(str)
    item_key = item_key.where(item_key != "", frame["sku"].astype(str))
    email = frame["buyer_email"].astype(str).str.strip().str.lower()
    postal = frame["ship_postal_code"].astype(str).str.upper().str.replace(r"\s", "", regex=True)
    city = frame["ship_city"].astype(str).str.strip()
    address = _keys(
        country
        + "|"
        + postal
        + "|"
        + city.str.lower()
        + "|"
        + frame["ship_address_1"].astype(str).str.lower().str.replace(r"[\W_]", "", regex=True)
    )
    buyer = _keys(email).where(email != "", address)
    shipped = order_status.isin(["shipped", "delivered"])
    return pd.DataFrame(
        {
            "line": frame["line"].to_numpy(),
            "order_id": frame["order_id"].to_numpy(),
            "item_key": item_key.str.slice(0, 120).to_numpy(),
            "sku": frame["sku"].to_numpy(),
            "quantity": quantity.to_numpy(),
            "unit_price": unit,
            "line_total": items_part.to_numpy(),  # after the line's promotion
            "tax": money["item_tax"].to_numpy(),
            "discount": money["item_promotion_discount"].to_numpy(),
            "item_status": item_status.to_numpy(),
            "has_money": has_money.to_numpy(),
            "currency": frame["currency"].astype(str).str.upper().to_numpy(),
            "status": order_status.to_numpy(),
            "ordered_at": frame["purchase_date"].to_numpy(),
            "shipped_at": frame["last_updated"].where(shipped).to_numpy(),
            "financial_status": np.full(n, "", dtype=object),
            "buyer_country": country.to_numpy(),
            "billing_country": np.full(n, "", dtype=object),
            "buyer_key": buyer.to_numpy(),
            "address_key": address.to_numpy(),
            "ship_postal_code": postal.str.slice(0, 20).to_numpy(),
            "ship_city": city.str.slice(0, 100).to_numpy(),
            "items_part": items_part.to_numpy(),
            "shipping_part": shipping_part.to_numpy(),
            "tax_part": tax_part.to_numpy(),
            "total_part": total_part.to_numpy(),
            "refunded_part": np.full(n, ZERO, dtype=object),
            "refunded_quantity": np.zeros(n, dtype="int64"),
            "refunded_amount": np.full(n, ZERO, dtype=object),
            "returned_quantity": np.zeros(n, dtype="int64"),
        }
    )


def _keys(text: pd.Series) -> pd.Series:
    """A short stable digest per distinct text (hashing once per distinct value)."""
    codes, distinct = pd.factorize(text)
    digests = np.array(
        [hashlib.blake2b(t.encode("utf-8"), digest_size=12).hexdigest() for t in distinct],
        dtype=object,
    )
    return pd.Series(digests[codes] if len(distinct) else [], index=text.index, dtype=object)
