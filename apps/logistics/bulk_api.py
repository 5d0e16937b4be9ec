"""`POST /api/v1/inventory/bulk-upsert/` and `/api/v1/tracking-events/bulk-upsert/`: up to
10,000 items matched on natural keys, one result per item (apps/logistics/bulk.py writes)."""

from __future__ import annotations

from rest_framework import serializers

from apps.core.bounds import INT32_MAX, DateTimeField
from apps.core.bulk import BulkUpsertViewSet, bulk_schema

from .bulk import inventory_upsert_many, tracking_events_upsert_many
from .models import Inventory, TrackingEvent, TrackingStatus


def _units(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=INT32_MAX, **kwargs)


class InventoryItemSerializer(serializers.Serializer):
    """Stock of one SKU in one warehouse (matched on `sku` + `warehouse` code)."""

    sku = serializers.CharField(max_length=100)
    warehouse = serializers.CharField(max_length=32, help_text="The warehouse's code")
    fulfillable = _units()
    reserved = _units(default=0)
    unsellable = _units(default=0)
    inbound = _units(default=0, help_text="Working + shipped + receiving")
    unit_volume_ft3 = serializers.DecimalField(
        max_digits=10, decimal_places=4, min_value=0, required=False, allow_null=True,
        help_text="Kept when omitted or null",
    )  # fmt: skip


class TrackingEventItemSerializer(serializers.Serializer):
    """One carrier scan, matched on `carrier` + `tracking_number` + `at` + `status` +
    `description`; the parcel is created on first sight."""

    carrier = serializers.CharField(max_length=32, help_text="Carrier slug: yunexpress, dhl, …")
    tracking_number = serializers.CharField(max_length=64)
    at = DateTimeField(help_text="When the scan happened, with its UTC offset")
    status = serializers.ChoiceField(choices=TrackingStatus.choices)
    description = serializers.CharField(max_length=500, allow_blank=True, default="")
    location = serializers.CharField(max_length=200, allow_blank=True, default="")
    utc_offset_min = serializers.IntegerField(
        min_value=-959, max_value=959, default=0, help_text="The scan's local UTC offset"
    )


@bulk_schema("Inventory", InventoryItemSerializer, ["sku", "warehouse"])
class InventoryBulkViewSet(BulkUpsertViewSet):
    """Create or update stock by SKU + warehouse code (scope `logistics:write`); unchanged
    rows are not written; the warehouse's store listings take the fulfillable units."""

    queryset = Inventory.objects.none()
    item_serializer_class = InventoryItemSerializer
    key_fields = ("sku", "warehouse")

    def upsert(self, items):
        return inventory_upsert_many(org=self.org, items=items)


@bulk_schema(
    "TrackingEvent", TrackingEventItemSerializer, ["carrier", "tracking_number", "at", "status"]
)
class TrackingEventBulkViewSet(BulkUpsertViewSet):
    """Create or update carrier scans (scope `logistics:write`); each touched parcel takes the
    status of its latest scan."""

    queryset = TrackingEvent.objects.none()
    item_serializer_class = TrackingEventItemSerializer
    key_fields = ("carrier", "tracking_number", "at", "status")

    def upsert(self, items):
        return tracking_events_upsert_many(org=self.org, items=items)
