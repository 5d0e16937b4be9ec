"""The repricing engine: a whole store in one vectorised pass per chunk, written back set-based.

Entry point: `reprice_store(*, org, store, dry_run=False, strategy_override=None, ...)`.

Per chunk of offers (an id range of the store, CHUNK offers by default):
  load     COPY (SELECT ...) TO STDOUT into DataFrames: offers with product costs, inventory,
           competitors (each seller's latest observation younger than the largest max age,
           from the competitor summary kept by apps.pricing.competitors), changes already made
           today; small tables (profiles, fees, strategies) via the ORM. An incremental run
           (the schedule) keeps only the offers whose inputs changed since their last run
           (apps.pricing.incremental) before costs and competitors are read;
  compute  apps.pricing.strategies.compute — NumPy over the frame, no per-offer Python;
  write    COPY the changed offers (with the price version each was computed from) into a
           temporary table, then through the owners' set-based services, each one statement:
             review  lock the open price_change drafts of the changed listings (draft rows
                     first, then targets: the one lock order of apps.review.services),
             catalog update the prices inside the auto-approve policy (review's rule, array
                     form) where the price version is still the loaded one,
             review  supersede the drafts replaced (conditional, events for real changes),
                     create the drafts for changes outside the policy + their events,
                     record the policy batch (PolicyRun),
             pricing INSERT the PriceChange rows, linked to the drafts and the PolicyRun.
A dry run (the simulator) loads and computes only and returns the per-offer frame.
"""

from __future__ import annotations

import io
import itertools
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from apps.catalog.models import Listing, Store
from apps.catalog.services import listing_prices_apply_many
from apps.core.errors import NotFound
from apps.core.money import CURRENCIES, ZERO_DECIMAL_CURRENCIES
from apps.core.services import job_advance, job_is_cancelled
from apps.orders.fx import rate_on
from apps.review import batch as review_batch
from apps.review.models import Policy
from apps.review.policies import changes_within_limit, policy_active
from apps.review.services import Provenance

from . import incremental as I
from . import strategies as S
from .cost import DEFAULT_VAT
from .models import (
    CostProfile,
    FulfilmentFeeTier,
    ReferralFee,
    RepricingRun,
    Strategy,
    StrategyAssignment,
    VatRate,
)

log = logging.getLogger(__name__)
CHUNK = 250_000
PRICE_KIND = "price_change"
REPORT_CAP = 200  # listed offers per report section (counts are exact)
REPORT_SECTIONS = ("at_floor", "raised_to_floor", "ceiling_below_floor", "bad_input")


@dataclass
class RunReport:
    """What a pass did. `results` (one row per offer) is kept for dry runs (the simulator)."""

    store_id: int
    dry_run: bool
    run_id: int | None = None
    counts: dict = field(default_factory=dict)
    report: dict = field(default_factory=lambda: {k: [] for k in REPORT_SECTIONS})
    timings: dict = field(default_factory=lambda: {"load": 0.0, "compute": 0.0, "write": 0.0})
    results: pd.DataFrame | None = None
    report_mode: str = "full"  # or "incremental": only offers whose inputs changed


COUNT_KEYS = (
    "offers",
    "priced",
    "changed",
    "raised",
    "lowered",
    "applied",
    "drafted",
    "at_floor",
    "raised_to_floor",
    "ceiling_below_floor",
    "bad_input",
    "daily_limit",
    "already_proposed",
    "conflicts",
    "skipped",
)


# --------------------------------------------------------------------------- loading


def _copy_frame(sql: str, params: list, names: list[str], dtypes: dict | None = None):
    """Run a SELECT as COPY ... TO STDOUT (CSV) and parse it with pandas' C reader."""
    buf = io.StringIO()
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode()
        cursor.cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", buf)
    buf.seek(0)
    if buf.getvalue() == "":
        return pd.DataFrame({n: pd.Series(dtype=(dtypes or {}).get(n, "float64")) for n in names})
    return pd.read_csv(buf, header=None, names=names, dtype=dtypes, keep_default_na=True)


def _units(values: pd.Series) -> np.ndarray:
    """Decimal text parsed by pandas → float64 units, exact for prices (NaN stays NaN)."""
    return np.rint(values.to_numpy(dtype=np.float64) * S.UNITS)


