"""The repricing calculation: strategies, scenarios, inventory tweaks and guardrails, vectorised.

Pure functions over pandas/NumPy frames, no database: the engine (apps.pricing.engine) loads
the frames set-based and writes the result back; the simulator and the property tests call
`compute` directly.

Amounts are int64 in UNITS = 1/10,000 of the currency (the 4 decimal places of MoneyField), so
every guardrail comparison is exact integer arithmetic. Percentages are int64 milli-percent
(the 3 decimals of the percentage fields: 12.5 % = 12,500). Only the break-even and target-margin
prices, which divide by fee and VAT factors, go through float64 and are rounded up to a unit at
once (never down, so a floor is never under the true one).

Order of the guardrails (the floor wins over everything):
 1. bad input (negative cost, unknown currency, missing exchange rate, competitor price 0,
    no unit cost) → the offer keeps its price, reported;
 2. a ceiling below the floor — or no valid price ending between them — → not repriced, reported;
 3. the daily change limit reached → not repriced;
 4. the strategy's target (with scenarios and inventory tweaks), "hold the Buy Box";
 5. clamp into [floor, ceiling], then into ± max change per run of the current price — except
    an offer below its floor goes straight to the floor whatever the step, and one above its
    ceiling comes down to the ceiling;
 6. price endings inside those bounds: a target rounds down to the nearest valid ending, but a
    bound rounds inwards, so an ending never takes a price below the floor (it rounds up).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from apps.core.money import CURRENCIES, ZERO_DECIMAL_CURRENCIES

from .cover import cover as stock_cover

UNITS = 10_000  # int units per currency unit
MP = 100_000  # milli-percent per 1.0
NO_PRICE = -1  # "no current price" / "no absolute ceiling" in int columns
NINETY_NINE_CURRENCIES = frozenset({"USD", "EUR", "GBP"})

# Status of each offer after a pass.
OK, BAD_INPUT, CEILING_BELOW_FLOOR, DAILY_LIMIT, NO_STRATEGY = (
    "ok",
    "bad_input",
    "ceiling_below_floor",
    "daily_limit",
    "no_strategy",
)

STRATEGY_COLUMNS = {
    # name: (dtype, default) — per-offer strategy parameters, merged from Strategy rows.
    "strategy_id": ("int64", 0),
    "kind": ("object", "target_margin"),
    "target_margin_mp": ("int64", 20 * 1000),
    "beat_amount": ("int64", 0),
    "beat_mp": ("int64", 0),
    "hold_buy_box": ("bool", False),
    "no_competitor": ("object", "target_margin"),
    "competitor_below_floor": ("object", "floor"),
    "competitor_at_floor": ("object", "floor"),
    "lead_time_days": ("int64", 30),
    "low_cover_raise_mp": ("int64", 0),
    "ageing_days": ("int64", -1),
    "ageing_lower_mp": ("int64", 0),
    "min_margin_mp": ("int64", 5 * 1000),
    "ceiling_margin_mp": ("int64", 200 * 1000),
    "max_change_mp": ("int64", 10 * 1000),
    "max_changes_per_day": ("int64", 24),
    "price_ending": ("object", "auto"),
    # competitor filters
    "fulfilment_types": ("object", ""),  # comma-separated, "" = all
    "min_rating": ("float64", np.nan),
    "ignore_own_stores": ("bool", True),
    "max_age_hours": ("float64", 48.0),
}


@dataclass(frozen=True)
class StrategyParams:
    """One strategy as the compute functions take it (from a Strategy row or built in tests)."""

    values: dict

    @classmethod
    def from_model(cls, s) -> StrategyParams:
        return cls(
            {
                "strategy_id": s.pk or 0,
                "kind": s.kind,
                "target_margin_mp": mp(s.target_margin_pct),
                "beat_amount": units(s.beat_amount),
                "beat_mp": mp(s.beat_pct),
                "hold_buy_box": bool(s.hold_buy_box),
                "no_competitor": s.no_competitor,
                "competitor_below_floor": s.competitor_below_floor,
                "competitor_at_floor": s.competitor_at_floor,
                "lead_time_days": int(s.lead_time_days),
                "low_cover_raise_mp": mp(s.low_cover_raise_pct),
                "ageing_days": -1 if s.ageing_days is None else int(s.ageing_days),
                "ageing_lower_mp": mp(s.ageing_lower_pct),
                "min_margin_mp": mp(s.min_margin_pct),
                "ceiling_margin_mp": mp(s.ceiling_margin_pct),
                "max_change_mp": mp(s.max_change_pct),
                "max_changes_per_day": int(s.max_changes_per_day),
                "price_ending": s.price_ending,
                "fulfilment_types": ",".join(s.fulfilment_types or []),
                "min_rating": np.nan if s.min_rating is None else float(s.min_rating),
                "ignore_own_stores": bool(s.ignore_own_stores),
                "max_age_hours": float(s.max_age_hours),
            }
        )


def units(amount) -> int:
    """A Decimal (or int) amount as int units, half-up."""
    from decimal import ROUND_HALF_UP, Decimal

    return int((Decimal(amount) * UNITS).to_integral_value(rounding=ROUND_HALF_UP))


def mp(pct) -> int:
    from decimal import ROUND_HALF_UP, Decimal

    return int((Decimal(pct) * 1000).to_integral_value(rounding=ROUND_HALF_UP))


def to_decimal(value: int):
    from decimal import Decimal

    return Decimal(int(value)) / UNITS


# --------------------------------------------------------------------------- price endings


def ending_grid(currency: pd.Series, ending: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(step, offset) in units per offer: valid prices are offset + k × step."""
    cur = currency.to_numpy(dtype=object)
    end = ending.to_numpy(dtype=object)
    zero_dec = np.isin(cur, list(ZERO_DECIMAL_CURRENCIES))
    auto99 = np.isin(cur, list(NINETY_NINE_CURRENCIES))
    cents = np.where(zero_dec, UNITS, 100)
    step = np.select(
        [end == "none", end == "auto", zero_dec],
        [cents, np.where(auto99 | zero_dec, UNITS, 100), UNITS],
        default=UNITS,
    ).astype(np.int64)
    offset = np.select(
        [zero_dec | (end == "none") | (end == "00"), end == "99", end == "95", end == "auto"],
        [0, 9900, 9500, np.where(auto99, 9900, 0)],
        default=0,
    ).astype(np.int64)
    return step, offset


