"""Geometry of the FX exposure chart (inline SVG, no chart library): one line per currency,
its receivables and stock converted to the base currency day by day, and their total."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 12, 28
COLORS = ["#1f6feb", "#cf222e", "#9a6700", "#1a7f37", "#8250df", "#bf3989", "#0a7ea4"]


def _ticks(high: float, count: int = 4) -> list[float]:
    if high <= 0:
        return [0.0, 1.0]
    raw = high / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if high / (m * magnitude) <= count)
    return [round(n * step, 6) for n in range(0, math.ceil(high / step) + 1)]


def exposure_chart(series: dict[str, list[tuple[date, Decimal]]], *, base: str) -> dict:
    """Polylines per currency plus the total, y ticks and date labels."""
    if not series:
        return {"empty": True, "width": WIDTH, "height": HEIGHT}
    days = [d for d, _v in next(iter(series.values()))]
    total = [sum((s[i][1] for s in series.values()), Decimal(0)) for i in range(len(days))]
    peak = max([float(v) for v in total] + [0.0])
    ticks = _ticks(peak * 1.05)
    top_value = ticks[-1] or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = max(len(days) - 1, 1)

    def x(i: int) -> float:
        return round(LEFT + i / span * plot_w, 1)

    def y(value: Decimal | float) -> float:
        return round(TOP + (1 - float(value) / top_value) * plot_h, 1)

    lines = []
    named = [(f"{_('Total')} ({base})", total, "#24292f", 2.5)]
    named += [(c, [v for _d, v in s], COLORS[i % len(COLORS)], 1.8)
              for i, (c, s) in enumerate(series.items())]  # fmt: skip
    for label, values, color, width in named:
        lines.append(
            {
                "label": label, "color": color, "width": width,
                "points": " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values)),
                "last": f"{values[-1]:,.2f}" if values else "",
            }
        )  # fmt: skip
    step = max(1, len(days) // 5)
    x_ticks = [
        {"x": x(i), "label": days[i].strftime("%m-%d"),
         "anchor": "start" if i == 0 else "middle"}
        for i in range(0, len(days), step)
    ]  # fmt: skip
    return {
        "empty": False, "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT,
        "top": TOP, "bottom": HEIGHT - BOTTOM, "lines": lines, "base": base,
        "y_ticks": [{"y": y(t), "label": f"{t:,.0f}"} for t in ticks], "x_ticks": x_ticks,
    }  # fmt: skip
