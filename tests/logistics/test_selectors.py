"""The cross-app functions logistics provides (CONTRACTS.md), each tenant-scoped."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from apps.logistics import selectors
from apps.logistics.imports import tracking_import
from apps.logistics.models import InboundItem, InboundShipment, Inventory, Parcel
from tests.factories import OrderFactory, OrderItemFactory

from .helpers import fba_warehouse, sample_products

SAMPLE = Path("/work/shared/data/tracking-events.csv")
if not SAMPLE.exists():
    SAMPLE = Path(__file__).resolve().parents[1] / "data" / "tracking-events.csv"


def _sell(org, store, product, per_day, days=28):
    # Noon of each of the last `days` days: "an hour before now, n days ago" left the window
    # between midnight and 1 a.m.
    noon = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    for n in range(1, days + 1):
        order = OrderFactory(organization=org, store=store, ordered_at=noon - timedelta(days=n))
        OrderItemFactory(
            organization=org, order=order, product=product, sku=product.sku, quantity=per_day
        )


@pytest.fixture
def stocked(org):
    wh = fba_warehouse(org)
    listings = sample_products(org, wh.store, ["FAST", "SLOW", "IDLE"])
    for sku, units in (("FAST", 40), ("SLOW", 300), ("IDLE", 10)):
        Inventory.objects.create(
            organization=org,
            product=listings[sku].product,
            warehouse=wh,
            fulfillable=units,
            reserved=0,
            reported_at=timezone.now(),
        )
    _sell(org, wh.store, listings["FAST"].product, 4)
    _sell(org, wh.store, listings["SLOW"].product, 1)
    return wh, {k: v.product for k, v in listings.items()}


@pytest.mark.django_db
def test_cover_days_and_stockout_before_inbound(org, other_org, stocked):
    wh, p = stocked
    cover = selectors.cover_days_by_product(org=org)
    assert cover[p["FAST"].pk] == Decimal("10.0") and cover[p["SLOW"].pk] == Decimal("300.0")
    assert cover[p["IDLE"].pk] is None
    assert selectors.cover_days_by_product(org=other_org) == {}
    # FAST runs out in 10 days; its inbound arrives in 20: before inbound. SLOW does not.
    ship = InboundShipment.objects.create(
        organization=org,
        reference="S1",
        warehouse=wh,
        mode="sea",
        status="in_transit",
        cost=Decimal("900"),
        currency="USD",
        shipped_at=timezone.now(),
        promised_date=timezone.localdate() + timedelta(days=20),
    )
    InboundItem.objects.create(organization=org, shipment=ship, product=p["FAST"], units=200)
    InboundItem.objects.create(organization=org, shipment=ship, product=p["SLOW"], units=100)
    ids = selectors.stockout_before_inbound_product_ids(org=org)
    assert p["FAST"].pk in ids and p["SLOW"].pk not in ids
    assert selectors.stockout_before_inbound_product_ids(org=other_org) == set()
    freight = selectors.freight_per_unit_by_product(org=org)
    assert freight[p["FAST"].pk] == (Decimal("3.0000"), "USD")  # 900 / 300 units
    assert selectors.freight_per_unit_by_product(org=other_org) == {}


@pytest.mark.django_db
def test_shipments_for_order_lists_tracking_by_instant(org, other_org):
    tracking_import(org=org, source=SAMPLE.read_bytes(), filename="t.csv")
    order = OrderFactory(organization=org)
    Parcel.objects.for_org(org).filter(tracking_number="YT2525400731926548").update(order=order)
    rows = selectors.shipments_for_order(org=org, order_id=order.pk)
    assert len(rows) == 1
    row = rows[0]
    assert row["carrier"] == "yunexpress" and row["at_risk"] and row["risk_reasons"]
    ats = [e["at"] for e in row["events"]]
    assert ats == sorted(ats) and ats[0].tzinfo is not None
    assert selectors.shipments_for_order(org=other_org, order_id=order.pk) == []


@pytest.mark.django_db
def test_stock_value_series_goes_back_through_sales(org, other_org, stocked):
    today = timezone.localdate()
    series = selectors.stock_value_series(org=org, start=today - timedelta(days=2), end=today)
    by_day = {d: v for d, cur, v in series if cur == "CNY"}
    # End-of-day stock: 350 units at 42.50 CNY today and yesterday (nothing sold today);
    # the sales of yesterday (4 FAST + 1 SLOW) were still in stock the day before.
    assert by_day[today] == by_day[today - timedelta(days=1)] == Decimal("42.50") * 350
    assert by_day[today - timedelta(days=2)] == Decimal("42.50") * (350 + 5)
    assert selectors.stock_value_series(org=other_org, start=today, end=today) == []
