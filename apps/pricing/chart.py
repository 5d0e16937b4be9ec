"""Geometry of the per-listing price chart, drawn as inline SVG by templates/pricing/listing.html.

No JavaScript and no chart library: our price and the floor are step lines (a price holds until
it changes), the lowest competitor and the Buy Box are daily points joined by lines.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from .selectors import PriceHistory, Series

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 28

STYLES = {
    "ours": ("#1f6feb", "", 2.5),
    "lowest": ("#cf222e", "", 1.8),
    "buy_box": ("#9a6700", "5 3", 1.8),
    "floor": ("#1a7f37", "2 3", 1.8),
}


def _labels() -> dict[str, str]:
    return {
        "ours": _("Our price"),
        "lowest": _("Lowest competitor"),
        "buy_box": _("Buy Box"),
        "floor": _("Floor"),
    }


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """At most `count` + 1 round ticks (steps of 1, 2, 2.5 or 5 × a power of ten) covering
    [low, high]. The step's magnitude comes from log10: cents, units and thousands alike."""
    if high <= low:
        half = abs(high) * 0.05 or 0.5
        low, high = high - half, high + half
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(
        m * magnitude for m in (1, 2, 2.5, 5, 10) if (high - low) / (m * magnitude) <= count
    )
    first, last = math.floor(low / step), math.ceil(high / step)
    return [round(n * step, 6) for n in range(first, last + 1)]


def _tick_label(value: float, step: float) -> str:
    decimals = 0 if step >= 1 and float(step).is_integer() else 2
    return f"{value:,.{decimals}f}"


def price_chart(history: PriceHistory, *, currency: str) -> dict:
    """Polylines, axes and legend of the chart, in SVG user units."""
    series = [history.ours, history.lowest, history.buy_box, history.floor]
    values = [float(v) for s in series for _at, v in s.points]
    if not values:
        return {"empty": True, "width": WIDTH, "height": HEIGHT}
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.08 or max(hi * 0.05, 0.5)
    ticks = _nice_ticks(lo - pad, hi + pad)
    y0, y1 = ticks[0], ticks[-1]
    start, end = history.start.timestamp(), history.end.timestamp()
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(at: datetime) -> float:
        return round(
            LEFT + (min(max(at.timestamp(), start), end) - start) / (end - start) * plot_w, 1
        )

    def y(value: Decimal | float) -> float:
        return round(TOP + (1 - (float(value) - y0) / ((y1 - y0) or 1)) * plot_h, 1)

    labels = _labels()
    lines = []
    for s in series:
        if not s.points:
            continue
        color, dash, width = STYLES[s.name]
        lines.append(
            {
                "name": s.name,
                "label": labels[s.name],
                "color": color,
                "dash": dash,
                "width": width,
                "points": _points(s, x, y),
                "dots": [] if s.name in ("ours", "floor") else
                [{"x": x(at), "y": y(v), "title": f"{v:.2f} {currency}"} for at, v in s.points],
                "last": f"{s.points[-1][1]:.2f}",
            }
        )  # fmt: skip
    days = (history.end - history.start).days or 1
    x_ticks = []
    for n in range(0, 5):
        at = datetime.fromtimestamp(start + (end - start) * n / 4, tz=history.start.tzinfo)
        # The first label starts at the axis and the last ends at the plot's right edge, so
        # neither is cut by the SVG's edge.
        anchor = "start" if n == 0 else "end" if n == 4 else "middle"
        x_ticks.append(
            {"x": x(at), "label": formats.date_format(at, "m-d"), "days": days, "anchor": anchor}
        )
    return {
        "empty": False,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "lines": lines,
        "y_ticks": [{"y": y(t), "label": _tick_label(t, ticks[1] - ticks[0])} for t in ticks],
        "x_ticks": x_ticks,
        "currency": currency,
    }


def _points(s: Series, x, y) -> str:
    """`x,y` pairs; step lines for prices that hold until they change."""
    out: list[str] = []
    step = s.name in ("ours", "floor")
    previous = None
    for at, value in s.points:
        if step and previous is not None:
            out.append(f"{x(at)},{y(previous)}")
        out.append(f"{x(at)},{y(value)}")
        previous = value
    return " ".join(out)
