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

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from django.utils.translation import gettext as _

from apps.core.money import MAX_AMOUNT
from apps.integrations.tabular import values
from apps.integrations.tabular.arrow_reader import ArrowReader, read_fast
from apps.integrations.tabular.keys import address_keys, keys
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


def open_orders(source: Source, filename: str = "") -> TabularReader | ArrowReader:
    """Arrow's CSV reader for a plain UTF-8 report (a million lines in seconds), the tabular
    pipeline for anything else (GBK, quoting, blank or ragged lines, XLSX)."""
    schema = load_schema(SCHEMA_FILE)
    return read_fast(source, schema, filename=filename) or read(source, schema, filename=filename)


def arrow_text(column: pd.Series) -> pa.ChunkedArray:
    """A text column as Arrow strings ("" for missing): zero-copy when Arrow-backed."""
    array = values.arrow(column)
    return array.cast(pa.string()) if pa.types.is_large_string(array.type) else array


def _series(array: pa.ChunkedArray | pa.Array, index: pd.Index) -> pd.Series:
    return pd.Series(pd.arrays.ArrowExtensionArray(array), index=index, copy=False)


def status_of(text: pd.Series) -> pd.Series:
    """Our status per cell (NaN for an unknown one), mapping each distinct text once."""
    codes, distinct = pd.factorize(text)
    keys = ["".join(str(d).lower().replace("_", "").replace("-", "").split()) for d in distinct]
    mapped = np.array([STATUSES.get(k, np.nan) for k in keys] + [np.nan], dtype=object)
    return pd.Series(mapped[codes], index=text.index, dtype=object)


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
        canonical, ok, bad_cells, _numbers = values._number_arrays(text[column])
        bad = pd.Series(bad_cells.to_numpy(zero_copy_only=False), index=rows.index, dtype=bool)
        name = column.replace("_", "-")
        if bad.any():
            message = _("%(name)s is not a number: %%(%(column)s)r")
            chunk.fail(bad, message % {"name": name, "column": column}, order=10 + i)
        number = pc.cast(pc.if_else(ok, canonical, "0"), pa.float64())
        too_large = pc.greater_equal(pc.abs(number), float(MAX_AMOUNT))
        mask = pd.Series(too_large.to_numpy(zero_copy_only=False), index=rows.index, dtype=bool)
        chunk.fail(mask, _("%s is too large to store") % name, order=10 + i)
        rows[column] = _series(pc.if_else(ok, canonical, ""), rows.index)


def lines(frame: pd.DataFrame) -> pd.DataFrame:
    """The normalised order lines of a chunk's good rows (see apps.orders.imports): money as
    canonical number text ("" = unknown), summed per order in PostgreSQL. Text stays in Arrow
    (string kernels, no Python string per cell); statuses and keys map each distinct value."""
    index = frame.index
    text = {c: arrow_text(frame[c]) for c in (
        "order_id", "sku", "order_status", "item_status", "sales_channel", "ship_country",
        "order_item_id", "buyer_email", "ship_postal_code", "ship_city", "ship_address_1",
        "currency", *MONEY)}  # fmt: skip
    order_status = status_of(_series(text["order_status"], index)).fillna("pending")
    item_status = status_of(_series(text["item_status"], index))
    quantity = frame["quantity"].fillna(0).astype("int64")
    # A cancelled line has quantity 0 and no money.
    item_status = item_status.where(quantity > 0, "cancelled").fillna(order_status)
    has_money = np.logical_or.reduce(
        [pc.not_equal(text[c], "").to_numpy(zero_copy_only=False) for c in MONEY]
    )
    channel = pc.utf8_lower(text["sales_channel"])
    country = pc.utf8_slice_codeunits(pc.utf8_upper(text["ship_country"]), 0, 2)
    exclusive = pc.or_(
        pc.is_in(channel, pa.array(sorted(TAX_EXCLUSIVE_CHANNELS))),
        pc.and_(pc.equal(channel, ""),
                pc.is_in(country, pa.array(sorted(TAX_EXCLUSIVE_COUNTRIES)))),
    ).to_numpy(zero_copy_only=False)  # fmt: skip
    item_key = pc.if_else(pc.equal(text["order_item_id"], ""), text["sku"], text["order_item_id"])
    email = pc.utf8_lower(pc.utf8_trim_whitespace(text["buyer_email"]))
    postal = pc.replace_substring_regex(pc.utf8_upper(text["ship_postal_code"]), r"\s", "")
    city = pc.utf8_trim_whitespace(text["ship_city"])
    street = pc.replace_substring_regex(pc.utf8_lower(text["ship_address_1"]), r"[\W_]", "")
    address = address_keys(*(_series(a, index) for a in (country, postal, city, street)))
    buyer = keys(_series(email, index)).where(
        pc.not_equal(email, "").to_numpy(zero_copy_only=False), address
    )
    shipped = order_status.isin(["shipped", "delivered"]).to_numpy()
    empty = _series(pa.array(np.full(len(frame), "", dtype=object), type=pa.string()), index)
    out = {
        "line": frame["line"],
        "order_id": _series(text["order_id"], index),
        "item_key": _series(pc.utf8_slice_codeunits(item_key, 0, 120), index),
        "sku": _series(text["sku"], index),
        "quantity": quantity,
        "item_status": item_status,
        "status": order_status,
        "currency": _series(pc.utf8_upper(text["currency"]), index),
        "ordered_at": frame["purchase_date"],
        "shipped_at": frame["last_updated"].where(shipped),
        "financial_status": empty,
        "buyer_country": _series(country, index),
        "billing_country": empty,
        "buyer_key": buyer,
        "address_key": address,
        "ship_postal_code": _series(pc.utf8_slice_codeunits(postal, 0, 20), index),
        "ship_city": _series(pc.utf8_slice_codeunits(city, 0, 100), index),
        # item-price is for the whole quantity; EU prices include VAT.
        "gross": _series(text["item_price"], index),
        "discount": _series(text["item_promotion_discount"], index),
        "tax": _series(text["item_tax"], index),
        "shipping": _series(text["shipping_price"], index),
        "shipping_discount": _series(text["ship_promotion_discount"], index),
        "gift_wrap": _series(text["gift_wrap_price"], index),
        "shipping_tax": _series(text["shipping_tax"], index),
        "gift_wrap_tax": _series(text["gift_wrap_tax"], index),
        "tax_included": pd.Series(~exclusive, index=index),
        "has_money": pd.Series(has_money, index=index),
    }
    return pd.DataFrame(out, index=index)
