"""The write side of order imports: every normalised line of a file is COPYed into one staging
table, then orders and lines are upserted with a handful of set-based statements in one
transaction, whatever the file's size.

    staged = StagedLines(org=org, store=store, source="amazon")
    staged.add(lines)            # per chunk: one COPY (Arrow → CSV → PostgreSQL)
    counts = staged.write()      # one transaction: orders, then lines
    staged.close()

Orders come from the distinct order ids of the staging table (their totals summed in
PostgreSQL as numeric, never a float), keyed by (store, marketplace order id); lines are keyed
by (order, item key) and joined to the organization's products by SKU (and to the store's
listing of that product) in SQL. Only rows whose values change are written, so re-importing a
file changes nothing. Money whose value is not known yet (a pending Amazon line) is NULL in
the staging table and keeps the stored amounts; a cancelled line (quantity 0) only marks a
stored line cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection, transaction

from apps.accounts.models import Organization
from apps.catalog.models import Store
from apps.core.copy import copy_frame_into

MONEY = ["gross", "discount", "unit_price", "tax", "shipping", "shipping_discount", "gift_wrap",
         "shipping_tax", "gift_wrap_tax", "items_given", "shipping_given", "tax_given",
         "total_given", "refund_given", "refunded_amount"]  # fmt: skip
TEXT = {"order_id": 64, "item_key": 120, "sku": 100, "item_status": 24, "status": 16,
        "currency": 3, "financial_status": 24, "buyer_country": 2, "billing_country": 2,
        "buyer_key": 64, "address_key": 64, "ship_postal_code": 20, "ship_city": 100}  # fmt: skip
TIMES = ["ordered_at", "shipped_at", "settled_at"]
INTS = ["quantity", "refunded_quantity", "returned_quantity"]
FLAGS = ["tax_included", "has_money"]

STAGE = "tmp_order_lines"
BIG_IMPORT = 20_000  # staged lines from which joins are hashed, never nested loops
_STAGE_DDL = (
    f"CREATE TEMP TABLE {STAGE} ("
    + ", ".join(
        ["line bigint"]
        + [f"{c} varchar({n})" for c, n in TEXT.items()]
        + [f"{c} timestamptz" for c in TIMES]
        + [f"{c} numeric" for c in MONEY]
        + [f"{c} int" for c in INTS]
        + [f"{c} boolean" for c in FLAGS]
    )
    + ")"
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
FROM {STAGE} l GROUP BY l.order_id
"""

# The stored values an order keeps when the file does not state them (NULL/'' = not stated).
_ORDER_NEW = {
    "status": "t.status",
    "currency": "t.currency",
    "ordered_at": "t.ordered_at",
    "shipped_at": "COALESCE(t.shipped_at, o.shipped_at)",
    "settled_at": "COALESCE(t.settled_at, o.settled_at)",
    "financial_status": "COALESCE(NULLIF(t.financial_status, ''), o.financial_status)",
    "buyer_country": "COALESCE(NULLIF(t.buyer_country, ''), o.buyer_country)",
    "billing_country": "COALESCE(NULLIF(t.billing_country, ''), o.billing_country)",
    "buyer_key": "COALESCE(NULLIF(t.buyer_key, ''), o.buyer_key)",
    "address_key": "COALESCE(NULLIF(t.address_key, ''), o.address_key)",
    "ship_postal_code": "COALESCE(NULLIF(t.ship_postal_code, ''), o.ship_postal_code)",
    "ship_city": "COALESCE(NULLIF(t.ship_city, ''), o.ship_city)",
    "items_total": "CASE WHEN t.has_money THEN t.items_total ELSE o.items_total END",
    "shipping_total": "CASE WHEN t.has_money THEN t.shipping_total ELSE o.shipping_total END",
    "tax_total": "CASE WHEN t.has_money THEN t.tax_total ELSE o.tax_total END",
    "order_total": "CASE WHEN t.has_money THEN t.order_total ELSE o.order_total END",
    "refunded_total": "GREATEST(t.refunded_total, o.refunded_total)",
}
_ORDER_UPDATE = f"""
UPDATE orders_order o SET {", ".join(f"{c} = {v}" for c, v in _ORDER_NEW.items())},
    source = %(source)s, updated_at = now()
FROM tmp_order_in t
WHERE o.store_id = %(store)s AND o.marketplace_order_id = t.marketplace_order_id
  AND ({", ".join(f"o.{c}" for c in _ORDER_NEW)})
      IS DISTINCT FROM ({", ".join(_ORDER_NEW.values())})
"""

