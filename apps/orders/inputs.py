"""What orders reads from apps above it, through sources they register.

Logistics reads orders (order history for its forecasts), so orders cannot import logistics;
instead `apps.logistics` registers its `stock_value_series` here in `AppConfig.ready()`. No
registered source answers None, so the FX exposure page says plainly that stock value is not
available rather than showing a silent zero.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from apps.accounts.models import Organization

StockValueSource = Callable[..., list[tuple[date, str, Decimal]]]

_STOCK_VALUE: list[StockValueSource] = []


def stock_value_source_register(source: StockValueSource) -> StockValueSource:
    """Register `source(*, org, start, end) -> [(day, currency, value)]` (idempotent)."""
    if source not in _STOCK_VALUE:
        _STOCK_VALUE.append(source)
    return source


def stock_value_series(
    *, org: Organization, start: date, end: date
) -> list[tuple[date, str, Decimal]] | None:
    """Stock value per day and currency from every registered source, or None when none is."""
    if not _STOCK_VALUE:
        return None
    return [
        (day, str(currency), Decimal(value))
        for source in _STOCK_VALUE
        for day, currency, value in source(org=org, start=start, end=end)
    ]
