"""SLA clocks across weekends, time zones, holidays and daylight-saving changes; percentiles."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.support import sla

AMAZON = sla.Calendar(hours=24)
SHANGHAI = sla.Calendar("business", 8, "Asia/Shanghai", "CN", time(9), time(18))
BERLIN = sla.Calendar("business", 8, "Europe/Berlin", "DE", time(9), time(18))


def test_amazon_counts_weekends():
    friday = datetime(2025, 9, 12, 16, 47, tzinfo=UTC)
    assert sla.due_at(friday, AMAZON) == datetime(2025, 9, 13, 16, 47, tzinfo=UTC)


def test_business_hours_skip_the_weekend():
    friday_5pm = datetime(2025, 9, 12, 17, tzinfo=ZoneInfo("Europe/Berlin"))
    due = sla.due_at(friday_5pm, BERLIN)  # 1 h on Friday, 7 h on Monday
    assert due.astimezone(ZoneInfo("Europe/Berlin")) == datetime(
        2025, 9, 15, 16, tzinfo=ZoneInfo("Europe/Berlin")
    )


def test_a_message_at_night_in_another_time_zone_starts_at_the_teams_morning():
    # 20:00 in New York on Monday = 08:00 Tuesday in Shanghai: the clock starts at 09:00.
    monday_ny = datetime(2025, 9, 15, 20, tzinfo=ZoneInfo("America/New_York"))
    due = sla.due_at(monday_ny, SHANGHAI).astimezone(ZoneInfo("Asia/Shanghai"))
    assert due == datetime(2025, 9, 16, 17, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_public_holidays_are_skipped():
    # China's National Day week: 1–7 October 2025 (holidays lib), then 8 October is worked.
    before = datetime(2025, 9, 30, 17, tzinfo=ZoneInfo("Asia/Shanghai"))
    due = sla.due_at(before, SHANGHAI).astimezone(ZoneInfo("Asia/Shanghai"))
    assert due.date() > datetime(2025, 10, 1).date()
    assert sla.is_business_day(due.date(), "CN")
    # German Unity Day, Friday 3 October 2025
    thursday = datetime(2025, 10, 2, 17, tzinfo=ZoneInfo("Europe/Berlin"))
    assert (
        sla.due_at(thursday, BERLIN).astimezone(ZoneInfo("Europe/Berlin")).date().isoformat()
        == "2025-10-06"
    )


def test_daylight_saving_change_keeps_the_working_day_nine_hours_long():
    # Berlin leaves summer time on Sunday 26 October 2025: Friday 17:00 + 8 business hours is
    # Monday 16:00 local, whatever the UTC offset did in between.
    friday = datetime(2025, 10, 24, 17, tzinfo=ZoneInfo("Europe/Berlin"))
    due = sla.due_at(friday, BERLIN)
    assert due.astimezone(ZoneInfo("Europe/Berlin")).replace(tzinfo=None) == datetime(
        2025, 10, 27, 16
    )
    assert due.utcoffset() == timedelta(0) and due.hour == 15  # CET = UTC+1


def test_state_and_percentiles():
    now = datetime(2025, 9, 12, tzinfo=UTC)
    assert sla.state(now - timedelta(minutes=1), now) == "overdue"
    assert sla.state(now + timedelta(hours=2), now) == "due_soon"
    assert sla.state(now + timedelta(hours=20), now) == "ok"
    assert sla.percentile([1, 2, 3, 4], 50) == 2.5
    assert sla.percentile([], 90) is None


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None, max_examples=60)
@given(
    st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)
    ),
    st.integers(min_value=1, max_value=40),
)
def test_business_due_is_never_earlier_than_elapsed_hours(start, hours):
    calendar = sla.Calendar("business", hours, "Europe/Berlin", "DE", time(9), time(18))
    due = sla.due_at(start, calendar)
    assert due - start >= timedelta(hours=hours)
    local = due.astimezone(ZoneInfo("Europe/Berlin"))
    assert time(9) < local.time() <= time(18) and sla.is_business_day(local.date(), "DE")


@pytest.mark.django_db
def test_report_percentiles_late_rate_and_no_response(org, store):
    from apps.support.models import Conversation

    now = datetime.now(tz=UTC)
    for i, hours in enumerate([2, 10, 30]):
        asked = now - timedelta(days=1, hours=hours)
        Conversation.objects.create(
            organization=org,
            store=store,
            buyer_alias=f"b{i}@x",
            last_buyer_message_at=asked,
            sla_due_at=asked + timedelta(hours=24),
            responded_at=asked + timedelta(hours=hours),
        )
    Conversation.objects.create(
        organization=org,
        store=store,
        buyer_alias="late@x",
        last_buyer_message_at=now - timedelta(hours=30),
        sla_due_at=now - timedelta(hours=6),
    )
    Conversation.objects.create(
        organization=org,
        store=store,
        buyer_alias="skip@x",
        last_buyer_message_at=now - timedelta(hours=3),
        no_response_needed=True,
        status="closed",
    )
    from apps.support.selectors import sla_report

    report = sla_report(org=org, days=7, now=now)
    assert report["answered"] == 3 and report["p50"] == pytest.approx(10)
    assert report["overdue"] == 1 and report["no_response_needed"] == 1
    assert report["late_rate"] == pytest.approx(2 / 4)
