"""Loading a chunk: offers and competitors by COPY (SELECT ...) TO STDOUT into DataFrames.

The SQL the engine reads with, the chunk boundaries, and `load_chunk` (offers, optionally only
the due ones of an incremental run, then the competitors of those offers).
"""

from __future__ import annotations

import itertools
import time

import numpy as np
import pandas as pd
from django.db import connection
from django.utils import timezone

from .. import incremental as I
from .. import strategies as S
from .context import _Context, _copy_frame, _units
from .offers import _offer_frame

_OFFER_COLUMNS = """l.id, l.price, l.currency, l.stock, p.category, p.unit_cost, p.cost_currency,
       p.weight_g, p.length_mm, p.width_mm, p.height_mm,
       coalesce(inv.units_per_day, 0), coalesce(inv.stock_age_days, 0),
       coalesce(inv.lead_time_days, -1), l.product_id"""
_OFFER_FROM = f"""
FROM catalog_listing l
JOIN catalog_product p ON p.id = l.product_id
LEFT JOIN pricing_listinginventory inv ON inv.listing_id = l.id
LEFT JOIN pricing_competitorsummary s ON s.listing_id = l.id AND s.organization_id = %(org)s
CROSS JOIN LATERAL (SELECT {I.INPUTS_HASH_SQL} AS inputs) h
"""
_OFFER_WHERE = """l.organization_id = %(org)s AND l.store_id = %(store)s AND l.status = 'active'
  AND l.id >= %(lo)s AND l.id < %(hi)s"""
_TODAY = "created_at > now() - interval '1 day' AND outcome IN ('applied', 'drafted')"
# Changes of the last day per listing of the chunk (the daily change limit), one aggregate over
# the last day's rows. Not a correlated subquery per listing: right after a run inserted its
# changes, stale statistics made that a sequential scan per due listing (minutes).
_CHANGES_TODAY = f"""
LEFT JOIN (
    SELECT listing_id, count(*) AS n FROM pricing_pricechange
    WHERE organization_id = %(org)s AND {_TODAY}
      AND listing_id >= %(lo)s AND listing_id < %(hi)s
    GROUP BY listing_id
) pc ON pc.listing_id = {{id}}
"""
# Every active offer of the chunk (full runs).
OFFERS_SQL = f"""
SELECT {_OFFER_COLUMNS}, coalesce(pc.n, 0), l.price_version, h.inputs, coalesce(s.version, 0)
{_OFFER_FROM}
{_CHANGES_TODAY.format(id="l.id")}
WHERE {_OFFER_WHERE}
ORDER BY l.id
"""
# Only the due offers (incremental runs): the markers are joined and compared in SQL.
DUE_OFFERS_SQL = f"""
WITH due AS MATERIALIZED (
    SELECT {_OFFER_COLUMNS}, l.price_version, h.inputs, coalesce(s.version, 0) AS comp_version
    {_OFFER_FROM}
    LEFT JOIN pricing_repricemarker m ON m.listing_id = l.id AND m.organization_id = %(org)s
    WHERE {_OFFER_WHERE} AND {I.DUE_SQL}
)
SELECT due.*, coalesce(pc.n, 0)
FROM due
{_CHANGES_TODAY.format(id="due.id")}
ORDER BY due.id
"""
OFFER_NAMES = [
    "listing_id",
    "price",
    "currency",
    "stock",
    "category",
    "unit_cost",
    "cost_currency",
    "weight_g",
    "length_mm",
    "width_mm",
    "height_mm",
    "units_per_day",
    "stock_age_days",
    "lead_time",
    "product_id",
    "changes_today",
    "price_version",
    "inputs",
    "comp_version",
]
# DUE_OFFERS_SQL's order: the count of today's changes comes last.
DUE_OFFER_NAMES = [*OFFER_NAMES[:15], *OFFER_NAMES[16:], "changes_today"]

COMPS_SQL = """
SELECT DISTINCT ON (c.listing_id, c.seller_id COLLATE "C")
       c.id, c.listing_id, c.price + c.shipping, c.currency, c.fulfilment, c.rating,
       c.is_buy_box, c.seller_id = ANY(%(own)s::text[]),
       round(extract(epoch FROM %(now)s::timestamptz - c.observed_at) / 3600.0, 3)
FROM pricing_competitoroffer c
WHERE c.organization_id = %(org)s AND c.listing_id >= %(lo)s AND c.listing_id < %(hi)s
  AND c.observed_at >= %(since)s AND c.observed_at <= %(now)s{only}
ORDER BY c.listing_id, c.seller_id COLLATE "C", c.observed_at DESC, c.id DESC
"""
# The same rows from the competitor summary (each seller's latest observation, kept up to date
# when observations arrive): no DISTINCT ON over the history. Rows dated after `now` come back
# with a negative age; the loader reads those listings with COMPS_SQL instead.
LATEST_SQL = """
SELECT c.offer_id, c.listing_id, c.total, c.currency, c.fulfilment, c.rating, c.is_buy_box,
       c.seller_id = ANY(%(own)s::text[]),
       CASE WHEN c.observed_at > %(now)s THEN -1
            ELSE round(extract(epoch FROM %(now)s::timestamptz - c.observed_at) / 3600.0, 3) END
FROM pricing_competitorlatest c
WHERE c.organization_id = %(org)s AND c.listing_id >= %(lo)s AND c.listing_id < %(hi)s
  AND c.observed_at >= %(since)s{only}
"""
_ONLY_IDS = " AND c.listing_id = ANY(%(ids)s::bigint[])"
COMP_NAMES = [
    "offer_id",
    "listing_id",
    "total",
    "comp_currency",
    "fulfilment",
    "rating",
    "is_buy_box",
    "is_own",
    "age_hours",
]
_COMP_DTYPES = {
    "comp_currency": "object",
    "fulfilment": "object",
    "is_buy_box": "object",
    "is_own": "object",
}


