"""SLA clocks: when an answer is due, and how the team did.

Calendar mode (Amazon: 24 hours, weekends included) adds elapsed hours to the instant of the
last buyer message. Business-hours mode counts only the team's working hours in its own time
zone, on weekdays that are not public holidays (the `holidays` library); each day's window is
built in local wall-clock time and converted to an instant, so a daylight-saving change shifts
nothing the team sees (a 09:00–18:00 day stays nine hours)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_lib


@dataclass(frozen=True)
class Calendar:
    mode: str = "calendar"  # calendar | business
    hours: int = 24
    time_zone: str = "UTC"
    holiday_country: str = ""
    day_start: time = time(9)
    day_end: time = time(18)

    @classmethod
    def of(cls, settings) -> Calendar:
        if settings is None:
            return cls()
        return cls(
            settings.mode,
            settings.hours,
            settings.time_zone,
            settings.holiday_country,
            as_time(settings.day_start),
            as_time(settings.day_end),
        )


def as_time(value) -> time:
    if isinstance(value, time):
        return value
    hour, minute = str(value).split(":")[:2]
    return time(int(hour), int(minute))


@functools.lru_cache(maxsize=64)
def _holidays(country: str, year: int):
    if not country:
        return {}
    try:
        return holidays_lib.country_holidays(country, years=year)
    except NotImplementedError:
        return {}


def is_business_day(day: date, country: str) -> bool:
    return day.weekday() < 5 and day not in _holidays(country, day.year)


def due_at(start: datetime, calendar: Calendar) -> datetime:
    """The instant the answer to a buyer message sent at `start` is due."""
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    if calendar.mode != "business":
        return start + timedelta(hours=calendar.hours)
    tz = ZoneInfo(calendar.time_zone)
    remaining = timedelta(hours=calendar.hours)
    day = start.astimezone(tz).date()
    for _ in range(400):  # a year of days is far beyond any SLA
        if is_business_day(day, calendar.holiday_country):
            opens = datetime.combine(day, calendar.day_start, tzinfo=tz)
            closes = datetime.combine(day, calendar.day_end, tzinfo=tz)
            begin = max(opens, start)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(UTC)
                remaining -= available
        day += timedelta(days=1)
    raise ValueError("No business hours found within a year: check the SLA settings.")


def state(due: datetime | None, now: datetime, done: bool = False) -> str:
    """ok | due_soon (under 4 h) | overdue | done."""
    if done or due is None:
        return "done"
    if due <= now:
        return "overdue"
    return "due_soon" if due - now < timedelta(hours=4) else "ok"


def percentile(values: list[float], p: float) -> float | None:
    """Linear-interpolated percentile (p in 0..100) of `values`; None for none."""
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)
