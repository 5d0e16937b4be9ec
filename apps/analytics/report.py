"""The big profit report: every SKU × day of a period as CSV, straight out of PostgreSQL
(`COPY (SELECT …) TO STDOUT`), for a year of a large catalogue (benchmark:
bench/profit_report.py). Text cells that a spreadsheet would run as a formula get the same
apostrophe as apps.core.csv_safe gives them."""

from __future__ import annotations

import io

from django.db import connection, transaction

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
# Amounts have 4 decimal places: summed as integers of 1/10,000 (exact, a small fixed-size
# aggregate state instead of numeric's), scaled back once per result row.
AMOUNTS = COLUMNS[7:]
_SUM = "sum(({c} * 10000)::bigint)::numeric * 0.0001 AS {c}"
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
               sum(units) AS units, sum(units_refunded) AS units_refunded, {amounts}
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
        amounts=",\n".join(_SUM.format(c=c) for c in AMOUNTS),
        facts=ProfitFact._meta.db_table,
        org=int(org.pk),
        start=s.start.isoformat(),
        end=s.end.isoformat(),
        filters=filters,
    )
    buf = io.StringIO()
    buf.write(",".join(COLUMNS) + "\n")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_parallel_workers_per_gather'), current_setting('work_mem')"
        )
        par, mem = cursor.fetchone()
        # one hash aggregate in memory: workers would pass back nearly as many partial rows as
        # they read (a SKU-day's stores land in different workers), and costs more CPU
        cursor.execute("SELECT set_config('max_parallel_workers_per_gather', '0', true)")
        cursor.execute("SELECT set_config('work_mem', '512MB', true)")
        cursor.copy_expert(sql, buf)
        # an enclosing transaction keeps its own settings afterwards
        cursor.execute("SELECT set_config('max_parallel_workers_per_gather', %s, true)", [par])
        cursor.execute("SELECT set_config('work_mem', %s, true)", [mem])
    return buf.getvalue()
