"""Demo logistics for the "demo" organization: warehouses (FBA US with a capacity that binds,
FBA DE, a third-party warehouse in the US, our own in Shenzhen), supply terms, stock per SKU
and warehouse with a few stock-out days, inbound shipments (arrived ones for lead times, open
ones, one held at customs for too long), parcels with tracking of the demo's recent orders
(delivered ones for lane statistics, stuck ones, a customs exception, a failed delivery), then a
replenishment plan (restock drafts) and delay-message drafts.

Idempotent: rows are keyed on natural keys (warehouse code, shipment reference, tracking
number); the plan and the drafts are made once (when the organization has no plan yet).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from apps.catalog.models import Listing
from apps.orders.models import Order

from .models import (
    InboundItem,
    InboundShipment,
    Inventory,
    Parcel,
    PlanRun,
    StockoutDay,
    SupplyTerms,
    TrackingEvent,
    Warehouse,
)

SEED_AFTER = ("catalog", "orders", "pricing")
ORG = "demo"
CARRIERS = {
    "US": ("yunexpress", "CN", "Shenzhen, CN", -300),
    "DE": ("4px", "CN", "Shenzhen, CN", 120),
    "GB": ("dhl", "CN", "Hong Kong, HK", 60),
}


def seed(ctx) -> None:
    org = ctx.orgs.get(ORG)
    if org is None:
        return
    warehouses = _warehouses(org)
    _supply_and_stock(ctx, org, warehouses)
    _inbound(ctx, org, warehouses)
    _parcels(ctx, org)
    if not PlanRun.objects.for_org(org).exists():
        from .planner import plan
        from .services import delay_message_drafts_create

        _bind_capacity(org, warehouses["FBA-US"], ctx.today)
        plan(org=org, today=ctx.today)
        delay_message_drafts_create(org=org, now=ctx.now)


def _bind_capacity(org, wh: Warehouse, today) -> None:
    """FBA-US's monthly limit binds in the demo whatever the other modules seed: a dry run
    without the limit (rolled back) gives the volume the plan would send, and the limit is set
    to three quarters of it. A fixed 30 ft³ bound by 15 % at best and stopped binding when the
    seeded demand moved a little (time of day, other modules' orders)."""
    from django.db import transaction
    from django.db.models import Sum

    from .models import RestockSuggestion
    from .planner import plan

    wh.capacity_ft3 = None
    wh.save(update_fields=["capacity_ft3"])
    with transaction.atomic():
        run = plan(org=org, today=today, create_drafts=False)
        volume = (
            RestockSuggestion.objects.for_org(org)
            .filter(run=run, warehouse=wh)
            .aggregate(v=Sum("volume_ft3"))["v"]
        )
        transaction.set_rollback(True)
    wh.capacity_ft3 = max(Decimal(1), (Decimal(volume or 0) * Decimal("0.75")).quantize(Decimal(1)))
    wh.save(update_fields=["capacity_ft3"])


def _warehouses(org) -> dict[str, Warehouse]:
    from apps.catalog.models import Store

    stores = {
        s.marketplace.code: s for s in Store.objects.for_org(org).select_related("marketplace")
    }
    specs = [
        ("FBA-US", "Amazon FBA US", "fba", "US", stores.get("amazon_us"), Decimal("30")),
        ("FBA-DE", "Amazon FBA DE", "fba", "DE", stores.get("amazon_de"), None),
        ("3PL-LA", "Los Angeles 3PL", "3pl", "US", None, Decimal("400")),
        ("SZ-OWN", "Shenzhen warehouse", "own", "CN", None, None),
    ]
    out = {}
    for code, name, kind, country, store, cap in specs:
        out[code], _ = Warehouse.objects.get_or_create(
            organization=org,
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "country": country,
                "store": store,
                "capacity_ft3": cap,
            },
        )
    return out


