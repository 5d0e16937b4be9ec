"""Each strategy, scenario, inventory tweak and guardrail, with exact prices.

Shared set-up unless a test says otherwise: landed cost 10.00 USD, referral 15 %, no VAT →
break-even 10 / 0.85 = 11.7648 (rounded up to a unit of 0.0001); floor at +5 % = 12.3531 →
12.99 on a .99 ending; ceiling at +200 % = 35.2943 → 34.99; current price 20.00; max change
10 % per run (18.00 … 22.00 → 18.99 … 21.99 on .99 endings).
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from apps.pricing.strategies import NO_PRICE, STRATEGY_COLUMNS, compute, to_decimal

D = Decimal


def offer(**kw) -> dict:
    row = {
        "listing_id": 1,
        "old": 200_000,
        "currency": "USD",
        "landed": 100_000.0,
        "ref_mp": 15_000,
        "ref_min": 0.0,
        "vat_mp": 0,
        "ceiling_abs": NO_PRICE,
        "stock": 100,
        "units_per_day": 0.0,
        "stock_age_days": 0,
        "lead_time": -1,
        "changes_today": 0,
        "bad": "",
    }
    row.update({k: default for k, (_, default) in STRATEGY_COLUMNS.items()})
    row["strategy_id"] = 1
    row.update(kw)
    return row


def comp(total: str, *, offer_id=7, fulfilment="fba", rating=95.0, buy_box=False, own=False,
         age=1.0) -> dict:  # fmt: skip
    return {
        "listing_id": 1,
        "offer_id": offer_id,
        "total": int(D(total) * 10_000),
        "fulfilment": fulfilment,
        "rating": rating,
        "is_buy_box": buy_box,
        "is_own": own,
        "age_hours": age,
    }


def run(comps=(), **kw):
    cols = ["listing_id", "offer_id", "total", "fulfilment", "rating", "is_buy_box", "is_own",
            "age_hours"]  # fmt: skip
    res = compute(pd.DataFrame([offer(**kw)]), pd.DataFrame(list(comps), columns=cols))
    r = res.iloc[0]
    return r, to_decimal(r.new) if r.new != NO_PRICE else None


def test_cost_lines_give_floor_and_ceiling():
    r, _ = run()
    assert (to_decimal(r.break_even), to_decimal(r.floor), to_decimal(r.ceiling)) == (
        D("11.7648"),
        D("12.99"),
        D("34.99"),
    )


def test_target_margin_prices_at_the_margin_on_the_net_price():
    # 20 % margin: P = 10 / (0.8 − 0.15) = 15.3847 → 14.99 (rounded down to a .99 ending).
    r, new = run(kind="target_margin", max_change_mp=50_000)
    assert (new, r.binding, r.reason) == (D("14.99"), "ending", "target_margin")


def test_match_lowest_and_step_limit():
    r, new = run([comp("18.50")], kind="match_lowest")
    assert (new, r.binding) == (D("18.99"), "step_limit")  # 10 % of 20.00 = 18.00 → 18.99
    r, new = run([comp("19.49")], kind="match_lowest")
    assert (new, r.binding) == (D("18.99"), "ending")


def test_beat_lowest_by_amount_and_by_percent():
    _, new = run([comp("21.00"), comp("19.60", offer_id=8)], kind="beat_lowest_amount",
                 beat_amount=5_000)  # fmt: skip
    assert new == D("18.99")  # 19.10 → the .99 ending below
    _, new = run([comp("20.00")], kind="beat_lowest_pct", beat_mp=2_000)
    assert new == D("18.99")  # 20.00 × 0.98 = 19.60 → the .99 ending below


def test_step_under_the_buy_box():
    r, new = run([comp("17.00"), comp("21.50", offer_id=9, buy_box=True)],
                 kind="step_under_buy_box", beat_amount=100)  # fmt: skip
    # Buy Box 21.50 − 0.01 = 21.49 → 20.99 (ending), ignoring the cheaper non-Buy-Box offer.
    assert (new, int(r.buy_box)) == (D("20.99"), 215_000)


def test_hold_while_holding_the_buy_box():
    own = comp("20.00", offer_id=5, own=True, buy_box=True)
    r, new = run([own, comp("18.50")], kind="match_lowest", hold_buy_box=True)
    assert (new, bool(r.changed), r.binding) == (D("20.00"), False, "buy_box_hold")
    _, new = run([own, comp("18.50")], kind="match_lowest", hold_buy_box=False)
    assert new == D("18.99")


@pytest.mark.parametrize(
    ("choice", "expected"),
    [("floor", "12.99"), ("hold", "20.00"), ("ceiling", "34.99"), ("target_margin", "14.99")],
)
def test_no_competitor_scenarios(choice, expected):
    r, new = run([], kind="match_lowest", no_competitor=choice, max_change_mp=100_000)
    assert new == D(expected) and r.reason == f"no_competitor:{choice}"


def test_scenarios_respect_the_step_limit():
    _, new = run([], kind="match_lowest", no_competitor="ceiling")
    assert new == D("21.99")  # 34.99 is beyond +10 % of 20.00


@pytest.mark.parametrize(
    ("choice", "expected"),
    [("floor", "12.99"), ("hold", "20.00"), ("ceiling", "34.99")],
)
def test_competitor_below_the_floor_scenarios(choice, expected):
    r, new = run([comp("11.00")], kind="match_lowest", competitor_below_floor=choice,
                 max_change_mp=100_000)  # fmt: skip
    assert new == D(expected) and r.reason == f"competitor_below_floor:{choice}"


def test_competitor_at_the_floor_scenario():
    # Lowest 13.05: beating it by 0.80 crosses the floor (12.3531) → "at floor" scenario.
    r, new = run([comp("13.05")], kind="beat_lowest_amount", beat_amount=8_000,
                 competitor_at_floor="ceiling", max_change_mp=100_000)  # fmt: skip
    assert (new, r.reason) == (D("34.99"), "competitor_at_floor:ceiling")
    r, new = run([comp("13.05")], kind="beat_lowest_amount", beat_amount=8_000,
                 max_change_mp=100_000)  # fmt: skip
    assert (new, r.binding, bool(r.at_floor)) == (D("12.99"), "floor", True)


def test_competitor_filters():
    fbm = comp("15.00", offer_id=1, fulfilment="fbm")
    low_rated = comp("15.50", offer_id=2, rating=60.0)
    stale = comp("16.00", offer_id=3, age=100.0)
    own = comp("16.50", offer_id=4, own=True)
    fine = comp("19.50", offer_id=5)
    r, _ = run([fbm, low_rated, stale, own, fine], kind="match_lowest",
               fulfilment_types="fba", min_rating=90.0)  # fmt: skip
    assert (int(r.comp_low), int(r.comp_offer_id)) == (195_000, 5)
    r, _ = run([own, fine], kind="match_lowest", ignore_own_stores=False)
    assert int(r.comp_offer_id) == 4


def test_inventory_raise_on_low_cover_and_lower_for_ageing_stock():
    # 10 units at 2/day = 5 days of cover < 30 days lead time → +5 %: 19.50 → 20.475 → 19.99.
    r, new = run([comp("19.50")], kind="match_lowest", stock=10, units_per_day=2.0,
                 low_cover_raise_mp=5_000)  # fmt: skip
    assert (new, r.reason) == (D("19.99"), "match_lowest+low_cover")
    r, new = run([comp("21.00")], kind="match_lowest", stock_age_days=200, ageing_days=180,
                 ageing_lower_mp=10_000)  # fmt: skip
    assert (new, r.reason) == (D("18.99"), "match_lowest+ageing_stock")  # 18.90 → ending


def test_below_floor_goes_straight_to_the_floor_whatever_the_step():
    r, new = run([comp("30.00")], kind="match_lowest", old=80_000)  # 8.00, floor 12.99
    assert (new, r.binding, bool(r.raised_to_floor)) == (D("12.99"), "below_floor", True)


def test_above_ceiling_comes_down_to_the_ceiling():
    r, new = run([comp("50.00")], kind="match_lowest", old=600_000)
    assert (new, r.binding) == (D("34.99"), "ceiling")


def test_ending_never_takes_a_price_below_the_floor():
    # Floor 12.3531: a .99 ending rounds *up* to 12.99, never down to 11.99.
    r, new = run([comp("12.40")], kind="match_lowest", max_change_mp=100_000)
    assert (new, r.binding) == (D("12.99"), "floor")


def test_ceiling_below_floor_is_not_repriced_and_reported():
    r, new = run([comp("18.00")], kind="match_lowest", ceiling_abs=120_000)
    assert (r.status, new, bool(r.changed)) == ("ceiling_below_floor", D("20.00"), False)


def test_daily_change_limit():
    r, new = run([comp("18.50")], kind="match_lowest", changes_today=2, max_changes_per_day=2)
    assert (r.status, new) == ("daily_limit", D("20.00"))


def test_yen_prices_are_whole_and_vat_inclusive_break_even():
    # 1,000 JPY landed, 10 % VAT, 15 % referral: P = 1000 / (1/1.1 − 0.15) = 1317.37…
    r, new = run([comp("1500")], kind="match_lowest", currency="JPY", old=15_000_000,
                 landed=10_000_000.0, vat_mp=10_000)  # fmt: skip
    assert to_decimal(r.break_even) == D("1317.3653")
    assert new == D("1500")


def test_referral_minimum_raises_break_even():
    # 15 % of a cheap price is below the 1.00 minimum: break-even = landed + 1.00.
    r, _ = run(landed=20_000.0, ref_min=10_000.0)
    assert to_decimal(r.break_even) == D("3.0000")
