"""Logistics writes: warehouses, inbound shipments with their items, parcels, the proactive
delay-message drafts for customer service, and the plan export."""

from __future__ import annotations

import io
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, ValidationFailed
from apps.core.events import event_emit

from .models import InboundItem, InboundShipment, Parcel, Warehouse
from .risk import parcel_risks

if TYPE_CHECKING:
    from apps.accounts.models import Organization

WAREHOUSE_FIELDS = ("code", "name", "kind", "country", "store", "capacity_ft3", "is_active")
SHIPMENT_FIELDS = (
    "reference",
    "warehouse",
    "mode",
    "carrier",
    "tracking_number",
    "origin_country",
    "status",
    "cartons",
    "volume_ft3",
    "weight_kg",
    "cost",
    "currency",
    "shipped_at",
    "promised_date",
    "arrived_at",
    "checked_in_at",
    "last_event_at",
    "milestones",
)


def _own(obj, org, what: str) -> None:
    if obj is not None and getattr(obj, "organization_id", org.id) != org.id:
        raise ValidationFailed(_("No such %(what)s.") % {"what": what}, field=what)


@transaction.atomic
def warehouse_create(*, org: Organization, actor=None, **data: Any) -> Warehouse:
    _own(data.get("store"), org, "store")
    wh = Warehouse(organization=org, **{k: v for k, v in data.items() if k in WAREHOUSE_FIELDS})
    try:
        with transaction.atomic():
            wh.save()
    except IntegrityError as exc:
        raise Conflict(_("A warehouse with this code exists.")) from exc
    return wh


@transaction.atomic
def warehouse_update(
    *, org: Organization, actor=None, warehouse: Warehouse, data: dict
) -> Warehouse:
    _own(warehouse, org, "warehouse")
    _own(data.get("store"), org, "store")
    for key, value in data.items():
        if key in WAREHOUSE_FIELDS:
            setattr(warehouse, key, value)
    try:
        with transaction.atomic():
            warehouse.save()
    except IntegrityError as exc:
        raise Conflict(_("A warehouse with this code exists.")) from exc
    return warehouse


@transaction.atomic
def inbound_shipment_create(
    *, org: Organization, actor=None, items: list[dict] | None = None, **data: Any
) -> InboundShipment:
    """A first-leg shipment and its items ({product, units}); products must be the org's."""
    _own(data.get("warehouse"), org, "warehouse")
    shipment = InboundShipment(
        organization=org, **{k: v for k, v in data.items() if k in SHIPMENT_FIELDS}
    )
    try:
        with transaction.atomic():
            shipment.save()
    except IntegrityError as exc:
        raise Conflict(_("A shipment with this reference exists.")) from exc
    seen = set()
    rows = []
    for item in items or []:
        product = item["product"]
        _own(product, org, "product")
        if product.pk in seen:
            raise ValidationFailed(_("A product appears twice in the shipment."), field="items")
        seen.add(product.pk)
        rows.append(
            InboundItem(
                organization=org, shipment=shipment, product=product, units=int(item["units"])
            )
        )
    InboundItem.objects.bulk_create(rows)
    return shipment


def milestone_add(
    *, org: Organization, shipment: InboundShipment, milestone: str, at: datetime, note: str = ""
) -> InboundShipment:
    """Record a milestone; the shipment's status and dates follow the known milestones."""
    _own(shipment, org, "shipment")
    status_of = {
        "departed": "in_transit",
        "customs": "customs",
        "arrived": "arrived",
        "checked_in": "checked_in",
    }
    shipment.milestones = [
        *shipment.milestones,
        {"at": at.isoformat(), "milestone": milestone, "note": note[:300]},
    ]
    shipment.last_event_at = max(filter(None, [shipment.last_event_at, at]))
    if milestone in status_of:
        shipment.status = status_of[milestone]
    if milestone == "departed" and shipment.shipped_at is None:
        shipment.shipped_at = at
    if milestone == "arrived":
        shipment.arrived_at = at
    if milestone == "checked_in":
        shipment.checked_in_at = at
    shipment.save()
    return shipment


@transaction.atomic
def parcel_create(*, org: Organization, actor=None, **data: Any) -> Parcel:
    order = data.get("order")
    _own(order, org, "order")
    allowed = (
        "tracking_number",
        "carrier",
        "order",
        "origin_country",
        "destination_country",
        "mode",
        "promised_date",
        "shipped_at",
    )
    parcel = Parcel(organization=org, **{k: v for k, v in data.items() if k in allowed})
    try:
        with transaction.atomic():
            parcel.save()
    except IntegrityError as exc:
        raise Conflict(_("This tracking number is already known.")) from exc
    return parcel


