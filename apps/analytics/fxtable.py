"""Exchange rates for every day of a window at once, with exactly `apps.orders.fx.rate_on`'s
rules (the organization's own rates before public ones, the latest rate on or before the day, a
direct pair or its inverse before a cross rate through EUR), from one query instead of one
look-up per currency and day.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from apps.orders.fx import PIVOT
from apps.orders.models import ExchangeRate

ONE = Decimal(1)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


class _Legs:
    """Stored rates of the organization and public ones, walked day by day per pair."""

    def __init__(self, org, currencies: set[str], end: date, since: date | None = None):
        owners = Q(organization__isnull=True) | Q(organization=org)
        window = Q(date__lte=end) if since is None else Q(date__lte=end, date__gte=since)
        rows = (
            ExchangeRate.objects.filter(owners, window)
            .filter(base__in=currencies, quote__in=currencies)
            .order_by("date")
            .values_list("organization_id", "base", "quote", "date", "rate")
        )
        # (own?, base, quote) -> [(date, inverse, rate)] sorted by date
        self.series: dict[tuple[bool, str, str], list[tuple[date, int, Decimal]]] = {}
        for owner, base, quote, day, rate in rows:
            own = owner is not None
            self.series.setdefault((own, base, quote), []).append((day, 0, rate))
            self.series.setdefault((own, quote, base), []).append((day, 1, ONE / rate))
        for values in self.series.values():
            values.sort(key=lambda v: (v[0], v[1]))

    def daily(self, base: str, quote: str, days: list[date]) -> list[Decimal | None]:
        """The leg on each day (None where no rate exists yet)."""
        out: list[Decimal | None] = [None] * len(days)
        for own in (False, True):  # the organization's own rate, when it has one, wins
            values = self.series.get((own, base, quote), [])
            pos, current = 0, None
            for i, day in enumerate(days):
                while pos < len(values) and values[pos][0] <= day:
                    # latest date wins; on one date the direct rate (inverse 0) sorts first
                    if current is None or values[pos][0] > current[0]:
                        current = values[pos]
                    pos += 1
                if current is not None:
                    out[i] = current[2]
        return out


def rates_to(
    *, org, base: str, currencies: set[str], start: date, end: date
) -> dict[tuple[str, date], Decimal]:
    """{(currency, day): units of `base` per one unit of currency} for every day it exists."""
    days = _days(start, end)
    # Rates of the last few weeks before the window are enough when every currency has one on
    # its first day; otherwise (a rate published long ago, an organization's own old rate) the
    # whole history is read, so the result is the same either way.
    codes = {*currencies, base, PIVOT}
    since = start - LOOKBACK
    # an organization's own rate wins over a public one however old, so it forces the history
    own_older = ExchangeRate.objects.filter(
        organization=org, date__lt=since, base__in=codes, quote__in=codes
    ).exists()
    table = _table(_Legs(org, codes, end, since), base, currencies, days) if not own_older else {}
    if own_older or any((c, start) not in table for c in currencies):
        table = _table(_Legs(org, {*currencies, base, PIVOT}, end), base, currencies, days)
    return table


LOOKBACK = timedelta(days=21)


def _table(legs: _Legs, base: str, currencies: set[str], days: list[date]):
    table: dict[tuple[str, date], Decimal] = {}
    for currency in currencies:
        if currency == base:
            table.update({(currency, day): ONE for day in days})
            continue
        direct = legs.daily(currency, base, days)
        if PIVOT not in (currency, base):
            via_base = legs.daily(PIVOT, currency, days)
            via_quote = legs.daily(PIVOT, base, days)
        else:
            via_base = via_quote = [None] * len(days)
        for i, day in enumerate(days):
            if direct[i] is not None:
                table[(currency, day)] = direct[i]
            elif via_base[i] is not None and via_quote[i] is not None:
                table[(currency, day)] = via_quote[i] / via_base[i]
    return table
