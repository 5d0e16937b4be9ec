"""The Amazon product type of a product: its own override, else its category's mapping (data in
`data/amazon_product_types.yaml`), else none, which the feed writes as the flagged `PRODUCT`."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data" / "amazon_product_types.yaml"
OVERRIDE_ATTRIBUTE = "amazon_product_type"


def _key(category: str) -> str:
    return " ".join((category or "").split()).casefold()


@functools.cache
def category_product_types() -> dict[str, str]:
    """{normalised category or alias: product type}; a malformed file fails loudly at first use."""
    doc = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    mapping: dict[str, str] = {}
    for category, entry in (doc.get("categories") or {}).items():
        product_type = str(entry["product_type"]).strip()
        if not product_type.isupper() or " " in product_type:
            raise ValueError(f"{DATA.name}: {category}: {product_type!r} is not a product type")
        for name in [category, *(entry.get("aliases") or [])]:
            mapping[_key(str(name))] = product_type
    return mapping


def amazon_product_type(*, category: str, attributes: dict | None = None) -> str:
    """The product type, or "" when neither the product nor its category names one."""
    override = (attributes or {}).get(OVERRIDE_ATTRIBUTE)
    if isinstance(override, str) and override.strip():
        return override.strip().upper()
    return category_product_types().get(_key(category), "")
