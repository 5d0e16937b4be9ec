"""Order lines as an ERP or the bulk API states them → the normalised order-lines frame.

One row per order line with the order's fields repeated: `order_id, sku, quantity,
unit_price | line_total, currency, status, ordered_at, …` (`columns.yaml`). A line's money is
its `line_total` (or `unit_price` × `quantity`); `shipping` and `tax` add up per order, and
the order total adds the tax unless `tax_included`. Refunds and returns are per line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from apps.integrations.tabular.keys import address_keys, keys
from apps.integrations.tabular.pipeline import TabularReader, TypedChunk, read
from apps.integrations.tabular.readers import Source
from apps.integrations.tabular.records import typed_records
from apps.integrations.tabular.schema import load_schema

SCHEMA_FILE = Path(__file__).with_name("columns.yaml")
KIND = "order_lines"
STATUSES = {"pending", "unshipped", "shipped", "delivered", "cancelled", "returned"}


def schema():
    return load_schema(SCHEMA_FILE)


def open_orders(source: Source, filename: str = "") -> TabularReader:
    return read(source, schema(), filename=filename)


def records_chunk(records: list[dict[str, Any]]) -> TypedChunk | None:
    return typed_records(records, schema())


def check_lines(chunk: TypedChunk) -> None:
    rows, text = chunk.rows, chunk.text
    chunk.fail(text["order_id"] == "", _("order_id is empty"), order=0)
    chunk.fail((text["sku"] == "") & (text["item_key"] == ""), _("sku is empty"), order=1)
    chunk.fail(rows["quantity"].isna() | (rows["quantity"].fillna(0) < 0),
               _("quantity is not a whole number of at least 0: %(quantity)r"),
               order=2)  # fmt: skip
    chunk.fail(rows["ordered_at"].isna(), _("ordered_at is not a date and time: %(ordered_at)r"),
               order=3)  # fmt: skip
    status = text["status"].str.lower()
    chunk.fail((status != "") & ~status.isin(STATUSES),
               _("unknown status %(status)r (pending, unshipped, shipped, delivered, "
                 "cancelled, returned)"), order=4)  # fmt: skip
    chunk.fail((text["currency"] != "") & ~text["currency"].str.upper().str.fullmatch(r"[A-Z]{3}"),
               _("currency %(currency)r is not an ISO 4217 code"), order=5)  # fmt: skip
    for column in ("unit_price", "line_total", "refunded_amount"):
        negative = [v is not None and not pd.isna(v) and v < 0 for v in rows[column]]
        chunk.fail(pd.Series(negative, index=rows.index, dtype=bool),
                   _("%s is negative") % column, order=6)  # fmt: skip
    over = rows["refunded_quantity"].fillna(0) > rows["quantity"].fillna(0)
    chunk.fail(over, _("refunded_quantity is more than quantity"), order=7)


def lines(frame: pd.DataFrame) -> pd.DataFrame:
    """The normalised order lines (see apps.orders.imports); money as Decimal, None = unknown."""
    quantity = frame["quantity"].fillna(0).astype("int64")
    status = frame["status"].astype(str).str.lower().replace("", "pending")
    unit, total = frame["unit_price"], frame["line_total"]
    gross = [
        t if _known(t) else (u * q if _known(u) else None)
        for t, u, q in zip(total, unit, quantity, strict=True)
    ]
    discount = frame["discount"].where(frame["discount"].notna(), None)
    item_key = frame["item_key"].astype(str)
    item_key = item_key.where(item_key != "", frame["sku"].astype(str))
    item_status = frame["item_status"].astype(str).str.lower()
    item_status = item_status.where(item_status.isin(STATUSES), status)
    item_status = item_status.where(quantity > 0, "cancelled")
    email = frame["buyer_email"].astype(str).str.strip().str.lower()
    postal = (
        frame["ship_postal_code"]
        .astype(str)
        .str.lstrip("'")
        .str.upper()
        .str.replace(r"\s", "", regex=True)
    )
    country = frame["buyer_country"].astype(str).str.upper().str.slice(0, 2)
    city = frame["ship_city"].astype(str).str.strip()
    street = frame["ship_address"].astype(str).str.lower().str.replace(r"[\W_]", "", regex=True)
    address = address_keys(country, postal, city, street)
    has_money = frame["unit_price"].notna() | frame["line_total"].notna()
    return pd.DataFrame(
        {
            "line": frame["line"].to_numpy(),
            "order_id": frame["order_id"].to_numpy(),
            "item_key": item_key.str.slice(0, 120).to_numpy(),
            "sku": frame["sku"].astype(str).where(frame["sku"] != "", item_key).to_numpy(),
            "quantity": quantity.to_numpy(),
            "item_status": item_status.to_numpy(),
            "status": status.to_numpy(),
            "currency": frame["currency"].astype(str).str.upper().to_numpy(),
            "ordered_at": frame["ordered_at"].to_numpy(),
            "shipped_at": frame["shipped_at"].to_numpy(),
            "settled_at": frame["settled_at"].to_numpy(),
            "financial_status": frame["financial_status"].astype(str).str.lower().to_numpy(),
            "buyer_country": country.to_numpy(),
            "billing_country": frame["billing_country"]
            .astype(str)
            .str.upper()
            .str.slice(0, 2)
            .to_numpy(),
            "buyer_key": keys(email).where(email != "", address).to_numpy(),
            "address_key": address.to_numpy(),
            "ship_postal_code": postal.str.slice(0, 20).to_numpy(),
            "ship_city": city.str.slice(0, 100).to_numpy(),
            "gross": np.array(gross, dtype=object),
            # a positive discount in the file is stored negative, as marketplaces write it
            "discount": np.array([None if d is None else -d for d in discount], dtype=object),
            "unit_price": unit.to_numpy(),
            "tax": frame["tax"].to_numpy(),
            "shipping": frame["shipping"].to_numpy(),
            "refunded_quantity": frame["refunded_quantity"].fillna(0).astype("int64").to_numpy(),
            "refunded_amount": frame["refunded_amount"].to_numpy(),
            "returned_quantity": frame["returned_quantity"].fillna(0).astype("int64").to_numpy(),
            "tax_included": frame["tax_included"].astype(bool).to_numpy(),
            "has_money": has_money.to_numpy(),
        }
    )


def _known(value) -> bool:
    return value is not None and not pd.isna(value)
