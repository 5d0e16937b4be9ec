"""Reads of the ads app, every one scoped to an organization: the pages' tables and series, and
`ad_spend_by_product_day` for other apps (CONTRACTS.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pandas as pd
from django.db import connection
from django.db.models import Max

from apps.integrations.models import ImportRun

from .models import AdChange, Campaign, SearchTermStat

if TYPE_CHECKING:
    from apps.accounts.models import Organization

HUNDRED = Decimal(100)
IMPORT_KINDS = ("amazon_sp_search_terms", "amazon_sp_bulk")
TERM_SORTS = {
    "spend": "spend DESC",
    "-spend": "spend ASC",
    "clicks": "clicks DESC",
    "orders": "orders DESC",
    "sales": "sales DESC",
    "acos": "acos DESC NULLS LAST",
    "term": "search_term ASC",
}
CAMPAIGN_SORTS = {"spend", "sales", "acos", "clicks", "orders", "name"}


# A row's period is day..end_day: one day for a daily report, the report's span for a summary
# report (at most MAX_PERIOD_DAYS). A window takes the share of a summary row that falls inside
# it, as if it had happened evenly over its days; a daily series spreads it over those days.
MAX_PERIOD_DAYS = 366


def in_window() -> str:
    """WHERE fragment for the rows of `s` whose period meets [start, end]; params
    (start, end, start) from `window_params`."""
    return "s.day BETWEEN %s::date - " + str(MAX_PERIOD_DAYS) + " AND %s AND s.end_day >= %s"


def window_params(start: date, end: date) -> list:
    return [start, end, start]


def share(start: date, end: date) -> tuple[str, list]:
    """SQL for the share of row `s`'s period inside [start, end] (1 for daily rows)."""
    return (
        "(CASE WHEN s.day = s.end_day THEN 1 ELSE (LEAST(s.end_day, %s::date) "
        "- GREATEST(s.day, %s::date) + 1)::numeric / (s.end_day - s.day + 1) END)",
        [end, start],
    )


def spread_rows(
    *,
    org_id: int,
    start: date,
    end: date,
    columns: str,
    extra: str = "",
    extra_params: list | None = None,
) -> tuple[str, list]:
    """A subquery of stat rows one per day inside [start, end]: daily rows as they are, a
    summary row's counts and money divided evenly over its days. `columns`: the non-measure
    columns to keep (comma-separated, from `s`); measures: impressions, clicks, spend, orders,
    sales (numeric)."""
    extra_params = extra_params or []
    measures = ("impressions", "clicks", "spend", "orders", "sales")
    daily = ", ".join(f"s.{m}::numeric AS {m}" for m in measures)
    spread = ", ".join(f"s.{m}::numeric / (s.end_day - s.day + 1) AS {m}" for m in measures)
    sql = f"""
        SELECT s.day, {columns}, {daily} FROM ads_searchtermstat s
        WHERE s.organization_id = %s AND s.day = s.end_day AND s.day BETWEEN %s AND %s {extra}
        UNION ALL
        SELECT d.day::date, {columns}, {spread}
        FROM ads_searchtermstat s
        CROSS JOIN LATERAL generate_series(s.day, s.end_day, interval '1 day') AS d(day)
        WHERE s.organization_id = %s AND s.day < s.end_day AND {in_window()} {extra}
          AND d.day BETWEEN %s AND %s
    """  # fmt: skip
    params = [org_id, start, end, *extra_params, org_id, *window_params(start, end),
              *extra_params, start, end]  # fmt: skip
    return sql, params


def _rows(sql: str, params: list) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def _acos(spend, sales) -> Decimal | None:
    return (
        None if not sales else (Decimal(spend) / Decimal(sales) * HUNDRED).quantize(Decimal("0.1"))
    )


def data_window(*, org: Organization, days: int = 30) -> tuple[date, date] | None:
    last = last_day(org=org)
    return None if last is None else (last - timedelta(days=days - 1), last)


def last_day(*, org: Organization) -> date | None:
    """The last day any stored row covers (a summary row's end)."""
    return SearchTermStat.objects.for_org(org).aggregate(last=Max("end_day"))["last"]


