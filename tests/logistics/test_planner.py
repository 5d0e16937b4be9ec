"""Forecast, safety stock, reorder point, rounding and capacity allocation against hand-computed
cases; stock-out days excluded; the whole plan from orders to restock drafts and the export."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from apps.logistics import forecast as fc
from apps.logistics.models import Inventory, RestockSuggestion, StockoutDay, SupplyTerms
from apps.logistics.planner import (
    allocate_capacity,
    plan,
    reorder_point,
    round_order,
    safety_stock,
)
from tests.factories import OrderFactory, OrderItemFactory

from .helpers import fba_warehouse, sample_products


def test_one_holt_winters_step_by_hand():
    # ℓ0 = 10, b0 = 1, s = 0; y1 = 14, α = 0.5, β = 0.5, γ = 0, φ = 0.95:
    # ŷ1 = 10 + 0.95 = 10.95; ℓ1 = 0.5·14 + 0.5·10.95 = 12.475;
    # b1 = 0.5·(12.475 − 10) + 0.5·0.95·1 = 1.7125; forecast h=1: 12.475 + 0.95·1.7125
    state = fc.State(
        np.array([10.0], np.float32),
        np.array([1.0], np.float32),
        [np.zeros(1, np.float32) for _ in range(7)],
    )
    y = np.array([[14.0]], np.float32)
    a = np.array([0.5], np.float32)
    state, *_ = fc.run(y, np.array([[True]]), state, a, a, np.zeros(1, np.float32), 0, 1)
    assert state.level[0] == pytest.approx(12.475)
    assert state.trend[0] == pytest.approx(1.7125)
    assert fc.predict(state, 1, 1)[0, 0] == pytest.approx(12.475 + 0.95 * 1.7125, rel=1e-5)


def test_constant_demand_forecasts_the_constant_and_weekly_pattern_repeats():
    days = 140
    week = np.array([10, 10, 10, 10, 10, 20, 30], np.float32)
    y = np.vstack([np.full(days, 5, np.float32), np.tile(week, days // 7)])
    f = fc.forecast(y, np.ones_like(y, dtype=bool), horizon=14)
    assert np.allclose(f.values[0], 5, atol=1e-3)
    assert np.allclose(f.values[1], np.tile(week, 2), atol=0.05)
    assert f.mae == pytest.approx(0, abs=0.05)


def test_stockout_days_are_excluded_from_the_forecast():
    rng = np.random.default_rng(3)
    days = 182
    y = rng.poisson(8, size=(1, days)).astype(np.float32)
    valid = np.ones_like(y, dtype=bool)
    hidden = y.copy()
    hidden[0, 120:150] = 0  # out of stock: nothing sold for a month
    in_stock = valid.copy()
    in_stock[0, 120:150] = False
    with_mask = fc.forecast(hidden, in_stock, horizon=7)
    naive = fc.forecast(hidden, valid, horizon=7)
    clean = fc.forecast(y, valid, horizon=7)
    masked_gap = abs(with_mask.values.mean() - clean.values.mean())
    assert masked_gap < abs(naive.values.mean() - clean.values.mean())
    assert with_mask.values.mean() == pytest.approx(8, rel=0.25)


def test_safety_stock_and_reorder_point_by_hand():
    # d = 10/day, σ_d = 3, L = 30 ± 5 days, 95 % (z = 1.6449):
    # SS = 1.6449·√(30·9 + 100·25) = 1.6449·√2770 = 86.57; ROP = 300 + 86.57
    z = 1.6448536
    ss = safety_stock(z, 10.0, 3.0, 30.0, 5.0)
    assert ss == pytest.approx(86.57, abs=0.01)
    assert reorder_point(10.0, 30.0, ss) == pytest.approx(386.57, abs=0.01)


def test_orders_round_to_cartons_and_the_moq():
    assert list(round_order([0, 1, 25, 101, -3], [24, 24, 24, 24, 24], [0, 0, 0, 0, 0])) == [
        0,
        24,
        48,
        120,
        0,
    ]
    assert list(round_order([10, 300], [24, 24], [200, 200])) == [216, 312]


def test_capacity_goes_to_the_highest_profit_per_cubic_foot():
    qty = np.array([100, 100, 100])
    vol = np.array([0.1, 0.1, 0.1])  # 10 ft³ each
    carton = np.array([10, 10, 10])
    profit = np.array([5.0, 50.0, 20.0])
    out, cut = allocate_capacity(qty, vol, carton, profit, capacity=15.0)
    assert list(out) == [0, 100, 50] and list(cut) == [True, False, True]
    same, none_cut = allocate_capacity(qty, vol, carton, profit, capacity=None)
    assert list(same) == [100, 100, 100] and not none_cut.any()


def _history(org, store, listing, days=120, per_day=6, gap=None):
    now = timezone.now()
    for n in range(1, days + 1):
        if gap and gap[0] <= n <= gap[1]:
            continue
        order = OrderFactory(organization=org, store=store, ordered_at=now - timedelta(days=n))
        OrderItemFactory(
            organization=org,
            order=order,
            product=listing.product,
            sku=listing.product.sku,
            quantity=per_day,
        )


@pytest.mark.django_db
def test_plan_from_orders_to_restock_drafts_and_export(org, user):
    from apps.logistics.services import plan_export
    from apps.review.models import Draft
    from apps.review.services import draft_approve

    wh = fba_warehouse(org)
    listing = sample_products(org, wh.store, ["KVX-1"])["KVX-1"]
    SupplyTerms.objects.create(organization=org, product=listing.product, carton_units=24, moq=100)
    Inventory.objects.create(
        organization=org,
        product=listing.product,
        warehouse=wh,
        fulfillable=60,
        reported_at=timezone.now(),
    )
    _history(org, wh.store, listing, gap=(30, 40))
    today = timezone.localdate()
    for n in range(30, 41):
        StockoutDay.objects.create(
            organization=org, product=listing.product, warehouse=wh, day=today - timedelta(days=n)
        )
    run = plan(org=org)
    s = RestockSuggestion.objects.for_org(org).get(run=run)
    assert s.demand_per_day == pytest.approx(Decimal(6), abs=Decimal("0.5"))
    assert s.quantity > 0 and s.quantity % 24 == 0 and s.quantity >= 100
    assert s.cover_days == pytest.approx(Decimal(10), abs=Decimal(1))
    assert s.stockout_date is not None and s.ship_by is not None
    assert run.mae is not None and run.wape is not None
    draft = Draft.objects.for_org(org).get(kind="restock")
    assert draft.proposed["quantity"] == s.quantity
    draft_approve(org=org, actor=user, draft_id=draft.pk, edited={"quantity": 240})
    s.refresh_from_db()
    assert s.status == "planned" and s.planned_quantity == 240
    body, _ = plan_export(org=org, fmt="csv")
    assert b"KVX-1" in body and b"240" in body
    xlsx, _ = plan_export(org=org, fmt="xlsx")
    assert xlsx[:2] == b"PK"
    # A new plan supersedes the old run's open drafts.
    plan(org=org)
    assert Draft.objects.for_org(org).filter(kind="restock", status="pending").count() == 1


@pytest.mark.django_db
def test_binding_capacity_serves_the_sku_with_more_profit_per_cubic_foot(org):
    from tests.factories import ExchangeRateFactory

    ExchangeRateFactory(
        base="CNY", quote="USD", rate=Decimal("0.14"), date=timezone.localdate() - timedelta(days=1)
    )
    wh = fba_warehouse(org, capacity=Decimal("30"))
    listings = sample_products(org, wh.store, ["CHEAP", "RICH"])
    listings["RICH"].price = Decimal("49.99")
    listings["RICH"].save()
    for listing in listings.values():
        Inventory.objects.create(
            organization=org,
            product=listing.product,
            warehouse=wh,
            fulfillable=0,
            unit_volume_ft3=Decimal("0.05"),
            reported_at=timezone.now(),
        )
        _history(org, wh.store, listing, days=60, per_day=5)
    run = plan(org=org, create_drafts=False)
    lines = {s.product.sku: s for s in RestockSuggestion.objects.for_org(org).filter(run=run)}
    assert lines["RICH"].profit_per_ft3 > lines["CHEAP"].profit_per_ft3
    assert not lines["RICH"].capacity_cut and lines["CHEAP"].capacity_cut
    used = lines["RICH"].quantity * 0.05 + lines["CHEAP"].quantity * 0.05
    assert used <= 30 and lines["CHEAP"].quantity < lines["RICH"].quantity


@pytest.mark.django_db
def test_plan_task_runs_for_an_organization_and_ignores_a_missing_one(org):
    from apps.logistics.models import PlanRun
    from apps.logistics.tasks import plan_task

    assert plan_task(10**9) is None
    run_id = plan_task(org.pk)
    assert PlanRun.objects.for_org(org).filter(pk=run_id).exists()
