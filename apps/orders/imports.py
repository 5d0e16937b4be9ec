"""Order imports: the Amazon all-orders report, Shopify's order export, ERP order-line files
and the bulk API, all written set-based.

Each format's parser (apps/integrations/<format>/) turns a chunk of typed rows into the same
normalised frame of order lines (`TEXT`, `TIMES`, `MONEY`, `INTS`, `FLAGS` columns);
statements whatever its size: the lines are COPYed into temporary tables, orders are upserted
by (store, marketplace order id) and their lines by (order, item key), so a re-import changes
nothing and a later file's statuses, amounts, refunds and returns are applied. Lines whose
money is not known yet (Amazon's pending lines) keep stored amounts; a cancelled line
(quantity 0) only marks a stored line cancelled. An order's rows are kept together across
chunk boundaries, so its totals are always summed over all its lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils.translation import gettext as _

from apps.accounts.models import Organization
from apps.catalog.models import Listing, Product, Store
from apps.core.copy import copy_frame_into
from apps.core.money import CURRENCIES
from apps.integrations.amazon_orders import parser as amazon
from apps.integrations.order_lines import parser as generic
from apps.integrations.services import ChunkOutcome, file_import
from apps.integrations.shopify_orders import parser as shopify
from apps.integrations.tabular.errors import LineError
from apps.integrations.tabular.pipeline import TabularReader, TypedChunk
from apps.integrations.tabular.readers import Source

FORMATS = {"amazon": amazon, "shopify": shopify, "lines": generic}


@dataclass
class OrderImportResult:
    rows: int = 0
    lines: int = 0  # lines written
    orders_created: int = 0
    orders_updated: int = 0
    items_created: int = 0
    items_updated: int = 0
    errors: list[LineError] = field(default_factory=list)
    import_run_id: int | None = None
    duplicate_of: int | None = None
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows, "lines": self.lines, "orders_created": self.orders_created,
            "orders_updated": self.orders_updated, "items_created": self.items_created,
            "items_updated": self.items_updated, "errors": [e.as_dict() for e in self.errors],
            "import_run": self.import_run_id, "duplicate_of": self.duplicate_of,
            "message": self.message,
        }  # fmt: skip


class _Lookahead:
    """The reader's chunks with `last` set while the final one is handled."""

    def __init__(self, reader: TabularReader) -> None:
        self.reader = reader
        self.last = False

    format = property(lambda self: self.reader.format)
    encoding = property(lambda self: self.reader.encoding)
    columns = property(lambda self: self.reader.columns)

    def __iter__(self) -> Iterator[TypedChunk]:
        previous = None
        for chunk in self.reader:
            if previous is not None:
                yield previous
            previous = chunk
        self.last = True
        if previous is not None:
            yield previous


class _Writer:
    """Writes normalised frames, holding back the last order of a chunk until the next one."""

    def __init__(self, *, org: Organization, store: Store, source: str) -> None:
        self.org, self.store, self.source = org, store, source
        self.held: pd.DataFrame | None = None
        self.seen: dict[tuple[str, str], int] = {}
        self.result = OrderImportResult()
        self.products = dict(Product.objects.for_org(org).values_list("sku", "id"))
        self.listings = dict(
            Listing.objects.for_org(org).filter(store=store).values_list("product_id", "id")
        )
        self.touched_from: pd.Timestamp | None = None

    def add(self, frame: pd.DataFrame, *, last: bool) -> ChunkOutcome:
        frame, errors = self._duplicates(frame)
        if self.held is not None:
            frame = pd.concat([self.held, frame], ignore_index=True)
            self.held = None
        if not last and len(frame):
            # The chunk's last order may go on in the next chunk: write it with the rest of
            # its lines, so its totals are summed over all of them.
            tail = frame["order_id"].iloc[-1]
            keep = frame["order_id"] != tail
            self.held, frame = frame.loc[~keep], frame.loc[keep]
        outcome = ChunkOutcome(errors=errors)
        if len(frame):
            created, updated, items_created, items_updated = order_lines_write(
                org=self.org, store=self.store, lines=frame, source=self.source,
                products=self.products, listings=self.listings,
            )  # fmt: skip
            self.result.orders_created += created
            self.result.orders_updated += updated
            self.result.items_created += items_created
            self.result.items_updated += items_updated
            self.result.lines += len(frame)
            outcome.created, outcome.updated = items_created, items_updated
            first = frame["ordered_at"].min()
            if self.touched_from is None or first < self.touched_from:
                self.touched_from = first
        return outcome

    def _duplicates(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[LineError]]:
        """A second row for the same order line (a repeated row) is refused, naming the first."""
        keys = list(zip(frame["order_id"], frame["item_key"], strict=True))
        lines = frame["line"].tolist()
        seen, errors, keep = self.seen, [], np.ones(len(frame), dtype=bool)
        for i, (key, line) in enumerate(zip(keys, lines, strict=True)):
            first = seen.setdefault(key, line)
            if first != line:
                keep[i] = False
                errors.append(LineError(int(line), _(
                    "order %(order)s line %(item)s repeats line %(first)d (skipped)"
                ) % {"order": key[0], "item": key[1], "first": first}))  # fmt: skip
        return (frame.loc[keep] if not keep.all() else frame), errors


