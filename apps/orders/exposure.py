"""FX exposure: receivables (and, from logistics, stock value) by currency over time, each
converted to the organization's base currency at the rate of that day.

The amounts per day and currency come set-based from `receivables_by_currency_day` (and the
logistics adapter); conversion looks every (currency, day) rate up in one query through
`fx.rates_to` (what `fx.rate_on` answers: the latest ECB or own rate on or before the day). A
currency without any rate is reported, not converted with a made-up rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from apps.accounts.models import Organization
from apps.core.money import quantize

from . import inputs
from .fx import rates_to
from .selectors import receivables_by_currency_day


@dataclass
class ExposurePoint:
    day: date
    currency: str
    kind: str  # "receivables" or "stock"
    amount: Decimal
    rate: Decimal | None
    converted: Decimal | None  # in the base currency; None when no rate was found


@dataclass
class Exposure:
    base: str
    start: date
    end: date
    points: list[ExposurePoint] = field(default_factory=list)
    stock_available: bool = False
    missing_rates: list[str] = field(default_factory=list)  # "USD on 2025-09-08"

    def totals_by_day(self) -> list[tuple[date, Decimal, Decimal]]:
        """(day, receivables in base, stock in base) for every day of the range."""
        rec: dict[date, Decimal] = {}
        stock: dict[date, Decimal] = {}
        for p in self.points:
            if p.converted is None:
                continue
            target = rec if p.kind == "receivables" else stock
            target[p.day] = target.get(p.day, Decimal(0)) + p.converted
        days = [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]
        return [(d, rec.get(d, Decimal(0)), stock.get(d, Decimal(0))) for d in days]

    def latest_by_currency(self) -> list[dict]:
        """The last day's exposure per currency and kind, largest converted first."""
        if not self.points:
            return []
        last = max(p.day for p in self.points)
        rows = [p for p in self.points if p.day == last]
        rows.sort(key=lambda p: (p.converted is None, -(p.converted or 0), p.currency))
        return [
            {"day": p.day, "currency": p.currency, "kind": p.kind, "amount": p.amount,
             "rate": p.rate, "converted": p.converted}
            for p in rows
        ]  # fmt: skip

    def series_by_currency(self) -> dict[str, list[tuple[date, Decimal]]]:
        """Converted receivables + stock per currency per day (for the chart)."""
        out: dict[str, dict[date, Decimal]] = {}
        for p in self.points:
            if p.converted is None:
                continue
            out.setdefault(p.currency, {})
            out[p.currency][p.day] = out[p.currency].get(p.day, Decimal(0)) + p.converted
        days = [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]
        return {c: [(d, per.get(d, Decimal(0))) for d in days] for c, per in sorted(out.items())}


def fx_exposure(*, org: Organization, start: date, end: date, base: str | None = None) -> Exposure:
    """Receivables and stock value per day and currency between `start` and `end` (inclusive),
    each converted to `base` (default: the organization's reporting currency) at that day's
    rate."""
    base = (base or org.default_currency or "USD").upper()
    exposure = Exposure(base=base, start=start, end=end)
    rows = [(d, c, a, "receivables") for d, c, a in
            receivables_by_currency_day(org=org, start=start, end=end)]  # fmt: skip
    stock = inputs.stock_value_series(org=org, start=start, end=end)
    if stock is not None:
        exposure.stock_available = True
        rows += [(d, c, a, "stock") for d, c, a in stock]
    # One query for every (currency, day) of the range (fx.rates_to, the same answer as rate_on).
    rates = rates_to(org=org, to_currency=base, pairs={(c, d) for d, c, _a, _k in rows})
    missing: set[tuple[str, date]] = set()
    for day, currency, amount, kind in rows:
        rate = rates.get((currency.upper(), day))
        if rate is None:
            missing.add((currency, day))
        converted = None if rate is None else quantize(amount * rate, base)
        exposure.points.append(ExposurePoint(day, currency, kind, amount, rate, converted))
    exposure.missing_rates = [f"{c} {d.isoformat()}" for c, d in sorted(missing)][:20]
    return exposure
