"""Property tests of the repricing calculation (hypothesis), for any costs, competitors, strategies.

- never below the floor, never above the ceiling;
- never more than the maximum change per run, except to climb to the floor (or, when the
  current price is above the ceiling, to come down to it: the ceiling is a guardrail too);
- always a valid price ending (.99 in USD/EUR/GBP by default, whole yen in JPY);
- the floor is break-even × (1 + minimum margin), break-even computed independently in Decimal;
- the same inputs give the same prices, whatever the order of the rows;
- bad input (negative cost, unknown currency, missing rate, competitor price 0) is reported and
  the offer keeps its price; the rest of the store is priced.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.pricing.strategies import (
    BAD_INPUT,
    MP,
    NO_PRICE,
    OK,
    STRATEGY_COLUMNS,
    UNITS,
    compute,
)

CURRENCIES = ["USD", "EUR", "GBP", "JPY", "CNY", "CAD"]


def rarely(usual, unusual, one_in: int = 25):
    """Mostly `usual`, one draw in `one_in` from `unusual` (bad input stays the exception)."""
    return st.integers(1, one_in).flatmap(lambda n: unusual if n == 1 else usual)


strategy_params = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(
            [
                "target_margin",
                "match_lowest",
                "beat_lowest_amount",
                "beat_lowest_pct",
                "step_under_buy_box",
            ]
        ),
        "target_margin_mp": st.integers(-20_000, 95_000),
        "beat_amount": st.integers(0, 50_000),
        "beat_mp": st.integers(0, 30_000),
        "hold_buy_box": st.booleans(),
        "no_competitor": st.sampled_from(["floor", "hold", "ceiling", "target_margin"]),
        "competitor_below_floor": st.sampled_from(["floor", "hold", "ceiling", "target_margin"]),
        "competitor_at_floor": st.sampled_from(["floor", "hold", "ceiling", "target_margin"]),
        "lead_time_days": st.integers(0, 90),
        "low_cover_raise_mp": st.integers(0, 30_000),
        "ageing_days": st.integers(-1, 365),
        "ageing_lower_mp": st.integers(0, 50_000),
        "min_margin_mp": st.integers(-10_000, 50_000),
        "ceiling_margin_mp": st.integers(0, 400_000),
        "max_change_mp": st.integers(0, 60_000),
        "max_changes_per_day": st.integers(1, 4),
        "price_ending": st.sampled_from(["auto", "none", "99", "95", "00"]),
        "fulfilment_types": st.sampled_from(["", "fba", "fbm", "fba,fbm"]),
        "min_rating": st.one_of(st.just(np.nan), st.floats(0, 100)),
        "ignore_own_stores": st.booleans(),
        "max_age_hours": st.floats(1, 96),
    }
)

offer = st.fixed_dictionaries(
    {
        "old": st.one_of(st.just(NO_PRICE), st.integers(1, 5_000) .map(lambda c: c * 100),
                         st.integers(1, 50_000_000)),
        "currency": rarely(st.sampled_from(CURRENCIES), st.just("XXX")),
        "landed": rarely(
            st.integers(10_000, 3_000_000).map(float),  # 1 to 300 in the listing currency
            st.sampled_from([float("nan"), -1.0, -5_000.0, 0.0, 1.0]),
        ),
        "ref_mp": st.integers(0, 30_000),
        "ref_min": st.integers(0, 20_000).map(float),
        "vat_mp": st.sampled_from([0, 10_000, 19_000, 20_000, 25_000]),
        "ceiling_abs": rarely(st.just(NO_PRICE), st.integers(1, 20_000_000), one_in=5),
        "stock": st.integers(0, 1_000),
        "units_per_day": st.floats(0, 50),
        "stock_age_days": st.integers(0, 400),
        "lead_time": st.integers(-1, 60),
        "changes_today": st.integers(0, 3),
        "bad": rarely(st.just(""), st.just("missing_exchange_rate")),
        "strategy": strategy_params,
        "has_strategy": st.booleans().map(lambda b: b or True),
    }
)  # fmt: skip

competitor = st.fixed_dictionaries(
    {
        "total": rarely(st.integers(1, 4_000_000), st.sampled_from([0, NO_PRICE])),
        "fulfilment": st.sampled_from(["fba", "fbm", "other"]),
        "rating": st.one_of(st.just(np.nan), st.floats(0, 100)),
        "is_buy_box": st.booleans(),
        "is_own": st.booleans(),
        "age_hours": st.floats(0, 120),
    }
)

store = st.lists(st.tuples(offer, st.lists(competitor, max_size=5)), min_size=1, max_size=25)


def frames(rows) -> tuple[pd.DataFrame, pd.DataFrame]:
    offers, comps = [], []
    for i, (o, cs) in enumerate(rows, start=1):
        row = {k: v for k, v in o.items() if k not in ("strategy", "has_strategy")}
        row.update({k: default for k, (_, default) in STRATEGY_COLUMNS.items()})
        row.update(o["strategy"])
        row["strategy_id"] = 1 if o["has_strategy"] else 0
        row["listing_id"] = i
        offers.append(row)
        for j, c in enumerate(cs):
            comps.append({"listing_id": i, "offer_id": i * 10 + j, **c})
    comp_cols = ["listing_id", "offer_id", "total", "fulfilment", "rating", "is_buy_box",
                 "is_own", "age_hours"]  # fmt: skip
    return pd.DataFrame(offers), pd.DataFrame(comps, columns=comp_cols)


def decimal_break_even(landed, ref_mp, ref_min, vat_mp) -> Decimal:
    landed, r = Decimal(int(landed)), Decimal(int(ref_mp)) / MP
    m, v = Decimal(int(ref_min)), Decimal(int(vat_mp)) / MP
    return max(landed / (1 / (1 + v) - r), (landed + m) * (1 + v))


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(store)
def test_guardrails_hold_for_any_inputs(rows):
    offers, comps = frames(rows)
    res = compute(offers, comps)
    assert len(res) == len(offers)
    ok = res["status"].to_numpy() == OK
    changed = res["changed"].to_numpy()
    assert not (changed & ~ok).any()
    for i in np.flatnonzero(ok):
        o, r = offers.iloc[i], res.iloc[i]
        new, old, floor, ceiling = int(r.new), int(r.old), int(r.floor), int(r.ceiling)
        # Floor: break-even × (1 + minimum margin), rounded up to a valid ending.
        be = decimal_break_even(o.landed, o.ref_mp, o.ref_min, o.vat_mp)
        assert int(r.break_even) >= be - Decimal("0.000001")
        assert int(r.break_even) <= be.to_integral_value(ROUND_CEILING)
        min_floor = be * (1 + Decimal(int(o.min_margin_mp)) / MP)
        assert floor >= min_floor - Decimal("0.000001") and floor >= 1
        assert floor <= ceiling
        if not changed[i]:
            continue
        assert new > 0
        assert floor <= new <= ceiling, (new, floor, ceiling)
        if o.ceiling_abs > 0:
            assert new <= o.ceiling_abs
        # A valid ending for the marketplace.
        if o.currency == "JPY":
            assert new % UNITS == 0
        elif (
            o.price_ending == "auto" and o.currency in ("USD", "EUR", "GBP")
        ) or o.price_ending == "99":
            assert new % UNITS == 9_900
        elif o.price_ending == "95":
            assert new % UNITS == 9_500
        elif o.price_ending == "00":
            assert new % UNITS == 0
        else:
            assert new % 100 == 0
        # The step limit, except a climb to the floor or a descent to the ceiling.
        if old > 0:
            within = abs(new - old) * MP <= old * int(o.max_change_mp)
            to_floor = old < floor and new == floor
            to_ceiling = old > ceiling and new == ceiling
            assert within or to_floor or to_ceiling, (old, new, floor, ceiling)


@SETTINGS
@given(store, st.randoms(use_true_random=False))
def test_same_inputs_give_the_same_prices_in_any_row_order(rows, rnd):
    offers, comps = frames(rows)
    first = compute(offers, comps).set_index("listing_id")
    order = list(range(len(offers)))
    rnd.shuffle(order)
    corder = list(range(len(comps)))
    rnd.shuffle(corder)
    again = compute(
        offers.iloc[order].reset_index(drop=True), comps.iloc[corder].reset_index(drop=True)
    ).set_index("listing_id")
    again = again.loc[first.index]
    for col in ("new", "status", "binding", "floor", "ceiling", "comp_low", "comp_offer_id"):
        assert first[col].tolist() == again[col].tolist(), col


@SETTINGS
@given(store, st.sampled_from(["negative_cost", "unknown_currency", "missing_cost", "zero"]))
def test_bad_input_is_reported_and_keeps_its_price(rows, kind):
    offers, comps = frames(rows)
    # Spoil the first offer; the others must still be priced as before.
    clean = compute(offers.iloc[1:].reset_index(drop=True), comps[comps.listing_id != 1])
    spoiled = offers.copy()
    spoiled_comps = comps.copy()
    if kind == "negative_cost":
        spoiled.loc[0, "landed"] = -1.0
    elif kind == "unknown_currency":
        spoiled.loc[0, "currency"] = "XXX"
    elif kind == "missing_cost":
        spoiled.loc[0, "landed"] = np.nan
    else:
        zero = {"listing_id": 1, "offer_id": 999_999, "total": 0, "fulfilment": "fba",
                "rating": 99.0, "is_buy_box": False, "is_own": False, "age_hours": 0.0}  # fmt: skip
        spoiled_comps = pd.concat([comps, pd.DataFrame([zero])], ignore_index=True)
    res = compute(spoiled, spoiled_comps)
    first = res.iloc[0]
    assert first.status == BAD_INPUT and first.bad_reason != ""
    assert not first.changed and first.new == first.old
    if kind == "zero" and spoiled.loc[0, "bad"] == "" and spoiled.loc[0, "currency"] != "XXX":
        lands = spoiled.loc[0, "landed"]
        if not np.isnan(lands) and lands >= 0:
            assert first.bad_reason == "competitor_price_zero"
    rest = res.iloc[1:].reset_index(drop=True)
    assert rest["new"].tolist() == clean["new"].tolist()
    assert rest["status"].tolist() == clean["status"].tolist()
