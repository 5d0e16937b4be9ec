"""Warehouses, stock per SKU and warehouse, inbound shipments (first leg), parcels (last mile)
with their tracking events, and replenishment plans (runs, suggestions per SKU × warehouse).

Quantities are whole units; volumes are cubic feet (what FBA capacity limits are expressed
in); money is Decimal with its currency.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel
from apps.core.money import CurrencyField, MoneyField, currency_check


class Mode(models.TextChoices):
    SEA = "sea", _("Sea")
    AIR = "air", _("Air")
    EXPRESS = "express", _("Express")
    RAIL = "rail", _("Rail")


class TrackingStatus(models.TextChoices):
    """One status vocabulary for every carrier (AfterShip's tags)."""

    PENDING = "Pending", _("Pending")
    INFO_RECEIVED = "InfoReceived", _("Info received")
    IN_TRANSIT = "InTransit", _("In transit")
    OUT_FOR_DELIVERY = "OutForDelivery", _("Out for delivery")
    ATTEMPT_FAIL = "AttemptFail", _("Delivery attempt failed")
    DELIVERED = "Delivered", _("Delivered")
    AVAILABLE_FOR_PICKUP = "AvailableForPickup", _("Available for pickup")
    EXCEPTION = "Exception", _("Exception")
    EXPIRED = "Expired", _("Expired")


FINAL_STATUSES = (TrackingStatus.DELIVERED, TrackingStatus.EXPIRED)


class Warehouse(TenantModel):
    class Kind(models.TextChoices):
        OWN = "own", _("Own warehouse")
        THIRD_PARTY = "3pl", _("Third-party overseas warehouse")
        FBA = "fba", _("Amazon FBA")

    code = models.SlugField(max_length=32)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    country = models.CharField(max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    store = models.ForeignKey(
        "catalog.Store", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Inbound volume the warehouse accepts per planning period (FBA's monthly capacity limit);
    # empty: unlimited.
    capacity_ft3 = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text=_("Cubic feet")
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="warehouse_unique_code"),
            models.CheckConstraint(
                condition=models.Q(capacity_ft3__isnull=True) | models.Q(capacity_ft3__gte=0),
                name="warehouse_capacity_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Inventory(TenantModel):
    """Units of one product in one warehouse, as last reported (FBA report, API, ERP)."""

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="inventory")
    fulfillable = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)
    unsellable = models.IntegerField(default=0)
    inbound = models.IntegerField(default=0, help_text=_("Working + shipped + receiving"))
    unit_volume_ft3 = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    reported_at = models.DateTimeField()

    class Meta:
        ordering = ["warehouse_id", "product_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "warehouse"], name="inventory_unique_product_warehouse"
            ),
        ]
        indexes = [models.Index(fields=["organization", "product"])]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.fulfillable}"


class SupplyTerms(TenantModel):
    """How a product is bought and shipped: what the planner rounds and waits for."""

    product = models.OneToOneField("catalog.Product", on_delete=models.CASCADE, related_name="+")
    carton_units = models.PositiveIntegerField(default=1)
    moq = models.PositiveIntegerField(default=0, help_text=_("Minimum order quantity"))
    production_days = models.PositiveIntegerField(default=15)
    production_days_sd = models.DecimalField(max_digits=6, decimal_places=2, default=3)
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.SEA)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(carton_units__gt=0), name="supply_carton_pos")
        ]


class InboundShipment(TenantModel):
    """A first-leg shipment from the factory or consolidator to a warehouse."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_TRANSIT = "in_transit", _("In transit")
        CUSTOMS = "customs", _("At customs")
        ARRIVED = "arrived", _("Arrived")
        CHECKED_IN = "checked_in", _("Checked in")

    reference = models.CharField(max_length=64)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="inbound")
    mode = models.CharField(max_length=8, choices=Mode.choices)
    carrier = models.CharField(max_length=64, blank=True)
    tracking_number = models.CharField(max_length=64, blank=True)
    origin_country = models.CharField(max_length=2, default="CN")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    cartons = models.PositiveIntegerField(default=0)
    volume_ft3 = models.DecimalField(max_digits=12, decimal_places=3, default=0)
    weight_kg = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    cost = MoneyField(default=0)
    currency = CurrencyField(default="USD")
    shipped_at = models.DateTimeField(null=True, blank=True)
    promised_date = models.DateField(null=True, blank=True, help_text=_("Expected check-in"))
    arrived_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    # [{"at": iso, "milestone": "departed"|"customs"|"arrived"|..., "note": ""}]
    milestones = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-shipped_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reference"], name="inbound_unique_reference"
            ),
            currency_check("currency", "inboundshipment"),
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="inbound_cost_non_neg"),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return self.reference


class InboundItem(TenantModel):
    shipment = models.ForeignKey(InboundShipment, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    units = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "product"], name="inbound_item_unique"),
            models.CheckConstraint(condition=models.Q(units__gt=0), name="inbound_item_units_pos"),
        ]


class Parcel(TenantModel):
    """A last-mile parcel to a buyer, tracked by the carrier's number."""

    tracking_number = models.CharField(max_length=64)
    carrier = models.CharField(max_length=32, help_text=_("Carrier slug: yunexpress, dhl, …"))
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    origin_country = models.CharField(max_length=2, blank=True)
    destination_country = models.CharField(max_length=2, blank=True)
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.EXPRESS)
    status = models.CharField(
        max_length=20, choices=TrackingStatus.choices, default=TrackingStatus.PENDING
    )
    shipped_at = models.DateTimeField(null=True, blank=True)
    promised_date = models.DateField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_event_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "carrier", "tracking_number"], name="parcel_unique_number"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["organization", "order"]),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"


