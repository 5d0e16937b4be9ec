"""Geometry of the overview's orders-per-day chart, drawn as inline SVG (no chart library).

Every day of the window gets a slot, days without orders included, so the bars line up with
the dates under them; the y axis counts orders in a few round steps.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from django.utils import formats

WIDTH, HEIGHT = 720, 180
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 10, 24


def _count_ticks(peak: int, count: int = 4) -> list[int]:
    """0 and round steps (1, 2, 5 × 10^n) up to at least the peak."""
    if peak <= 0:
        return [0, 1]
    raw = peak / count
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if peak / (m * magnitude) <= count)
    return list(range(0, math.ceil(peak / step) * step + 1, step))


def orders_chart(per_day: list[dict], *, days: int, today: date) -> dict:
    """Bars, y ticks and date labels for `days` days ending `today` (rows: {day, orders})."""
    by_day = {row["day"]: row["orders"] for row in per_day}
    window = [today - timedelta(days=days - 1 - n) for n in range(days)]
    ticks = _count_ticks(max(by_day.values(), default=0))
    top = ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(window)

    def y(value: int) -> float:
        return round(TOP + plot_h * (1 - value / top), 1)

    bars = []
    for n, day in enumerate(window):
        orders = by_day.get(day, 0)
        bars.append(
            {
                "x": round(LEFT + n * slot + slot * 0.15, 1),
                "y": y(orders),
                "width": round(slot * 0.7, 1),
                "height": round(y(0) - y(orders), 1),
                "day": day,
                "orders": orders,
            }
        )
    # A date a week, and the last day at the right edge (a weekly label too close to it is
    # left out rather than printed over it).
    last = len(window) - 1
    labels = [
        {
            "x": round(LEFT + (n + 0.5) * slot, 1),
            "anchor": "middle",
            "label": formats.date_format(window[n], "m-d"),
        }
        for n in range(0, last - 2, 7)
    ]
    labels.append(
        {"x": WIDTH - RIGHT, "anchor": "end", "label": formats.date_format(window[last], "m-d")}
    )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": y(0),
        "label_y": HEIGHT - 6,
        "bars": bars,
        "y_ticks": [{"y": y(t), "label": f"{t:,}"} for t in ticks],
        "x_ticks": labels,
        "empty": not by_day,
    }
