"""The TARGET calendar: the days the ECB publishes reference rates."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.easter import easter


def target_holidays(year: int) -> set[date]:
    good_friday = easter(year) - timedelta(days=2)
    easter_monday = easter(year) + timedelta(days=1)
    return {
        date(year, 1, 1),
        good_friday,
        easter_monday,
        date(year, 5, 1),
        date(year, 12, 25),
        date(year, 12, 26),
    }


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in target_holidays(day.year)


def business_days(start: date, end: date) -> list[date]:
    """The ECB publishing days from `start` to `end`, both included."""
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return [day for day in days if is_business_day(day)]
