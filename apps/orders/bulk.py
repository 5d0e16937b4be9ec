"""Bulk upsert of orders with their lines, matched on store + marketplace order id (lines on
their `item_key` within the order), one result per order (the API's `/orders/bulk-upsert/`).

An order's values and lines are as sent: lines are upserted by item key, lines of the order
that the item no longer lists are deleted, and the totals are recomputed from the sent lines
(each line rounded to the currency's minor unit, as `order_create` does). Three statements
whatever the number of orders — orders (`INSERT … ON CONFLICT DO UPDATE … WHERE … IS DISTINCT
FROM`), lines (the same), vanished lines (one DELETE) — after three look-ups (stores, SKUs,
listings), all within the organization: another organization's store or SKU is an error for
that order, never matched. Written orders are then risk-scored like imported ones (one
set-based UPDATE, apps.orders.risk).
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.catalog.selectors import listing_list, product_list, store_list
from apps.core.bulk import Outcome, duplicates, upsert_statuses
from apps.core.money import quantize

if TYPE_CHECKING:
    from apps.accounts.models import Organization

ZERO = Decimal(0)
MONEY_MAX = Decimal("9999999999.9999")  # the amount columns' bound (14 digits, 4 decimals)
ORDER_COLUMNS = ("buyer_country", "status", "ordered_at", "shipped_at", "delivered_at",
                 "currency", "items_total", "shipping_total", "tax_total", "order_total",
                 "financial_status", "refunded_total")  # fmt: skip
_ORDER_TYPES = {"ordered_at": "timestamptz", "shipped_at": "timestamptz",
                "delivered_at": "timestamptz", "items_total": "numeric",
                "shipping_total": "numeric", "tax_total": "numeric", "order_total": "numeric",
                "refunded_total": "numeric"}  # fmt: skip
LINE_COLUMNS = ("product_id", "listing_id", "sku", "quantity", "unit_price", "currency",
                "line_total", "item_status", "tax", "discount", "refunded_quantity",
                "refunded_amount", "returned_quantity")  # fmt: skip
_LINE_TYPES = {"product_id": "bigint", "listing_id": "bigint", "quantity": "int",
               "unit_price": "numeric", "line_total": "numeric", "tax": "numeric",
               "discount": "numeric", "refunded_quantity": "int", "refunded_amount": "numeric",
               "returned_quantity": "int"}  # fmt: skip


def _unnest(columns: tuple[str, ...], types: dict[str, str]) -> str:
    return ", ".join(f"%({c})s::{types.get(c, 'varchar')}[]" for c in columns)


def _distinct(alias: str, columns: tuple[str, ...]) -> str:
    mine = ", ".join(f"{alias}.{c}" for c in columns)
    theirs = ", ".join(f"EXCLUDED.{c}" for c in columns)
    return f"({mine}) IS DISTINCT FROM ({theirs})"


# Risk inputs: a value sent replaces the stored one, an empty one keeps it (an order imported
# from a file with the buyer's e-mail and updated through this API without it stays keyed).
RISK_COLUMNS = ("buyer_key", "address_key", "billing_country", "ship_postal_code", "ship_city")
_KEEP = ", ".join(f"{c} = COALESCE(NULLIF(EXCLUDED.{c}, ''), o.{c})" for c in RISK_COLUMNS)
_RISK_CHANGED = " OR ".join(f"(EXCLUDED.{c} <> '' AND EXCLUDED.{c} <> o.{c})" for c in RISK_COLUMNS)

_ORDERS = f"""
WITH incoming AS (
    SELECT * FROM unnest(%(store_id)s::bigint[], %(moid)s::varchar[],
                         {_unnest(ORDER_COLUMNS + RISK_COLUMNS, _ORDER_TYPES)})
        WITH ORDINALITY AS t(store_id, marketplace_order_id,
                             {", ".join(ORDER_COLUMNS + RISK_COLUMNS)}, ord)
), before AS (
    SELECT o.id, o.store_id, o.marketplace_order_id FROM orders_order o
    JOIN incoming i USING (store_id, marketplace_order_id)
), u AS (
    INSERT INTO orders_order AS o (created_at, updated_at, organization_id, source, risk_score,
        risk_reasons, store_id, marketplace_order_id, {", ".join(ORDER_COLUMNS + RISK_COLUMNS)})
    SELECT %(ts)s, %(ts)s, %(org)s, 'api', 0, '[]'::jsonb, i.store_id, i.marketplace_order_id,
           {", ".join(f"i.{c}" for c in ORDER_COLUMNS + RISK_COLUMNS)}
    FROM incoming i ORDER BY i.store_id, i.marketplace_order_id
    ON CONFLICT (store_id, marketplace_order_id) DO UPDATE SET
        {", ".join(f"{c} = EXCLUDED.{c}" for c in ORDER_COLUMNS)}, {_KEEP},
        updated_at = EXCLUDED.updated_at
    WHERE o.organization_id = EXCLUDED.organization_id
      AND ({_distinct("o", ORDER_COLUMNS)} OR {_RISK_CHANGED})
    RETURNING o.id, o.store_id, o.marketplace_order_id, (o.xmax = 0) AS inserted
)
SELECT b.id, b.store_id, b.marketplace_order_id, NULL::boolean FROM before b
UNION ALL
SELECT u.id, u.store_id, u.marketplace_order_id, u.inserted FROM u
"""

_LINES = f"""
INSERT INTO orders_orderitem AS l (created_at, updated_at, organization_id, order_id, item_key,
    {", ".join(LINE_COLUMNS)})