MONEY = ["gross", "discount", "unit_price", "tax", "shipping", "shipping_discount", "gift_wrap",
         "shipping_tax", "gift_wrap_tax", "items_given", "shipping_given", "tax_given",
         "total_given", "refund_given", "refunded_amount"]  # fmt: skip
TEXT = {"order_id": 64, "item_key": 120, "sku": 100, "item_status": 24, "status": 16,
        "currency": 3, "financial_status": 24, "buyer_country": 2, "billing_country": 2,
        "buyer_key": 64, "address_key": 64, "ship_postal_code": 20, "ship_city": 100}  # fmt: skip
TIMES = ["ordered_at", "shipped_at", "settled_at"]
INTS = ["quantity", "refunded_quantity", "returned_quantity"]
FLAGS = ["tax_included", "has_money"]

_LINE_TMP = (
    "CREATE TEMP TABLE tmp_line_in ("
    + ", ".join(
        [f"{c} varchar({n})" for c, n in TEXT.items()]
        + [f"{c} timestamptz" for c in TIMES]
        + [f"{c} numeric" for c in MONEY]
        + [f"{c} int" for c in INTS]
        + [f"{c} boolean" for c in FLAGS]
        + ["product_id bigint", "listing_id bigint"]
    )
    + ") ON COMMIT DROP"
)

# Money of a line and of its order, from the line's parts (NULL = not stated).
_LINE_TOTAL = "(COALESCE(l.gross, 0) + COALESCE(l.discount, 0))"
_LINE_SHIPPING = (
    "(COALESCE(l.shipping, 0) + COALESCE(l.shipping_discount, 0) + COALESCE(l.gift_wrap, 0))"
)
_LINE_TAX = "(COALESCE(l.tax, 0) + COALESCE(l.shipping_tax, 0) + COALESCE(l.gift_wrap_tax, 0))"

_ORDER_TMP = f"""
CREATE TEMP TABLE tmp_order_in ON COMMIT DROP AS
SELECT l.order_id AS marketplace_order_id, max(l.status) AS status, max(l.currency) AS currency,
    max(l.financial_status) AS financial_status, max(l.buyer_country) AS buyer_country,
    max(l.billing_country) AS billing_country, max(l.buyer_key) AS buyer_key,
    max(l.address_key) AS address_key, max(l.ship_postal_code) AS ship_postal_code,
    max(l.ship_city) AS ship_city, min(l.ordered_at) AS ordered_at,
    max(l.shipped_at) AS shipped_at, max(l.settled_at) AS settled_at,
    COALESCE(sum(l.items_given), sum({_LINE_TOTAL})) AS items_total,
    COALESCE(sum(l.shipping_given), sum({_LINE_SHIPPING})) AS shipping_total,
    COALESCE(sum(l.tax_given), sum({_LINE_TAX})) AS tax_total,
    COALESCE(sum(l.total_given), sum({_LINE_TOTAL} + {_LINE_SHIPPING}
        + CASE WHEN l.tax_included THEN 0 ELSE {_LINE_TAX} END)) AS order_total,
    COALESCE(sum(l.refund_given), sum(COALESCE(l.refunded_amount, 0))) AS refunded_total,
    bool_or(l.has_money) AS has_money
FROM tmp_line_in l GROUP BY l.order_id
"""