def campaign_list(
    *, org: Organization, start: date, end: date, store_id: int | None = None, sort: str = "spend"
) -> list[dict]:
    """Campaigns with their window totals, target ACoS and its source."""
    from .targets import campaign_targets

    w, wparams = share(start, end)
    where = f"s.organization_id = %s AND {in_window()}"
    totals = {
        r["campaign_id"]: r
        for r in _rows(
            f"SELECT campaign_id, round(sum(impressions * {w}))::bigint impressions, "
            f"round(sum(clicks * {w}))::bigint clicks, round(sum(spend * {w}), 2) spend, "
            f"round(sum(orders * {w}))::bigint orders, round(sum(sales * {w}), 2) sales "
            f"FROM ads_searchtermstat s WHERE {where} GROUP BY campaign_id",
            [*wparams * 5, org.pk, *window_params(start, end)],
        )
    }
    qs = Campaign.objects.for_org(org).select_related("store")
    if store_id:
        qs = qs.filter(store_id=store_id)
    targets = campaign_targets(org=org)
    out = []
    for c in qs:
        t = totals.get(c.pk, {})
        spend, sales = t.get("spend") or Decimal(0), t.get("sales") or Decimal(0)
        out.append(
            {
                "campaign": c,
                "clicks": t.get("clicks") or 0,
                "orders": t.get("orders") or 0,
                "impressions": t.get("impressions") or 0,
                "spend": spend,
                "sales": sales,
                "acos": _acos(spend, sales),
                "target": targets.get(c.pk),
            }
        )
    key = sort.lstrip("-") if sort.lstrip("-") in CAMPAIGN_SORTS else "spend"
    if key == "name":
        out.sort(key=lambda r: r["campaign"].name.lower(), reverse=sort.startswith("-"))
    else:
        out.sort(key=lambda r: (r[key] is None, r[key] or 0), reverse=not sort.startswith("-"))
    return out


def totals_of(rows: list[dict]) -> dict:
    spend = sum((r["spend"] for r in rows), Decimal(0))
    sales = sum((r["sales"] for r in rows), Decimal(0))
    return {
        "spend": spend,
        "sales": sales,
        "acos": _acos(spend, sales),
        "clicks": sum(r["clicks"] for r in rows),
        "orders": sum(r["orders"] for r in rows),
    }


def search_term_list(
    *,
    org: Organization,
    start: date,
    end: date,
    campaign_id: int | None = None,
    q: str = "",
    no_orders: bool = False,
    min_clicks: int = 0,
    sort: str = "spend",
    limit: int = 200,
) -> tuple[list[dict], dict]:
    """Search terms over the window (per campaign and ad group) and the filtered totals."""
    w, wparams = share(start, end)
    where = ["s.organization_id = %s", in_window()]
    params: list = [*wparams * 8, org.pk, *window_params(start, end)]
    if campaign_id:
        where.append("s.campaign_id = %s")
        params.append(campaign_id)
    if q:
        where.append("s.search_term LIKE %s")
        params.append(f"%{q.lower()[:100]}%")
    having = [f"sum(s.clicks * {w}) >= %s"]
    hparams: list = [*wparams, min_clicks]
    if no_orders:
        having.append("sum(s.orders) = 0")
    base = f"""
        SELECT s.search_term, c.name AS campaign, c.id AS campaign_id, g.name AS ad_group,
               min(s.currency) AS currency, round(sum(s.impressions * {w}))::bigint impressions,
               round(sum(s.clicks * {w}))::bigint clicks, round(sum(s.spend * {w}), 2) spend,
               round(sum(s.orders * {w}))::bigint orders, round(sum(s.sales * {w}), 2) sales,
               CASE WHEN sum(s.sales * {w}) > 0
                    THEN sum(s.spend * {w}) / sum(s.sales * {w}) * 100 END AS acos
        FROM ads_searchtermstat s JOIN ads_campaign c ON c.id = s.campaign_id
        JOIN ads_adgroup g ON g.id = s.ad_group_id
        WHERE {" AND ".join(where)}
        GROUP BY s.search_term, c.name, c.id, g.name HAVING {" AND ".join(having)}
    """
    rows = _rows(
        f"{base} ORDER BY {TERM_SORTS.get(sort, 'spend DESC')} LIMIT %s", [*params, *hparams, limit]
    )
    total = _rows(
        f"SELECT count(*) n, sum(clicks) clicks, sum(spend) spend, sum(orders) orders, "
        f"sum(sales) sales FROM ({base}) t",
        [*params, *hparams],
    )[0]
    total["acos"] = _acos(total["spend"] or 0, total["sales"] or 0)
    return rows, total


def campaign_daily(*, org: Organization, campaign_id: int, start: date, end: date) -> list[dict]:
    """Per day: a summary row spread evenly over its days."""
    sub, params = spread_rows(
        org_id=org.pk, start=start, end=end, columns="s.campaign_id",
        extra="AND s.campaign_id = %s", extra_params=[campaign_id],
    )  # fmt: skip
    return _rows(
        "SELECT day, round(sum(spend), 2) spend, round(sum(sales), 2) sales, "
        "round(sum(clicks))::bigint clicks, round(sum(orders))::bigint orders "
        f"FROM ({sub}) t GROUP BY day ORDER BY day",
        params,
    )


@dataclass
class WasteWeek:
    week: date
    spend: Decimal
    wasted: Decimal

    @property
    def share(self) -> Decimal | None:
        return (
            None
            if not self.spend
            else (self.wasted / self.spend * HUNDRED).quantize(Decimal("0.1"))
        )


