"""Shopify's order export CSV → order lines in one normalised frame, on the tabular pipeline.

One row per line item; the order's own columns (statuses, dates, totals, addresses) are filled
on its first row only and later rows repeat `Name` and `Email`. The order's values are spread
to its other rows (also across chunk boundaries: `ShopifyLines` carries the last order over).
Zips come with a leading apostrophe (`'02139`), timestamps as `2025-09-08 09:12:44 -0400`,
statuses `paid`/`pending`/`refunded`/`partially_refunded`/`voided` and
`fulfilled`/`unfulfilled`/`partial`.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from apps.integrations.tabular.keys import address_keys, keys
from apps.integrations.tabular.pipeline import TabularReader, TypedChunk, read
from apps.integrations.tabular.readers import Source
from apps.integrations.tabular.schema import load_schema

SCHEMA_FILE = Path(__file__).with_name("columns.yaml")
KIND = "shopify_orders"
ZERO = Decimal(0)
PAYOUT_DAYS = 3
ORDER_COLUMNS = [
    "financial_status", "paid_at", "fulfillment_status", "fulfilled_at", "currency", "subtotal",
    "shipping", "taxes", "total", "discount_amount", "created_at", "billing_country",
    "shipping_address1", "shipping_city", "shipping_zip", "shipping_country", "cancelled_at",
    "refunded_amount",
]  # fmt: skip
FINANCIAL = {"paid", "pending", "authorized", "refunded", "partially_refunded", "voided",
             "partially_paid", "expired"}  # fmt: skip


def open_orders(source: Source, filename: str = "") -> TabularReader:
    return read(source, load_schema(SCHEMA_FILE), filename=filename)


class ShopifyLines:
    """Spreads each order's first-row values to its later rows, chunk after chunk."""

    def __init__(self) -> None:
        self.carry: dict | None = None  # the last order of the previous chunk: name, values

    def fill(self, chunk: TypedChunk) -> None:
        rows, text = chunk.rows, chunk.text
        first = text["created_at"] != ""  # an order's first row carries its creation time
        rows["is_first"] = first
        group = first.cumsum()
        for column in ORDER_COLUMNS:
            rows[column] = rows[column].where(first).groupby(group).transform("first")
            text[column] = text[column].where(first).groupby(group).transform("first").fillna("")
        owner = text["name"].where(first).groupby(group).transform("first")
        if self.carry is not None:
            head = (group == 0) & (text["name"] == self.carry["name"])
            for column in ORDER_COLUMNS:
                rows.loc[head, column] = self.carry["rows"][column]
                text.loc[head, column] = self.carry["text"][column]
            owner = owner.mask(head, self.carry["name"])
        chunk.fail(owner.isna(), _("line item of order %(name)s without the order's first row"),
                   order=0)  # fmt: skip
        chunk.fail(owner.notna() & (owner != text["name"]),
                   _("line item of %(name)s follows another order's rows"), order=0)  # fmt: skip
        if len(rows):
            last = rows.index[-1]
            self.carry = {
                "name": text.at[last, "name"],
                "rows": {c: rows.at[last, c] for c in ORDER_COLUMNS},
                "text": {c: text.at[last, c] for c in ORDER_COLUMNS},
            }


def check_lines(chunk: TypedChunk) -> None:
    rows, text = chunk.rows, chunk.text
    chunk.fail(text["name"] == "", _("Name (the order) is empty"), order=1)
    chunk.fail(rows["lineitem_quantity"].fillna(0) < 1,
               _("Lineitem quantity is not a positive number: %(lineitem_quantity)r"),
               order=2)  # fmt: skip
    chunk.fail(rows["lineitem_price"].isna(), _("Lineitem price is empty"), order=3)
    chunk.fail((text["lineitem_sku"] == "") & (text["lineitem_name"] == ""),
               _("the line item has neither a SKU nor a name"), order=4)  # fmt: skip
    financial = text["financial_status"].str.lower()
    chunk.fail((financial != "") & ~financial.isin(FINANCIAL),
               _("unknown Financial Status %(financial_status)r"), order=5)  # fmt: skip
    chunk.fail((text["currency"] != "") & ~text["currency"].str.upper().str.fullmatch(r"[A-Z]{3}"),
               _("currency %(currency)r is not an ISO 4217 code"), order=6)  # fmt: skip
    chunk.fail(rows["created_at"].isna(), _("Created at is empty"), order=7)