class TrackingEvent(TenantModel):
    """One carrier checkpoint: `at` is the instant (UTC), `utc_offset_min` the local offset it
    was written with, so it shows in the place's local time and sorts by instant."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    utc_offset_min = models.SmallIntegerField(default=0)
    status = models.CharField(max_length=20, choices=TrackingStatus.choices)
    location = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["parcel_id", "at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["parcel", "at", "status", "description"], name="tracking_event_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.parcel_id} {self.at:%Y-%m-%d %H:%M} {self.status}"


class PlanRun(TenantModel):
    """One replenishment planning pass over all SKUs: its parameters and forecast accuracy."""

    service_level = models.DecimalField(max_digits=5, decimal_places=4, default="0.95")
    history_days = models.PositiveIntegerField(default=365)
    skus = models.PositiveIntegerField(default=0)
    suggestions = models.PositiveIntegerField(default=0)
    mae = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    wape = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    seconds = models.DecimalField(max_digits=10, decimal_places=3, default=0)
    timings = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class RestockSuggestion(TenantModel):
    """What the planner suggests for one SKU and destination warehouse in one run; a `restock`
    draft in the review queue targets it, approval turns it into a plan line (status planned)."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested")
        PLANNED = "planned", _("Planned")
        REJECTED = "rejected", _("Rejected")

    run = models.ForeignKey(PlanRun, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUGGESTED)
    mode = models.CharField(max_length=8, choices=Mode.choices)
    demand_per_day = models.DecimalField(max_digits=12, decimal_places=4)
    demand_sd = models.DecimalField(max_digits=12, decimal_places=4, default=0)
    lead_time_days = models.DecimalField(max_digits=8, decimal_places=2)
    lead_time_sd = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    safety_stock = models.IntegerField()
    reorder_point = models.IntegerField()
    on_hand = models.IntegerField()
    inbound = models.IntegerField(default=0)
    needed = models.IntegerField(help_text=_("Units before carton and MOQ rounding"))
    quantity = models.IntegerField(help_text=_("Suggested units after rounding and capacity"))
    planned_quantity = models.IntegerField(null=True, blank=True)
    cover_days = models.DecimalField(max_digits=10, decimal_places=1, null=True, blank=True)
    stockout_date = models.DateField(null=True, blank=True)
    ship_by = models.DateField(null=True, blank=True)
    volume_ft3 = models.DecimalField(max_digits=12, decimal_places=3, default=0)
    profit_per_ft3 = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    currency = CurrencyField(default="USD")
    capacity_cut = models.BooleanField(default=False)
    mae = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    params = models.CharField(max_length=32, blank=True, help_text=_("alpha/beta/gamma chosen"))
    forecast = models.JSONField(default=list, blank=True)  # next 28 days, units per day
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["ship_by", "id"]
        indexes = [
            models.Index(fields=["organization", "run"]),
            models.Index(fields=["organization", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.quantity}"


class DelayNotice(TenantModel):
    """A proactive message to a buyer about a late parcel: only ever a draft's target, never
    sent by the platform (customer service sends it from their own channel)."""

    parcel = models.OneToOneField(Parcel, on_delete=models.CASCADE, related_name="notice")
    message = models.TextField(blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)


class StockoutDay(TenantModel):
    """A day a product had no sellable stock in a warehouse: the forecast skips these days (no
    sales because nothing could be sold is not zero demand). Written by stock imports when the
    fulfillable quantity is zero, or by an ERP through the API."""

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        ordering = ["warehouse_id", "product_id", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "warehouse", "day"], name="stockout_day_unique"
            )
        ]
        indexes = [models.Index(fields=["organization", "day"])]
