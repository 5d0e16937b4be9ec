"""Adapters to the cost sources other modules provide (CONTRACTS.md), imported lazily.

Each returns None when its provider is not installed or does not yet offer the function, so
the profit page says plainly which cost is missing instead of counting it as zero.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib import import_module
from typing import Any

import pandas as pd

AD_SPEND = ("apps.ads.selectors", "ad_spend_by_product_day")
FREIGHT = ("apps.logistics.selectors", "freight_per_unit_by_product")


def _provider(module: str, name: str) -> Any | None:
    try:
        return getattr(import_module(module), name)
    except (ImportError, AttributeError):
        return None


def ad_spend_by_product_day(*, org, start: date, end: date) -> pd.DataFrame | None:
    """Columns product_id, store_id, day, spend, currency; None: the ads module is not set up."""
    func = _provider(*AD_SPEND)
    if func is None:
        return None
    return func(org=org, start=start, end=end)


def freight_per_unit_by_product(*, org) -> dict[int, tuple[Decimal, str]] | None:
    """Actual first-leg freight per unit; None: the logistics module is not set up."""
    func = _provider(*FREIGHT)
    if func is None:
        return None
    return func(org=org)