def _status(financial: pd.Series, fulfillment: pd.Series, cancelled: pd.Series) -> pd.Series:
    status = pd.Series("unshipped", index=financial.index, dtype=object)
    status = status.mask(financial.isin(["pending", "authorized", "partially_paid"]), "pending")
    status = status.mask(fulfillment.isin(["fulfilled", "shipped"]), "shipped")
    return status.mask(cancelled | financial.isin(["voided", "expired"]), "cancelled")


def lines(frame: pd.DataFrame) -> pd.DataFrame:
    """The normalised order lines of a chunk's good rows (see apps.orders.imports): the
    order's own totals ride on its first line (`*_given`), refunds of a fully refunded order
    on every line."""
    n = len(frame)
    financial = frame["financial_status"].astype(str).str.lower()
    fulfillment = frame["fulfillment_status"].astype(str).str.lower()
    status = _status(financial, fulfillment, frame["cancelled_at"].notna())
    quantity = frame["lineitem_quantity"].fillna(0).astype("int64")
    price = frame["lineitem_price"]
    discount = frame["lineitem_discount"].where(frame["lineitem_discount"].notna(), ZERO)
    gross = np.array([p * q for p, q in zip(price, quantity, strict=True)], dtype=object)
    first = frame["is_first"].astype(bool)
    given = {c: frame[c].where(frame[c].notna() & first, None).to_numpy()
             for c in ("subtotal", "shipping", "taxes", "total", "refunded_amount")}  # fmt: skip
    refunded_all = (financial == "refunded").to_numpy()
    sku = frame["lineitem_sku"].astype(str)
    sku = sku.where(sku != "", frame["lineitem_name"].astype(str).str.slice(0, 100))
    item_status = (
        frame["lineitem_fulfillment_status"]
        .astype(str)
        .str.lower()
        .map({"fulfilled": "shipped", "pending": "unshipped", "partial": "unshipped"})
        .fillna("unshipped")
    )
    item_status = item_status.mask(status == "cancelled", "cancelled")
    email = frame["email"].astype(str).str.strip().str.lower()
    postal = (
        frame["shipping_zip"]
        .astype(str)
        .str.lstrip("'")
        .str.upper()
        .str.replace(r"\s", "", regex=True)
    )
    country = frame["shipping_country"].astype(str).str.upper().str.slice(0, 2)
    city = frame["shipping_city"].astype(str).str.strip()
    street = (
        frame["shipping_address1"].astype(str).str.lower().str.replace(r"[\W_]", "", regex=True)
    )
    address = address_keys(country, postal, city, street)
    net = gross - discount.to_numpy()
    none = np.full(n, None, dtype=object)
    return pd.DataFrame(
        {
            "line": frame["line"].to_numpy(),
            "order_id": frame["name"].to_numpy(),
            "item_key": sku.str.slice(0, 120).to_numpy(),
            "sku": sku.to_numpy(),
            "quantity": quantity.to_numpy(),
            "item_status": item_status.to_numpy(),
            "status": status.to_numpy(),
            "currency": frame["currency"].astype(str).str.upper().to_numpy(),
            "ordered_at": frame["created_at"].to_numpy(),
            "shipped_at": frame["fulfilled_at"].to_numpy(),
            # Shopify Payments pays out a few days after the buyer paid.
            "settled_at": (frame["paid_at"] + pd.Timedelta(days=PAYOUT_DAYS)).to_numpy(),
            "financial_status": financial.to_numpy(),
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
            "gross": gross,
            "discount": (-discount).to_numpy(),
            "unit_price": price.to_numpy(),
            "items_given": given["subtotal"],
            "shipping_given": given["shipping"],
            "tax_given": given["taxes"],
            "total_given": given["total"],
            "refund_given": given["refunded_amount"],
            "refunded_quantity": np.where(refunded_all, quantity.to_numpy(), 0),
            "refunded_amount": np.where(refunded_all, net, none),
            "tax_included": np.zeros(n, dtype=bool),
            "has_money": np.ones(n, dtype=bool),
        }
    )