MESSAGE = {
    "en": (
        "Hello,\n\nthank you for your order{order}. Your parcel ({carrier} {number}) is taking "
        "longer than usual: {reason} We are following it with the carrier and will update you "
        "as soon as it moves. If it does not arrive within a few days, we will send a "
        "replacement or refund you.\n\nKind regards"
    ),
    "de": (
        "Hallo,\n\nvielen Dank für Ihre Bestellung{order}. Ihr Paket ({carrier} {number}) ist "
        "länger unterwegs als üblich: {reason} Wir verfolgen die Sendung mit dem Versanddienst "
        "und melden uns, sobald es weitergeht. Kommt sie in den nächsten Tagen nicht an, "
        "schicken wir Ersatz oder erstatten den Betrag.\n\nFreundliche Grüße"
    ),
}


def delay_message_text(parcel: Parcel, reasons: list[str], language: str = "en") -> str:
    order = f" {parcel.order.marketplace_order_id}" if parcel.order_id else ""
    template = MESSAGE.get(language, MESSAGE["en"])
    return template.format(
        order=order, carrier=parcel.carrier, number=parcel.tracking_number, reason=" ".join(reasons)
    )


def delay_message_drafts_create(*, org: Organization, now=None) -> int:
    """How many delay-message drafts `delay_message_drafts` wrote (the dashboard's button and
    the periodic task)."""
    return len(delay_message_drafts(org=org, now=now))


@transaction.atomic  # each draft and its shipment.at_risk event commit together
def delay_message_drafts(*, org: Organization, now=None, parcels=None) -> list:
    """A `parcel_delay_message` draft for every at-risk parcel that has none open (or for those
    of `parcels`, the organization's parcels only): a proactive message for customer service to
    review and send themselves (never sent automatically). Answers the drafts written."""
    from django.contrib.contenttypes.models import ContentType

    from apps.review.models import OPEN_STATUSES, Draft
    from apps.review.services import draft_create

    ct = ContentType.objects.get_for_model(Parcel)
    drafted = set(
        Draft.objects.for_org(org)
        .filter(kind="parcel_delay_message", target_type=ct, status__in=OPEN_STATUSES)
        .values_list("target_id", flat=True)
    )
    if parcels is not None:
        parcels = Parcel.objects.for_org(org).filter(pk__in=[getattr(p, "pk", p) for p in parcels])
    created = []
    for parcel, risk in parcel_risks(org=org, parcels=parcels, now=now or timezone.now()):
        if not risk.at_risk or parcel.pk in drafted:
            continue
        language = "de" if parcel.destination_country in ("DE", "AT", "CH") else "en"
        # Newly at risk (no open draft yet): announced once per episode, with the draft.
        event_emit(
            org=org,
            event="shipment.at_risk",
            payload={
                "parcel_id": parcel.pk,
                "tracking_number": parcel.tracking_number,
                "carrier": parcel.carrier,
                "reasons": list(risk.reasons),
            },
        )
        draft = draft_create(
            org=org,
            kind="parcel_delay_message",
            target=parcel,
            proposed={"message": delay_message_text(parcel, risk.messages, language)},
            rationale="; ".join(risk.reasons),
            evidence=[
                {
                    "reasons": risk.reasons,
                    "lane": risk.lane.level,
                    "p90_days": round(risk.lane.p90, 1),
                }
            ],
            priority=len(risk.reasons),
        )
        created.append(draft)
    return created


PLAN_HEADER = [
    "sku",
    "product",
    "warehouse",
    "mode",
    "units",
    "ship_by",
    "volume_ft3",
    "stockout_date",
]


def plan_rows(*, org: Organization) -> list[list]:
    from .selectors import plan_lines_planned

    rows = []
    for s in plan_lines_planned(org=org):
        rows.append(
            [
                s.product.sku,
                s.product.name,
                s.warehouse.code,
                s.mode,
                s.planned_quantity,
                s.ship_by.isoformat() if s.ship_by else "",
                f"{s.volume_ft3}",
                s.stockout_date.isoformat() if s.stockout_date else "",
            ]
        )
    return rows


def plan_export(*, org: Organization, fmt: str = "csv") -> tuple[bytes, str]:
    """The approved plan lines as CSV or XLSX, cells formula-escaped (apps.core.csv_safe)."""
    from apps.core.csv_safe import safe_cell

    rows = [[safe_cell(c) for c in row] for row in plan_rows(org=org)]
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("plan")
        ws.append(PLAN_HEADER)
        for row in rows:
            ws.append(row)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    import csv

    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(PLAN_HEADER)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8"
