"""The per-offer frame: landed cost, fees, VAT, ceilings, bad-input flags, strategy parameters.

Vectorised over the offers of a chunk; the small tables (assignments, fee tiers, cost profiles,
referral fees) are a handful of rows each, looped over as tables, never per offer.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from django.utils import timezone

from apps.core.money import CURRENCIES

from .. import strategies as S
from ..models import FulfilmentFeeTier, Strategy, StrategyAssignment
from .context import _Context, _Rates, _units


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
            **_stock_risk_columns(ctx, raw["product_id"].to_numpy(dtype=np.int64)),
            "changes_today": raw["changes_today"].to_numpy(dtype=np.int64),
            "price_version": raw["price_version"].to_numpy(dtype=np.int64),
            "inputs": raw["inputs"].to_numpy(dtype=np.int64),
            "comp_version": raw["comp_version"].to_numpy(dtype=np.int64),
            "bad": bad,
        }
    )
    offers = _assign_strategies(offers, ctx.org, ctx.store, ctx.override)
    ctx.lap("load_costs", t)
    return offers


def _stock_risk_columns(ctx: _Context, product_ids: np.ndarray) -> dict[str, np.ndarray]:
    """Logistics' stock-out risk of each offer's product, as whole days from the run's date
    (one sorted lookup over the chunk): `lx_known`, `lx_cover` (days of cover, NaN: no
    demand), `lx_left` (days to the projected stock-out, inf: none), `lx_arrival` (days to
    the next inbound arrival, NaN: none) and the dates themselves (days since 1970, -1: none)
    for the evidence."""
    risk = ctx.stock_risk
    n = len(product_ids)
    known = np.zeros(n, dtype=bool)
    idx = np.zeros(n, dtype=np.int64)
    if len(risk):
        keys = risk["product_id"].to_numpy(dtype=np.int64)
        pos = np.minimum(np.searchsorted(keys, product_ids), len(keys) - 1)
        known = keys[pos] == product_ids
        idx = pos
    today = np.datetime64(timezone.localdate(ctx.now), "D").astype(np.int64)

    def days(col: str) -> np.ndarray:
        if not len(risk):
            return np.full(n, -1, dtype=np.int64)
        values = risk[col].to_numpy(dtype="datetime64[D]")[idx]
        out = values.astype(np.int64)
        return np.where(known & ~np.isnat(values), out, -1)

    out_day, arrival_day = days("stockout_date"), days("next_arrival")
    cover = risk["cover_days"].to_numpy(dtype=np.float64)[idx] if len(risk) else np.full(n, np.nan)
    return {
        "lx_known": known,
        "lx_cover": np.where(known, cover, np.nan),
        "lx_left": np.where(out_day >= 0, out_day - today, np.inf).astype(np.float64),
        "lx_arrival": np.where(arrival_day >= 0, arrival_day - today, np.nan).astype(np.float64),
        "lx_stockout_day": out_day,
        "lx_arrival_day": arrival_day,
    }
