"""Data of the analytics charts, as JSON the page hands to the vendored Chart.js
(static/vendor/chartjs, drawn by static/js/analytics.js). Labels are translated here, so the
browser only draws."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _


def _f(value) -> float:
    return float(round(Decimal(value or 0), 2))


def series_chart(rows: list[dict]) -> dict:
    return {
        "type": "series",
        "labels": [r["day"].isoformat() for r in rows],
        "datasets": [
            {"label": _("Revenue"), "data": [_f(r["revenue"]) for r in rows]},
            {"label": _("Net profit"), "data": [_f(r["net_profit"]) for r in rows]},
        ],
    }


def waterfall_chart(w: dict) -> dict:
    """Floating bars: each step from the running total to the next; first and last are totals."""
    labels = [_("Previous period")]
    bars = [[0.0, _f(w["before"])]]
    kinds = ["total"]
    running = Decimal(w["before"])
    for step in w["steps"]:
        labels.append(str(step["label"]))
        nxt = running + step["value"]
        bars.append([_f(running), _f(nxt)])
        kinds.append("up" if step["value"] >= 0 else "down")
        running = nxt
    labels.append(_("This period"))
    bars.append([0.0, _f(w["after"])])
    kinds.append("total")
    return {
        "type": "waterfall",
        "labels": labels,
        "bars": bars,
        "kinds": kinds,
        "label": _("Net profit change (%(currency)s)") % {"currency": w["currency"]},
    }


def sku_chart(top: list[dict], bottom: list[dict]) -> dict:
    seen, rows = set(), []
    for r in [*top, *reversed(bottom)]:
        key = r.get("product_id")
        if key in seen:
            continue
        seen.add(key)
        rows.append(r)
    return {
        "type": "bars",
        "horizontal": True,
        "labels": [r.get("product__sku") or _("(no SKU)") for r in rows],
        "datasets": [{"label": _("Net profit"), "data": [_f(r["net_profit"]) for r in rows]}],
    }


def margin_chart(buckets: list[dict]) -> dict:
    return {
        "type": "bars",
        "labels": [b["label"] for b in buckets],
        "datasets": [{"label": _("SKUs"), "data": [b["skus"] for b in buckets]}],
    }
