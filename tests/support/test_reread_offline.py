"""Messages read offline before an LLM endpoint was configured are read again by the model:
beat picks, per organization and run, a bounded number of offline-read messages of recent open
conversations (never closed or old ones), and the conversation page and the API offer it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from apps.support.models import Conversation, Message
from apps.support.services import reread
from apps.support.services.ingest import mail_ingest
from apps.support.tasks import offline_readings_reread_task
from apps.support.understanding_llm import messages_understand
from tests.ai.fake_server import Reply

from .conftest import relay_mail

pytestmark = pytest.mark.django_db

READING = {"translation": "你好，我的订单在哪里？", "intent": "complaint", "sentiment": "negative"}


def _ingest(org, store, n: int, **changes) -> Conversation:
    raw = relay_mail(
        f"Hallo, wo ist meine Bestellung Nummer {n}? Ich warte noch auf das Paket.",
        order_id=f"114-000000{n}-1234567",
        alias=f"buyer{n:010d}",
        message_id=f"<reread-{n}@email.amazonses.com>",
    )
    convo = mail_ingest(org=org, store=store, raw=raw).message.conversation
    changes = {"last_buyer_message_at": timezone.now(), **changes}  # the mails' dates are old
    Conversation.objects.for_org(org).filter(pk=convo.pk).update(**changes)
    cache.delete_many(
        [f"support:reread:{org.pk}:{i}" for i in convo.messages.values_list("pk", flat=True)]
    )
    return convo


@pytest.fixture
def convos(org, store, settings):
    settings.OPENAI_BASE_URL = ""  # ingested before an endpoint was configured
    old = timezone.now() - timedelta(days=30)
    made = {
        "open": _ingest(org, store, 1),
        "waiting": _ingest(org, store, 2, status="waiting"),
        "closed": _ingest(org, store, 3, status="closed", closed_at=timezone.now()),
        "old": _ingest(org, store, 4, last_buyer_message_at=old),
    }
    assert set(Message.objects.for_org(org).values_list("translation_method", flat=True)) == {
        "offline_lexicon"
    }
    return made


def _ids(convo) -> list[int]:
    return list(convo.messages.filter(direction="inbound").values_list("pk", flat=True))


def test_picks_only_offline_read_recent_open_conversations(org, convos, llm):
    llm(lambda body, n: Reply.json(READING))
    picked = reread.offline_read_messages(org=org)
    assert sorted(picked) == sorted(_ids(convos["open"]) + _ids(convos["waiting"]))
    messages_understand(org=org, message_ids=_ids(convos["open"]))  # the model read this one
    assert reread.offline_read_messages(org=org) == _ids(convos["waiting"])


def test_the_run_is_bounded(org, convos, monkeypatch):
    monkeypatch.setattr(reread, "REREAD_MAX", 1)
    assert len(reread.offline_read_messages(org=org)) == 1


def test_beat_task_queues_once_and_the_model_reading_replaces_offline(
    org, convos, llm, django_capture_on_commit_callbacks
):
    server = llm(lambda body, n: Reply.json(READING))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert offline_readings_reread_task() == {org.pk: 2}
        assert offline_readings_reread_task() == {}  # queued already: not queued twice
    assert len(callbacks) == 1
    messages_understand(org=org, message_ids=reread.offline_read_messages(org=org))
    assert len(server.requests) == 2
    for key in ("open", "waiting"):
        convos[key].refresh_from_db()
        assert convos[key].understanding_method == "llm" and convos[key].intent == "complaint"
    for key in ("closed", "old"):
        convos[key].refresh_from_db()
        assert convos[key].understanding_method == "offline_rules"
    assert reread.offline_read_messages(org=org) == []


def test_offline_nothing_is_queued(org, convos, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert offline_readings_reread_task() == {}
    assert not callbacks


def test_button_and_api_and_cross_tenant(
    org, user, convos, llm, client_for, outsider, api_client, other_api_client,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    llm(lambda body, n: Reply.json(READING))
    closed = convos["closed"]  # asked for by a person: any status
    page = client_for(user).get(reverse("support:conversation", args=[closed.pk]))
    assert 'data-testid="understand-again"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_for(user).post(reverse("support:action", args=[closed.pk]), {"action": "understand"})
        url = f"/api/v1/support/conversations/{convos['open'].pk}/reread/"
        response = api_client.post(url)
    assert response.status_code == 202 and response.json() == {"queued": 1}
    assert len(callbacks) == 2
    assert other_api_client.post(url).status_code == 404
    other = client_for(outsider).post(
        reverse("support:action", args=[closed.pk]), {"action": "understand"}
    )
    assert other.status_code == 404
