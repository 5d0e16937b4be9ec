"""Amounts of a report converted to the organization's base currency at the rate of each row's
event date (an order's UTC order day, a shipment's UTC ship day, …).

Set-based: the rows of one page (or one export) are looked up with one query for their
distinct (currency, day) pairs (`fx.rates_to`), so the number of queries does not grow with
the page size. Money stays Decimal, rounded to the base currency's minor unit. A row whose
rate is missing gets no amount and a message ("no rate for EUR on 2026-03-01"), never 0 or 1:1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from apps.accounts.models import Organization
from apps.core.money import quantize

from .fx import missing_rate_message, rates_to

# The dashboard's toggle (`?in=base`) and the API's parameter (`currency=base`).
PAGE_PARAM, PAGE_VALUE = "in", "base"
API_PARAM, API_VALUE = "currency", "base"


@dataclass(frozen=True)
class BaseAmount:
    currency: str  # the base currency
    amount: Decimal | None  # None when the rate is missing
    rate: Decimal | None
    day: dt.date | None
    missing: str = ""  # "no rate for EUR on 2026-03-01"

    def as_api(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "amount": None if self.amount is None else str(self.amount),
            "rate": None if self.rate is None else str(self.rate),
            "rate_date": self.day,
            "missing": self.missing,
        }


def base_currency(org: Organization) -> str:
    """The organization's reporting currency (the FX exposure page uses the same)."""
    return (org.default_currency or "USD").upper()


def utc_day(value: dt.datetime | dt.date | None) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.date()
    return value


def attach_base_amounts(
    *,
    org: Organization,
    rows: Iterable[Any],
    amount: str,
    currency: str = "currency",
    day: Callable[[Any], dt.date | None],
    attr: str = "base_amount",
) -> str:
    """Set `row.<attr>` to a BaseAmount on every row (objects with `amount` and `currency`
    attributes; `day(row)` is the event date, None when the event has no date yet). One
    rate query for the whole list. Returns the base currency."""
    base = base_currency(org)
    rows = list(rows)
    keyed = [(row, getattr(row, currency), utc_day(day(row))) for row in rows]
    rates = rates_to(
        org=org, to_currency=base, pairs={(c, d) for _r, c, d in keyed if d is not None}
    )
    for row, cur, when in keyed:
        value = getattr(row, amount)
        if value is None:  # nothing to convert (e.g. a profit not known)
            result = BaseAmount(base, None, None, when, "")
        elif when is None:
            result = BaseAmount(base, None, None, None, missing_date_message())
        else:
            rate = rates.get((cur.upper(), when))
            if rate is None:
                result = BaseAmount(base, None, None, when, missing_rate_message(cur, when))
            else:
                result = BaseAmount(base, quantize(Decimal(value) * rate, base), rate, when)
        setattr(row, attr, result)
    return base


def missing_date_message() -> str:
    from django.utils.translation import gettext

    return gettext("no date to take a rate from")


def wants_base(params, name: str, value: str) -> bool:
    """Whether a query dict asks for base-currency amounts (anything else: as stored)."""
    return (params.get(name) or "").strip().lower() == value


__all__ = ["API_PARAM", "API_VALUE", "PAGE_PARAM", "PAGE_VALUE", "BaseAmount",
           "attach_base_amounts", "base_currency", "wants_base"]  # fmt: skip
