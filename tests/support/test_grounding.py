"""Grounding: every order number, tracking number, date and amount of a reply must be in the
context; anything else is an error that blocks approval."""

from __future__ import annotations

import pytest

from apps.core.errors import ValidationFailed
from apps.review.services import draft_approve
from apps.support import grounding
from apps.support.services.ingest import mail_ingest
from apps.support.services.replies import reply_submit

CONTEXT = {
    "order": {
        "marketplace_order_id": "113-4829175-2038461",
        "shipped_at": "2025-09-09",
        "order_total": "39.99",
        "currency": "USD",
    },
    "logistics": {
        "available": True,
        "shipments": [
            {
                "carrier": "UPS",
                "tracking_number": "1Z999AA10123456784",
                "promised_date": "2025-09-14",
            }
        ],
    },
}


def test_facts_from_the_context_are_grounded():
    text = (
        "Order 113-4829175-2038461 shipped on 2025-09-09 with UPS 1Z999AA10123456784, "
        "expected 14.09.2025; total $39.99."
    )
    assert grounding.ungrounded(text, CONTEXT) == []


def test_a_tracking_number_not_in_the_context_is_flagged():
    missing = grounding.ungrounded("Your tracking number is YT2525400731926548.", CONTEXT)
    assert [(c.kind, c.text) for c in missing] == [("tracking", "YT2525400731926548")]


@pytest.mark.parametrize(
    "text",
    [
        "It will arrive on 2025-09-20.",
        "Zustellung am 20.09.2025.",
        "It arrives September 20, 2025.",
        "2025年9月20日にお届けします。",
        "Livraison le 20 septembre 2025.",
    ],
)
def test_a_date_not_in_the_context_is_flagged(text):
    missing = grounding.ungrounded(text, CONTEXT)
    assert [c.kind for c in missing] == ["date"]


def test_an_amount_or_order_number_not_in_the_context_is_flagged():
    kinds = {
        c.kind
        for c in grounding.ungrounded("We refund 25,00 € for order 114-0000000-0000000.", CONTEXT)
    }
    assert kinds == {"amount", "order_id"}
    assert grounding.ungrounded("Total 39,99 USD", CONTEXT) == []


@pytest.mark.django_db
def test_an_ungrounded_reply_cannot_be_approved(org, user, store, order, us_raw):
    convo = mail_ingest(org=org, store=store, raw=us_raw).message.conversation
    draft = reply_submit(
        org=org,
        actor=user,
        conversation=convo,
        text="Hello Rachel, it will arrive on 2025-09-30 with tracking YT2525400731926548.",
    )
    rules = {c["rule"] for c in draft.checks if c["severity"] == "error"}
    assert {"grounding.date", "grounding.tracking"} <= rules
    with pytest.raises(ValidationFailed):
        draft_approve(org=org, actor=user, draft_id=draft.pk)
    ok = reply_submit(
        org=org,
        actor=user,
        conversation=convo,
        text="Hello Rachel, order 113-4829175-2038461 was delivered on 2025-09-11. "
        "We are checking the power bank with our team.",
    )
    assert not [c for c in ok.checks if c["severity"] == "error"], ok.checks
