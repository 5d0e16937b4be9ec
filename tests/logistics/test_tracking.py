"""Tracking events: the sample file, normalisation, ordering by instant, idempotent re-import,
and delay risk of a stuck parcel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from apps.integrations.tracking_csv import parser
from apps.logistics.imports import local_time, tracking_import, tracking_records_import
from apps.logistics.models import Parcel, TrackingEvent
from apps.logistics.risk import LaneStats, assess, parcel_risks

SAMPLE = Path("/work/shared/data/tracking-events.csv")
if not SAMPLE.exists():
    SAMPLE = Path(__file__).resolve().parents[1] / "data" / "tracking-events.csv"
SNAPSHOT = datetime(2025, 9, 20, 12, tzinfo=UTC)


def test_sample_parses_with_instants_and_offsets():
    result = parser.parse(SAMPLE.read_bytes())
    assert result.errors == [] and len(result.rows) == 39
    la = next(r for r in result.rows if r.location.startswith("Los Angeles"))
    assert la.at == datetime(2025, 9, 6, 21, 55, tzinfo=UTC) and la.utc_offset_min == -420
    pending = [r for r in result.rows if r.status == "Pending"]
    assert len(pending) == 1 and pending[0].at is None


def test_carrier_words_normalise_to_one_vocabulary():
    assert parser.normalise_status("delivered") == "Delivered"
    assert parser.normalise_status("已签收") == "Delivered"
    assert parser.normalise_status("out_for_delivery") == "OutForDelivery"
    assert parser.normalise_status("zugestellt") == "Delivered"
    assert parser.normalise_status("whatever") == ""


def test_bad_lines_are_reported_and_good_ones_kept():
    body = (
        "tracking_number,slug,checkpoint_time,tag,location,message\n"
        "A1,dhl,2025-09-01T10:00:00+02:00,Teleported,Berlin,?\n"
        "A1,dhl,yesterday,InTransit,Berlin,x\n"
        "A1,dhl,2025-09-01T10:00:00+02:00,InTransit,Berlin,ok\n"
    )
    result = parser.parse(body.encode())
    assert [e.line for e in result.errors] == [2, 3] and len(result.rows) == 1


@pytest.mark.django_db
def test_import_sorts_events_by_instant_and_is_idempotent(org):
    out = tracking_import(org=org, source=SAMPLE.read_bytes(), filename="t.csv")
    assert out.run.rows_ok == 39
    assert Parcel.objects.for_org(org).count() == 10
    parcel = Parcel.objects.for_org(org).get(tracking_number="YT2525100284610319")
    assert parcel.status == "Delivered" and parcel.origin_country == "CN"
    assert parcel.destination_country == "US"
    events = list(TrackingEvent.objects.for_org(org).filter(parcel=parcel).order_by("at"))
    assert [e.status for e in events][-1] == "Delivered"
    # LA (-07:00) scan of 14:55 local is after HK (+08:00) 06:12 local the day before.
    assert events[2].location.startswith("Hong Kong") and events[3].location.startswith("Los")
    assert local_time(events[3].at, events[3].utc_offset_min).hour == 14
    count = TrackingEvent.objects.for_org(org).count()
    again = tracking_records_import(
        org=org,
        records=[
            {
                "tracking_number": "YT2525100284610319",
                "slug": "yunexpress",
                "checkpoint_time": "2025-09-10T15:48:00-04:00",
                "tag": "Delivered",
                "location": "Brooklyn, NY, US",
                "message": "Delivered, in/at mailbox",
            }
        ],
    )
    assert again.created == 0 and TrackingEvent.objects.for_org(org).count() == count


@pytest.mark.django_db
def test_stuck_parcel_is_at_risk_with_its_reasons(org):
    tracking_import(org=org, source=SAMPLE.read_bytes(), filename="t.csv")
    risks = {p.tracking_number: r for p, r in parcel_risks(org=org, now=SNAPSHOT)}
    stuck = risks["YT2525400731926548"]
    assert stuck.at_risk and "no_scan" in stuck.reasons
    assert "exception" in risks["4PX3002381175462CN"].reasons
    assert "exception" in risks["YT2524900418873302"].reasons
    assert "YT2525100284610319" not in risks  # delivered parcels are not open


def test_delay_risk_uses_the_lane_quantiles():
    lane = LaneStats("lane", 20, 7.0, 10.0)
    shipped = SNAPSHOT - timedelta(days=11)
    risk = assess(
        status="InTransit",
        shipped_at=shipped,
        last_event_at=SNAPSHOT - timedelta(days=1),
        promised_date=None,
        created_at=shipped,
        lane=lane,
        now=SNAPSHOT,
    )
    assert risk.reasons == ["over_p90"]
    fine = assess(
        status="InTransit",
        shipped_at=SNAPSHOT - timedelta(days=5),
        last_event_at=SNAPSHOT - timedelta(days=1),
        promised_date=None,
        created_at=shipped,
        lane=lane,
        now=SNAPSHOT,
    )
    assert not fine.at_risk


def test_thin_lanes_fall_back_to_wider_lanes():
    from apps.logistics.risk import LaneModel

    rows = [("CN", "US", "yun", "express", d) for d in (5, 6, 7)]
    rows += [("CN", "US", "dhl", "express", d) for d in (3, 4, 4, 5)]
    model = LaneModel(rows)
    assert model.stats("CN", "US", "yun", "express").level == "route"
    assert model.stats("CN", "DE", "yun", "express").level == "mode"
    assert model.stats("CN", "DE", "yun", "sea").level == "default"


@pytest.mark.django_db
def test_delay_messages_are_drafts_never_sent(org):
    from apps.logistics.services import delay_message_drafts_create
    from apps.review.models import Draft

    tracking_import(org=org, source=SAMPLE.read_bytes(), filename="t.csv")
    n = delay_message_drafts_create(org=org, now=SNAPSHOT)
    drafts = Draft.objects.for_org(org).filter(kind="parcel_delay_message")
    assert n == drafts.count() >= 3
    assert all(d.status == "pending" and d.proposed["message"] for d in drafts)
    assert delay_message_drafts_create(org=org, now=SNAPSHOT) == 0  # one open draft per parcel
