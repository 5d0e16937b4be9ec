"""What orders reads from other apps, through adapters (CONTRACTS.md).

Each adapter imports its provider lazily and answers None when the provider is not there
(not merged yet, or without the function), so a page says plainly that the figure is not
available rather than showing a silent zero.
"""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal

from apps.accounts.models import Organization

STOCK_VALUE_PROVIDER = "apps.logistics.selectors"


def stock_value_series(
    *, org: Organization, start: date, end: date
) -> list[tuple[date, str, Decimal]] | None:
    """Stock value per day and currency from logistics, or None when logistics does not
    provide `stock_value_series` yet."""
    try:
        module = importlib.import_module(STOCK_VALUE_PROVIDER)
        provider = module.stock_value_series
    except (ImportError, AttributeError):
        return None
    return [(day, str(currency), Decimal(value)) for day, currency, value in
            provider(org=org, start=start, end=end)]  # fmt: skip