SELECT %(ts)s, %(ts)s, %(org)s, t.order_id, t.item_key, {", ".join(f"t.{c}" for c in LINE_COLUMNS)}
FROM unnest(%(order_id)s::bigint[], %(item_key)s::varchar[], {_unnest(LINE_COLUMNS, _LINE_TYPES)})
     AS t(order_id, item_key, {", ".join(LINE_COLUMNS)})
ORDER BY t.order_id, t.item_key
ON CONFLICT (order_id, item_key) WHERE item_key <> '' DO UPDATE SET
    {", ".join(f"{c} = EXCLUDED.{c}" for c in LINE_COLUMNS)}, updated_at = EXCLUDED.updated_at
WHERE l.organization_id = EXCLUDED.organization_id AND {_distinct("l", LINE_COLUMNS)}
RETURNING l.order_id
"""

_VANISHED = """
DELETE FROM orders_orderitem l
WHERE l.organization_id = %(org)s AND l.order_id = ANY(%(orders)s::bigint[])
  AND (l.order_id, l.item_key) NOT IN (
      SELECT * FROM unnest(%(order_id)s::bigint[], %(item_key)s::varchar[]))
RETURNING l.order_id
"""


def _lines_of(item: dict, currency: str, products: dict, listings: dict) -> list[dict] | str:
    """The order's line rows, or why they cannot be written."""
    keys = [line.get("item_key") or line["sku"] for line in item["lines"]]
    repeated = duplicates(keys)
    if repeated:
        first = min(repeated)
        return _("Line %(line)s repeats the item key of line %(first)s.") % {
            "line": first, "first": repeated[first]}  # fmt: skip
    rows = []
    for number, (key, line) in enumerate(zip(keys, item["lines"], strict=True)):
        product_id = products.get(line["sku"])
        if product_id is None:
            return _("Line %(line)s: unknown SKU %(sku)s.") % {"line": number, "sku": line["sku"]}
        discount = quantize(line.get("discount", ZERO), currency)
        amount = quantize(line["unit_price"] * line["quantity"], currency)
        if discount > amount:
            return _("Line %(line)s: the discount exceeds the line's amount.") % {"line": number}
        rows.append({
            "item_key": key, "product_id": product_id,
            "listing_id": listings.get((item["store"], product_id)), "sku": line["sku"],
            "quantity": line["quantity"], "unit_price": line["unit_price"], "currency": currency,
            "line_total": amount - discount,
            "item_status": line.get("item_status", ""),
            "tax": quantize(line.get("tax", ZERO), currency), "discount": discount,
            "refunded_quantity": line.get("refunded_quantity", 0),
            "refunded_amount": quantize(line.get("refunded_amount", ZERO), currency),
            "returned_quantity": line.get("returned_quantity", 0),
        })  # fmt: skip
    return rows


def _order_row(item: dict, currency: str, lines: list[dict]) -> dict:
    items_total = sum((line["line_total"] for line in lines), ZERO)
    shipping = quantize(item.get("shipping_total", ZERO), currency)
    tax = quantize(item.get("tax_total", ZERO), currency)
    return {
        "buyer_country": item["buyer_country"].upper(),
        "status": item.get("status", "pending"),
        "ordered_at": item["ordered_at"],
        "shipped_at": item.get("shipped_at"),
        "delivered_at": item.get("delivered_at"),
        "currency": currency,
        "items_total": items_total,
        "shipping_total": shipping,
        "tax_total": tax,
        "order_total": items_total + shipping + tax,
        "financial_status": item.get("financial_status", ""),
        "refunded_total": sum((line["refunded_amount"] for line in lines), ZERO),
        **_risk_inputs(item),
    }


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def _risk_inputs(item: dict) -> dict:
    """The buyer and address keys the risk rules group on, built as the order-file parsers
    build them (apps/integrations/order_lines/parser.py: hashed e-mail, else hashed address;
    hashed country|postal code|city|street). Nothing sent, nothing keyed: an order without
    an address is not grouped with every other order to its country."""
    email = (item.get("buyer_email") or "").strip().lower()
    postal = re.sub(r"\s", "", (item.get("ship_postal_code") or "").lstrip("'").upper())
    city = (item.get("ship_city") or "").strip()
    street = re.sub(r"[\W_]", "", (item.get("ship_address") or "").lower())
    address = ""
    if postal or city or street:
        country = item["buyer_country"].upper()[:2]
        address = _digest(f"{country}|{postal}|{city.lower()}|{street}")
    return {
        "buyer_key": _digest(email) if email else address,
        "address_key": address,
        "billing_country": (item.get("billing_country") or "").upper(),
        "ship_postal_code": postal[:20],
        "ship_city": city[:100],
    }


