"""Geometry of the ads charts (daily lines), drawn as inline SVG by the templates like the
pricing chart (apps/pricing/chart.py, whose tick helpers this reuses): no JavaScript, no CDN."""

from __future__ import annotations

from datetime import date

from apps.pricing.chart import _nice_ticks, _tick_label

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 28


def line_chart(days: list[date], series: list[dict], *, unit: str = "") -> dict:
    """series: [{"label", "color", "values": [float|None per day], "dash": ""}]."""
    values = [v for s in series for v in s["values"] if v is not None]
    if not days or not values:
        return {"empty": True, "width": WIDTH, "height": HEIGHT}
    lo, hi = min(0.0, min(values)), max(values)
    ticks = _nice_ticks(lo, hi * 1.08 if hi > 0 else 1.0)
    y0, y1 = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(days) - 1, 1)

    def x(i: int) -> float:
        return round(LEFT + i / n * plot_w, 1)

    def y(v: float) -> float:
        return round(TOP + (1 - (v - y0) / ((y1 - y0) or 1)) * plot_h, 1)

    lines = []
    for s in series:
        points = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(s["values"]) if v is not None)
        last = next((v for v in reversed(s["values"]) if v is not None), None)
        lines.append({**s, "points": points, "last": "" if last is None else f"{last:,.2f}"})
    step = max(1, len(days) // 5)
    x_ticks = [
        {
            "x": x(i),
            "label": d.strftime("%m-%d"),
            "anchor": "start" if i == 0 else "end" if i == len(days) - 1 else "middle",
        }
        for i, d in enumerate(days)
        if i % step == 0 or i == len(days) - 1
    ]
    return {
        "empty": False,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "lines": lines,
        "unit": unit,
        "y_ticks": [{"y": y(t), "label": _tick_label(t, ticks[1] - ticks[0])} for t in ticks],
        "x_ticks": x_ticks,
    }
