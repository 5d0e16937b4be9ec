"""The stock-out risk logistics registers with pricing (`selectors.stock_risk_frame`)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

from django.utils import timezone

from apps.logistics.models import InboundItem, InboundShipment, PlanRun, RestockSuggestion
from apps.logistics.selectors import stock_risk_frame
from apps.pricing import inputs
from tests.factories import ProductFactory

from .helpers import fba_warehouse


def _line(org, run, product, warehouse, *, on_hand, demand, out_in):
    RestockSuggestion.objects.create(
        organization=org, run=run, product=product, warehouse=warehouse, mode="sea",
        demand_per_day=D(demand), lead_time_days=D(45), safety_stock=0, reorder_point=0,
        on_hand=on_hand, needed=0, quantity=0,
        stockout_date=None if out_in is None else timezone.localdate() + timedelta(days=out_in),
    )  # fmt: skip


def test_logistics_registers_its_stock_risk_with_pricing():
    assert stock_risk_frame in inputs._STOCK_RISK


def test_cover_sums_warehouses_and_the_stockout_is_the_last_one_to_run_out(org):
    a, b, idle = (ProductFactory(organization=org, sku=s) for s in ("A", "B", "IDLE"))
    us, eu = fba_warehouse(org), fba_warehouse(org, code="FBA-DE")
    old = PlanRun.objects.create(organization=org)
    _line(org, old, b, us, on_hand=1, demand=9, out_in=0)  # superseded by the next plan
    run = PlanRun.objects.create(organization=org)
    _line(org, run, a, us, on_hand=10, demand=1, out_in=10)
    _line(org, run, a, eu, on_hand=30, demand=1, out_in=30)
    _line(org, run, idle, us, on_hand=5, demand=0, out_in=None)
    today = timezone.localdate()
    ship = InboundShipment.objects.create(organization=org, reference="S1", warehouse=us,
                                          mode="air", status="in_transit")  # fmt: skip
    InboundItem.objects.create(organization=org, shipment=ship, product=a, units=5)
    done = InboundShipment.objects.create(organization=org, reference="S2", warehouse=us,
                                          mode="sea", status="checked_in",
                                          promised_date=today)  # fmt: skip
    InboundItem.objects.create(organization=org, shipment=done, product=idle, units=5)

    frame = stock_risk_frame(org=org).set_index("product_id")
    assert sorted(frame.index) == sorted([a.pk, idle.pk])  # only the latest plan
    assert frame.loc[a.pk, "cover_days"] == 20.0  # 40 units / 2 per day
    assert frame.loc[a.pk, "stockout_date"].date() == today + timedelta(days=30)
    # No promised date: today + air's default transit (10 days).
    assert frame.loc[a.pk, "next_arrival"].date() == today + timedelta(days=10)
    assert frame.isna().loc[idle.pk].tolist() == [True, True, True]  # no demand, nothing open


def test_no_plan_means_no_rows(org):
    assert stock_risk_frame(org=org).empty
