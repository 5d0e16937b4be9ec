"""The profit-change decomposition adds up exactly, whatever the inputs (hypothesis)."""

from __future__ import annotations

from decimal import Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.analytics.decomposition import COSTS, DRIVERS, Period, decompose, rounded

money = st.decimals(min_value=0, max_value=10**7, places=4, allow_nan=False, allow_infinity=False)
count = st.integers(min_value=0, max_value=10**6)


@st.composite
def periods(draw):
    sessions = draw(st.one_of(st.none(), count))
    orders = draw(count)
    revenue = draw(money) if orders else Decimal(0)
    return Period(
        sessions=sessions,
        orders=Decimal(orders),
        revenue=revenue,
        costs={k: draw(money) for k in COSTS},
    )


@given(periods(), periods())
@settings(max_examples=300, deadline=None)
def test_the_steps_add_up_to_the_profit_change_exactly(before, after):
    steps = decompose(before, after)
    assert [k for k, _ in steps] == [*DRIVERS, *COSTS]
    change = after.profit - before.profit
    with localcontext() as ctx:
        ctx.prec = 40
        gap = abs(sum((v for _, v in steps), Decimal(0)) - change)
    # exact up to the 40th significant digit of Decimal arithmetic
    assert gap <= max(abs(change), Decimal(1)) * Decimal("1e-30")
    shown = rounded(steps, change)
    assert sum((v for _, v in shown), Decimal(0)) == change.quantize(Decimal("0.01"))


def test_more_traffic_at_the_same_conversion_and_order_value_is_all_traffic():
    costs = dict.fromkeys(COSTS, Decimal(0))
    before = Period(sessions=Decimal(1000), orders=Decimal(50), revenue=Decimal(1000), costs=costs)
    after = Period(sessions=Decimal(2000), orders=Decimal(100), revenue=Decimal(2000), costs=costs)
    steps = dict(decompose(before, after))
    assert steps["traffic"] == Decimal(1000)
    assert steps["conversion"] == 0 and steps["order_value"] == 0


def test_a_higher_product_cost_is_its_own_negative_step():
    c0 = dict.fromkeys(COSTS, Decimal(0))
    c1 = {**c0, "product_cost": Decimal(120)}
    p = {"sessions": Decimal(10), "orders": Decimal(2), "revenue": Decimal(500)}
    steps = dict(decompose(Period(costs=c0, **p), Period(costs=c1, **p)))
    assert steps["product_cost"] == Decimal(-120)
    assert all(steps[k] == 0 for k in DRIVERS)


def test_revenue_from_nothing_goes_to_the_factor_that_appeared():
    c = dict.fromkeys(COSTS, Decimal(0))
    before = Period(sessions=Decimal(0), orders=Decimal(0), revenue=Decimal(0), costs=c)
    after = Period(sessions=Decimal(100), orders=Decimal(5), revenue=Decimal(80), costs=c)
    assert dict(decompose(before, after))["traffic"] == Decimal(80)