def waste_by_week(*, org: Organization, start: date, end: date) -> list[WasteWeek]:
    """Spend and the part of it on search terms with no orders that week, by week (a summary
    row spread evenly over its days, so its spend and orders fall into each week pro rata)."""
    sub, params = spread_rows(
        org_id=org.pk, start=start, end=end, columns="s.campaign_id, s.ad_group_id, s.search_term"
    )
    rows = _rows(
        f"""
        SELECT week, round(sum(spend), 2) spend,
               round(sum(CASE WHEN orders = 0 THEN spend ELSE 0 END), 2) wasted
        FROM (SELECT date_trunc('week', day)::date week, campaign_id, ad_group_id, search_term,
                     sum(spend) spend, sum(orders) orders
              FROM ({sub}) r GROUP BY 1, 2, 3, 4) t
        GROUP BY week ORDER BY week
        """,
        params,
    )
    return [WasteWeek(r["week"], r["spend"] or Decimal(0), r["wasted"] or Decimal(0)) for r in rows]


def negatives_savings(*, org: Organization, start: date, end: date) -> dict:
    """What the approved negatives would have saved over the window: the spend of the terms
    they match (exact: the term; phrase: every term containing the words) in their ad group."""
    negs = []
    for ch in AdChange.objects.for_org(org).filter(action__in=["negative", "harvest"]):
        p = ch.payload
        if ch.action == "negative":
            negs.append((p.get("ad_group_id"), str(p.get("text", "")).lower(), p.get("match_type")))
        else:
            negs.append(
                (
                    p.get("negate_ad_group_id"),
                    str(p.get("negate_text", "")).lower(),
                    "negativeExact",
                )
            )
    if not negs:
        return {"negatives": 0, "spend": Decimal(0), "sales": Decimal(0)}
    w, wparams = share(start, end)
    terms = pd.DataFrame(
        _rows(
            f"SELECT ad_group_id, search_term, round(sum(spend * {w}), 2) spend, "
            f"round(sum(sales * {w}), 2) sales FROM ads_searchtermstat s "
            f"WHERE organization_id = %s AND {in_window()} AND ad_group_id = ANY(%s) GROUP BY 1, 2",
            [*wparams * 2, org.pk, *window_params(start, end), [n[0] for n in negs if n[0]]],
        ),
        columns=["ad_group_id", "search_term", "spend", "sales"],
    )
    hit = pd.Series(False, index=terms.index)
    for group, text, match in negs:
        text = text[len('asin="') : -1] if text.startswith('asin="') else text
        same = terms["ad_group_id"] == group
        if match == "negativePhrase":
            hit |= same & terms["search_term"].str.contains(rf"\b{text}\b", regex=True)
        else:
            hit |= same & (terms["search_term"] == text)
    matched = terms[hit]
    return {
        "negatives": len(negs),
        "spend": sum(matched["spend"], Decimal(0)),
        "sales": sum(matched["sales"], Decimal(0)),
    }


def import_runs(*, org: Organization, limit: int = 50):
    return (
        ImportRun.objects.for_org(org)
        .filter(kind__in=IMPORT_KINDS)
        .prefetch_related("line_errors")[:limit]
    )


def ad_spend_by_product_day(*, org: Organization, start: date, end: date) -> pd.DataFrame:
    """Ad spend and attributed sales per product, store and day (CONTRACTS.md).

    Columns: product_id, store_id, day, spend (Decimal), sales (Decimal), currency. Search-term
    reports name ad groups, not products: an ad group's spend and sales are split equally among
    its product ads linked to our listings (an ad group advertising one SKU, the common case,
    gives it all). Ad groups with no linked listing are left out. A summary report's row is
    spread evenly over its days."""
    rows = _rows(
        """
        WITH ads AS (
            SELECT pa.ad_group_id, l.product_id, count(*) OVER (PARTITION BY pa.ad_group_id) n
            FROM ads_productad pa JOIN catalog_listing l ON l.id = pa.listing_id
            WHERE pa.organization_id = %s AND l.organization_id = %s
        )
        SELECT a.product_id, s.store_id, d.day::date AS day,
               sum(s.spend / a.n / (s.end_day - s.day + 1)) spend,
               sum(s.sales / a.n / (s.end_day - s.day + 1)) sales, s.currency
        FROM ads_targetstat s JOIN ads a ON a.ad_group_id = s.ad_group_id
        CROSS JOIN LATERAL generate_series(s.day, s.end_day, interval '1 day') AS d(day)
        WHERE s.organization_id = %s AND s.day BETWEEN %s::date - 366 AND %s
          AND s.end_day >= %s AND d.day BETWEEN %s AND %s
        GROUP BY a.product_id, s.store_id, d.day, s.currency
        ORDER BY 3, a.product_id
        """,
        [org.pk, org.pk, org.pk, start, end, start, start, end],
    )
    frame = pd.DataFrame(
        rows, columns=["product_id", "store_id", "day", "spend", "sales", "currency"]
    )
    for c in ("spend", "sales"):
        frame[c] = frame[c].map(lambda v: Decimal(v).quantize(Decimal("0.0001")))
    return frame
