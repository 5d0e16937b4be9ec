"""Inbound shipments (first leg) as a report: the filtered list, its rows decorated with the
delay risk and, on request, the cost in the organization's base currency at the rate of the ship
day (not shipped yet: the day the shipment was recorded, as the API does), and its CSV/XLSX
export. Set-based: a page or an export chunk costs the same few queries whatever its size
(one for the rates, one for the lane history), never one per row."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.core.csv_safe import safe_cell
from apps.orders.base_currency import attach_base_amounts, base_currency, utc_day

from .models import InboundShipment, Mode
from .risk import shipment_risk_map

if TYPE_CHECKING:
    from apps.accounts.models import Organization

EXPORT_MAX = 100_000
CHUNK = 2_000
MILESTONE_LABELS = {
    "departed": _("Departed"),
    "customs": _("At customs"),
    "arrived": _("Arrived"),
    "checked_in": _("Checked in"),
    "note": _("Note"),
}
HEADER = ["reference", "mode", "carrier", "origin", "warehouse", "status", "cartons",
          "volume_ft3", "weight_kg", "currency", "cost", "shipped_at_utc", "promised_date",
          "arrived_at_utc", "milestones", "last_milestone", "at_risk", "risk_reasons"]  # fmt: skip


@dataclass(frozen=True)
class ShipmentFilters:
    mode: str = ""
    warehouse_id: int | None = None
    status: str = ""

    @classmethod
    def from_params(cls, params) -> ShipmentFilters:
        mode = params.get("mode", "")
        status = params.get("status", "")
        try:
            warehouse_id = int(params.get("warehouse", "")) or None
        except ValueError:
            warehouse_id = None
        return cls(
            mode=mode if mode in Mode.values else "",
            warehouse_id=warehouse_id,
            status=status if status in InboundShipment.Status.values else "",
        )


def inbound_list(*, org: Organization, filters: ShipmentFilters) -> QuerySet[InboundShipment]:
    """The organization's inbound shipments, filtered, not yet shipped first, then the latest
    shipped; the warehouse joined (a foreign warehouse id simply matches nothing)."""
    qs = InboundShipment.objects.for_org(org).select_related("warehouse")
    if filters.mode:
        qs = qs.filter(mode=filters.mode)
    if filters.warehouse_id:
        qs = qs.filter(warehouse_id=filters.warehouse_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by("-shipped_at", "-id")


def event_day(shipment: InboundShipment):
    """The day whose rate converts the cost: the ship day, else the day it was recorded."""
    return utc_day(shipment.shipped_at or shipment.created_at)


def decorate(
    *, org: Organization, shipments: list[InboundShipment], in_base: bool, now=None
) -> str:
    """Set `risk` (a Risk or None), `last_milestone` (a dict or None) and, with `in_base`,
    `base_amount` on each shipment. Returns the base currency ("" without `in_base`)."""
    risks = shipment_risk_map(org=org, shipments=shipments, now=now)
    for s in shipments:
        s.risk = risks.get(s.pk)
        s.last_milestone = milestone_rows(s)[-1] if s.milestones else None
    if not in_base:
        return ""
    return attach_base_amounts(org=org, rows=shipments, amount="cost", day=event_day)


def milestone_rows(shipment: InboundShipment) -> list[dict]:
    """The shipment's milestones by time, each with its translated label."""
    rows = [m for m in (shipment.milestones or []) if isinstance(m, dict)]
    rows.sort(key=lambda m: str(m.get("at") or ""))
    return [
        {**m, "label": MILESTONE_LABELS.get(m.get("milestone"), m.get("milestone") or ""),
         "when": _when(m.get("at"))}
        for m in rows
    ]  # fmt: skip


def _when(value):
    from django.utils.dateparse import parse_datetime

    try:
        return parse_datetime(str(value or ""))
    except ValueError:
        return None


# --- export ----------------------------------------------------------------------------------


def export_header(*, org: Organization, in_base: bool) -> list[str]:
    if not in_base:
        return list(HEADER)
    return [*HEADER, f"cost_{base_currency(org).lower()}", "rate", "rate_date", "missing_rate"]


def export_rows(
    *, org: Organization, shipments: QuerySet[InboundShipment], in_base: bool
) -> Iterator[list]:
    """One list per shipment (at most EXPORT_MAX), amounts as Decimal, text formula-escaped;
    the rates and the lane history are read once per chunk of CHUNK shipments."""
    chunk: list[InboundShipment] = []
    for s in shipments[:EXPORT_MAX].iterator(chunk_size=CHUNK):
        chunk.append(s)
        if len(chunk) == CHUNK:
            yield from _chunk_rows(org, chunk, in_base)
            chunk = []
    if chunk:
        yield from _chunk_rows(org, chunk, in_base)


def _chunk_rows(org: Organization, chunk: list[InboundShipment], in_base: bool) -> Iterator[list]:
    from apps.orders.exports import utc_iso

    decorate(org=org, shipments=chunk, in_base=in_base)
    for s in chunk:
        last = s.last_milestone
        row = [s.reference, s.mode, s.carrier, s.origin_country, s.warehouse.code, s.status,
               s.cartons, s.volume_ft3, s.weight_kg, s.currency, s.cost, utc_iso(s.shipped_at),
               s.promised_date.isoformat() if s.promised_date else "", utc_iso(s.arrived_at),
               len(s.milestones or []), last.get("milestone", "") if last else "",
               "yes" if s.risk and s.risk.at_risk else "no",
               " ".join(s.risk.reasons) if s.risk else ""]  # fmt: skip
        if in_base:
            b = s.base_amount
            row += [b.amount if b.amount is not None else "", b.rate if b.rate is not None else "",
                    b.day.isoformat() if b.day else "", b.missing]  # fmt: skip
        yield [safe_cell(c) for c in row]


def export(
    *, org: Organization, shipments: QuerySet[InboundShipment], fmt: str, in_base: bool
) -> tuple[bytes, str]:
    """The file's bytes and content type (`fmt` csv or xlsx)."""
    from apps.core.table_export import table_bytes

    head = export_header(org=org, in_base=in_base)
    body = export_rows(org=org, shipments=shipments, in_base=in_base)
    return table_bytes(head, body, fmt=fmt, sheet="inbound shipments")
