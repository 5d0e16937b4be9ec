"""Bulk upsert of tracking events by carrier + number + time + status + description."""

from __future__ import annotations

from apps.logistics.models import Parcel, TrackingEvent

from .bulk_helpers import check_limits_and_scope, post, statuses

URL = "/api/v1/tracking-events/bulk-upsert/"


def _event(**over):
    return {"carrier": "yunexpress", "tracking_number": "YT1", "at": "2026-11-01T08:00:00+08:00",
            "status": "InTransit", "location": "Shenzhen, CN", **over}  # fmt: skip


def test_mixed_batch_saves_the_valid_items_and_refreshes_the_parcel(api_client, org):
    response = post(api_client, URL, [
        _event(),
        _event(at="2026-11-05T10:00:00+01:00", status="Delivered", location="Berlin, DE"),
        _event(status="Teleported"),
        _event(at="not a time"),
        _event(),
    ])  # fmt: skip
    assert statuses(response) == ["created", "created", "error", "error", "error"]
    errors = [r.get("errors") for r in response.json()["results"]]
    assert "status" in errors[2] and "at" in errors[3]
    assert "Repeats item 0" in errors[4]["tracking_number"][0]
    parcel = Parcel.objects.for_org(org).get(carrier="yunexpress", tracking_number="YT1")
    assert parcel.status == "Delivered" and parcel.delivered_at is not None
    assert TrackingEvent.objects.for_org(org).filter(parcel=parcel).count() == 2


def test_resending_is_unchanged_and_a_new_location_is_an_update(api_client, org):
    first = post(api_client, URL, [_event()]).json()["results"][0]
    again = post(api_client, URL, [_event()]).json()["results"][0]
    assert (again["status"], again["id"]) == ("unchanged", first["id"])
    assert statuses(post(api_client, URL, [_event(location="Guangzhou, CN")])) == ["updated"]


def test_another_organizations_parcel_is_never_matched(api_client, org, other_org):
    theirs = Parcel.objects.create(organization=other_org, carrier="yunexpress",
                                   tracking_number="YT1")  # fmt: skip
    assert statuses(post(api_client, URL, [_event()])) == ["created"]
    assert not TrackingEvent.objects.for_org(other_org).filter(parcel=theirs).exists()
    assert Parcel.objects.for_org(org).filter(tracking_number="YT1").exists()


def test_limits_scope_and_idempotency(api_client, org):
    check_limits_and_scope(api_client, org, URL, "logistics", _event())