_ORDER_INSERT = """
INSERT INTO orders_order (created_at, updated_at, organization_id, store_id,
    marketplace_order_id, buyer_country, status, ordered_at, shipped_at, delivered_at, currency,
    items_total, shipping_total, tax_total, order_total, source, financial_status,
    refunded_total, buyer_key, billing_country, address_key, ship_postal_code, ship_city,
    settled_at, risk_score, risk_reasons, risk_scored_at)
SELECT now(), now(), %(org)s, %(store)s, t.marketplace_order_id, t.buyer_country, t.status,
    t.ordered_at, t.shipped_at, NULL, t.currency, t.items_total, t.shipping_total, t.tax_total,
    t.order_total, %(source)s, t.financial_status, t.refunded_total, t.buyer_key,
    t.billing_country, t.address_key, t.ship_postal_code, t.ship_city, t.settled_at, 0, '[]',
    CASE WHEN %(scored)s THEN now() END
FROM tmp_order_in t
ON CONFLICT ON CONSTRAINT order_unique_marketplace_id DO NOTHING
"""

# Lines with their order's id, product (by SKU) and the store's listing of that product.
_ITEM_TMP = f"""
CREATE TEMP TABLE tmp_item_in ON COMMIT DROP AS
SELECT o.id AS order_id, l.item_key, l.sku, l.quantity, l.item_status, l.currency,
    COALESCE(l.unit_price, round(COALESCE(l.gross, 0) / GREATEST(l.quantity, 1), 4))
        AS unit_price,
    {_LINE_TOTAL} AS line_total, COALESCE(l.tax, 0) AS tax,
    COALESCE(l.discount, 0) AS discount, COALESCE(l.refunded_quantity, 0) AS refunded_quantity,
    COALESCE(l.refunded_amount, 0) AS refunded_amount,
    COALESCE(l.returned_quantity, 0) AS returned_quantity, l.has_money,
    p.id AS product_id, li.id AS listing_id
FROM {STAGE} l
JOIN orders_order o ON o.store_id = %(store)s AND o.marketplace_order_id = l.order_id
LEFT JOIN catalog_product p ON p.organization_id = %(org)s AND p.sku = l.sku
LEFT JOIN catalog_listing li ON li.store_id = %(store)s AND li.product_id = p.id
"""