_ITEM_TMP = f"""
CREATE TEMP TABLE tmp_item_in ON COMMIT DROP AS
SELECT o.id AS order_id, l.item_key, l.sku, l.quantity, l.item_status, l.currency,
    COALESCE(l.unit_price, round(COALESCE(l.gross, 0) / GREATEST(l.quantity, 1), 4))
        AS unit_price,
    {_LINE_TOTAL} AS line_total, COALESCE(l.tax, 0) AS tax,
    COALESCE(l.discount, 0) AS discount, COALESCE(l.refunded_quantity, 0) AS refunded_quantity,
    COALESCE(l.refunded_amount, 0) AS refunded_amount,
    COALESCE(l.returned_quantity, 0) AS returned_quantity, l.has_money, l.product_id,
    l.listing_id
FROM tmp_line_in l JOIN orders_order o
    ON o.store_id = %(store)s AND o.marketplace_order_id = l.order_id
"""

_ORDER_UPDATE = """
UPDATE orders_order o SET
    status = t.status, currency = t.currency, ordered_at = t.ordered_at,
    shipped_at = COALESCE(t.shipped_at, o.shipped_at),
    settled_at = COALESCE(t.settled_at, o.settled_at),
    financial_status = COALESCE(NULLIF(t.financial_status, ''), o.financial_status),
    buyer_country = COALESCE(NULLIF(t.buyer_country, ''), o.buyer_country),
    billing_country = COALESCE(NULLIF(t.billing_country, ''), o.billing_country),
    buyer_key = COALESCE(NULLIF(t.buyer_key, ''), o.buyer_key),
    address_key = COALESCE(NULLIF(t.address_key, ''), o.address_key),
    ship_postal_code = COALESCE(NULLIF(t.ship_postal_code, ''), o.ship_postal_code),
    ship_city = COALESCE(NULLIF(t.ship_city, ''), o.ship_city),
    items_total = CASE WHEN t.has_money THEN t.items_total ELSE o.items_total END,
    shipping_total = CASE WHEN t.has_money THEN t.shipping_total ELSE o.shipping_total END,
    tax_total = CASE WHEN t.has_money THEN t.tax_total ELSE o.tax_total END,
    order_total = CASE WHEN t.has_money THEN t.order_total ELSE o.order_total END,
    refunded_total = GREATEST(t.refunded_total, o.refunded_total),
    source = %(source)s, updated_at = now()
FROM tmp_order_in t
WHERE o.store_id = %(store)s AND o.marketplace_order_id = t.marketplace_order_id
  AND (o.status, o.currency, o.ordered_at, o.shipped_at, o.settled_at, o.financial_status,
       o.items_total, o.shipping_total, o.tax_total, o.order_total, o.refunded_total,
       o.buyer_key, o.address_key, o.billing_country)
      IS DISTINCT FROM
      (t.status, t.currency, t.ordered_at, COALESCE(t.shipped_at, o.shipped_at),
       COALESCE(t.settled_at, o.settled_at),
       COALESCE(NULLIF(t.financial_status, ''), o.financial_status),
       CASE WHEN t.has_money THEN t.items_total ELSE o.items_total END,
       CASE WHEN t.has_money THEN t.shipping_total ELSE o.shipping_total END,
       CASE WHEN t.has_money THEN t.tax_total ELSE o.tax_total END,
       CASE WHEN t.has_money THEN t.order_total ELSE o.order_total END,
       GREATEST(t.refunded_total, o.refunded_total),
       COALESCE(NULLIF(t.buyer_key, ''), o.buyer_key),
       COALESCE(NULLIF(t.address_key, ''), o.address_key),
       COALESCE(NULLIF(t.billing_country, ''), o.billing_country))
"""

