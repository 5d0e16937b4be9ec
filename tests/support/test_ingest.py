"""Ingesting relay mails: threading, order link, dedupe, attachments, understanding."""

from __future__ import annotations

import pytest
from django.test import override_settings

from apps.core.errors import ValidationFailed
from apps.support.models import Attachment, Conversation, Message
from apps.support.services.ingest import mail_ingest

from .conftest import US_ORDER, relay_mail

pytestmark = pytest.mark.django_db


def test_sample_becomes_a_conversation_linked_to_its_order(org, store, order, us_raw):
    result = mail_ingest(org=org, store=store, raw=us_raw)
    conversation = result.message.conversation
    assert result.created
    assert conversation.order == order
    assert conversation.marketplace_order_id == US_ORDER
    assert conversation.buyer_alias == "k7x2m9q4w8r1t5b@marketplace.amazon.com"
    assert conversation.language == "en"
    assert conversation.intent in ("delivery_problem", "return_refund")
    assert conversation.understanding_method == "offline_rules"
    assert conversation.sla_due_at is not None
    assert result.message.translation.startswith("【离线要点")
    assert conversation.product_id == order.items.first().product_id


def test_duplicate_delivery_is_stored_once(org, store, order, us_raw):
    first = mail_ingest(org=org, store=store, raw=us_raw)
    second = mail_ingest(org=org, store=store, raw=us_raw)
    assert not second.created and second.message.pk == first.message.pk
    assert Message.objects.for_org(org).count() == 1
    assert Conversation.objects.for_org(org).count() == 1


def test_same_message_id_in_another_org_is_its_own(org, other_org, store, us_raw):
    from tests.factories import StoreFactory

    mail_ingest(org=org, store=store, raw=us_raw)
    other = mail_ingest(org=other_org, store=StoreFactory(organization=other_org), raw=us_raw)
    assert other.created


def test_follow_up_threads_into_the_same_conversation(org, store, order):
    mail_ingest(org=org, store=store, raw=relay_mail("Where is my order?"))
    mail_ingest(org=org, store=store, raw=relay_mail("Any news?"))
    assert Conversation.objects.for_org(org).count() == 1
    assert Message.objects.for_org(org).count() == 2


def test_german_sample_is_detected_and_unknown_order_stays_unlinked(org, store, de_raw):
    message = mail_ingest(org=org, store=store, raw=de_raw).message
    assert message.language == "de"
    assert message.conversation.order is None
    assert message.conversation.intent == "delivery_problem"
    assert "缺件" in message.translation


@override_settings(CROSSBORDER_SUPPORT_ATTACHMENT_MAX=1000)
def test_attachments_are_kept_up_to_the_size_limit(org, store):
    raw = relay_mail(
        "Photo attached",
        attachments=[("small.png", "image/png", b"x" * 500), ("big.png", "image/png", b"x" * 5000)],
    )
    message = mail_ingest(org=org, store=store, raw=raw).message
    assert list(Attachment.objects.for_org(org).values_list("filename", flat=True)) == ["small.png"]
    note = Message.objects.for_org(org).get(direction="note")
    assert "big.png" in note.text and message.conversation_id == note.conversation_id


def test_bad_bytes_are_a_validation_error(org, store):
    with pytest.raises(ValidationFailed):
        mail_ingest(org=org, store=store, raw=b"\x00\x01garbage")


def test_bulk_ingest_and_bulk_offline_drafts_match_the_single_path(org, store, order, us_raw):
    from apps.review.models import Draft
    from apps.support.services.bulk import mails_ingest_many
    from apps.support.services.bulk_drafts import reply_drafts_offline_many

    raws = [us_raw, us_raw, relay_mail("Wo ist meine Bestellung? Ich warte noch.",
                                       alias="zzzzzzzzzzzzzz1", order_id="028-1111111-2222222"),
            b"garbage"]  # fmt: skip
    result = mails_ingest_many(org=org, store=store, raws=raws)
    assert (result.created, result.duplicates, len(result.failed)) == (2, 1, 1)
    assert mails_ingest_many(org=org, store=store, raws=[us_raw]).duplicates == 1
    convo = Conversation.objects.for_org(org).get(order=order)
    assert convo.language == "en" and convo.sla_due_at is not None
    job = reply_drafts_offline_many(org=org, actor=None, conversation_ids=result.conversation_ids)
    assert job.status == "succeeded"
    drafts = Draft.objects.for_org(org).filter(kind="cs_reply", status="pending")
    assert drafts.count() == 2
    for draft in drafts:
        assert draft.proposed["reply"] and draft.checks is not None
        assert not [c for c in draft.checks if c["severity"] == "error"], draft.checks
        assert any(e.get("kind") == "back_translation" for e in draft.evidence)
    reply_drafts_offline_many(org=org, actor=None, conversation_ids=result.conversation_ids)
    assert Draft.objects.for_org(org).filter(kind="cs_reply", status="pending").count() == 2