_ITEM_NEW = {
    "item_status": "t.item_status",
    "quantity": "CASE WHEN t.quantity > 0 THEN t.quantity ELSE i.quantity END",
    "unit_price": "CASE WHEN t.has_money THEN t.unit_price ELSE i.unit_price END",
    "line_total": "CASE WHEN t.has_money THEN t.line_total ELSE i.line_total END",
    "tax": "CASE WHEN t.has_money THEN t.tax ELSE i.tax END",
    "discount": "CASE WHEN t.has_money THEN t.discount ELSE i.discount END",
    "refunded_quantity": "GREATEST(t.refunded_quantity, i.refunded_quantity)",
    "refunded_amount": "GREATEST(t.refunded_amount, i.refunded_amount)",
    "returned_quantity": "GREATEST(t.returned_quantity, i.returned_quantity)",
    "currency": "t.currency",
    "sku": "t.sku",
    "product_id": "COALESCE(t.product_id, i.product_id)",
    "listing_id": "COALESCE(t.listing_id, i.listing_id)",
}
# A changed line touches its order (updated_at) through the trigger of migration 0006.
_ITEM_UPDATE = f"""
UPDATE orders_orderitem i SET {", ".join(f"{c} = {v}" for c, v in _ITEM_NEW.items())},
    updated_at = now()
FROM tmp_item_in t
WHERE i.order_id = t.order_id AND i.item_key = t.item_key AND i.item_key <> ''
  AND ({", ".join(f"i.{c}" for c in _ITEM_NEW)})
      IS DISTINCT FROM ({", ".join(_ITEM_NEW.values())})
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

# Lines added to orders stored before: those orders changed too (analytics reads updated_at).
_ITEM_INSERT_TOUCHING = f"""
WITH ins AS ({_ITEM_INSERT} RETURNING order_id),
touched AS (
    UPDATE orders_order o SET updated_at = now()
    FROM (SELECT DISTINCT order_id FROM ins) n
    WHERE o.id = n.order_id AND o.updated_at <> now()
    RETURNING 1
)
SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM touched)
"""


@dataclass
class WriteCounts:
    orders_created: int = 0
    orders_updated: int = 0
    items_created: int = 0
    items_updated: int = 0
    first_ordered_at: Any = None


def _arrow_text(values: Any) -> pa.ChunkedArray | None:
    """The Arrow string data behind an Arrow-backed Series (None for any other column)."""
    array = getattr(getattr(values, "array", None), "_pa_array", None)
    if array is None or not (
        pa.types.is_string(array.type) or pa.types.is_large_string(array.type)
    ):
        return None
    return array


def _strings(values: Any, n: int, width: int | None = None) -> pa.Array:
    """A text column as an Arrow string array ("" for missing), cut to `width` characters."""
    if values is None:
        return pa.array([""] * n, type=pa.string()) if n else pa.array([], type=pa.string())
    array = getattr(getattr(values, "array", None), "_pa_array", None)
    if array is None or not (
        pa.types.is_string(array.type) or pa.types.is_large_string(array.type)
    ):
        series = pd.Series(values, copy=False)
        try:
            array = pa.array(series, type=pa.string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all str: their text
            series = series.astype(object)
            array = pa.array(series.where(series.notna(), "").map(str).tolist(), type=pa.string())
    array = pc.fill_null(array, "")
    if width:
        array = pc.utf8_slice_codeunits(array, 0, width)
    return array


def money_array(values: Any, n: int) -> pa.Array:
    """A money column as Arrow text for COPY: canonical number text, or a Decimal; "" and None
    are NULL (not stated), never zero."""
    if values is None:
        return pa.nulls(n, type=pa.string())
    array = getattr(getattr(values, "array", None), "_pa_array", None)
    if array is None or not (
        pa.types.is_string(array.type) or pa.types.is_large_string(array.type)
    ):
        cells = [None if v is None or v == "" or (isinstance(v, float) and np.isnan(v)) else str(v)
                 for v in pd.Series(values, copy=False).astype(object)]  # fmt: skip
        return pa.array(cells, type=pa.string())
    return pc.if_else(pc.equal(pc.fill_null(array, ""), ""), None, array)


def stage_frame(lines: pd.DataFrame) -> pd.DataFrame:
    """The normalised lines as the staging table's columns, Arrow-backed (zero-copy for the
    Arrow columns the fast reader produces; the small files' object columns are converted)."""
    n = len(lines)
    columns: dict[str, Any] = {"line": pa.array(lines["line"].to_numpy(dtype=np.int64))}
    for column, width in TEXT.items():
        columns[column] = _strings(lines.get(column), n, width)
    for column in TIMES:
        values = lines[column] if column in lines else pd.Series(pd.NaT, index=lines.index)
        columns[column] = pa.array(pd.to_datetime(values, utc=True), type=pa.timestamp("us", "UTC"))
    for column in MONEY:
        columns[column] = money_array(lines.get(column), n)
    for column in INTS:
        values = lines[column] if column in lines else pd.Series(0, index=lines.index)
        columns[column] = pa.array(values.fillna(0).astype("int64").to_numpy())
    for column in FLAGS:
        values = lines[column] if column in lines else pd.Series(False, index=lines.index)
        columns[column] = pa.array(values.fillna(False).astype(bool).to_numpy())
    return pa.table(columns).to_pandas(types_mapper=pd.ArrowDtype)