_ORDER_INSERT = """
INSERT INTO orders_order (created_at, updated_at, organization_id, store_id,
    marketplace_order_id, buyer_country, status, ordered_at, shipped_at, delivered_at, currency,
    items_total, shipping_total, tax_total, order_total, source, financial_status,
    refunded_total, buyer_key, billing_country, address_key, ship_postal_code, ship_city,
    settled_at, risk_score, risk_reasons)
SELECT now(), now(), %(org)s, %(store)s, t.marketplace_order_id, t.buyer_country, t.status,
    t.ordered_at, t.shipped_at, NULL, t.currency, t.items_total, t.shipping_total, t.tax_total,
    t.order_total, %(source)s, t.financial_status, t.refunded_total, t.buyer_key,
    t.billing_country, t.address_key, t.ship_postal_code, t.ship_city, t.settled_at, 0, '[]'
FROM tmp_order_in t
ON CONFLICT ON CONSTRAINT order_unique_marketplace_id DO NOTHING
"""

_ITEM_UPDATE = """
UPDATE orders_orderitem i SET
    quantity = CASE WHEN t.quantity > 0 THEN t.quantity ELSE i.quantity END,
    item_status = t.item_status,
    sku = t.sku,
    unit_price = CASE WHEN t.has_money THEN t.unit_price ELSE i.unit_price END,
    line_total = CASE WHEN t.has_money THEN t.line_total ELSE i.line_total END,
    tax = CASE WHEN t.has_money THEN t.tax ELSE i.tax END,
    discount = CASE WHEN t.has_money THEN t.discount ELSE i.discount END,
    currency = t.currency,
    refunded_quantity = GREATEST(t.refunded_quantity, i.refunded_quantity),
    refunded_amount = GREATEST(t.refunded_amount, i.refunded_amount),
    returned_quantity = GREATEST(t.returned_quantity, i.returned_quantity),
    product_id = COALESCE(t.product_id, i.product_id),
    listing_id = COALESCE(t.listing_id, i.listing_id),
    updated_at = now()
FROM tmp_item_in t
WHERE i.order_id = t.order_id AND i.item_key = t.item_key AND i.item_key <> ''
  AND (i.item_status, i.quantity, i.unit_price, i.line_total, i.tax, i.discount,
       i.refunded_quantity, i.refunded_amount, i.returned_quantity, i.currency)
      IS DISTINCT FROM
      (t.item_status, CASE WHEN t.quantity > 0 THEN t.quantity ELSE i.quantity END,
       CASE WHEN t.has_money THEN t.unit_price ELSE i.unit_price END,
       CASE WHEN t.has_money THEN t.line_total ELSE i.line_total END,
       CASE WHEN t.has_money THEN t.tax ELSE i.tax END,
       CASE WHEN t.has_money THEN t.discount ELSE i.discount END,
       GREATEST(t.refunded_quantity, i.refunded_quantity),
       GREATEST(t.refunded_amount, i.refunded_amount),
       GREATEST(t.returned_quantity, i.returned_quantity), t.currency)
"""

_ITEM_INSERT = """
INSERT INTO orders_orderitem (created_at, updated_at, organization_id, order_id, listing_id,
    product_id, sku, quantity, unit_price, currency, line_total, item_key, item_status, tax,
    discount, refunded_quantity, refunded_amount, returned_quantity)
SELECT now(), now(), %(org)s, t.order_id, t.listing_id, t.product_id, t.sku, t.quantity,
    t.unit_price, t.currency, t.line_total, t.item_key, t.item_status, t.tax, t.discount,
    t.refunded_quantity, t.refunded_amount, t.returned_quantity
FROM tmp_item_in t
WHERE t.quantity > 0
ON CONFLICT (order_id, item_key) WHERE item_key <> '' DO NOTHING
"""


