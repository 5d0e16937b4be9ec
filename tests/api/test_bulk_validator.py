"""The compiled item validator (apps/core/bulk.py) accepts only what the item serializer
accepts, with the same validated values; everything else is left to the serializer."""

from __future__ import annotations

import pytest

from apps.core.bulk import Slow, compile_item_validator, validate_items
from apps.logistics.bulk_api import InventoryItemSerializer, TrackingEventItemSerializer
from apps.orders.bulk_api import OrderItemSerializer
from apps.pricing.bulk_api import CompetitorOfferItemSerializer, CostItemSerializer

ODD_TEXT = [" A ", "", "  ", "A" * 101, "\ud800", 12, None, ["x"], True, "é" * 100]
ODD_NUMBER = ["1e2", "12345678901.0", "1.23456", 3, 3.5, "NaN", "Infinity", None, "-1", True,
              " 7 ", "0", "1_000", "", "9999999999.9999", "99999999999"]  # fmt: skip
ODD_INT = [0, -1, 1, 2**31, "5", 5.0, True, None, 10**20]
ODD_TIME = ["2026-11-30T12:00:00Z", "2026-11-30T12:00:00", "2026-11-30",
            "2026-11-30T12:00:00+16:00", "0001-01-01T00:00:00+01:00", "2026-13-01T00:00:00Z",
            1700000000, None,
            "2026-11-30 12:00:00+08:00", "9999-12-31T23:59:59-15:00"]  # fmt: skip


def _variants(base: dict, serializer) -> list:
    out: list = [base, {}, "text", [base], {k: v for k, v in list(base.items())[1:]}]
    for name, field in serializer.fields.items():
        kind = type(field).__name__
        if "Integer" in kind:
            odd = ODD_INT
        elif "Decimal" in kind:
            odd = ODD_NUMBER
        elif "DateTime" in kind:
            odd = ODD_TIME
        else:
            odd = ODD_TEXT
        out.extend({**base, name: value} for value in odd)
    return out


CASES = [
    (InventoryItemSerializer, {"sku": "A", "warehouse": "w", "fulfillable": 1}),
    (TrackingEventItemSerializer, {"carrier": "dhl", "tracking_number": "1",
                                   "at": "2026-11-30T12:00:00+08:00", "status": "InTransit"}),
    (CostItemSerializer, {"sku": "A", "store": 1, "unit_cost": "2.5", "first_leg_per_unit": "1"}),
    (CompetitorOfferItemSerializer, {"sku": "A", "store": 1, "seller_id": "S", "price": "9.99",
                                     "observed_at": "2026-11-30T12:00:00Z"}),
    (OrderItemSerializer, {"store": 1, "marketplace_order_id": "1", "buyer_country": "DE",
                           "ordered_at": "2026-11-30T12:00:00Z",
                           "lines": [{"sku": "A", "quantity": 1, "unit_price": "1"}]}),
]  # fmt: skip


@pytest.mark.parametrize(("serializer_class", "base"), CASES)
def test_the_fast_path_accepts_only_what_the_serializer_accepts(serializer_class, base, db):
    fast = compile_item_validator(serializer_class(context={}))
    accepted = 0
    for raw in _variants(base, serializer_class(context={})):
        serializer = serializer_class(data=raw, context={})
        ok = serializer.is_valid()
        try:
            value = fast(raw)
        except Slow:
            continue
        accepted += 1
        assert ok, (raw, serializer.errors)
        assert value == dict(serializer.validated_data), raw
    assert accepted >= 3  # the fast path does take the ordinary items


def test_order_lines_are_checked_by_the_fast_path_too(db):
    base = CASES[-1][1]
    raw = {**base, "lines": [{"sku": "A", "quantity": 0, "unit_price": "1"}]}
    with pytest.raises(Slow):
        compile_item_validator(OrderItemSerializer(context={}))(raw)
    _valid, positions, errors = validate_items([base, raw], OrderItemSerializer(context={}))
    assert positions == [0] and "lines" in errors[1]
