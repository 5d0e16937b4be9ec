"""The one shape every marketplace-file writer takes: a listing flattened to plain values.

Writers never touch the ORM: the export job reads listings in chunks, checks them against the
marketplace's rules and hands the good ones over as ExportRow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class ExportRow:
    sku: str
    title: str
    bullets: list[str]
    description: str
    search_terms: str
    price: Decimal | None
    currency: str
    stock: int
    language: str
    brand: str = ""
    category: str = ""
    external_id: str = ""
    status: str = "active"
    weight_g: Decimal | None = None
    image_urls: list[str] = field(default_factory=list)
    # Amazon: the product type the category maps to ("" = none: the feed writes PRODUCT) and
    # who ships the offer ("merchant" or "amazon" for FBA, whose quantity Amazon counts).
    product_type: str = ""
    fulfillment: str = "merchant"