def _copy_frame(lines: pd.DataFrame, products: dict, listings: dict) -> pd.DataFrame:
    """The lines in tmp_line_in's column order; "" money is NULL (unknown), not zero."""
    n = len(lines)
    out: dict[str, Any] = {}
    for column, width in TEXT.items():
        values = lines[column] if column in lines else pd.Series("", index=lines.index)
        out[column] = values.fillna("").astype(str).str.slice(0, width).to_numpy()
    for column in TIMES:
        values = lines[column] if column in lines else pd.Series(pd.NaT, index=lines.index)
        out[column] = pd.to_datetime(values, utc=True).to_numpy()
    for column in MONEY:
        values = lines[column] if column in lines else pd.Series(None, index=lines.index)
        values = values.astype(object)
        out[column] = values.where(values.notna() & (values != ""), None).to_numpy()
    for column in INTS:
        values = lines[column] if column in lines else pd.Series(0, index=lines.index)
        out[column] = values.fillna(0).astype("int64").to_numpy()
    for column in FLAGS:
        values = lines[column] if column in lines else pd.Series(False, index=lines.index)
        out[column] = values.fillna(False).astype(bool).to_numpy()
    product = lines["sku"].map(products)
    out["product_id"] = product.astype("Int64").to_numpy()
    out["listing_id"] = product.map(listings).astype("Int64").to_numpy()
    frame = pd.DataFrame(out)
    for column in MONEY:  # all unknown: typed text so Arrow writes empty (NULL) cells
        if n and frame[column].isna().all():
            frame[column] = pd.Series([None] * n, dtype="string")
    return frame


@transaction.atomic
def order_lines_write(
    *,
    org: Organization,
    store: Store,
    lines: pd.DataFrame,
    source: str,
    products: dict[str, int] | None = None,
    listings: dict[int, int] | None = None,
) -> tuple[int, int, int, int]:
    """Upsert a frame of normalised order lines (every line of each order present) into
    `store`: (orders created, orders updated, lines created, lines updated). Set-based: one
    COPY and a handful of statements whatever the frame's size; order totals are summed from
    the lines in PostgreSQL (numeric, never a float)."""
    if store.organization_id != org.pk:
        raise ValueError("store of another organization")
    # A file without a currency column (or a line without money): the store's currency.
    currency = lines["currency"].fillna("").astype(str)
    blank = currency.isin(["", "NAN", "NONE"])
    if blank.any():
        lines = lines.assign(currency=currency.mask(blank, store.marketplace.currency))
    if products is None:
        products = dict(Product.objects.for_org(org).values_list("sku", "id"))
    if listings is None:
        listings = dict(
            Listing.objects.for_org(org).filter(store=store).values_list("product_id", "id")
        )
    frame = _copy_frame(lines, products, listings)
    params = {"org": org.pk, "store": store.pk, "source": source[:16]}
    with connection.cursor() as cursor:
        cursor.execute(_LINE_TMP)
        copy_frame_into(cursor, "tmp_line_in", frame)
        cursor.execute(_ORDER_TMP)
        cursor.execute(_ORDER_UPDATE, params)
        orders_updated = cursor.rowcount
        cursor.execute(_ORDER_INSERT, params)
        orders_created = cursor.rowcount
        cursor.execute(_ITEM_TMP, params)
        cursor.execute(_ITEM_UPDATE, params)
        items_updated = cursor.rowcount
        cursor.execute(_ITEM_INSERT, params)
        items_created = cursor.rowcount
        cursor.execute("DROP TABLE tmp_line_in, tmp_order_in, tmp_item_in")
    return orders_created, orders_updated, items_created, items_updated


# Per line: an order's total (a sum of its lines) must still fit numeric(14, 4).
MAX_LINE_AMOUNT = 10**9
MAX_QUANTITY = 1_000_000


