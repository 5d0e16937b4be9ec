"""The big profit report: every SKU × day of a period as CSV, straight out of PostgreSQL
(`COPY (SELECT …) TO STDOUT`), for a year of a large catalogue (benchmark:
bench/profit_report.py). Text cells that a spreadsheet would run as a formula get the same
apostrophe as apps.core.csv_safe gives them."""

from __future__ import annotations

import io

from django.db import connection

from .models import ProfitFact
from .profit import Slice

COLUMNS = (
    "sku",
    "day",
    "currency",
    "sessions",
    "orders",
    "units",
    "units_refunded",
    "revenue",
    "refunds",
    "vat",
    "product_cost",
    "freight",
    "marketplace_fees",
    "fulfilment_fees",
    "ad_spend",
    "net_profit",
)
# csv_safe.FORMULA_STARTS: = + - @ tab CR
_ESCAPE = "CASE WHEN p.sku ~ '^[=+@\\t\\r-]' THEN '''' || p.sku ELSE coalesce(p.sku, '') END"

_SQL = """
COPY (
    SELECT {escaped} AS sku, f.day, f.currency, f.sessions, f.orders, f.units,
           f.units_refunded, f.revenue, f.refunds, f.vat, f.product_cost, f.freight,
           f.marketplace_fees, f.fulfilment_fees, f.ad_spend, f.net_profit
    FROM (
        -- summed on integer keys first: the SKU text (escaped, sorted) only per result row
        SELECT product_id, day, currency, sum(sessions) AS sessions, sum(orders) AS orders,
               sum(units) AS units, sum(units_refunded) AS units_refunded,
               sum(revenue) AS revenue, sum(refunds) AS refunds, sum(vat) AS vat,
               sum(product_cost) AS product_cost, sum(freight) AS freight,
               sum(marketplace_fees) AS marketplace_fees,
               sum(fulfilment_fees) AS fulfilment_fees, sum(ad_spend) AS ad_spend,
               sum(net_profit) AS net_profit
        FROM {facts}
        WHERE organization_id = {org} AND day BETWEEN '{start}' AND '{end}' {filters}
        GROUP BY product_id, day, currency
    ) f LEFT JOIN catalog_product p ON p.id = f.product_id
    ORDER BY coalesce(p.sku, '') COLLATE "C", f.day
) TO STDOUT WITH (FORMAT csv, HEADER false)
"""


def profit_report_csv(*, org, s: Slice) -> str:
    """Profit per SKU and day (stores and marketplaces of the slice summed) as CSV text."""
    filters = ""
    # ids are ints from a validated Slice; COPY takes no bind parameters
    if s.store_id:
        filters += f" AND store_id = {int(s.store_id)}"
    if s.marketplace_id:
        filters += f" AND marketplace_id = {int(s.marketplace_id)}"
    if s.product_id:
        filters += f" AND product_id = {int(s.product_id)}"
    sql = _SQL.format(
        escaped=_ESCAPE,
        facts=ProfitFact._meta.db_table,
        org=int(org.pk),
        start=s.start.isoformat(),
        end=s.end.isoformat(),
        filters=filters,
    )
    buf = io.StringIO()
    buf.write(",".join(COLUMNS) + "\n")
    with connection.cursor() as cursor:
        cursor.copy_expert(sql, buf)
    return buf.getvalue()
