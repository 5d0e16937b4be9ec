"""POST /api/v1/parcels/delay-drafts/: the at-risk page's "draft delay messages" button through
the API. Drafts land in the review queue (never sent), one open draft per parcel; `parcels`
narrows to some parcels, and another organization's parcel ids are a 400 naming the field, like
ids nobody has, without writing anything."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.logistics.models import Parcel
from apps.review.models import Draft
from apps.support.models import Message

pytestmark = pytest.mark.django_db
URL = "/api/v1/parcels/delay-drafts/"


def late_parcel(org, number: str, country: str = "DE") -> Parcel:
    now = timezone.now()
    return Parcel.objects.create(
        organization=org,
        tracking_number=number,
        carrier="yunexpress",
        destination_country=country,
        status="InTransit",
        shipped_at=now - timedelta(days=30),
        promised_date=(now - timedelta(days=10)).date(),
    )


def on_time_parcel(org, number: str) -> Parcel:
    now = timezone.now()
    return Parcel.objects.create(
        organization=org,
        tracking_number=number,
        carrier="yunexpress",
        destination_country="US",
        status="InTransit",
        shipped_at=now - timedelta(days=1),
        last_event_at=now - timedelta(hours=3),
        promised_date=(now + timedelta(days=10)).date(),
    )


def test_every_at_risk_parcel_gets_one_pending_draft_and_nothing_is_sent(org, api_client):
    late = late_parcel(org, "YT-LATE-1")
    fine = on_time_parcel(org, "YT-FINE-1")
    response = api_client.post(URL, {}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] == 1 and body["skipped"] == []
    [row] = body["drafts"]
    assert row["parcel"] == late.pk and row["status"] == "pending"
    assert "YT-LATE-1" in row["message"]
    draft = Draft.objects.for_org(org).get(pk=row["id"])
    assert draft.kind == "parcel_delay_message" and draft.target_id == late.pk
    assert draft.proposed["message"] == row["message"]
    assert not Draft.objects.for_org(org).filter(target_id=fine.pk).exists()
    assert not Message.objects.for_org(org).exists()  # a draft, never a sent message
    again = api_client.post(URL, {}, format="json").json()
    assert again == {"created": 0, "drafts": [], "skipped": []}  # one open draft per parcel


def test_given_parcels_only_and_the_rest_reported_as_skipped(org, api_client):
    a, b = late_parcel(org, "YT-A"), late_parcel(org, "YT-B")
    fine = on_time_parcel(org, "YT-C")
    body = api_client.post(URL, {"parcels": [a.pk, fine.pk]}, format="json").json()
    assert [d["parcel"] for d in body["drafts"]] == [a.pk]
    assert body["skipped"] == [fine.pk]
    assert not Draft.objects.for_org(org).filter(target_id=b.pk).exists()


def test_another_organizations_parcel_id_is_a_400_and_writes_nothing(org, other_org, api_client):
    mine = late_parcel(org, "YT-MINE")
    theirs = late_parcel(other_org, "YT-THEIRS")
    response = api_client.post(URL, {"parcels": [mine.pk, theirs.pk]}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert "parcels" in body["errors"]
    assert "YT-THEIRS" not in response.content.decode()
    missing = api_client.post(URL, {"parcels": [mine.pk, 2**31 - 1]}, format="json").json()
    # a foreign id reads exactly like one nobody has (only the id in the text differs)
    assert str(body["errors"]).replace(str(theirs.pk), "N") == str(missing["errors"]).replace(
        str(2**31 - 1), "N"
    )
    assert not Draft.objects.unscoped().filter(kind="parcel_delay_message").exists()


def test_a_viewer_key_or_a_key_without_logistics_write_is_403(org, api_client_for):
    late_parcel(org, "YT-V")
    assert api_client_for(org, role="viewer").post(URL, {}, format="json").status_code == 403
    assert not Draft.objects.for_org(org).exists()


def test_the_same_idempotency_key_replays_the_first_answer(org, api_client):
    late_parcel(org, "YT-IDEM")
    first = api_client.post(URL, {}, format="json", HTTP_IDEMPOTENCY_KEY="delay-1")
    again = api_client.post(URL, {}, format="json", HTTP_IDEMPOTENCY_KEY="delay-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and first.json()["created"] == 1
    assert Draft.objects.for_org(org).count() == 1
