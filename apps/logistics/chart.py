"""Inline-SVG geometry (no chart library, no CDN), like apps/analytics/chart.py: the plan's
demand chart (history and forecast of one SKU) and a lane's transit-time histogram."""

from __future__ import annotations

import math
from datetime import date, timedelta

WIDTH, HEIGHT = 720, 200
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 10, 24


def _ticks(peak: float, count: int = 4) -> list[float]:
    if peak <= 0:
        return [0, 1]
    raw = peak / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if peak / (m * magnitude) <= count)
    return [round(i * step, 6) for i in range(0, math.ceil(peak / step) + 1)]


def _frame(top: float) -> dict:
    ticks = _ticks(top)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top_value": ticks[-1],
        "ticks": ticks,
        "label_y": HEIGHT - 6,
    }


def _y(value: float, top: float) -> float:
    plot_h = HEIGHT - TOP - BOTTOM
    return round(TOP + plot_h * (1 - value / top), 1) if top else HEIGHT - BOTTOM


def demand_chart(
    history: list[float], forecast: list[float], *, today: date, excluded: list[bool] | None = None
) -> dict:
    """History (units per day, the last len(history) days before today) as bars, stock-out
    days greyed; the forecast from today as a line."""
    days = len(history) + len(forecast)
    c = _frame(max([*history, *forecast, 0.0]))
    top = c["top_value"]
    slot = (WIDTH - LEFT - RIGHT) / max(days, 1)
    excluded = excluded or [False] * len(history)
    bars = []
    for i, v in enumerate(history):
        day = today - timedelta(days=len(history) - i)
        bars.append(
            {
                "x": round(LEFT + i * slot + slot * 0.1, 1),
                "y": _y(v, top),
                "w": round(slot * 0.8, 1),
                "h": round(_y(0, top) - _y(v, top), 1),
                "value": v,
                "day": day,
                "excluded": excluded[i],
            }
        )
    points = " ".join(
        f"{round(LEFT + (len(history) + i + 0.5) * slot, 1)},{_y(v, top)}"
        for i, v in enumerate(forecast)
    )
    c.update(
        bars=bars,
        line=points,
        bottom=_y(0, top),
        y_ticks=[{"y": _y(t, top), "label": f"{t:g}"} for t in c["ticks"]],
        split_x=round(LEFT + len(history) * slot, 1),
        x_ticks=[
            {
                "x": round(LEFT + 0.5 * slot, 1),
                "label": (today - timedelta(days=len(history))).strftime("%m-%d"),
                "anchor": "start",
            },
            {
                "x": round(LEFT + len(history) * slot, 1),
                "label": today.strftime("%m-%d"),
                "anchor": "middle",
            },
            {
                "x": WIDTH - RIGHT,
                "label": (today + timedelta(days=len(forecast) - 1)).strftime("%m-%d"),
                "anchor": "end",
            },
        ],
    )
    return c


def transit_histogram(values: list[float], *, p50: float, p90: float) -> dict:
    """Deliveries per whole day of transit, with the median and 90th percentile marked."""
    if not values:
        return {}
    hi = math.ceil(max(values)) + 1
    counts = [0] * hi
    for v in values:
        counts[min(int(v), hi - 1)] += 1
    c = _frame(max(counts))
    top = c["top_value"]
    slot = (WIDTH - LEFT - RIGHT) / hi
    c.update(
        bars=[
            {
                "x": round(LEFT + i * slot + slot * 0.1, 1),
                "y": _y(n, top),
                "w": round(slot * 0.8, 1),
                "h": round(_y(0, top) - _y(n, top), 1),
                "days": i,
                "count": n,
            }
            for i, n in enumerate(counts)
        ],
        bottom=_y(0, top),
        y_ticks=[{"y": _y(t, top), "label": f"{t:g}"} for t in c["ticks"]],
        p50_x=round(LEFT + p50 * slot, 1),
        p90_x=round(LEFT + p90 * slot, 1),
        x_ticks=[
            {"x": round(LEFT + (i + 0.5) * slot, 1), "label": str(i), "anchor": "middle"}
            for i in range(0, hi, max(1, hi // 10))
        ],
    )
    return c