class _Rates:
    """Exchange rates for the distinct currency pairs of a pass (a handful, looked up once)."""

    def __init__(self, org, on_date: date):
        self.org, self.on_date, self.cache = org, on_date, {}

    def rate(self, base: str, quote: str) -> float:
        key = (base, quote)
        if key not in self.cache:
            if base not in CURRENCIES or quote not in CURRENCIES:
                self.cache[key] = np.nan
            else:
                try:
                    value = rate_on(org=self.org, base=base, quote=quote, on_date=self.on_date)
                    self.cache[key] = float(value)
                except NotFound:
                    self.cache[key] = np.nan
        return self.cache[key]

    def factors(self, base: str | pd.Series, quote: pd.Series) -> np.ndarray:
        """Per-row rate (NaN: no rate or unknown currency), looked up per distinct pair."""
        q_codes, q_uniques = pd.factorize(quote.to_numpy(dtype=object))
        if isinstance(base, str):
            table = np.array([self.rate(base, q) for q in q_uniques], dtype=np.float64)
            return table[q_codes] if len(table) else np.full(len(quote), np.nan)
        b_codes, b_uniques = pd.factorize(base.to_numpy(dtype=object))
        pair = b_codes.astype(np.int64) * max(len(q_uniques), 1) + q_codes
        pairs, inverse = np.unique(pair, return_inverse=True)
        table = np.array(
            [self.rate(b_uniques[p // len(q_uniques)], q_uniques[p % len(q_uniques)])
             for p in pairs],
            dtype=np.float64,
        )  # fmt: skip
        return table[inverse] if len(table) else np.full(len(quote), np.nan)


def _strategy_frame(strategies: list[Strategy]) -> pd.DataFrame:
    rows = [S.StrategyParams.from_model(s).values for s in strategies]
    return pd.DataFrame(rows, columns=list(S.STRATEGY_COLUMNS))


def _assign_strategies(offers: pd.DataFrame, org, store, override) -> pd.DataFrame:
    """Most specific enabled assignment per offer (listing > category > store), then priority."""
    if override is not None:
        sid = np.full(len(offers), override.pk or -1, dtype=np.int64)
        frame = _strategy_frame([override])
        frame["strategy_id"] = override.pk or -1
        return _with_strategy_columns(offers, sid, frame)
    assigns = list(
        StrategyAssignment.objects.for_org(org)
        .filter(store=store, strategy__enabled=True)
        .select_related("strategy")
        .order_by("-strategy__priority", "-id")
    )
    sid = np.zeros(len(offers), dtype=np.int64)
    store_level = [a for a in assigns if a.listing_id is None and not a.category]
    if store_level:
        sid[:] = store_level[0].strategy_id
    category_best: dict[str, int] = {}
    for a in assigns:  # a handful of assignment rows, not offers
        if a.listing_id is None and a.category:
            category_best.setdefault(a.category, a.strategy_id)
    if category_best:
        by_cat = offers["category"].map(category_best).to_numpy(dtype=np.float64)
        sid = np.where(np.isnan(by_cat), sid, np.nan_to_num(by_cat)).astype(np.int64)
    listing_best: dict[int, int] = {}
    for a in assigns:
        if a.listing_id is not None:
            listing_best.setdefault(a.listing_id, a.strategy_id)
    if listing_best:
        by_listing = offers["listing_id"].map(listing_best).to_numpy(dtype=np.float64)
        sid = np.where(np.isnan(by_listing), sid, np.nan_to_num(by_listing)).astype(np.int64)
    frame = _strategy_frame(list({a.strategy_id: a.strategy for a in assigns}.values()))
    return _with_strategy_columns(offers, sid, frame)


def _with_strategy_columns(offers: pd.DataFrame, sid: np.ndarray, frame: pd.DataFrame):
    """Add the strategy parameters per offer by position (no merge); 0 = no strategy."""
    pos = pd.Index(frame["strategy_id"].to_numpy()).get_indexer(sid) if len(frame) else None
    columns = {"strategy_id": sid}
    for name, (dtype, default) in S.STRATEGY_COLUMNS.items():
        if name == "strategy_id":
            continue
        if pos is None:
            columns[name] = np.full(len(offers), default, dtype=dtype)
            continue
        values = frame[name].to_numpy(dtype=dtype)[np.maximum(pos, 0)]
        columns[name] = np.where(pos >= 0, values, np.array(default, dtype=dtype))
    return offers.assign(**columns)


def _tier_fee(org, marketplace_id: int, offers: pd.DataFrame, rates: _Rates) -> np.ndarray:
    """Fulfilment fee (float units) by size tier: first tier by rank the product fits."""
    tiers = list(
        FulfilmentFeeTier.objects.for_org(org)
        .filter(marketplace_id=marketplace_id)
        .order_by("rank", "id")
    )
    fee = np.zeros(len(offers))
    if not tiers:
        return fee
    dims = np.sort(offers[["length_mm", "width_mm", "height_mm"]].to_numpy(np.float64), axis=1)
    longest, median, shortest = dims[:, 2], dims[:, 1], dims[:, 0]
    weight = offers["weight_g"].to_numpy(np.float64)
    unknown = np.isnan(weight) | np.isnan(dims).any(axis=1)
    assigned = np.zeros(len(offers), dtype=bool)
    for tier in tiers:  # a loop over the tier table (a few rows), each step vectorised
        fits = ~assigned & ~unknown
        for value, limit in (
            (weight, tier.max_weight_g),
            (longest, tier.max_longest_mm),
            (median, tier.max_median_mm),
            (shortest, tier.max_shortest_mm),
        ):
            if limit is not None:
                fits &= value <= float(limit)
        amount = np.rint(
            float(tier.fee) * S.UNITS * rates.factors(tier.currency, offers["currency"])
        )
        fee = np.where(fits, amount, fee)
        assigned |= fits
    last = tiers[-1]
    amount = np.rint(float(last.fee) * S.UNITS * rates.factors(last.currency, offers["currency"]))
    return np.where(assigned, fee, amount)


OFFERS_SQL = """
SELECT l.id, l.price, l.currency, l.stock, p.category, p.unit_cost, p.cost_currency,
       p.weight_g, p.length_mm, p.width_mm, p.height_mm,
       coalesce(inv.units_per_day, 0), coalesce(inv.stock_age_days, 0),
       coalesce(inv.lead_time_days, -1), coalesce(pc.n, 0), l.price_version
FROM catalog_listing l
JOIN catalog_product p ON p.id = l.product_id
LEFT JOIN pricing_listinginventory inv ON inv.listing_id = l.id
LEFT JOIN (
    SELECT listing_id, count(*) AS n FROM pricing_pricechange
    WHERE organization_id = %(org)s AND created_at > now() - interval '1 day'
      AND outcome IN ('applied', 'drafted') AND listing_id >= %(lo)s AND listing_id < %(hi)s
    GROUP BY listing_id
) pc ON pc.listing_id = l.id
WHERE l.organization_id = %(org)s AND l.store_id = %(store)s AND l.status = 'active'
  AND l.id >= %(lo)s AND l.id < %(hi)s
ORDER BY l.id
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
    "changes_today",
    "price_version",
]

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


@dataclass
class _Context:
    org: object
    store: Store
    now: object
    rates: _Rates
    override: Strategy | None
    vat_mp: int
    own_sellers: list[str]
    profiles: list
    referral: dict
    max_age_hours: float
    timings: dict = field(default_factory=dict)
    incremental: bool = False  # price only the listings whose inputs changed (markers)
    raw_competitors: bool = False  # read the observations, not the competitor summary

    def lap(self, name: str, since: float) -> float:
        now = time.perf_counter()
        self.timings[name] = round(self.timings.get(name, 0.0) + now - since, 3)
        return now


def _context(org, store, now, override) -> _Context:
    marketplace = store.marketplace
    vat_mp = 0
    if marketplace.vat_inclusive:
        row = VatRate.objects.for_org(org).filter(country=marketplace.country).first()
        rate = row.rate if row is not None else DEFAULT_VAT.get(marketplace.country, 0)
        vat_mp = S.mp(rate)
    own = list(Store.objects.for_org(org).exclude(seller_id="").values_list("seller_id", flat=True))
    referral = {
        r.category: r
        for r in ReferralFee.objects.for_org(org).filter(marketplace_id=store.marketplace_id)
    }
    if override is not None:
        max_age = float(override.max_age_hours)
    else:
        ages = (
            Strategy.objects.for_org(org)
            .filter(enabled=True, assignments__store=store)
            .values_list("max_age_hours", flat=True)
        )
        max_age = float(max(ages, default=48))
    return _Context(
        org=org,
        store=store,
        now=now,
        rates=_Rates(org, timezone.localdate(now)),
        override=override,
        vat_mp=vat_mp,
        own_sellers=own,
        profiles=list(CostProfile.objects.for_org(org).filter(store=store)),
        referral=referral,
        max_age_hours=max_age,
    )


def _profile_columns(ctx: _Context, raw: pd.DataFrame) -> dict[str, np.ndarray]:
    """First leg + other, fulfilment override and ceiling per offer (float units, NaN = none)."""
    n = len(raw)
    out = {
        "extra": np.zeros(n),
        "fee_override": np.full(n, np.nan),
        "ceiling_abs": np.full(n, np.nan),
        "profile_fx_missing": np.zeros(n, dtype=bool),
    }
    if not ctx.profiles:
        return out
    # Profile index per offer: store-level, overridden by category, overridden by listing.
    store_level = [p for p in ctx.profiles if p.listing_id is None and not p.category]
    by_cat = {p.category: p for p in ctx.profiles if p.listing_id is None and p.category}
    by_listing = {p.listing_id: p for p in ctx.profiles if p.listing_id is not None}
    table = list(ctx.profiles)
    index = {p.pk: i for i, p in enumerate(table)}
    idx = np.full(n, -1 if not store_level else index[store_level[0].pk], dtype=np.int64)
    if by_cat:
        m = raw["category"].map({k: index[v.pk] for k, v in by_cat.items()})
        idx = np.where(m.isna(), idx, m.fillna(-1)).astype(np.int64)
    if by_listing:
        m = raw["listing_id"].map({k: index[v.pk] for k, v in by_listing.items()})
        idx = np.where(m.isna(), idx, m.fillna(-1)).astype(np.int64)
    has = idx >= 0
    safe = np.where(has, idx, 0)

    def col(getter):
        return np.array([np.nan if getter(p) is None else float(getter(p)) for p in table])[safe]

    cur = pd.Series(np.array([p.currency for p in table], dtype=object)[safe])
    fx = ctx.rates.factors(cur, raw["currency"])
    missing = has & np.isnan(fx)
    fx = np.where(has, fx, 0.0)
    extra = np.rint(
        (col(lambda p: p.first_leg_per_unit) + col(lambda p: p.other_per_unit)) * fx * S.UNITS
    )
    out["extra"] = np.where(has & ~missing, extra, 0.0)
    out["fee_override"] = np.where(
        has, np.rint(col(lambda p: p.fulfilment_fee) * fx * S.UNITS), np.nan
    )
    out["ceiling_abs"] = np.where(
        has, np.floor(col(lambda p: p.price_ceiling) * fx * S.UNITS), np.nan
    )
    out["profile_fx_missing"] = missing
    return out


def load_chunk(ctx: _Context, lo: int, hi: int, due=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Offers (with costs and strategy parameters) and competitors of listings lo ≤ id < hi.

    `due(raw) -> bool mask` (incremental runs) keeps only the offers whose inputs changed;
    their competitors alone are then read."""
    params = {"org": ctx.org.id, "store": ctx.store.id, "lo": lo, "hi": hi}
    raw = _load_offers(ctx, params)
    ids = None
    if due is not None:
        mask = due(raw)
        if not mask.all():
            raw = raw[mask].reset_index(drop=True)
            ids = raw["listing_id"].to_numpy(dtype=np.int64)
    offers = _offer_frame(ctx, raw)
    return offers, _load_competitors(ctx, params, offers, ids)


def _load_offers(ctx: _Context, params: dict) -> pd.DataFrame:
    t = time.perf_counter()
    raw = _copy_frame(
        OFFERS_SQL,
        params,
        OFFER_NAMES,
        dtypes={"currency": "object", "cost_currency": "object", "category": "object"},
    )
    raw["category"] = raw["category"].fillna("")
    ctx.lap("load_offers_sql", t)
    return raw


def _offer_frame(ctx: _Context, raw: pd.DataFrame) -> pd.DataFrame:
    """Landed cost, fees, VAT, ceilings, bad-input flags and strategy parameters per offer."""
    t = time.perf_counter()
    n = len(raw)
    rates = ctx.rates
    cost_fx = rates.factors(raw["cost_currency"].fillna(""), raw["currency"])
    unit_cost = _units(raw["unit_cost"]) * cost_fx
    prof = _profile_columns(ctx, raw)
    fee = _tier_fee(ctx.org, ctx.store.marketplace_id, raw, rates)
    fee = np.where(np.isnan(prof["fee_override"]), fee, prof["fee_override"])
    landed = np.rint(unit_cost) + prof["extra"] + np.nan_to_num(fee)
    # Referral fee: the category's row, else the marketplace default, else none.
    refs = list(ctx.referral.values())
    cats = list(ctx.referral)
    default_i = cats.index("") if "" in ctx.referral else -1
    ri = np.full(n, default_i, dtype=np.int64)
    by_cat = {c: i for i, c in enumerate(cats) if c}
    if by_cat:
        m = raw["category"].map(by_cat)
        ri = np.where(m.isna(), ri, m.fillna(-1)).astype(np.int64)
    has_ref = ri >= 0
    safe = np.where(has_ref, ri, 0)
    ref_mp = np.zeros(n, dtype=np.int64)
    ref_min = np.zeros(n)
    if refs:
        ref_mp = np.where(has_ref, np.array([S.mp(r.percent) for r in refs])[safe], 0)
        minimum = np.array([float(r.minimum) for r in refs])[safe]
        ref_cur = pd.Series(np.array([r.currency for r in refs], dtype=object)[safe])
        ref_min = np.where(
            has_ref, np.rint(minimum * S.UNITS * rates.factors(ref_cur, raw["currency"])), 0.0
        )
    bad = np.full(n, "", dtype=object)
    cost_cur_unknown = ~raw["cost_currency"].isin(CURRENCIES).to_numpy()
    bad = np.where(cost_cur_unknown & raw["unit_cost"].notna().to_numpy(), "unknown_currency", bad)
    bad = np.where(
        (bad == "") & raw["unit_cost"].notna().to_numpy() & np.isnan(cost_fx),
        "missing_exchange_rate",
        bad,
    )
    bad = np.where((bad == "") & prof["profile_fx_missing"], "missing_exchange_rate", bad)
    bad = np.where((bad == "") & np.isnan(ref_min), "missing_exchange_rate", bad)
    offers = pd.DataFrame(
        {
            "listing_id": raw["listing_id"].to_numpy(dtype=np.int64),
            "old": np.nan_to_num(_units(raw["price"]), nan=S.NO_PRICE).astype(np.int64),
            "currency": raw["currency"].to_numpy(dtype=object),
            "category": raw["category"].to_numpy(dtype=object),
            "landed": landed,
            "ref_mp": ref_mp,
            "ref_min": np.nan_to_num(ref_min),
            "vat_mp": np.full(n, ctx.vat_mp, dtype=np.int64),
            "ceiling_abs": np.nan_to_num(prof["ceiling_abs"], nan=S.NO_PRICE).astype(np.int64),
            "stock": raw["stock"].to_numpy(dtype=np.int64),
            "units_per_day": raw["units_per_day"].to_numpy(dtype=np.float64),
            "stock_age_days": raw["stock_age_days"].to_numpy(dtype=np.int64),
            "lead_time": raw["lead_time"].to_numpy(dtype=np.int64),
            "changes_today": raw["changes_today"].to_numpy(dtype=np.int64),
            "price_version": raw["price_version"].to_numpy(dtype=np.int64),
            "bad": bad,
        }
    )
    offers = _assign_strategies(offers, ctx.org, ctx.store, ctx.override)
    ctx.lap("load_costs", t)
    return offers


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


def _chunks(org, store, size: int) -> list[tuple[int, int]]:
    """Id ranges of about `size` active offers each."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn "
            "FROM catalog_listing WHERE organization_id = %s AND store_id = %s "
            "AND status = 'active') t WHERE rn %% %s = 1 ORDER BY id",
            [org.id, store.id, size],
        )
        starts = [row[0] for row in cursor.fetchall()]
    if not starts:
        return []
    return list(itertools.pairwise([*starts, 2**62]))


# --------------------------------------------------------------------------- writing

TMP_COLUMNS = [
    "listing_id",
    "price_version",
    "old_u",
    "new_u",
    "currency",
    "dp",
    "apply",
    "strategy_id",
    "binding",
    "reason",
    "comp_u",
    "comp_offer_id",
    "floor_u",
    "ceiling_u",
    "break_even_u",
    "margin",
    "profit_u",
]
# Dropped first: a caller's outer transaction (the demo seeder, a test) may write several chunks
# or stores before anything commits. The views hand rows to catalog's and review's set-based
# services (which own those tables); they are dropped before commit (TMP_DROP_VIEWS).
TMP_VIEWS = (
    "pricing_tmp_all_targets",
    "pricing_tmp_price_src",
    "pricing_tmp_candidates",
    "pricing_tmp_replaced",
    "pricing_tmp_draft_src",
)
TMP_DROP_VIEWS = f"DROP VIEW IF EXISTS {', '.join(TMP_VIEWS)};"
TMP_SQL = f"""
{TMP_DROP_VIEWS}
DROP TABLE IF EXISTS pricing_tmp_changes, pricing_tmp_applied, pricing_tmp_drafts,
    pricing_tmp_proposed;
CREATE TEMP TABLE pricing_tmp_changes (
    listing_id bigint, price_version bigint, old_u bigint, new_u bigint NOT NULL,
    currency varchar(3), dp int, apply boolean, strategy_id bigint, binding varchar(16),
    reason varchar(300), comp_u bigint, comp_offer_id bigint, floor_u bigint, ceiling_u bigint,
    break_even_u bigint, margin numeric(9, 3), profit_u bigint
) ON COMMIT DROP;
CREATE TEMP TABLE pricing_tmp_applied (listing_id bigint) ON COMMIT DROP;
CREATE TEMP TABLE pricing_tmp_drafts (id bigint, target_id bigint) ON COMMIT DROP;
CREATE TEMP TABLE pricing_tmp_proposed (target_id bigint) ON COMMIT DROP;
CREATE TEMP VIEW pricing_tmp_all_targets AS
    SELECT listing_id AS target_id FROM pricing_tmp_changes;
CREATE TEMP VIEW pricing_tmp_price_src AS
    SELECT listing_id, new_u::numeric / 10000 AS price, old_u::numeric / 10000 AS old_price,
           price_version
    FROM pricing_tmp_changes WHERE apply;
CREATE TEMP VIEW pricing_tmp_candidates AS
    SELECT listing_id AS target_id,
           jsonb_build_object('price', round(new_u::numeric / 10000, dp)::text) AS proposed
    FROM pricing_tmp_changes WHERE NOT apply;
CREATE TEMP VIEW pricing_tmp_replaced AS
    SELECT listing_id AS target_id FROM pricing_tmp_changes WHERE NOT apply
    UNION ALL SELECT listing_id FROM pricing_tmp_applied;
"""
# The drafts for the changes outside the policy, in the columns review.batch.drafts_create_many
# takes. target_version is the price version the proposal was computed from (loaded with the
# offers), not the listing's version now: approval supersedes it if the price moved since.
DRAFT_SRC_SQL = """
CREATE TEMP VIEW pricing_tmp_draft_src AS
SELECT t.listing_id AS target_id, t.price_version AS target_version,
       %(store)s::bigint AS store_id, %(marketplace)s::text AS marketplace, l.language,
       p.category, p.sku || ' · ' || %(store_name)s::text AS title,
       jsonb_build_object('price', round(t.old_u::numeric / 10000, t.dp)::text,
                          'currency', t.currency) AS current,
       jsonb_build_object('price', round(t.new_u::numeric / 10000, t.dp)::text,
                          'currency', t.currency) AS proposed,
       'Repricer: ' || t.reason || ' (limited by ' || t.binding || ')' AS rationale,
       jsonb_build_array(
           jsonb_build_object('field', 'floor', 'source', 'repricer',
                              'value', round(t.floor_u::numeric / 10000, t.dp)::text),
           jsonb_build_object('field', 'ceiling', 'source', 'repricer',
                              'value', round(t.ceiling_u::numeric / 10000, t.dp)::text),
           jsonb_build_object('field', 'lowest_competitor', 'source', 'competitors',
                              'value', round(t.comp_u::numeric / 10000, t.dp)::text),
           jsonb_build_object('field', 'margin_pct', 'source', 'repricer',
                              'value', t.margin::text)
       ) AS evidence,
       0 AS priority
FROM pricing_tmp_changes t
JOIN catalog_listing l ON l.id = t.listing_id AND l.organization_id = %(org)s
JOIN catalog_product p ON p.id = l.product_id
WHERE NOT t.apply
"""
# A change outside the policy that an open draft already proposes is not proposed again.
PENDING_SQL = """
DELETE FROM pricing_tmp_changes t USING pricing_tmp_proposed p
WHERE NOT t.apply AND t.listing_id = p.target_id
"""
CHANGES_SQL = """
INSERT INTO pricing_pricechange
    (created_at, updated_at, organization_id, run_id, listing_id, strategy_id, old_price,
     new_price, currency, binding, reason, competitor_price, competitor_seller, floor, ceiling,
     break_even, margin_pct, profit, outcome, policy_id, policy_run_id, draft_id)
SELECT %(ts)s, %(ts)s, %(org)s, %(run)s, t.listing_id, t.strategy_id, t.old_u::numeric / 10000,
       t.new_u::numeric / 10000, t.currency, t.binding, t.reason, t.comp_u::numeric / 10000,
       coalesce(c.seller_id, ''), t.floor_u::numeric / 10000, t.ceiling_u::numeric / 10000,
       t.break_even_u::numeric / 10000, t.margin, t.profit_u::numeric / 10000,
       CASE WHEN a.listing_id IS NOT NULL THEN 'applied' ELSE 'drafted' END,
       CASE WHEN a.listing_id IS NOT NULL THEN %(policy)s::bigint END,
       CASE WHEN a.listing_id IS NOT NULL THEN %(policy_run)s::bigint END, d.id
FROM pricing_tmp_changes t
LEFT JOIN pricing_tmp_applied a ON a.listing_id = t.listing_id
LEFT JOIN pricing_tmp_drafts d ON d.target_id = t.listing_id
LEFT JOIN pricing_competitoroffer c ON c.id = t.comp_offer_id AND c.organization_id = %(org)s
WHERE a.listing_id IS NOT NULL OR d.id IS NOT NULL
"""


def _nullable(values: np.ndarray, missing: np.ndarray) -> pd.Series:
    return pd.Series(pd.array(np.where(missing, 0, values), dtype="Int64")).mask(missing)


def _change_rows(res: pd.DataFrame, offers: pd.DataFrame, policy: Policy | None) -> pd.DataFrame:
    """The changed offers as rows of pricing_tmp_changes; `apply` = inside the policy, decided
    by review's one auto-approve rule (its array form)."""
    changed = res["changed"].to_numpy()
    ch = res[changed]
    cur = offers["currency"].to_numpy(dtype=object)[changed]
    old = ch["old"].to_numpy()
    new = ch["new"].to_numpy()
    has_old = old > 0
    apply = changes_within_limit(
        max_change_pct=policy.max_change_pct if policy is not None else None, old=old, new=new
    )
    comp = ch["comp_low"].to_numpy()
    sid = ch["strategy_id"].to_numpy()
    return pd.DataFrame(
        {
            "listing_id": ch["listing_id"].to_numpy(),
            "price_version": offers["price_version"].to_numpy()[changed],
            "old_u": _nullable(old, ~has_old),
            "new_u": new,
            "currency": cur,
            "dp": np.where(np.isin(cur, list(ZERO_DECIMAL_CURRENCIES)), 0, 2),
            "apply": np.where(apply, "t", "f"),
            "strategy_id": _nullable(sid, sid <= 0),
            "binding": ch["binding"].to_numpy(),
            "reason": ch["reason"].to_numpy(),
            "comp_u": _nullable(comp, comp <= 0),
            "comp_offer_id": _nullable(ch["comp_offer_id"].to_numpy(), comp <= 0),
            "floor_u": ch["floor"].to_numpy(),
            "ceiling_u": ch["ceiling"].to_numpy(),
            "break_even_u": ch["break_even"].to_numpy(),
            "margin": np.clip(ch["margin_new"].to_numpy(), -999_999, 999_999).round(3),
            "profit_u": _nullable(
                np.rint(np.nan_to_num(ch["profit_new"].to_numpy())).astype(np.int64),
                np.isnan(ch["profit_new"].to_numpy()),
            ),
        }
    )


def write_chunk(
    *, org, store, run: RepricingRun, rows: pd.DataFrame, policy: Policy | None, job_id
) -> dict:
    """Write one chunk's changes set-based; returns {"applied", "drafted", "conflicts"}.

    Everything goes through the owners' set-based services, in review's lock order: lock the
    open price drafts of these listings (review), update the prices inside the policy
    (catalog), supersede the drafts they replace and create the new ones (review), record the
    policy batch (review), then the PriceChange rows (pricing's own table).
    """
    if rows.empty:
        return {"applied": 0, "drafted": 0, "already_proposed": 0, "conflicts": 0, "steps": {}}
    started = time.perf_counter()
    buf = io.StringIO()
    rows[TMP_COLUMNS].to_csv(buf, header=False, index=False)
    buf.seek(0)
    ct = ContentType.objects.get_for_model(Listing).id
    params = {
        "org": org.id,
        "store": store.id,
        "marketplace": store.marketplace.code,
        "store_name": store.name,
        "run": run.pk,
        "policy": policy.pk if policy is not None else None,
        "policy_run": None,
        "ts": timezone.now(),
    }
    drafts = {"org": org, "kind": PRICE_KIND, "target_type_id": ct}
    steps: dict[str, tuple[int, float]] = {"csv": (0, time.perf_counter() - started)}

    def step(name: str, func, *args, **kwargs) -> int:
        t0 = time.perf_counter()
        n = func(*args, **kwargs)
        steps[name] = (n, time.perf_counter() - t0)
        return n

    def sql(cursor, statement: str) -> int:
        cursor.execute(statement, params)
        return cursor.rowcount

    with transaction.atomic(), connection.cursor() as cursor:
        t0 = time.perf_counter()
        cursor.execute(TMP_SQL)
        cursor.cursor.copy_expert(
            f"COPY pricing_tmp_changes ({', '.join(TMP_COLUMNS)}) FROM STDIN WITH (FORMAT csv)",
            buf,
        )
        cursor.execute("ANALYZE pricing_tmp_changes")
        cursor.execute(DRAFT_SRC_SQL, params)
        steps["copy"] = (0, time.perf_counter() - t0)
        step("lock", review_batch.drafts_lock_open, **drafts, targets="pricing_tmp_all_targets")
        step(
            "proposed",
            review_batch.drafts_open_proposing_into,
            **drafts,
            candidates="pricing_tmp_candidates",
            into="pricing_tmp_proposed",
        )
        step("pending", sql, cursor, PENDING_SQL)
        applied = step(
            "update",
            listing_prices_apply_many,
            org=org,
            store_id=store.id,
            source="pricing_tmp_price_src",
            into="pricing_tmp_applied",
            change_source="repricer",
        )
        step(
            "supersede",
            review_batch.drafts_supersede_open,
            **drafts,
            targets="pricing_tmp_replaced",
            note="Replaced by a newer draft.",
        )
        step(
            "drafts",
            review_batch.drafts_create_many,
            **drafts,
            source="pricing_tmp_draft_src",
            provenance=Provenance(provider="repricer", prompt_version="engine@v1", job_id=job_id),
            into="pricing_tmp_drafts",
        )
        if applied:
            params["policy_run"] = review_batch.policy_run_record(
                org=org,
                policy=policy,
                kind=PRICE_KIND,
                source="repricer",
                count=applied,
                summary={"repricing_run": run.pk, "store": store.pk},
            ).pk
        step("changes", sql, cursor, CHANGES_SQL)
        cursor.execute(TMP_DROP_VIEWS)
        t0 = time.perf_counter()
    steps["commit"] = (0, time.perf_counter() - t0)
    log.debug("write steps: %s", steps)
    return {
        "applied": steps["update"][0],
        "drafted": steps["drafts"][0],
        "already_proposed": steps["pending"][0],
        "conflicts": len(rows) - steps["pending"][0] - steps["changes"][0],
        "steps": {k: round(v[1], 3) for k, v in steps.items()},
    }


# --------------------------------------------------------------------------- the run


def _report_rows(res: pd.DataFrame, mask: np.ndarray, why: np.ndarray | str) -> list[dict]:
    picked = res[mask].head(REPORT_CAP)
    reasons = why[mask][:REPORT_CAP] if isinstance(why, np.ndarray) else [why] * len(picked)
    return [
        {
            "listing_id": int(lid),
            "reason": str(reason),
            "price": None if old <= 0 else str(S.to_decimal(old)),
            "floor": str(S.to_decimal(floor)),
            "ceiling": str(S.to_decimal(ceiling)),
        }
        for lid, old, floor, ceiling, reason in zip(
            picked["listing_id"],
            picked["old"],
            picked["floor"],
            picked["ceiling"],
            reasons,
            strict=True,
        )
    ]


def _tally(out: RunReport, res: pd.DataFrame) -> None:
    c = out.counts
    status = res["status"].to_numpy(dtype=object)
    changed = res["changed"].to_numpy()
    new, old = res["new"].to_numpy(), res["old"].to_numpy()
    c["offers"] += len(res)
    c["priced"] += int((status != S.NO_STRATEGY).sum())
    c["changed"] += int(changed.sum())
    c["raised"] += int((changed & (new > old)).sum())
    c["lowered"] += int((changed & (new < old)).sum())
    c["daily_limit"] += int((status == S.DAILY_LIMIT).sum())
    sections = {
        "at_floor": (res["at_floor"].to_numpy(), "at_floor"),
        "raised_to_floor": (res["raised_to_floor"].to_numpy(), "below_floor"),
        "ceiling_below_floor": (status == S.CEILING_BELOW_FLOOR, "ceiling_below_floor"),
        "bad_input": (status == S.BAD_INPUT, res["bad_reason"].to_numpy(dtype=object)),
    }
    for key, (mask, why) in sections.items():
        c[key] += int(mask.sum())
        room = REPORT_CAP - len(out.report[key])
        if room > 0 and mask.any():
            out.report[key].extend(_report_rows(res, mask, why)[:room])


PARALLEL_WRITERS = 2


def _parallel_writers(chunks: int, dry_run: bool) -> int:
    """Two writers for a multi-chunk store run in autocommit mode (a worker, the command, the
    benchmark). Inside an outer transaction (tests, the demo seeder) other connections could
    not see its uncommitted rows, so chunks then run one after another on this connection."""
    if dry_run or chunks < 2 or connection.in_atomic_block:
        return 1
    return PARALLEL_WRITERS


def _in_own_connection(func, *args):
    try:
        return func(*args)
    finally:
        connection.close()  # this thread's connection; the caller's is untouched


def _price_units(raw: pd.DataFrame) -> np.ndarray:
    return np.nan_to_num(_units(raw["price"]), nan=S.NO_PRICE).astype(np.int64)


def _fingerprint(ctx: _Context, policy: Policy | None) -> str:
    assigns = list(
        StrategyAssignment.objects.for_org(ctx.org)
        .filter(store=ctx.store)
        .select_related("strategy")
    )
    strategies = {a.strategy_id: a.strategy for a in assigns}
    if ctx.override is not None:
        strategies = {0: ctx.override}
    return I.store_fingerprint(
        org=ctx.org,
        store=ctx.store,
        strategies=list(strategies.values()),
        assignments=assigns,
        profiles=ctx.profiles,
        policy=policy,
    )


def _write_markers(org, now, offers, comps, res, rows, seen: dict) -> None:
    """Mark the priced offers with what they were priced from (apps.pricing.incremental).

    An applied change is marked with its new price when pricing again at that price would not
    move it (one more vectorised pass over those offers), so the engine's own write does not
    make the listing due; a step-limited climb stays due."""
    if "raw" not in seen or offers.empty:
        return
    hashes = seen["hashes"].copy()
    applied = rows["listing_id"].to_numpy()[rows["apply"].to_numpy() == "t"] if len(rows) else []
    if len(applied):
        idx = np.flatnonzero(np.isin(offers["listing_id"].to_numpy(), applied))
        again = offers.iloc[idx].reset_index(drop=True)
        new = res["new"].to_numpy()[idx]
        again["old"] = new
        again["changes_today"] = again["changes_today"].to_numpy() + 1
        sub = comps[np.isin(comps["listing_id"].to_numpy(), applied)] if len(comps) else comps
        res2 = S.compute(again, sub)
        settled = ~res2["changed"].to_numpy() & (
            res2["status"].to_numpy(dtype=object) != S.DAILY_LIMIT
        )
        moved = I.input_hash(seen["raw"].iloc[idx].reset_index(drop=True), new)
        hashes[idx[settled]] = moved[settled]
    versions = seen["markers"].set_index("listing_id")["comp_version"]
    I.write_markers(
        org=org,
        now=now,
        ts=timezone.now(),
        frame=pd.DataFrame(
            {
                "listing_id": offers["listing_id"].to_numpy(),
                "inputs": hashes,
                "comp_version": versions.reindex(offers["listing_id"].to_numpy())
                .fillna(0)
                .to_numpy(dtype=np.int64),
                "hours": I.due_hours(offers, comps, res),
            }
        ),
    )


def reprice_store(
    *,
    org,
    store,
    dry_run: bool = False,
    strategy_override: Strategy | None = None,
    actor=None,
    trigger: str = RepricingRun.Trigger.MANUAL,
    job_id: int | None = None,
    chunk_size: int = CHUNK,
    now=None,
    incremental: bool = False,
    raw_competitors: bool = False,
) -> RunReport:
    """Reprice every active offer of `store` (one vectorised pass per chunk of offers).

    dry_run: compute only, write nothing, return the per-offer frame in `results` (the
    simulator). strategy_override: price every offer with this strategy (saved or not) instead
    of the assigned ones. Bad input never raises: it is reported per offer.
    incremental (the schedule): price only the offers whose inputs changed since their last
    run (apps.pricing.incremental); a change of a store-wide input makes it a full run.
    raw_competitors: read competitors from the observations instead of the competitor summary
    (the reference the summary is tested against).
    """
    if store.organization_id != org.id:
        raise NotFound("No such store.")
    now = now or timezone.now()
    out = RunReport(store_id=store.pk, dry_run=dry_run, counts=dict.fromkeys(COUNT_KEYS, 0))
    run = None
    if not dry_run:
        run = RepricingRun.objects.create(
            organization=org,
            store=store,
            trigger=trigger,
            actor=actor,
            job_id=job_id,
            started_at=now,
        )
        out.run_id = run.pk
    policy = policy_active(org=org, kind=PRICE_KIND)
    ctx = _context(org, store, now, strategy_override)
    ctx.raw_competitors = raw_competitors
    fingerprint = None
    if not dry_run:
        fingerprint = _fingerprint(ctx, policy)
        ctx.incremental = incremental and I.state_allows_incremental(
            org=org, store=store, fingerprint=fingerprint, rates=ctx.rates
        )
        I.drop_inactive_markers(org=org, store=store)
    out.report_mode = "incremental" if ctx.incremental else "full"
    frames: list[pd.DataFrame] = []

    def process(lo: int, hi: int):
        """Load, compute and write one chunk; chunks hold disjoint listings."""
        if job_id is not None and job_is_cancelled(job_id):
            return None
        t0 = time.perf_counter()
        seen: dict = {}
        due = None
        if not dry_run:
            # Read before the offers and competitors: a version that moves meanwhile is
            # recorded older than what was read, so the listing is due again (never missed).
            markers = _copy_frame(
                I.MARKERS_SQL,
                {"org": org.id, "store": store.id, "lo": lo, "hi": hi, "now": now},
                I.MARKER_NAMES,
                dtypes={"inputs": "Int64", "time_due": "object"},
            )

            def due(raw: pd.DataFrame) -> np.ndarray:
                hashes = I.input_hash(raw, _price_units(raw))
                mask = np.ones(len(raw), dtype=bool)
                if ctx.incremental:
                    mask = I.due_mask(markers, raw, hashes)
                seen.update(raw=raw[mask].reset_index(drop=True), hashes=hashes[mask],
                            markers=markers, skipped=int((~mask).sum()))  # fmt: skip
                return mask

        offers, comps = load_chunk(ctx, lo, hi, due=due)
        t1 = time.perf_counter()
        res = S.compute(offers, comps)
        t2 = time.perf_counter()
        written = None
        if not dry_run:
            rows = _change_rows(res, offers, policy)
            written = write_chunk(
                org=org,
                store=store,
                run=run,
                rows=rows,
                policy=policy,
                job_id=job_id,
            )
            _write_markers(org, now, offers, comps, res, rows, seen)
            written["skipped"] = seen.get("skipped", 0)
        t3 = time.perf_counter()
        if job_id is not None:
            job_advance(job_id=job_id, done=len(res) + seen.get("skipped", 0))
        return offers, res, written, (("load", t1 - t0), ("compute", t2 - t1), ("write", t3 - t2))

    def merge(done) -> None:
        if done is None:
            return
        offers, res, written, timings = done
        _tally(out, res)
        if dry_run:
            frames.append(res.assign(currency=offers["currency"].to_numpy()))
        else:
            for key, dt in written.pop("steps").items():
                out.timings[f"write_{key}"] = round(out.timings.get(f"write_{key}", 0) + dt, 3)
            for key, value in written.items():
                out.counts[key] += value
        for key, dt in timings:
            out.timings[key] = round(out.timings[key] + dt, 3)

    try:
        chunks = list(_chunks(org, store, chunk_size))
        workers = _parallel_writers(len(chunks), dry_run)
        if workers == 1:
            for lo, hi in chunks:
                merge(process(lo, hi))
        else:
            # A big store's chunks run on two connections at once, so PostgreSQL's share of the
            # work (UPDATE, inserts, index and key checks) uses both cores.
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reprice") as pool:
                for done in pool.map(lambda bounds: _in_own_connection(process, *bounds), chunks):
                    merge(done)
    except Exception as exc:
        if run is not None:
            RepricingRun.objects.for_org(org).filter(pk=run.pk).update(
                status=RepricingRun.Status.FAILED, error=str(exc)[:4000], finished_at=timezone.now()
            )
        raise
    out.timings.update(ctx.timings)
    if dry_run:
        out.results = pd.concat(frames, ignore_index=True) if frames else None
    else:
        extra = ("daily_limit", "already_proposed", "conflicts", "skipped")
        counts = {k: v for k, v in out.counts.items() if k not in extra}
        I.state_save(org=org, store=store, fingerprint=fingerprint, rates=ctx.rates,
                     full=not ctx.incremental, now=now)  # fmt: skip
        RepricingRun.objects.for_org(org).filter(pk=run.pk).update(
            status=RepricingRun.Status.SUCCEEDED,
            finished_at=timezone.now(),
            report={
                **out.report,
                **{k: out.counts[k] for k in extra},
                "mode": out.report_mode,
            },
            timings=out.timings,
            **counts,
        )
    log.info("repriced store %s: %s in %s", store.pk, out.counts, out.timings)
    return out
