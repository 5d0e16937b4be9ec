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
from pathlib import Path

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from apps.core.money import MAX_AMOUNT
from apps.integrations.tabular import values
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


def open_orders(source: Source, filename: str = "") -> TabularReader:
    return read(source, load_schema(SCHEMA_FILE), filename=filename)


def status_of(text: pd.Series) -> pd.Series:
    key = text.str.lower().str.replace(r"[\s_\-]", "", regex=True)
    return key.map(STATUSES)


def check_lines(chunk: TypedChunk) -> None:
    """The domain's rules on one chunk, a column at a time (a failing line is reported).

    Money columns are read as text and checked here with the pipeline's Arrow number kernels
    (`values.number_text`, every locale convention), then kept as canonical text for COPY:
    a million lines never become a million `Decimal` objects on this path."""
    rows, text = chunk.rows, chunk.text
    chunk.fail(text["order_id"] == "", _("amazon-order-id is empty"), order=0)
    chunk.fail(text["sku"] == "", _("sku is empty"), order=1)
    chunk.fail(rows["purchase_date"].isna() & (text["purchase_date"] == ""),
               _("purchase-date is empty"), order=2)  # fmt: skip
    status = status_of(text["order_status"])
    chunk.fail(status.isna() & (text["order_status"] != ""),
               _("unknown order-status %(order_status)r"), order=3)  # fmt: skip
    chunk.fail(rows["quantity"].fillna(0) < 0, _("quantity is negative: %(quantity)s"), order=4)
    currency = text["currency"].str.upper()
    chunk.fail((currency != "") & ~currency.str.fullmatch(r"[A-Z]{3}"),
               _("currency %(currency)r is not an ISO 4217 code"), order=5)  # fmt: skip
    for i, column in enumerate(MONEY):
        canonical, bad, _percent = values.number_text(text[column])
        name = column.replace("_", "-")
        if bad.any():
            message = _("%(name)s is not a number: %%(%(column)s)r")
            chunk.fail(bad, message % {"name": name, "column": column}, order=10 + i)
        magnitude = pd.to_numeric(canonical.where(canonical != "", None), errors="coerce").abs()
        too_large = _("%s is too large to store") % name
        chunk.fail(magnitude >= float(MAX_AMOUNT), too_large, order=10 + i)
        rows[column] = canonical


def lines(frame: pd.DataFrame) -> pd.DataFrame:
    """The normalised order lines of a chunk's good rows (see apps.orders.imports): money as
    canonical number text ("" = unknown), summed per order in PostgreSQL."""
    n = len(frame)
    order_status = status_of(frame["order_status"].astype(str)).fillna("pending")
    item_status = status_of(frame["item_status"].astype(str))
    quantity = frame["quantity"].fillna(0).astype("int64")
    # A cancelled line has quantity 0 and no money.
    item_status = item_status.where(quantity > 0, "cancelled").fillna(order_status)
    has_money = (frame[MONEY] != "").any(axis=1)
    channel = frame["sales_channel"].astype(str).str.lower()
    country = frame["ship_country"].astype(str).str.upper().str.slice(0, 2)
    exclusive = channel.isin(TAX_EXCLUSIVE_CHANNELS) | (
        (channel == "") & country.isin(TAX_EXCLUSIVE_COUNTRIES)
    )
    item_key = frame["order_item_id"].astype(str)
    item_key = item_key.where(item_key != "", frame["sku"].astype(str))
    email = frame["buyer_email"].astype(str).str.strip().str.lower()
    postal = frame["ship_postal_code"].astype(str).str.upper().str.replace(r"\s", "", regex=True)
    city = frame["ship_city"].astype(str).str.strip()
    address = keys(
        country
        + "|"
        + postal
        + "|"
        + city.str.lower()
        + "|"
        + frame["ship_address_1"].astype(str).str.lower().str.replace(r"[\W_]", "", regex=True)
    )
    shipped = order_status.isin(["shipped", "delivered"])
    empty = np.full(n, "", dtype=object)
    return pd.DataFrame(
        {
            "line": frame["line"].to_numpy(),
            "order_id": frame["order_id"].to_numpy(),
            "item_key": item_key.str.slice(0, 120).to_numpy(),
            "sku": frame["sku"].to_numpy(),
            "quantity": quantity.to_numpy(),
            "item_status": item_status.to_numpy(),
            "status": order_status.to_numpy(),
            "currency": frame["currency"].astype(str).str.upper().to_numpy(),
            "ordered_at": frame["purchase_date"].to_numpy(),
            "shipped_at": frame["last_updated"].where(shipped).to_numpy(),
            "financial_status": empty,
            "buyer_country": country.to_numpy(),
            "billing_country": empty,
            "buyer_key": keys(email).where(email != "", address).to_numpy(),
            "address_key": address.to_numpy(),
            "ship_postal_code": postal.str.slice(0, 20).to_numpy(),
            "ship_city": city.str.slice(0, 100).to_numpy(),
            # item-price is for the whole quantity; EU prices include VAT.
            "gross": frame["item_price"].to_numpy(),
            "discount": frame["item_promotion_discount"].to_numpy(),
            "tax": frame["item_tax"].to_numpy(),
            "shipping": frame["shipping_price"].to_numpy(),
            "shipping_discount": frame["ship_promotion_discount"].to_numpy(),
            "gift_wrap": frame["gift_wrap_price"].to_numpy(),
            "shipping_tax": frame["shipping_tax"].to_numpy(),
            "gift_wrap_tax": frame["gift_wrap_tax"].to_numpy(),
            "tax_included": (~exclusive).to_numpy(),
            "has_money": has_money.to_numpy(),
        }
    )


def keys(text: pd.Series) -> pd.Series:
    """A short stable digest per distinct text (hashing once per distinct value)."""
    codes, distinct = pd.factorize(text)
    digests = np.array(
        [hashlib.blake2b(t.encode("utf-8"), digest_size=12).hexdigest() for t in distinct],
        dtype=object,
    )
    return pd.Series(digests[codes] if len(distinct) else [], index=text.index, dtype=object)
