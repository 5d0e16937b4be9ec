"""Write Shopify's product CSV: one row per product with its single variant.

Columns follow Shopify's import template (Handle, Title, Body (HTML), Vendor, Type, Tags,
Published, Option1 Name/Value, Variant SKU, …, Image Src, Status). The handle is the SKU made
URL-safe; bullets become a <ul> in Body (HTML) after the escaped description.
"""

from __future__ import annotations

import re
from html import escape
from typing import TextIO

from apps.core.csv_safe import safe_writer

from ..export_row import ExportRow

COLUMNS = [
    "Handle",
    "Title",
    "Body (HTML)",
    "Vendor",
    "Type",
    "Tags",
    "Published",
    "Option1 Name",
    "Option1 Value",
    "Variant SKU",
    "Variant Grams",
    "Variant Inventory Tracker",
    "Variant Inventory Qty",
    "Variant Inventory Policy",
    "Variant Fulfillment Service",
    "Variant Price",
    "Variant Requires Shipping",
    "Variant Taxable",
    "Image Src",
    "Image Position",
    "SEO Title",
    "SEO Description",
    "Status",
]


def handle(sku: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", sku.lower()).strip("-") or "product"


def body_html(row: ExportRow) -> str:
    parts = [f"<p>{escape(p)}</p>" for p in row.description.split("\n\n") if p.strip()]
    if row.bullets:
        parts.append("<ul>" + "".join(f"<li>{escape(b)}</li>" for b in row.bullets) + "</ul>")
    return "".join(parts)


def tags(row: ExportRow) -> str:
    words = [w.strip(",") for w in row.search_terms.split() if w.strip(",")]
    return ", ".join(dict.fromkeys(words))  # unique, in order


def csv_row(row: ExportRow) -> list:
    return [
        handle(row.sku),
        row.title,
        body_html(row),
        row.brand,
        row.category,
        tags(row),
        "TRUE" if row.status == "active" else "FALSE",
        "Title",
        "Default Title",
        row.sku,
        "" if row.weight_g is None else str(int(row.weight_g)),
        "shopify",
        row.stock,  # a number: a negative stock stays a number, not escaped text
        "deny",
        "manual",
        "" if row.price is None else f"{row.price:f}",
        "TRUE",
        "TRUE",
        row.image_urls[0] if row.image_urls else "",
        "1" if row.image_urls else "",
        row.title[:70],
        row.description[:320],
        "active" if row.status == "active" else "draft",
    ]


class ShopifyCsvWriter:
    extension = "csv"
    content_type = "text/csv"

    def __init__(self, fh: TextIO, **_options):
        self.writer = safe_writer(fh)  # text cells cannot run as formulas
        self.writer.writerow(COLUMNS)
        self.count = 0

    def write(self, rows) -> None:
        for row in rows:
            self.writer.writerow(csv_row(row))
            self.count += 1

    def close(self) -> None:
        pass
