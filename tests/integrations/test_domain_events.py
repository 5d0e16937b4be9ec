"""Each domain event reaches a subscription's outbox, written by the service that makes the
change, in its transaction (apps/core/events.py → the webhook outbox), and its payload matches
the schema the OpenAPI document publishes for it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from apps.catalog.services import listing_stock_set_many, listing_update
from apps.core.events import EVENT_SCHEMAS, EVENTS
from apps.integrations.models import WebhookEvent, WebhookSubscription
from apps.review.services import draft_approve, draft_create
from tests.factories import ListingFactory, OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sub(org):
    return WebhookSubscription.objects.create(
        organization=org,
        url="https://hooks.example.com/erp",
        events=sorted(EVENTS),
        secret="whsec_test",
    )


def outbox(org, event: str) -> list[dict]:
    rows = WebhookEvent.objects.for_org(org).filter(event=event).order_by("pk")
    return [row.payload for row in rows]


def _valid(event: str, payload: dict) -> None:
    """The payload has the published schema's required keys and no unknown ones."""
    schema = EVENT_SCHEMAS[event]
    assert set(schema["required"]) <= set(payload), (event, payload)
    assert set(payload) <= set(schema["properties"]), (event, payload)


def test_every_event_has_a_payload_schema():
    assert set(EVENT_SCHEMAS) == set(EVENTS)


def test_draft_created_approved_and_applied(org, sub):
    listing = ListingFactory(organization=org, price=Decimal("20.00"), currency="USD")
    draft = draft_create(
        org=org, kind="price_change", target=listing, proposed={"price": "21.99", "currency": "USD"}
    )
    draft_approve(org=org, actor=None, draft_id=draft.id)
    for event in ("draft.created", "draft.approved", "draft.applied"):
        [payload] = outbox(org, event)
        assert payload["draft_id"] == draft.id
        _valid(event, payload)
    # Applying the price draft changed the listing's price: both listing events follow.
    assert outbox(org, "price.changed")[0]["listing_ids"] == [listing.id]
    assert outbox(org, "listing.changed")[0]["aspects"] == ["price"]


def test_listing_changed_and_price_changed_on_an_edit(org, sub):
    listing = ListingFactory(organization=org, price=Decimal("20.00"), currency="USD")
    listing_update(org=org, listing=listing, data={"title": "New title"})
    [content] = outbox(org, "listing.changed")
    assert content == {"listing_ids": [listing.id], "aspects": ["content"], "source": "edit"}
    assert outbox(org, "price.changed") == []
    listing_update(org=org, listing=listing, data={"price": Decimal("19.00")})
    [price] = outbox(org, "price.changed")
    assert price["listing_ids"] == [listing.id]
    for event in ("listing.changed", "price.changed"):
        for payload in outbox(org, event):
            _valid(event, payload)


def test_a_set_based_stock_write_announces_one_event_per_chunk(org, sub):
    listings = [ListingFactory(organization=org, stock=1) for _ in range(3)]
    ids = [x.id for x in listings]
    assert listing_stock_set_many(org=org, listing_ids=ids, stocks=[5, 1, 7]) == 2
    [payload] = outbox(org, "listing.changed")
    assert payload["listing_ids"] == sorted([ids[0], ids[2]]) and payload["aspects"] == ["stock"]


def test_nothing_is_announced_for_a_change_that_rolled_back(org, sub):
    listing = ListingFactory(organization=org)
    with pytest.raises(RuntimeError), transaction.atomic():
        listing_update(org=org, listing=listing, data={"title": "Rolled back"})
        raise RuntimeError
    assert outbox(org, "listing.changed") == []


def test_message_received(org, sub):
    from apps.support.services.ingest import mail_ingest
    from tests.support.conftest import US_SAMPLE

    store = ListingFactory(organization=org).store
    message = mail_ingest(org=org, store=store, raw=US_SAMPLE.read_bytes()).message
    [payload] = outbox(org, "message.received")
    assert payload["message_id"] == message.id
    assert payload["conversation_id"] == message.conversation_id
    _valid("message.received", payload)


def test_shipment_at_risk(org, sub):
    from apps.logistics.models import Parcel
    from apps.logistics.services import delay_message_drafts_create

    now = timezone.now()
    parcel = Parcel.objects.create(
        organization=org,
        tracking_number="YT2500000000001",
        carrier="yunexpress",
        destination_country="DE",
        status="InTransit",
        shipped_at=now - timedelta(days=30),
        promised_date=(now - timedelta(days=10)).date(),
    )
    assert delay_message_drafts_create(org=org, now=now) == 1
    [payload] = outbox(org, "shipment.at_risk")
    assert payload["parcel_id"] == parcel.id and payload["reasons"]
    _valid("shipment.at_risk", payload)
    delay_message_drafts_create(org=org, now=now)  # still at risk, already announced
    assert len(outbox(org, "shipment.at_risk")) == 1


def test_restock_suggested(org, sub):
    from apps.logistics.models import Inventory
    from apps.logistics.planner import plan
    from tests.logistics.helpers import fba_warehouse, sample_products

    wh = fba_warehouse(org)
    listing = sample_products(org, wh.store, ["KVX-1"])["KVX-1"]
    Inventory.objects.create(
        organization=org,
        product=listing.product,
        warehouse=wh,
        fulfillable=5,
        reported_at=timezone.now(),
    )
    for n in range(1, 60):
        order = OrderFactory(
            organization=org, store=wh.store, ordered_at=timezone.now() - timedelta(days=n)
        )
        OrderItemFactory(
            organization=org, order=order, product=listing.product, sku="KVX-1", quantity=5
        )
    run = plan(org=org)
    [payload] = outbox(org, "restock.suggested")
    assert payload == {"plan_run_id": run.id, "suggestions": run.suggestions}
    _valid("restock.suggested", payload)


def test_job_finished(org, sub):
    from apps.core.services import job_create, job_finish

    job = job_create(org=org, kind="listing_export", total=1)
    job_finish(job_id=job.id)
    [payload] = outbox(org, "job.finished")
    assert payload["job_id"] == job.id and payload["status"] == "succeeded"
    _valid("job.finished", payload)


def test_the_schema_publishes_every_events_payload(db):
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert set(schema["x-webhooks"]) == set(EVENTS)
    for event, hook in schema["x-webhooks"].items():
        ref = hook["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert component["properties"]["type"]["enum"] == [event]
        assert component["properties"]["data"] == EVENT_SCHEMAS[event]
