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
    SELECT {escaped} AS sku, f.day, f.currency, sum(f.sessions), sum(f.orders), sum(f.units),
           sum(f.units_refunded), sum(f.revenue), sum(f.refunds), sum(f.vat),
           sum(f.product_cost), sum(f.freight), sum(f.marketplace_fees),
           sum(f.fulfilment_fees), sum(f.ad_spend), sum(f.net_profit)
    FROM {facts} f LEFT JOIN catalog_product p ON p.id = f.product_id
    WHERE f.organization_id = {org} AND f.day BETWEEN '{start}' AND '{end}' {filters}
    GROUP BY 1, f.day, f.currency ORDER BY 1, f.day
) TO STDOUT WITH (FORMAT csv, HEADER false)
"""


def profit_report_csv(*, org, s: Slice) -> str:
    """Profit per SKU and day (stores and marketplaces of the slice summed) as CSV text."""
    filters = ""
    # ids are ints from a validated Slice; COPY takes no bind parameters
    if s.store_id:
        filters += f" AND f.store_id = {int(s.store_id)}"
    if s.marketplace_id:
        filters += f" AND f.marketplace_id = {int(s.marketplace_id)}"
    if s.product_id:
        filters += f" AND f.product_id = {int(s.product_id)}"
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