def load_chunk(
    ctx: _Context, lo: int, hi: int, due_only: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Offers (with costs and strategy parameters) and competitors of listings lo ≤ id < hi.

    due_only (incremental runs): only the offers whose inputs changed since their last run,
    selected by PostgreSQL (apps.pricing.incremental.DUE_SQL); their competitors alone are
    then read."""
    params = {"org": ctx.org.id, "store": ctx.store.id, "lo": lo, "hi": hi, "now": ctx.now}
    raw = _load_offers(ctx, params, due_only)
    ids = raw["listing_id"].to_numpy(dtype=np.int64) if due_only else None
    offers = _offer_frame(ctx, raw)
    return offers, _load_competitors(ctx, params, offers, ids)


def _load_offers(ctx: _Context, params: dict, due_only: bool) -> pd.DataFrame:
    t = time.perf_counter()
    raw = _copy_frame(
        DUE_OFFERS_SQL if due_only else OFFERS_SQL,
        params,
        DUE_OFFER_NAMES if due_only else OFFER_NAMES,
        dtypes={"currency": "object", "cost_currency": "object", "category": "object"},
        hash_joins=True,
    )
    raw["category"] = raw["category"].fillna("")
    ctx.lap("load_offers_sql", t)
    return raw[OFFER_NAMES]


def _load_competitors(
    ctx: _Context, params: dict, offers: pd.DataFrame, ids: np.ndarray | None
) -> pd.DataFrame:
    """Each seller's latest observation younger than the largest max age, from the competitor
    summary (`CompetitorLatest`); listings with an observation dated after `now` (clock skew,
    a replayed past run) are read from the observations, so the answer is the same as before
    the summary existed. `ids`: only these listings (incremental runs)."""
    t = time.perf_counter()
    rates = ctx.rates
    since = ctx.now - timezone.timedelta(hours=ctx.max_age_hours)
    cparams = {**params, "own": ctx.own_sellers, "now": ctx.now, "since": since}
    only = ""
    if ids is not None:
        if len(ids) == 0:
            return _copy_frame("SELECT 1 WHERE false", [], COMP_NAMES, _COMP_DTYPES)
        only = _ONLY_IDS
        cparams["ids"] = [int(i) for i in ids]
    if ctx.raw_competitors:
        comps = _copy_frame(COMPS_SQL.format(only=only), cparams, COMP_NAMES, _COMP_DTYPES)
    else:
        comps = _copy_frame(LATEST_SQL.format(only=only), cparams, COMP_NAMES, _COMP_DTYPES)
        future = comps["age_hours"].to_numpy(dtype=np.float64) < 0
        if future.any():
            skewed = np.unique(comps["listing_id"].to_numpy(dtype=np.int64)[future])
            comps = comps[~np.isin(comps["listing_id"].to_numpy(dtype=np.int64), skewed)]
            extra = _copy_frame(
                COMPS_SQL.format(only=_ONLY_IDS),
                {**cparams, "ids": [int(i) for i in skewed]},
                COMP_NAMES,
                dtypes=_COMP_DTYPES,
            )
            comps = pd.concat([comps, extra], ignore_index=True)
    t = ctx.lap("load_competitors_sql", t)
    if len(comps):
        comps["is_buy_box"] = comps["is_buy_box"].to_numpy() == "t"
        comps["is_own"] = comps["is_own"].to_numpy() == "t"
        # Competitor prices in another currency are converted; no rate → flagged NO_PRICE.
        pos = np.searchsorted(offers["listing_id"].to_numpy(), comps["listing_id"].to_numpy())
        pos = np.minimum(pos, max(len(offers) - 1, 0))
        listing_cur = offers["currency"].to_numpy(dtype=object)[pos]
        same = comps["comp_currency"].to_numpy(dtype=object) == listing_cur
        total = _units(comps["total"])
        if not same.all():
            fx = rates.factors(comps["comp_currency"], pd.Series(listing_cur))
            total = np.where(same, total, np.rint(total * fx))
        comps["total"] = np.nan_to_num(total, nan=S.NO_PRICE).astype(np.int64)
    ctx.lap("load_competitors_prep", t)
    return comps


def _chunks(org, store, size: int) -> list[tuple[int, int, int]]:
    """Id ranges of about `size` active offers each, with their number of active offers."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, rn, total FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn, "
            "count(*) OVER () AS total FROM catalog_listing WHERE organization_id = %s "
            "AND store_id = %s AND status = 'active') t WHERE rn %% %s = 1 ORDER BY id",
            [org.id, store.id, size],
        )
        rows = cursor.fetchall()
    if not rows:
        return []
    total = rows[0][2]
    bounds = itertools.pairwise([*(r[0] for r in rows), 2**62])
    return [
        (lo, hi, min(size, total - rn + 1))
        for (lo, hi), (_, rn, _) in zip(bounds, rows, strict=True)
    ]
