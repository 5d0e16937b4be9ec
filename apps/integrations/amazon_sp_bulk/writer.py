"""Write a bulk-operations XLSX (bulksheets 2.0, `Sponsored Products Campaigns`) with openpyxl.

Rows are dicts keyed by our column names (`parser.schema()`); ids are written as text cells
(long digit strings must never become floats), amounts as numbers, dates as yyyyMMdd text.
The header is the console's, so the file uploads as it is and re-imports through the parser.
"""

from __future__ import annotations

import io
from decimal import Decimal

from .parser import SHEET

HEADER = [
    "Product",
    "Entity",
    "Operation",
    "Campaign ID",
    "Ad Group ID",
    "Portfolio ID",
    "Ad ID",
    "Keyword ID",
    "Product Targeting ID",
    "Campaign Name",
    "Ad Group Name",
    "Campaign Name (Informational only)",
    "Ad Group Name (Informational only)",
    "Portfolio Name (Informational only)",
    "Start Date",
    "End Date",
    "Targeting Type",
    "State",
    "Campaign State (Informational only)",
    "Ad Group State (Informational only)",
    "Daily Budget",
    "SKU",
    "ASIN (Informational only)",
    "Eligibility Status (Informational only)",
    "Reason for Ineligibility (Informational only)",
    "Ad Group Default Bid",
    "Ad Group Default Bid (Informational only)",
    "Bid",
    "Keyword Text",
    "Native Language Keyword",
    "Native Language Locale",
    "Match Type",
    "Bidding Strategy",
    "Placement",
    "Percentage",
    "Product Targeting Expression",
    "Resolved Product Targeting Expression (Informational only)",
    "Impressions",
    "Clicks",
    "Click-through Rate",
    "Spend",
    "Sales",
    "Orders",
    "Units",
    "Conversion Rate",
    "ACOS",
    "CPC",
    "ROAS",
]
COLUMN = {
    "product": "Product",
    "entity": "Entity",
    "operation": "Operation",
    "campaign_id": "Campaign ID",
    "ad_group_id": "Ad Group ID",
    "keyword_id": "Keyword ID",
    "product_targeting_id": "Product Targeting ID",
    "campaign_name": "Campaign Name",
    "ad_group_name": "Ad Group Name",
    "state": "State",
    "daily_budget": "Daily Budget",
    "bid": "Bid",
    "keyword_text": "Keyword Text",
    "match_type": "Match Type",
    "product_targeting_expression": "Product Targeting Expression",
    "campaign_name_info": "Campaign Name (Informational only)",
    "ad_group_name_info": "Ad Group Name (Informational only)",
}
ENTITY_LABEL = {
    "campaign": "Campaign",
    "ad_group": "Ad Group",
    "keyword": "Keyword",
    "negative_keyword": "Negative Keyword",
    "campaign_negative_keyword": "Campaign Negative Keyword",
    "product_targeting": "Product Targeting",
    "negative_product_targeting": "Negative Product Targeting",
}
AMOUNTS = {"Daily Budget", "Bid"}


def write_bulk(rows: list[dict]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    sheet.append(HEADER)
    position = {h: i for i, h in enumerate(HEADER)}
    for row in rows:
        cells: list = [None] * len(HEADER)
        cells[0] = "Sponsored Products"
        for key, value in row.items():
            header = COLUMN.get(key)
            if header is None or value in (None, ""):
                continue
            if key == "entity":
                value = ENTITY_LABEL.get(value, value)
            elif key == "operation":
                value = str(value).capitalize()
            value = float(Decimal(str(value))) if header in AMOUNTS else str(value)
            cells[position[header]] = value
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
