"""The real path end to end: a relay mail lands in a real IMAP mailbox (Dovecot), the poller
reads it by UID into a conversation linked to its order, an offline reply draft is approved in
the review queue, and the reply reaches a real SMTP server (aiosmtpd) in the buyer's language
with threading headers."""

from __future__ import annotations

import imaplib

import pytest

from apps.review.models import Draft
from apps.review.services import draft_approve
from apps.support import crypto
from apps.support.models import Conversation, Mailbox, Message
from apps.support.services.channels import mailbox_create, mailbox_poll
from apps.support.services.drafts import reply_drafts_generate
from apps.support.tasks import outbound_message_send_task

from .conftest import relay_mail

pytestmark = pytest.mark.django_db


def _append(server, raw: bytes) -> None:
    client = imaplib.IMAP4(server.host, server.port)
    client.login(server.user, server.password)
    client.append("INBOX", None, None, raw)
    client.logout()


def _mailbox(org, store, imap, smtp=None) -> Mailbox:
    return mailbox_create(
        org=org,
        store=store,
        address="support@kovexa-store.example",
        imap_host=imap.host,
        imap_port=imap.port,
        imap_ssl=False,
        imap_username=imap.user,
        imap_password=imap.password,
        smtp_host="127.0.0.1" if smtp else "",
        smtp_port=smtp.port if smtp else 587,
        smtp_starttls=False,
    )


def test_credentials_are_encrypted_at_rest(org, store, imap_server):
    mailbox = _mailbox(org, store, imap_server)
    stored = Mailbox.objects.for_org(org).get(pk=mailbox.pk).imap_password_encrypted
    assert imap_server.password not in stored
    assert crypto.decrypt(stored) == imap_server.password


def test_imap_poll_reads_by_uid_and_nothing_twice(org, store, order, imap_server, us_raw):
    mailbox = _mailbox(org, store, imap_server)
    _append(imap_server, us_raw)
    first = mailbox_poll(mailbox=mailbox)
    assert first["created"] == 1
    conversation = Conversation.objects.for_org(org).get()
    assert conversation.order == order
    again = mailbox_poll(mailbox=Mailbox.objects.for_org(org).get(pk=mailbox.pk))
    assert again["fetched"] == 0  # UID-based: the same mail is not fetched again
    _append(imap_server, us_raw)  # a duplicate delivery (same Message-ID) under a new UID
    third = mailbox_poll(mailbox=Mailbox.objects.for_org(org).get(pk=mailbox.pk))
    assert third == {"fetched": 1, "created": 0, "duplicates": 1, "failed": 0}
    assert Message.objects.for_org(org).count() == 1


def test_approved_reply_reaches_smtp_in_the_buyers_language_with_threading_headers(
    org, user, store, imap_server, smtp_server
):
    from tests.factories import OrderFactory

    OrderFactory(organization=org, store=store, marketplace_order_id="114-1111111-2222222")
    mailbox = _mailbox(org, store, imap_server, smtp_server)
    raw = relay_mail(
        "Hallo, wo ist meine Bestellung? Ich warte noch auf das Paket.",
        order_id="114-1111111-2222222",
        alias="zz9buyer0000001",
        name="Jonas",
        message_id="<relay-de-1@email.amazonses.com>",
    )
    _append(imap_server, raw)
    mailbox_poll(mailbox=mailbox)
    conversation = Conversation.objects.for_org(org).get(buyer_alias__startswith="zz9buyer")
    assert conversation.language == "de" and conversation.order is not None
    reply_drafts_generate(org=org, actor=user, conversation_ids=[conversation.pk], offline=True)
    draft = Draft.objects.for_org(org).get(kind="cs_reply", target_id=conversation.pk)
    assert draft.status == "pending", draft.error
    assert not [c for c in draft.checks if c["severity"] == "error"], draft.checks
    draft_approve(org=org, actor=user, draft_id=draft.pk)
    sent = Message.objects.for_org(org).get(direction="outbound")
    assert sent.send_status == "queued"
    # What the Celery task does once the approval commits (apps.support.tasks).
    outbound_message_send_task(sent.pk)
    sent.refresh_from_db()
    assert sent.send_status == "sent", sent.send_error
    assert len(smtp_server.messages) == 1
    rcpt, mail = smtp_server.messages[0]
    assert rcpt == ["zz9buyer0000001@marketplace.amazon.com"]
    assert mail["In-Reply-To"] == "<relay-de-1@email.amazonses.com>"
    assert "<relay-de-1@email.amazonses.com>" in mail["References"]
    assert mail["From"] == "support@kovexa-store.example"
    body = mail.get_content()
    assert "Bestellung 114-1111111-2222222" in body and "Hallo Jonas" in body
    conversation.refresh_from_db()
    assert conversation.status == "waiting" and conversation.responded_at is not None
