"""The overview's orders-per-day chart: a slot for every day (days without orders too), a
counted y axis and dates under the bars, the last day's date inside the drawing."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse

from apps.analytics.chart import WIDTH, _count_ticks, orders_chart
from tests.factories import OrderFactory

TODAY = date(2026, 11, 30)


def test_every_day_gets_a_bar_and_gaps_are_zero():
    rows = [{"day": TODAY - timedelta(days=2), "orders": 7}, {"day": TODAY, "orders": 3}]
    chart = orders_chart(rows, days=30, today=TODAY)
    assert len(chart["bars"]) == 30
    assert [b["orders"] for b in chart["bars"][-3:]] == [7, 0, 3]
    assert chart["bars"][-2]["height"] == 0
    assert chart["bars"][0]["day"] == date(2026, 11, 1)


def test_axes_have_round_counts_and_dates_ending_on_the_last_day():
    chart = orders_chart([{"day": TODAY, "orders": 43}], days=30, today=TODAY)
    assert [t["label"] for t in chart["y_ticks"]] == ["0", "20", "40", "60"]
    labels = [t["label"] for t in chart["x_ticks"]]
    assert labels[0] == "11-01" and labels[-1] == "11-30"
    assert "11-29" not in labels, "no label printed over the last one"
    assert chart["x_ticks"][-1]["anchor"] == "end" and chart["x_ticks"][-1]["x"] <= WIDTH


def test_count_ticks_stay_few_and_cover_the_peak():
    for peak in (0, 1, 3, 9, 10, 57, 999, 12_345):
        ticks = _count_ticks(peak)
        assert ticks[0] == 0 and ticks[-1] >= peak and len(ticks) <= 6


def test_the_overview_draws_the_chart_with_dates(user, org, client_for):
    OrderFactory(organization=org)
    html = client_for(user).get(reverse("dashboard:overview")).content.decode()
    assert 'data-testid="orders-chart"' in html and "<rect" in html
