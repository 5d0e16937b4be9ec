"""What logistics reads from orders: the planner's binary-COPY read of units sold matches the
orders app's contract (`daily_units_by_product`) line for line, never crosses tenants, and the
array helpers behind it (binary COPY, pair lookup, demand matrix) by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from apps.logistics.inputs import daily_units, units_sold_arrays
from apps.logistics.pgcopy import copy_arrays
from apps.logistics.plan_data import _demand_matrix, row_lookup
from apps.orders.models import Order
from apps.orders.selectors import daily_units_by_product
from tests.factories import OrderFactory, OrderItemFactory, ProductFactory, StoreFactory

D = date(2025, 9, 8)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def history(org, other_org):
    store, other_store = StoreFactory(organization=org), StoreFactory(organization=org)
    a, b = ProductFactory(organization=org), ProductFactory(organization=org)
    kept = OrderFactory(organization=org, store=store, ordered_at=_at(D, 23))
    OrderItemFactory(organization=org, order=kept, product=a, quantity=3, refunded_quantity=1)
    OrderItemFactory(organization=org, order=kept, product=a, quantity=4, item_key="2")
    OrderItemFactory(
        organization=org, order=kept, product=b, quantity=2, item_status="cancelled", item_key="3"
    )
    OrderItemFactory(
        organization=org, order=kept, product=b, quantity=2, refunded_quantity=5, item_key="4"
    )
    for status in (Order.Status.CANCELLED, "returned"):
        gone = OrderFactory(organization=org, store=store, ordered_at=_at(D), status=status)
        OrderItemFactory(organization=org, order=gone, product=a, quantity=9)
    there = OrderFactory(organization=org, store=other_store, ordered_at=_at(D + timedelta(1), 0))
    OrderItemFactory(organization=org, order=there, product=b, quantity=5, line_total=Decimal(50))
    before = OrderFactory(organization=org, store=store, ordered_at=_at(D - timedelta(1), 23))
    OrderItemFactory(organization=org, order=before, product=a, quantity=7)
    theirs = OrderFactory(organization=other_org, ordered_at=_at(D))
    OrderItemFactory(organization=other_org, order=theirs, quantity=11)
    return a, b, store, other_store


def test_units_sold_match_the_orders_contract(org, history):
    end = D + timedelta(days=1)
    ours = daily_units(org=org, start=D, end=end)
    theirs = daily_units_by_product(org=org, start=D, end=end)
    theirs = theirs.groupby(["product_id", "store_id", "day"], as_index=False)["units"].sum()
    assert ours.assign(day=ours["day"].dt.date).to_dict("records") == theirs.to_dict("records")
    a, b, store, other_store = history
    assert ours[["product_id", "store_id", "units"]].values.tolist() == [
        [a.id, store.id, 6],
        [b.id, other_store.id, 5],
    ]


def test_units_sold_arrays_count_days_from_the_start_and_filter_products(org, history):
    a, _b, _store, _other = history
    arr = units_sold_arrays(org=org, start=D - timedelta(days=1), end=D, product_ids=[a.id])
    assert sorted(zip(arr["day"].tolist(), arr["units"].tolist(), strict=True)) == [
        (0, 7),
        (1, 2),
        (1, 4),
    ]
    assert arr["product_id"].dtype == np.int64 and arr["units"].dtype == np.int32


def test_binary_copy_refuses_a_null_instead_of_misreading_it(db):
    ok = copy_arrays("SELECT 1::int8, 2.5::float8", None, [("a", "int8"), ("b", "float8")])
    assert ok["a"].tolist() == [1] and ok["b"].tolist() == [2.5]
    with pytest.raises(ValueError):
        copy_arrays("SELECT NULL::int8", None, [("a", "int8")])
    empty = copy_arrays("SELECT 1::int4 WHERE false", None, [("a", "int4")])
    assert len(empty["a"]) == 0


def test_row_lookup_by_hand_dense_and_hashed(monkeypatch):
    keys_a, keys_b = [10, 10, 12], [1, 2, 1]
    a, b = [12, 10, 10, 11, 99, 10], [1, 2, 1, 1, 1, 3]
    assert row_lookup(keys_a, keys_b, a, b).tolist() == [2, 1, 0, -1, -1, -1]
    monkeypatch.setattr("apps.logistics.plan_data.DENSE_LOOKUP_MAX", 0)
    assert row_lookup(keys_a, keys_b, a, b).tolist() == [2, 1, 0, -1, -1, -1]


def test_demand_matrix_gives_a_storeless_warehouse_every_stores_sales():
    pairs = pd.DataFrame({"product_id": [1, 1, 2], "store_id": [5, 0, 5]})
    sales = {
        "product_id": np.array([1, 1, 2, 2, 3]),
        "store_id": np.array([5, 6, 6, 5, 5]),
        "day": np.array([0, 1, 2, 9, 0], np.int32),  # day 9 is outside a 3-day window
        "units": np.array([1, 2, 3, 4, 5], np.int32),
    }
    m = _demand_matrix(pairs, sales, 3)
    assert m.T.tolist() == [[1, 0, 0], [1, 2, 0], [0, 0, 0]]