def end_down(x: np.ndarray, step: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """Largest valid price ≤ x."""
    return ((x - offset) // step) * step + offset


def end_up(x: np.ndarray, step: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """Smallest valid price ≥ x."""
    return -((offset - x) // step) * step + offset


def is_valid_ending(x: np.ndarray, step: np.ndarray, offset: np.ndarray) -> np.ndarray:
    return (x - offset) % step == 0


# --------------------------------------------------------------------------- cost arithmetic


def _ceil_units(x: np.ndarray) -> np.ndarray:
    """Round float units up, ignoring float noise far below one unit."""
    with np.errstate(invalid="ignore"):
        return np.ceil(np.nan_to_num(x, nan=0.0, posinf=0.0) - 1e-6).astype(np.int64)


def price_for_margin(
    landed: np.ndarray, ref_mp: np.ndarray, ref_min: np.ndarray, vat_mp: np.ndarray, margin_mp
) -> tuple[np.ndarray, np.ndarray]:
    """Lowest buyer price whose profit is `margin` of the net (ex-VAT) price; (units, reachable).

    profit(P) = P/(1+v) − max(r·P, m) − landed; margin 0 gives the break-even price.
    """
    v = vat_mp / MP
    r = ref_mp / MP
    t = np.asarray(margin_mp, dtype=np.float64) / MP
    denom = (1 - t) / (1 + v) - r
    reachable = (denom > 0) & (t < 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        by_pct = np.where(reachable, landed / np.where(denom > 0, denom, 1), np.inf)
        by_min = np.where(t < 1, (landed + ref_min) * (1 + v) / np.where(t < 1, 1 - t, 1), np.inf)
    price = np.maximum(by_pct, by_min)
    return _ceil_units(np.where(reachable, price, 0)), reachable


def margin_at(
    price: np.ndarray, landed: np.ndarray, ref_mp, ref_min, vat_mp
) -> tuple[np.ndarray, np.ndarray]:
    """(profit in float units, margin % of the net price) at `price`."""
    p = price.astype(np.float64)
    net = p / (1 + vat_mp / MP)
    profit = net - np.maximum(p * ref_mp / MP, ref_min) - landed
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = np.where(net > 0, profit / net * 100, np.nan)
    return profit, margin


# --------------------------------------------------------------------------- competitors


FULFILMENT_BITS = {"fba": 1, "fbm": 2, "other": 4}


def fulfilment_mask(types: pd.Series) -> np.ndarray:
    """Comma-separated fulfilment types → bit mask per row (0 = all types count)."""

    def one(value: str) -> int:
        return sum(FULFILMENT_BITS.get(t.strip(), 0) for t in str(value or "").split(",") if t)

    return types.map({v: one(v) for v in types.unique()}).to_numpy(dtype=np.int64)


def best_competitors(offers: pd.DataFrame, comps: pd.DataFrame) -> pd.DataFrame:
    """Per offer (same order): lowest eligible competitor (total, offer id), Buy Box, bad flags.

    `comps` columns: listing_id, offer_id, total (units in the listing currency; NO_PRICE when no
    exchange rate converts it), fulfilment, rating, is_buy_box, is_own, age_hours — each seller's
    latest observation (the loader keeps it). Eligibility uses the offer's strategy filters.
    """
    n = len(offers)
    comp_low = np.full(n, NO_PRICE, dtype=np.int64)
    comp_offer = np.zeros(n, dtype=np.int64)
    buy_box = np.full(n, NO_PRICE, dtype=np.int64)
    holds = np.zeros(n, dtype=bool)
    comp_bad = np.full(n, "", dtype=object)
    result = {
        "comp_low": comp_low,
        "comp_offer_id": comp_offer,
        "buy_box": buy_box,
        "holds_buy_box": holds,
        "comp_bad": comp_bad,
    }
    if comps.empty or n == 0:
        return pd.DataFrame(result)
    # Position of each competitor's offer row (no merge: a sorted search over listing ids).
    ids = offers["listing_id"].to_numpy(dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    cl = comps["listing_id"].to_numpy(dtype=np.int64)
    where = np.searchsorted(ids[order], cl)
    where = np.minimum(where, n - 1)
    known = ids[order][where] == cl
    pos = order[where]
    age_ok = (
        comps["age_hours"].to_numpy(dtype=np.float64)
        <= offers["max_age_hours"].to_numpy(dtype=np.float64)[pos]
    )
    keep = known & age_ok
    pos = pos[keep]
    total = comps["total"].to_numpy(dtype=np.int64)[keep]
    own = comps["is_own"].to_numpy(dtype=bool)[keep]
    flag = comps["is_buy_box"].to_numpy(dtype=bool)[keep]
    offer_id = comps["offer_id"].to_numpy(dtype=np.int64)[keep]
    # We hold the Buy Box when our own store's fresh observation carries the flag.
    holds[pos[own & flag]] = True
    # Bad competitor data on fresh observations: price 0, or no exchange rate to convert it.
    comp_bad[pos[(total == NO_PRICE) & ~own]] = "competitor_missing_exchange_rate"
    comp_bad[pos[(total == 0) & ~own]] = "competitor_price_zero"
    mask = fulfilment_mask(offers["fulfilment_types"])[pos]
    bits = comps["fulfilment"].map(FULFILMENT_BITS).fillna(4).to_numpy(dtype=np.int64)[keep]
    rating = comps["rating"].to_numpy(dtype=np.float64)[keep]
    min_rating = offers["min_rating"].to_numpy(dtype=np.float64)[pos]
    eligible = (mask == 0) | ((mask & bits) != 0)
    eligible &= np.isnan(min_rating) | (~np.isnan(rating) & (rating >= min_rating))
    eligible &= ~(own & offers["ignore_own_stores"].to_numpy(dtype=bool)[pos])
    eligible &= total > 0
    if eligible.any():
        p, t, i, f = pos[eligible], total[eligible], offer_id[eligible], flag[eligible]
        # Lowest total per offer; ties → the lowest competitor offer id (deterministic).
        srt = np.lexsort((i, t, p))
        p, t, i, f = p[srt], t[srt], i[srt], f[srt]
        first = np.ones(len(p), dtype=bool)
        first[1:] = p[1:] != p[:-1]
        comp_low[p[first]] = t[first]
        comp_offer[p[first]] = i[first]
        # Buy Box: the lowest flagged eligible offer (sorted by total already).
        pb, tb = p[f], t[f]
        if len(pb):
            fb = np.ones(len(pb), dtype=bool)
            fb[1:] = pb[1:] != pb[:-1]
            buy_box[pb[fb]] = tb[fb]
    return pd.DataFrame(result)


# --------------------------------------------------------------------------- the pass


def _scale(x: np.ndarray, factor_mp: np.ndarray, up: bool) -> np.ndarray:
    """x × factor_mp / MP in integers, rounded up or down."""
    prod = x * factor_mp
    return -((-prod) // MP) if up else prod // MP


def compute(offers: pd.DataFrame, comps: pd.DataFrame) -> pd.DataFrame:
    """Price every offer in one vectorised pass; returns one row per offer (same order).

    `offers` columns: listing_id, old (units or NO_PRICE), currency, landed (units, float;
    NaN = unknown), ref_mp, ref_min (units), vat_mp, ceiling_abs (units or NO_PRICE), stock,
    units_per_day, stock_age_days, lead_time (days or -1), changes_today, bad (reason or ""),
    plus the STRATEGY_COLUMNS (strategy_id 0 = no strategy).
    """
    o = offers
    old = o["old"].to_numpy(dtype=np.int64)
    has_old = old > 0
    landed = o["landed"].to_numpy(dtype=np.float64)
    ref_mp = o["ref_mp"].to_numpy(dtype=np.int64)
    ref_min = o["ref_min"].to_numpy(dtype=np.float64)
    vat_mp = o["vat_mp"].to_numpy(dtype=np.int64)
    currency = o["currency"]
    comp = best_competitors(o, comps)
    comp_low = comp["comp_low"].to_numpy()
    buy_box = comp["buy_box"].to_numpy()

    # 1. bad input, first reason wins.
    bad = o["bad"].to_numpy(dtype=object).copy()
    unknown_cur = ~currency.isin(CURRENCIES).to_numpy()
    checks = [
        (unknown_cur, "unknown_currency"),
        (np.isnan(landed), "missing_cost"),
        (~np.isnan(landed) & (landed < 0), "negative_cost"),
        (ref_min < 0, "negative_cost"),
        (comp["comp_bad"].to_numpy(dtype=object) != "", None),
    ]
    for mask, why in checks:
        reason = comp["comp_bad"].to_numpy(dtype=object) if why is None else why
        bad = np.where((bad == "") & mask, reason, bad)
    is_bad = bad != ""
    landed = np.where(is_bad, 0.0, landed)

    # 2. floor, ceiling, endings.
    step, offset = ending_grid(currency.where(~unknown_cur, "USD"), o["price_ending"])
    break_even, _ = price_for_margin(landed, ref_mp, ref_min, vat_mp, 0)
    min_m = o["min_margin_mp"].to_numpy(dtype=np.int64)
    floor = np.maximum(_scale(break_even, MP + min_m, up=True), 1)
    ceiling = _scale(break_even, MP + o["ceiling_margin_mp"].to_numpy(dtype=np.int64), up=False)
    ceiling_abs = o["ceiling_abs"].to_numpy(dtype=np.int64)
    ceiling = np.where(ceiling_abs > 0, np.minimum(ceiling, ceiling_abs), ceiling)
    floor_e = end_up(floor, step, offset)
    ceil_e = end_down(ceiling, step, offset)
    no_band = ~is_bad & (ceil_e < floor_e)

    strategy_id = o["strategy_id"].to_numpy(dtype=np.int64)
    no_strategy = strategy_id == 0
    limited = o["changes_today"].to_numpy(dtype=np.int64) >= o["max_changes_per_day"].to_numpy(
        dtype=np.int64
    )

    # 3. strategy targets.
    kind = o["kind"].to_numpy(dtype=object)
    beat_amount = o["beat_amount"].to_numpy(dtype=np.int64)
    beat_mp = o["beat_mp"].to_numpy(dtype=np.int64)
    tm_price, tm_ok = price_for_margin(
        landed, ref_mp, ref_min, vat_mp, o["target_margin_mp"].to_numpy(dtype=np.int64)
    )
    tm_price = np.where(tm_ok, tm_price, ceiling)
    has_comp = comp_low > 0
    minor = np.where(
        np.isin(currency.to_numpy(dtype=object), list(ZERO_DECIMAL_CURRENCIES)), UNITS, 100
    )
    bb_step = np.where((beat_amount == 0) & (beat_mp == 0), minor, beat_amount)
    bb_ref = np.where(buy_box > 0, buy_box, comp_low)
    comp_target = np.select(
        [
            kind == "match_lowest",
            kind == "beat_lowest_amount",
            kind == "beat_lowest_pct",
            kind == "step_under_buy_box",
        ],
        [
            comp_low,
            comp_low - beat_amount,
            _scale(comp_low, MP - beat_mp, up=False),
            _scale(bb_ref, MP - beat_mp, up=False) - bb_step,
        ],
        default=tm_price,
    )
    uses_comp = kind != "target_margin"
    hold_price = np.where(has_old, old, tm_price)

    def scenario(name_col: str) -> np.ndarray:
        choice = o[name_col].to_numpy(dtype=object)
        return np.select(
            [choice == "floor", choice == "hold", choice == "ceiling"],
            [floor, hold_price, ceiling],
            default=tm_price,
        )

    def chose_hold(name_col: str) -> np.ndarray:
        return o[name_col].to_numpy(dtype=object) == "hold"

    below = uses_comp & has_comp & (comp_low < floor)
    at = uses_comp & has_comp & ~below & (comp_target < floor)
    none = uses_comp & ~has_comp
    target = np.select(
        [~uses_comp, none, below, at],
        [
            tm_price,
            scenario("no_competitor"),
            scenario("competitor_below_floor"),
            scenario("competitor_at_floor"),
        ],
        default=comp_target,
    )
    holding = (none & chose_hold("no_competitor")) | (below & chose_hold("competitor_below_floor"))
    holding |= at & chose_hold("competitor_at_floor")
    reason = np.select(
        [~uses_comp, none, below, at],
        [
            "target_margin",
            "no_competitor:" + o["no_competitor"].astype(str),
            "competitor_below_floor:" + o["competitor_below_floor"].astype(str),
            "competitor_at_floor:" + o["competitor_at_floor"].astype(str),
        ],
        default=o["kind"].astype(str).to_numpy(dtype=object),
    ).astype(object)

    # Inventory: raise when cover is short (logistics' stock-out risk where it knows the
    # product, else stock / velocity < lead time; apps.pricing.cover), lower for ageing stock.
    lead = o["lead_time"].to_numpy(dtype=np.int64)
    lead = np.where(lead >= 0, lead, o["lead_time_days"].to_numpy(dtype=np.int64))
    cov = stock_cover(o, lead)
    raise_mp = o["low_cover_raise_mp"].to_numpy(dtype=np.int64)
    low_cover = cov.short & (raise_mp > 0)
    target = np.where(low_cover, _scale(target, MP + raise_mp, up=False), target)
    ageing_days = o["ageing_days"].to_numpy(dtype=np.int64)
    lower_mp = o["ageing_lower_mp"].to_numpy(dtype=np.int64)
    ageing = (ageing_days >= 0) & (o["stock_age_days"].to_numpy(dtype=np.int64) >= ageing_days)
    ageing &= (lower_mp > 0) & ~low_cover
    target = np.where(ageing, _scale(target, MP - lower_mp, up=False), target)
    reason = np.where(low_cover, reason + "+low_cover", reason)
    reason = np.where(ageing, reason + "+ageing_stock", reason)

    # Don't lower while holding the Buy Box.
    bb_hold = o["hold_buy_box"].to_numpy(dtype=bool) & comp["holds_buy_box"].to_numpy() & has_old
    bb_hold &= target < old
    target = np.where(bb_hold, old, target)

    # 4-5. guardrails: bounds on valid endings, then the step limit around the current price.
    s_mp = o["max_change_mp"].to_numpy(dtype=np.int64)
    lo_step = np.where(has_old, end_up(_scale(old, MP - s_mp, up=True), step, offset), floor_e)
    hi_step = np.where(has_old, end_down(_scale(old, MP + s_mp, up=False), step, offset), ceil_e)
    lo = np.maximum(floor_e, lo_step)
    hi = np.minimum(ceil_e, hi_step)
    wanted = end_down(np.clip(target, floor_e, ceil_e), step, offset)
    wanted = np.maximum(wanted, floor_e)  # rounding down never crosses the floor
    # Holding (a "hold" scenario, or the Buy Box) keeps a price inside the guardrails as is,
    # even when it is not on a price ending.
    holding = (holding | bb_hold) & has_old & ~low_cover & ~ageing & (old >= floor)
    holding &= old <= ceiling
    band = lo <= hi
    below_floor = has_old & (old < floor)
    above_ceiling = has_old & (old > ceiling)
    new = np.select(
        [holding, band, below_floor, above_ceiling],
        [old, np.clip(wanted, lo, hi), floor_e, ceil_e],
        default=np.where(has_old, old, wanted),
    )
    binding = np.select(
        [
            below_floor,
            above_ceiling & ((new == ceil_e) | ~band),
            bb_hold,
            band & (wanted < lo) & (lo == floor_e),
            band & (wanted > hi) & (hi == ceil_e),
            band & ((wanted < lo) | (wanted > hi)),
            ~band,
            (target < floor_e) & (new == floor_e),
            (target > ceil_e) & (new == ceil_e),
            new != target,
        ],
        [
            "below_floor",
            "ceiling",
            "buy_box_hold",
            "floor",
            "ceiling",
            "step_limit",
            "step_limit",
            "floor",
            "ceiling",
            "ending",
        ],
        default="strategy",
    ).astype(object)

    status = np.select(
        [is_bad, no_strategy, no_band, limited],
        [BAD_INPUT, NO_STRATEGY, CEILING_BELOW_FLOOR, DAILY_LIMIT],
        default=OK,
    ).astype(object)
    keeps = status != OK
    new = np.where(keeps, np.where(has_old, old, NO_PRICE), new)
    changed = ~keeps & (new != old)
    profit_new, margin_new = margin_at(new, landed, ref_mp, ref_min, vat_mp)
    _, margin_old = margin_at(old, landed, ref_mp, ref_min, vat_mp)
    return pd.DataFrame(
        {
            "listing_id": o["listing_id"].to_numpy(),
            "old": old,
            "new": new,
            "changed": changed,
            "status": status,
            "bad_reason": np.where(status == BAD_INPUT, bad, ""),
            "binding": binding,
            "reason": reason,
            "break_even": break_even,
            "floor": floor_e,
            "ceiling": ceil_e,
            "comp_low": comp_low,
            "comp_offer_id": comp["comp_offer_id"].to_numpy(),
            "buy_box": buy_box,
            "raised_to_floor": changed & below_floor,
            "at_floor": (status == OK) & (new == floor_e),
            "profit_new": np.where(has_old | changed, profit_new, np.nan),
            "margin_new": np.where(new > 0, margin_new, np.nan),
            "margin_old": np.where(has_old & ~is_bad, margin_old, np.nan),
            "strategy_id": strategy_id,
            "step": step,
            "offset": offset,
            # The low-cover rule's evidence (cover_source "" where it did not raise).
            "cover_source": np.where(low_cover, cov.source, ""),
            "cover_days": np.where(low_cover, cov.days, np.nan),
            "stockout_day": np.where(low_cover, cov.stockout_day, -1),
            "arrival_day": np.where(low_cover, cov.arrival_day, -1),
        }
    )
