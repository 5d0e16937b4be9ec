"""Delay risk of parcels (last mile) and inbound shipments (first leg).

A lane is (origin, destination, carrier, mode). Its transit times are the delivered items'
(delivered − shipped, in days); an open item is compared with the empirical quantiles of the
most specific lane that has at least `MIN_SAMPLES` deliveries, falling back to wider lanes
(origin+destination+mode, destination+mode, mode) and finally to a default per mode. Reasons,
any of which makes the item at risk:

- `exception` / `attempt_failed`: the carrier's last status says so (customs hold, return…);
- `no_scan`: no checkpoint for `STALE_DAYS` days while in transit;
- `over_p90`: in transit longer than 90 % of the lane's deliveries took;
- `past_promised`: the promised date passed; `promise_at_risk`: the lane's median transit from
  the ship date ends after the promised date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import FINAL_STATUSES, InboundShipment, Parcel, TrackingStatus

if TYPE_CHECKING:
    from apps.accounts.models import Organization

MIN_SAMPLES = 5
STALE_DAYS = 5
PENDING_DAYS = 3
# Days door to door when a lane has no history (p50, p90).
DEFAULT_TRANSIT = {
    "express": (6.0, 12.0),
    "air": (10.0, 16.0),
    "rail": (25.0, 35.0),
    "sea": (35.0, 50.0),
}
REASONS = {
    "exception": _("The carrier reports an exception (customs hold, return, damage)."),
    "attempt_failed": _("A delivery attempt failed."),
    "no_scan": _("No scan for %(days)d days."),
    "over_p90": _("In transit for %(days)d days; 90%% of this lane's deliveries took %(p90)s."),
    "past_promised": _("The promised date %(date)s has passed."),
    "promise_at_risk": _("The lane's median transit (%(p50)s days) ends after the promised date."),
    "pending": _("Label created %(days)d days ago and not yet scanned by the carrier."),
}


@dataclass
class LaneStats:
    level: str  # "lane" | "route" | "destination" | "mode" | "default"
    samples: int
    p50: float
    p90: float
    values: list[float] = field(default_factory=list)


@dataclass
class Risk:
    at_risk: bool
    reasons: list[str]  # codes
    messages: list[str]
    lane: LaneStats
    elapsed_days: float | None


class LaneModel:
    """Empirical transit-time quantiles per lane level, built once from delivered items."""

    def __init__(self, rows: list[tuple[str, str, str, str, float]]) -> None:
        self.by: dict[tuple, list[float]] = {}
        for origin, dest, carrier, mode, days in rows:
            for key in self._keys(origin, dest, carrier, mode):
                self.by.setdefault(key, []).append(days)

    @staticmethod
    def _keys(origin: str, dest: str, carrier: str, mode: str) -> list[tuple]:
        return [
            ("lane", origin, dest, carrier, mode),
            ("route", origin, dest, mode),
            ("destination", dest, mode),
            ("mode", mode),
        ]

    def stats(self, origin: str, dest: str, carrier: str, mode: str) -> LaneStats:
        for key in self._keys(origin, dest, carrier, mode):
            values = self.by.get(key, [])
            if len(values) >= MIN_SAMPLES:
                arr = np.asarray(values)
                return LaneStats(
                    key[0],
                    len(values),
                    float(np.quantile(arr, 0.5)),
                    float(np.quantile(arr, 0.9)),
                    values,
                )
        p50, p90 = DEFAULT_TRANSIT.get(mode, DEFAULT_TRANSIT["express"])
        return LaneStats("default", 0, p50, p90)


def _days(delta: timedelta) -> float:
    return delta.total_seconds() / 86400


def parcel_lanes(*, org: Organization) -> LaneModel:
    rows = (
        Parcel.objects.for_org(org)
        .filter(
            status=TrackingStatus.DELIVERED, shipped_at__isnull=False, delivered_at__isnull=False
        )
        .values_list(
            "origin_country", "destination_country", "carrier", "mode", "shipped_at", "delivered_at"
        )
    )
    return LaneModel([(o, d, c, m, _days(b - a)) for o, d, c, m, a, b in rows if b >= a])


def shipment_lanes(*, org: Organization) -> LaneModel:
    rows = (
        InboundShipment.objects.for_org(org)
        .filter(shipped_at__isnull=False, arrived_at__isnull=False)
        .values_list(
            "origin_country", "warehouse__country", "carrier", "mode", "shipped_at", "arrived_at"
        )
    )
    return LaneModel([(o, d, c, m, _days(b - a)) for o, d, c, m, a, b in rows if b >= a])


def assess(
    *,
    status: str,
    shipped_at: datetime | None,
    last_event_at: datetime | None,
    promised_date: date | None,
    created_at: datetime | None,
    lane: LaneStats,
    now: datetime,
) -> Risk:
    """The delay risk of one open item against its lane."""
    codes: list[str] = []
    msgs: list[str] = []

    def add(code: str, **values) -> None:
        codes.append(code)
        msgs.append(str(REASONS[code]) % values if values else str(REASONS[code]))

    elapsed = _days(now - shipped_at) if shipped_at else None
    if status == TrackingStatus.EXCEPTION:
        add("exception")
    if status == TrackingStatus.ATTEMPT_FAIL:
        add("attempt_failed")
    if status == TrackingStatus.PENDING and created_at and _days(now - created_at) > PENDING_DAYS:
        add("pending", days=int(_days(now - created_at)))
    in_transit = status in (
        TrackingStatus.IN_TRANSIT,
        TrackingStatus.INFO_RECEIVED,
        "in_transit",
        "customs",
    )
    if in_transit and last_event_at and _days(now - last_event_at) >= STALE_DAYS:
        add("no_scan", days=int(_days(now - last_event_at)))
    if elapsed is not None and elapsed > lane.p90:
        add("over_p90", days=int(elapsed), p90=f"{lane.p90:.1f}")
    today = timezone.localdate(now) if timezone.is_aware(now) else now.date()
    if promised_date and today > promised_date:
        add("past_promised", date=promised_date.isoformat())
    elif (
        promised_date
        and shipped_at
        and (shipped_at + timedelta(days=lane.p50)).date() > promised_date
    ):
        add("promise_at_risk", p50=f"{lane.p50:.1f}")
    return Risk(bool(codes), codes, msgs, lane, elapsed)


def parcel_risks(
    *, org: Organization, parcels=None, now: datetime | None = None
) -> list[tuple[Parcel, Risk]]:
    """Every open parcel (or those given) with its risk, riskiest first."""
    now = now or timezone.now()
    lanes = parcel_lanes(org=org)
    if parcels is None:
        parcels = Parcel.objects.for_org(org).exclude(status__in=FINAL_STATUSES)
    out = []
    for p in parcels:
        if p.status in FINAL_STATUSES:
            risk = Risk(False, [], [], LaneStats("default", 0, 0, 0), None)
        else:
            lane = lanes.stats(p.origin_country, p.destination_country, p.carrier, p.mode)
            risk = assess(
                status=p.status,
                shipped_at=p.shipped_at,
                last_event_at=p.last_event_at,
                promised_date=p.promised_date,
                created_at=p.created_at,
                lane=lane,
                now=now,
            )
        out.append((p, risk))
    out.sort(key=lambda pr: (not pr[1].at_risk, -len(pr[1].reasons), -(pr[1].elapsed_days or 0)))
    return out


OPEN_SHIPMENT_STATUSES = (InboundShipment.Status.IN_TRANSIT, InboundShipment.Status.CUSTOMS)


def shipment_risks(*, org: Organization, now: datetime | None = None):
    """Every shipment on its way (in transit or at customs) with its risk, riskiest first."""
    open_ = list(
        InboundShipment.objects.for_org(org)
        .filter(status__in=OPEN_SHIPMENT_STATUSES)
        .select_related("warehouse")
    )
    risks = shipment_risk_map(org=org, shipments=open_, now=now)
    out = [(s, risks[s.pk]) for s in open_]
    out.sort(key=lambda pr: (not pr[1].at_risk, -len(pr[1].reasons)))
    return out


def shipment_risk_map(
    *, org: Organization, shipments, now: datetime | None = None
) -> dict[int, Risk]:
    """{shipment id: Risk} for the given shipments (their warehouse selected) that are on their
    way; planned, arrived and checked-in ones are absent. One query (the lane history) however
    many shipments are given."""
    now = now or timezone.now()
    open_ = [s for s in shipments if s.status in OPEN_SHIPMENT_STATUSES]
    if not open_:
        return {}
    lanes = shipment_lanes(org=org)
    out = {}
    for s in open_:
        lane = lanes.stats(s.origin_country, s.warehouse.country, s.carrier, s.mode)
        status = (
            TrackingStatus.EXCEPTION
            if s.status == "customs"
            and s.last_event_at
            and _days(now - s.last_event_at) >= STALE_DAYS
            else TrackingStatus.IN_TRANSIT
        )
        out[s.pk] = assess(
            status=status,
            shipped_at=s.shipped_at,
            last_event_at=s.last_event_at,
            promised_date=s.promised_date,
            created_at=s.created_at,
            lane=lane,
            now=now,
        )
    return out


def transit_distribution(*, org: Organization, kind: str = "parcel") -> dict[str, LaneStats]:
    """Per lane (carrier · origin→destination · mode), the delivered transit times: the lane
    performance page's chart data."""
    model = parcel_lanes(org=org) if kind == "parcel" else shipment_lanes(org=org)
    out = {}
    for key, values in model.by.items():
        if key[0] != "lane":
            continue
        _lvl, origin, dest, carrier, mode = key
        arr = np.asarray(values)
        label = f"{carrier} · {origin or '?'}→{dest or '?'} · {mode}"
        out[label] = LaneStats(
            "lane",
            len(values),
            float(np.quantile(arr, 0.5)),
            float(np.quantile(arr, 0.9)),
            sorted(values),
        )
    return dict(sorted(out.items(), key=lambda kv: -kv[1].samples))
