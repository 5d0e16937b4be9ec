"""Write an eBay File Exchange CSV.

The first column's header carries the file's settings: `Action(SiteID=US|Country=CN|
Currency=USD|Version=1193)`; each row's Action is Add (new item) or Revise (an item that has an
eBay ItemID). CustomLabel is the seller's SKU. Fixed-price (FixedPrice, GTC) listings only.
"""

from __future__ import annotations

from html import escape
from typing import TextIO

from apps.core.csv_safe import safe_writer

from ..export_row import ExportRow

VERSION = "1193"
SITE_IDS = {"ebay_us": "US", "ebay_uk": "UK", "ebay_de": "Germany"}
COLUMNS = [
    "ItemID",
    "CustomLabel",
    "Title",
    "Description",
    "ConditionID",
    "PicURL",
    "Quantity",
    "Format",
    "StartPrice",
    "Duration",
]
NEW_CONDITION = "1000"


def action_header(*, site_id: str, country: str, currency: str) -> str:
    return f"Action(SiteID={site_id}|Country={country}|Currency={currency}|Version={VERSION})"


def description_html(row: ExportRow) -> str:
    html = "".join(f"<p>{escape(p)}</p>" for p in row.description.split("\n\n") if p.strip())
    if row.bullets:
        html += "<ul>" + "".join(f"<li>{escape(b)}</li>" for b in row.bullets) + "</ul>"
    return html


class EbayFileExchangeWriter:
    extension = "csv"
    content_type = "text/csv"

    def __init__(self, fh: TextIO, *, marketplace_code: str, currency: str, country: str = ""):
        if marketplace_code not in SITE_IDS:
            raise ValueError(f"{marketplace_code} is not an eBay site")
        site = SITE_IDS[marketplace_code]
        self.writer = safe_writer(fh)  # text cells cannot run as formulas
        header = action_header(site_id=site, country=country or "CN", currency=currency)
        self.writer.writerow([header, *COLUMNS])
        self.count = 0

    def write(self, rows) -> None:
        for row in rows:
            self.writer.writerow(
                [
                    "Revise" if row.external_id else "Add",
                    row.external_id,
                    row.sku,
                    row.title,
                    description_html(row),
                    NEW_CONDITION,
                    "|".join(row.image_urls),
                    str(max(row.stock, 0)),
                    "FixedPrice",
                    "" if row.price is None else f"{row.price:f}",
                    "GTC",
                ]
            )
            self.count += 1

    def close(self) -> None:
        pass