def _supply_and_stock(ctx, org, warehouses) -> None:
    rng = ctx.random("logistics", "stock")
    now = ctx.now
    for wh in warehouses.values():
        if wh.store_id is None:
            continue
        listings = (
            Listing.objects.for_org(org).filter(store_id=wh.store_id).select_related("product")
        )
        for n, listing in enumerate(listings.order_by("id")):
            product = listing.product
            SupplyTerms.objects.get_or_create(
                organization=org,
                product=product,
                defaults={
                    "carton_units": rng.choice([20, 24, 40, 50]),
                    "moq": rng.choice([0, 200, 300]),
                    "production_days": rng.choice([10, 15, 20]),
                    "mode": "air" if n % 5 == 0 else "sea",
                },
            )
            units = 0 if n % 9 == 4 else rng.choice([8, 25, 60, 120, 240, 400])
            Inventory.objects.get_or_create(
                organization=org,
                product=product,
                warehouse=wh,
                defaults={
                    "fulfillable": units,
                    "reserved": rng.randint(0, 12),
                    "inbound": 0,
                    "reported_at": now,
                },
            )
            if n % 7 == 2:  # a stretch out of stock some weeks ago
                start = ctx.today - timedelta(days=40 + n % 10)
                for d in range(6):
                    StockoutDay.objects.get_or_create(
                        organization=org,
                        product=product,
                        warehouse=wh,
                        day=start + timedelta(days=d),
                    )


def _inbound(ctx, org, warehouses) -> None:
    rng = ctx.random("logistics", "inbound")
    now = ctx.now
    products = list(
        Inventory.objects.for_org(org)
        .filter(warehouse__kind="fba")
        .values_list("product_id", flat=True)
    )[:12]
    if not products:
        return
    for i in range(10):  # arrived: the lead-time history (sea and air)
        mode = "sea" if i % 3 else "air"
        transit = rng.randint(30, 42) if mode == "sea" else rng.randint(7, 12)
        shipped = now - timedelta(days=60 + i * 9 + transit)
        wh = warehouses["FBA-US"] if i % 2 else warehouses["FBA-DE"]
        _shipment(
            org,
            f"DEMO-{mode.upper()}-{i:02d}",
            wh,
            mode,
            "checked_in",
            shipped,
            shipped + timedelta(days=transit),
            products[i % len(products)],
            480 + 48 * i,
            cost=Decimal(1400 if mode == "sea" else 2600),
        )
    _shipment(
        org,
        "DEMO-SEA-OPEN",
        warehouses["FBA-US"],
        "sea",
        "in_transit",
        now - timedelta(days=20),
        None,
        products[0],
        960,
        cost=Decimal("1650"),
        promised=ctx.today + timedelta(days=18),
    )
    _shipment(
        org,
        "DEMO-AIR-CUSTOMS",
        warehouses["FBA-DE"],
        "air",
        "customs",
        now - timedelta(days=16),
        None,
        products[1],
        300,
        cost=Decimal("2100"),
        promised=ctx.today - timedelta(days=3),
        last=now - timedelta(days=8),
    )
    _other_currencies(ctx, org, warehouses, products)


def _other_currencies(ctx, org, warehouses, products) -> None:
    """Freight billed in the forwarder's currency (CNY, EUR), so the inbound shipments page's
    "Also in base currency" has something to convert; one not shipped yet (its rate: the day
    it was recorded)."""
    now = ctx.now
    _shipment(
        org,
        "DEMO-RAIL-EUR",
        warehouses["FBA-DE"],
        "rail",
        "in_transit",
        now - timedelta(days=12),
        None,
        products[2 % len(products)],
        480,
        cost=Decimal("3180.00"),
        currency="EUR",
        promised=ctx.today + timedelta(days=16),
        extra=[("customs", now - timedelta(days=4), "Małaszewicze border crossing")],
        last=now - timedelta(days=4),
    )
    _shipment(
        org,
        "DEMO-EXP-CNY",
        warehouses["FBA-US"],
        "express",
        "arrived",
        now - timedelta(days=9),
        now - timedelta(days=3),
        products[3 % len(products)],
        120,
        cost=Decimal("8600.00"),
        currency="CNY",
    )
    _shipment(org, "DEMO-SEA-PLANNED", warehouses["FBA-US"], "sea", "planned", None, None,
              products[4 % len(products)], 1440, cost=Decimal("12400.00"), currency="CNY",
              promised=ctx.today + timedelta(days=50))  # fmt: skip