class StagedLines:
    """One import's lines in a session temp table, written in one transaction by `write`."""

    def __init__(self, *, org: Organization, store: Store, source: str, score: bool = True) -> None:
        if store.organization_id != org.pk:
            raise ValueError("store of another organization")
        self.org, self.store, self.source = org, store, source[:16]
        self.rows = 0
        self.score = score
        self.first_ordered_at = None
        self._open = False

    def add(self, lines: pd.DataFrame) -> None:
        if not len(lines):
            return
        # A file without currencies (or a line without one): the store's currency.
        fill = self.store.marketplace.currency
        if "currency" not in lines:
            lines = lines.assign(currency=fill)
        else:
            currency = lines["currency"].fillna("").astype(str)
            blank = currency.isin(["", "NAN", "NONE"])
            if blank.any():
                lines = lines.assign(currency=currency.mask(blank, fill))
        with connection.cursor() as cursor:
            if not self._open:
                cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
                cursor.execute(_STAGE_DDL)
                self._open = True
            copy_frame_into(cursor, STAGE, stage_frame(lines))
        self.rows += len(lines)
        first = pd.to_datetime(lines["ordered_at"], utc=True).min()
        if pd.notna(first) and (self.first_ordered_at is None or first < self.first_ordered_at):
            self.first_ordered_at = first

    @transaction.atomic
    def write(self) -> WriteCounts:
        counts = WriteCounts(first_ordered_at=self.first_ordered_at)
        if not self._open or not self.rows:
            return counts
        params = {
            "org": self.org.pk, "store": self.store.pk, "source": self.source,
            "scored": self.score,
        }  # fmt: skip
        with connection.cursor() as cursor:
            if self.rows < BIG_IMPORT:
                cursor.execute(f"ANALYZE {STAGE}")
            else:
                # Statistics of the orders tables lag behind bulk writes (a table just filled
                # may look empty): a nested loop over it would scan it once per staged row.
                cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute(_ORDER_TMP)
            if self.rows < BIG_IMPORT:
                cursor.execute("ANALYZE tmp_order_in")
            cursor.execute("SELECT count(*) FROM tmp_order_in")
            staged_orders = cursor.fetchone()[0]
            cursor.execute(_ORDER_UPDATE, params)
            counts.orders_updated = cursor.rowcount
            cursor.execute(_ORDER_INSERT, params)
            counts.orders_created = cursor.rowcount
            cursor.execute(_ITEM_TMP, params)
            if self.rows < BIG_IMPORT:
                cursor.execute("ANALYZE tmp_item_in")
            if counts.orders_created < staged_orders:  # some orders were stored before
                cursor.execute(_ITEM_UPDATE, params)
                counts.items_updated = cursor.rowcount
            if counts.orders_created < staged_orders:
                cursor.execute(_ITEM_INSERT_TOUCHING, params)
                counts.items_created = cursor.fetchone()[0]
            else:  # every order is new: no stored line can match, no stored order to touch
                cursor.execute(_ITEM_INSERT, params)
                counts.items_created = cursor.rowcount
            cursor.execute("DROP TABLE tmp_order_in, tmp_item_in")
            if counts.orders_created >= BIG_IMPORT:
                # The risk score and every reader right after plan on these statistics: a
                # table that grew by half a million rows must not look empty to them.
                cursor.execute("ANALYZE orders_order")
                cursor.execute("ANALYZE orders_orderitem")
        if self.score and self.first_ordered_at is not None:
            # In the same transaction: the new orders were inserted as scored with 0 points,
            # so the score rewrites only the orders a rule flags (or whose score moved).
            from .risk import order_risk_score

            order_risk_score(org=self.org, since=self.first_ordered_at.to_pydatetime())
        return counts

    def close(self) -> None:
        if self._open:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
            self._open = False