@transaction.atomic
def orders_upsert_many(*, org: Organization, items: list[dict[str, Any]]) -> list[Outcome]:
    """Upsert validated orders of `org` (`store` id, `marketplace_order_id`, `buyer_country`,
    `ordered_at`, `lines` and the optional fields of `order_create`); one outcome per order."""
    outcomes: list[Outcome | None] = [None] * len(items)
    stores = dict(
        store_list(org=org)
        .filter(pk__in={i["store"] for i in items})
        .values_list("pk", "marketplace__currency")
    )
    skus = {line["sku"] for i in items for line in i["lines"]}
    products = dict(product_list(org=org).filter(sku__in=skus).values_list("sku", "pk"))
    listings = {
        (store, product): pk
        for pk, store, product in listing_list(org=org)
        .filter(store_id__in=list(stores), product_id__in=list(products.values()))
        .order_by("id")
        .values_list("pk", "store_id", "product_id")
    }
    repeated = duplicates([(i["store"], i["marketplace_order_id"]) for i in items])
    good: list[tuple[int, dict, dict, list[dict]]] = []
    for index, item in enumerate(items):
        if index in repeated:
            message = _("Repeats item %(index)s of this request.") % {"index": repeated[index]}
            outcomes[index] = Outcome.error("marketplace_order_id", message)
            continue
        if item["store"] not in stores:
            outcomes[index] = Outcome.error("store", _("Unknown store."))
            continue
        currency = item.get("currency") or stores[item["store"]]
        lines = _lines_of(item, currency, products, listings)
        if isinstance(lines, str):
            outcomes[index] = Outcome.error("lines", lines)
            continue
        row = _order_row(item, currency, lines)
        if max(row["order_total"], row["refunded_total"]) > MONEY_MAX:
            outcomes[index] = Outcome.error("lines", _("The order's totals are too large."))
            continue
        good.append((index, item, row, lines))
    if not good:
        return outcomes  # type: ignore[return-value]
    ts = timezone.now()
    params: dict[str, Any] = {
        "ts": ts,
        "org": org.pk,
        "store_id": [item["store"] for _n, item, _r, _l in good],
        "moid": [item["marketplace_order_id"] for _n, item, _r, _l in good],
        **{c: [row[c] for _n, _i, row, _l in good] for c in ORDER_COLUMNS + RISK_COLUMNS},
    }
    with connection.cursor() as cursor:
        cursor.execute(_ORDERS, params)
        orders = upsert_statuses(
            [(pk, (store, moid), inserted) for pk, store, moid, inserted in cursor.fetchall()],
            list(zip(params["store_id"], params["moid"], strict=True)),
        )
        line_rows = [(pk, line) for (_s, pk), (*_x, lines) in zip(orders, good, strict=True)
                     for line in lines]  # fmt: skip
        line_params: dict[str, Any] = {
            "ts": ts,
            "org": org.pk,
            "order_id": [pk for pk, _line in line_rows],
            "item_key": [line["item_key"] for _pk, line in line_rows],
            **{c: [line[c] for _pk, line in line_rows] for c in LINE_COLUMNS},
        }
        cursor.execute(_LINES, line_params)
        moved = {row[0] for row in cursor.fetchall()}
        cursor.execute(_VANISHED, {**line_params, "orders": [pk for _s, pk in orders]})
        moved.update(row[0] for row in cursor.fetchall())
    written = []
    for (index, item, *_rest), (status, pk) in zip(good, orders, strict=True):
        if status == "unchanged" and pk in moved:
            status = "updated"
        outcomes[index] = Outcome(status, pk)
        if status != "unchanged":
            written.append(item["ordered_at"])
    if written:
        # Scored as imports are (apps.orders.imports): one set-based UPDATE over the orders
        # placed since the earliest one written, in this transaction.
        from .risk import order_risk_score

        order_risk_score(org=org, since=min(written))
    return outcomes  # type: ignore[return-value]