def _shipment(
    org,
    ref,
    wh,
    mode,
    status,
    shipped,
    arrived,
    product_id,
    units,
    *,
    cost,
    currency="USD",
    promised=None,
    last=None,
    extra=(),
) -> None:
    if InboundShipment.objects.for_org(org).filter(reference=ref).exists():
        return
    milestones = []
    if shipped:
        milestones.append({"at": shipped.isoformat(), "milestone": "departed", "note": ""})
    milestones += [{"at": at.isoformat(), "milestone": m, "note": note} for m, at, note in extra]
    if arrived:
        milestones.append({"at": arrived.isoformat(), "milestone": "arrived", "note": ""})
    s = InboundShipment.objects.create(
        organization=org,
        reference=ref,
        warehouse=wh,
        mode=mode,
        carrier={"sea": "COSCO", "air": "Cainiao", "rail": "DB Cargo"}.get(mode, "DHL"),
        status=status,
        cartons=units // 24,
        volume_ft3=Decimal(units) * Decimal("0.02"),
        weight_kg=Decimal(units) * Decimal("0.3"),
        cost=cost,
        currency=currency,
        shipped_at=shipped,
        arrived_at=arrived,
        checked_in_at=arrived + timedelta(days=5) if arrived and status == "checked_in" else None,
        promised_date=promised or (arrived.date() if arrived else None),
        last_event_at=last or arrived or shipped,
        milestones=milestones,
    )
    InboundItem.objects.create(organization=org, shipment=s, product_id=product_id, units=units)


def _parcels(ctx, org) -> None:
    """A parcel per recent shipped order (up to 60), with scans by the carrier of its country;
    a few stop scanning, one is held by customs, one fails delivery."""
    rng = ctx.random("logistics", "parcels")
    recent = list(
        Order.objects.for_org(org)
        .filter(shipped_at__isnull=False, ordered_at__gte=ctx.now - timedelta(days=30))
        .order_by("-ordered_at")
    )
    orders = recent[:: max(1, len(recent) // 60)][:60]  # spread over the 30 days, newest first
    for n, order in enumerate(orders):
        carrier, origin, origin_loc, _off = CARRIERS.get(order.buyer_country, CARRIERS["US"])
        number = f"DM{order.pk:010d}{order.buyer_country}"
        if Parcel.objects.for_org(org).filter(carrier=carrier, tracking_number=number).exists():
            continue
        shipped = order.shipped_at
        parcel = Parcel.objects.create(
            organization=org,
            tracking_number=number,
            carrier=carrier,
            order=order,
            origin_country=origin,
            destination_country=order.buyer_country,
            mode="express",
            promised_date=(shipped + timedelta(days=12)).date(),
            shipped_at=shipped,
        )
        transit = rng.uniform(5, 11)
        # Older orders (further down the list) are the ones that can have been stuck for days.
        kind = (
            "stuck"
            if n in (25, 36, 47)
            else "customs"
            if n in (22, 40)
            else "failed"
            if n in (18, 33)
            else "normal"
        )
        steps = [
            (0.0, "InfoReceived", origin_loc, "Shipment information received"),
            (0.8, "InTransit", origin_loc, "Departed from sorting center"),
            (2.5, "InTransit", origin_loc, "Departed from airport of origin"),
        ]
        dest = f"{order.buyer_country}"
        if kind == "normal":
            steps += [
                (transit - 2, "InTransit", dest, "Arrived at destination country"),
                (transit - 0.4, "OutForDelivery", dest, "Out for delivery"),
                (transit, "Delivered", dest, "Delivered"),
            ]
        elif kind == "customs":
            steps += [
                (4.0, "InTransit", dest, "Arrived at destination country"),
                (5.0, "Exception", dest, "Held by customs - import documents required"),
            ]
        elif kind == "failed":
            steps += [
                (transit - 1, "InTransit", dest, "Arrived at delivery facility"),
                (transit, "AttemptFail", dest, "Recipient not available"),
            ]
        events = [
            TrackingEvent(
                organization=org,
                parcel=parcel,
                at=shipped + timedelta(days=d),
                utc_offset_min=480 if i < 3 else _off,
                status=st,
                location=loc,
                description=msg,
            )
            for i, (d, st, loc, msg) in enumerate(steps)
            if shipped + timedelta(days=d) <= ctx.now
        ]
        TrackingEvent.objects.bulk_create(events)
        if events:
            last = events[-1]
            parcel.status, parcel.last_event_at = last.status, last.at
            parcel.delivered_at = last.at if last.status == "Delivered" else None
            parcel.save(update_fields=["status", "last_event_at", "delivered_at"])
