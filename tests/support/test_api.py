"""Support API: inbound mail (raw and JSON), conversations, reply for review, cross-tenant 404s
on conversations, attachments and knowledge base."""

from __future__ import annotations

import pytest

from apps.support.models import Attachment, Conversation, KnowledgeArticle
from apps.support.services.ingest import mail_ingest
from apps.support.services.kb import kb_article_save

from .conftest import relay_mail

pytestmark = pytest.mark.django_db

BASE = "/api/v1/support"


def test_gateway_posts_raw_rfc822_and_a_duplicate_is_not_stored_twice(
    org, store, order, api_client_for, us_raw
):
    api = api_client_for(org)
    url = f"{BASE}/inbound-mail/?store={store.pk}"
    first = api.generic("POST", url, us_raw, content_type="message/rfc822")
    assert first.status_code == 201, first.content
    again = api.generic("POST", url, us_raw, content_type="message/rfc822")
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["message"] == first.json()["message"]
    convo = Conversation.objects.for_org(org).get()
    assert convo.order == order


def test_raw_mail_for_another_orgs_store_is_refused(org, other_org, api_client_for, us_raw):
    from tests.factories import StoreFactory

    theirs = StoreFactory(organization=other_org)
    response = api_client_for(org).generic(
        "POST", f"{BASE}/inbound-mail/?store={theirs.pk}", us_raw, content_type="message/rfc822"
    )
    assert response.status_code == 400


def test_garbage_mail_is_a_400_not_a_500(org, store, api_client_for):
    api = api_client_for(org)
    response = api.generic(
        "POST",
        f"{BASE}/inbound-mail/?store={store.pk}",
        b"\x00garbage",
        content_type="message/rfc822",
    )
    assert response.status_code == 400
    response = api.post(f"{BASE}/inbound-mail/", {"store": store.pk}, format="json")
    assert response.status_code == 400


def test_other_channel_json_message(org, store, api_client_for):
    api = api_client_for(org)
    body = {
        "store": store.pk,
        "buyer_alias": "chat-4711",
        "text": "Wo ist mein Paket? Ich warte noch.",
        "buyer_name": "Eva",
    }
    response = api.post(f"{BASE}/inbound-mail/", body, format="json")
    assert response.status_code == 201, response.content
    convo = Conversation.objects.for_org(org).get()
    assert convo.language == "de" and convo.channel == "other"
    assert api.post(f"{BASE}/inbound-mail/", body, format="json").status_code in (200, 201)


def test_list_messages_and_reply_for_review(org, store, order, api_client_for, us_raw):
    mail_ingest(org=org, store=store, raw=us_raw)
    api = api_client_for(org)
    listed = api.get(f"{BASE}/conversations/").json()
    convo_id = listed["results"][0]["id"] if "results" in listed else listed[0]["id"]
    messages = api.get(f"{BASE}/conversations/{convo_id}/messages/").json()
    assert messages[0]["text"].startswith("Hi,")
    reply = api.post(
        f"{BASE}/conversations/{convo_id}/reply/",
        {"reply": "Hello Rachel, your tracking number is 1Z999AA10123456784."},
        format="json",
    )
    assert reply.status_code == 201
    assert any(c["rule"] == "grounding.tracking" for c in reply.json()["checks"])


def test_cross_tenant_conversations_attachments_and_articles_are_404(
    org, other_org, store, api_client_for, client_for, outsider
):
    raw = relay_mail("Photo", attachments=[("p.png", "image/png", b"png-bytes")])
    message = mail_ingest(org=org, store=store, raw=raw).message
    att = Attachment.objects.for_org(org).get()
    article = kb_article_save(org=org, title="Returns", body="Returns within 30 days.")
    theirs = api_client_for(other_org)
    assert theirs.get(f"{BASE}/conversations/{message.conversation_id}/").status_code == 404
    assert (
        theirs.get(f"{BASE}/conversations/{message.conversation_id}/messages/").status_code == 404
    )
    assert (
        theirs.post(
            f"{BASE}/conversations/{message.conversation_id}/reply/", {"reply": "x"}, format="json"
        ).status_code
        == 404
    )
    assert theirs.get(f"{BASE}/attachments/{att.pk}/").status_code == 404
    assert theirs.get(f"{BASE}/articles/{article.pk}/").status_code == 404
    assert theirs.delete(f"{BASE}/articles/{article.pk}/").status_code == 404
    assert KnowledgeArticle.objects.for_org(org).count() == 1
    mine = api_client_for(org)
    assert mine.get(f"{BASE}/attachments/{att.pk}/").content == b"png-bytes"
    # and the dashboard pages
    page = client_for(outsider)
    assert page.get(f"/support/conversations/{message.conversation_id}/").status_code == 404
    assert page.get(f"/support/attachments/{att.pk}/").status_code == 404
    assert page.get(f"/support/knowledge/{article.pk}/").status_code == 404


def test_articles_crud(org, api_client_for):
    api = api_client_for(org)
    created = api.post(
        f"{BASE}/articles/",
        {
            "title": "Garantie",
            "body": "Zwei Jahre Gewährleistung.",
            "language": "de",
            "tags": ["policy"],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert (
        api.post(f"{BASE}/articles/", {"title": "", "body": "x"}, format="json").status_code == 400
    )
