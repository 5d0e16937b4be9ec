"""The per-listing price chart's axes: a handful of round y ticks whatever the price range (no
pile of labels), and date labels that stay inside the drawing."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from apps.pricing.chart import HEIGHT, LEFT, WIDTH, _nice_ticks, price_chart
from apps.pricing.selectors import PriceHistory, Series

prices = st.floats(min_value=0.01, max_value=1_000_000, allow_nan=False, allow_infinity=False)


@given(prices, prices)
def test_the_y_axis_has_at_most_seven_round_ticks_covering_the_range(a, b):
    low, high = min(a, b), max(a, b)
    ticks = _nice_ticks(low, high)
    assert 2 <= len(ticks) <= 7
    assert ticks[0] <= low and ticks[-1] >= high
    steps = {round(t2 - t1, 6) for t1, t2 in itertools.pairwise(ticks)}
    assert len(steps) == 1, "evenly spaced"


def test_a_three_unit_range_gets_unit_ticks_not_thirty_dime_ticks():
    assert _nice_ticks(22.7, 26.1) == [22.0, 23.0, 24.0, 25.0, 26.0, 27.0]


def _history(values: list[str]) -> PriceHistory:
    end = datetime(2026, 11, 30, 12, tzinfo=UTC)
    start = end - timedelta(days=30)
    points = [(start + timedelta(days=3 * n), Decimal(v)) for n, v in enumerate(values)]
    return PriceHistory(
        ours=Series("ours", points),
        lowest=Series("lowest", []),
        buy_box=Series("buy_box", []),
        floor=Series("floor", []),
        start=start,
        end=end,
    )


def test_date_labels_stay_inside_the_chart_and_the_last_is_the_end_date():
    chart = price_chart(_history(["24.99", "23.99", "25.49"]), currency="GBP")
    first, *_middle, last = chart["x_ticks"]
    assert first["anchor"] == "start" and first["x"] == LEFT
    assert last["anchor"] == "end" and last["x"] <= WIDTH and last["label"] == "11-30"
    labels = [t["label"] for t in chart["y_ticks"]]
    assert len(labels) <= 7 and len(set(labels)) == len(labels)
    assert all(0 <= t["y"] <= HEIGHT for t in chart["y_ticks"])