def _check_amounts(chunk: TypedChunk, lines: pd.DataFrame) -> list[LineError]:
    """Lines the database would refuse: an unknown currency, an amount or quantity too large."""
    bad = ~lines["currency"].isin(CURRENCIES) & (lines["currency"] != "")
    errors = [
        LineError(int(line), _("unknown currency %(c)r") % {"c": currency})
        for line, currency in zip(lines.loc[bad, "line"], lines.loc[bad, "currency"], strict=True)
    ]
    huge = pd.Series(False, index=lines.index)
    for column in MONEY:
        if column in lines:
            values = lines[column].astype(object)
            values = values.where(values.notna() & (values != ""), None)
            huge |= pd.to_numeric(values, errors="coerce").abs().fillna(0) >= MAX_LINE_AMOUNT
    for column in INTS:
        if column in lines:
            huge |= lines[column].fillna(0).astype("int64") > MAX_QUANTITY
    errors += [
        LineError(int(line), _("an amount or quantity is too large to store"))
        for line in lines.loc[huge & ~bad, "line"]
    ]
    return errors


def _drop(lines: pd.DataFrame, errors: list[LineError]) -> pd.DataFrame:
    if not errors:
        return lines
    bad = {e.line for e in errors}
    return lines.loc[~lines["line"].isin(bad)]


def order_file_import(
    *,
    org: Organization,
    store: Store,
    data: Source,
    filename: str = "",
    format: str = "amazon",
    actor=None,
    score: bool = True,
) -> OrderImportResult:
    """Import an order file of `format` ('amazon', 'shopify' or 'lines') into `store`.

    Raises TabularFormatError when the file as a whole cannot be read (no recognisable header,
    a missing required column); every bad line is reported with its number and skipped, the
    good ones are written. The same bytes imported again are recognised (`duplicate_of`); a
    changed file updates statuses, amounts, refunds and returns in place."""
    parser = FORMATS[format]
    writer = _Writer(org=org, store=store, source=format)
    spreader = shopify.ShopifyLines() if format == "shopify" else None
    holder: dict[str, _Lookahead] = {}

    def open_reader(source: Source, name: str) -> _Lookahead:
        holder["reader"] = _Lookahead(parser.open_orders(source, name))
        return holder["reader"]

    def apply_chunk(chunk: TypedChunk) -> ChunkOutcome:
        if spreader is not None:
            spreader.fill(chunk)
        parser.check_lines(chunk)
        lines = parser.lines(chunk.good())
        errors = _check_amounts(chunk, lines)
        outcome = writer.add(_drop(lines, errors), last=holder["reader"].last)
        outcome.errors = sorted([*errors, *outcome.errors], key=lambda e: e.line)
        return outcome

    outcome = file_import(
        org=org, kind=f"orders_{format}", target=str(store.pk), source=data, filename=filename,
        open_reader=open_reader, apply_chunk=apply_chunk, actor=actor,
    )  # fmt: skip
    run = outcome.run
    result = writer.result
    result.import_run_id = run.pk
    if outcome.is_duplicate:
        result.duplicate_of = outcome.duplicate_of.pk
        result.rows = outcome.duplicate_of.rows_read
        result.message = outcome.duplicate_message()
        return result
    result.rows = run.rows_read
    result.errors = outcome.errors
    if score and writer.touched_from is not None:
        _score_from(org, writer.touched_from)
    return result


def order_rows_import(
    *, org: Organization, store: Store, rows: list[dict[str, Any]], score: bool = True
) -> OrderImportResult:
    """Import order lines given as data (the bulk API): rows numbered from 1 in errors."""
    result = OrderImportResult(rows=len(rows))
    chunk = generic.records_chunk(rows)
    if chunk is None:
        return result
    generic.check_lines(chunk)
    lines = generic.lines(chunk.good())
    errors = chunk.errors() + _check_amounts(chunk, lines)
    writer = _Writer(org=org, store=store, source="api")
    outcome = writer.add(_drop(lines, errors), last=True)
    result = writer.result
    result.rows = len(rows)
    result.errors = sorted([*errors, *outcome.errors], key=lambda e: e.line)
    if score and writer.touched_from is not None:
        _score_from(org, writer.touched_from)
    return result


def _score_from(org: Organization, first: pd.Timestamp) -> None:
    from .risk import order_risk_score

    order_risk_score(org=org, since=first.to_pydatetime())


__all__ = ["OrderImportResult", "order_file_import", "order_lines_write", "order_rows_import"]
