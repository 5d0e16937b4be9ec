"""Each policy-linter rule, in English and Chinese messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.support import linter
from apps.support.models import Message
from apps.support.services.ingest import mail_ingest


def rules_of(text, **kw):
    return {c.rule for c in linter.lint(text, **kw) if c.severity == "error"}


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("See https://kovexa.example/help for the manual.", "reply.no_links"),
        ("Visit www.kovexa-shop.com", "reply.no_links"),
        ("Write to service@kovexa.example", "reply.no_email"),
        ("Call us on +49 30 1234 5678 or WhatsApp", "reply.no_phone"),
        ("Please leave us a 5-star review!", "reply.no_review_incentive"),
        ("We give you a $10 gift card for your review.", "reply.no_review_incentive"),
        ("Bitte geben Sie uns eine positive Bewertung.", "reply.no_review_incentive"),
        ("Check out our other products and new arrivals!", "reply.no_marketing"),
        ("", "reply.required"),
        ("x" * 4001, "reply.max"),
    ],
)
def test_each_text_rule(text, rule):
    assert rule in rules_of(text)


def test_a_clean_reply_passes():
    assert (
        rules_of("Hello Rachel, we are checking this with our team and will reply soon.") == set()
    )


def test_messages_come_in_english_and_chinese():
    check = linter.lint("Mail me at a@b.example", ui="zh")[0]
    assert (
        check.message_zh.startswith("买家消息中不允许出现电子邮箱地址")
        and check.message == check.message_zh
    )
    assert check.message_en.startswith("E-mail addresses are not allowed")


@pytest.mark.django_db
def test_review_request_once_per_order_and_only_in_its_window(org, store, order, us_raw):
    convo = mail_ingest(org=org, store=store, raw=us_raw).message.conversation
    request = "Thank you! If you are happy, could you leave a review of your purchase?"
    delivered = order.delivered_at
    assert "reply.review_request_window" in rules_of(
        request, conversation=convo, now=delivered + timedelta(days=2)
    )
    assert "reply.review_request_window" not in rules_of(
        request, conversation=convo, now=delivered + timedelta(days=7)
    )
    Message.objects.create(
        organization=org,
        conversation=convo,
        direction="outbound",
        sent_at=timezone.now(),
        text=request,
        is_review_request=True,
    )
    assert "reply.review_request_once" in rules_of(
        request, conversation=convo, now=delivered + timedelta(days=7)
    )


@pytest.mark.django_db
def test_an_unrequired_proactive_message_is_an_error(org, store, order, us_raw):
    convo = mail_ingest(org=org, store=store, raw=us_raw).message.conversation
    text = "Hello Rachel, we are checking this with our team."
    assert "reply.unrequired_proactive" not in rules_of(text, conversation=convo)
    Message.objects.create(
        organization=org,
        conversation=convo,
        direction="outbound",
        sent_at=datetime.now(tz=UTC),
        text=text,
    )
    assert "reply.unrequired_proactive" in rules_of("And one more thing.", conversation=convo)
