"""Support pages render for a member, filter, act, and answer 404 to other organizations."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.review.models import Draft
from apps.support.models import Conversation
from apps.support.services.ingest import mail_ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def convo(org, store, order, us_raw):
    return mail_ingest(org=org, store=store, raw=us_raw).message.conversation


@pytest.mark.parametrize("name", ["support:index", "support:kb", "support:kb_new", "support:sla"])
def test_pages_render(user, client_for, convo, name):
    assert client_for(user).get(reverse(name)).status_code == 200


def test_inbox_filters(user, client_for, convo):
    client = client_for(user)
    html = client.get(
        reverse("support:index"), {"language": "en", "sla": "overdue"}
    ).content.decode()
    assert "Rachel" in html  # the 2025 sample is long overdue
    html = client.get(reverse("support:index"), {"language": "de"}).content.decode()
    assert "Rachel" not in html


def test_conversation_page_side_panel_and_toggle(user, client_for, convo):
    client = client_for(user)
    url = reverse("support:conversation", args=[convo.pk])
    html = client.get(url).content.decode()
    assert "113-4829175-2038461" in html and "The power bank arrived" in html
    assert 'data-testid="logistics-unavailable"' in html or 'data-testid="side-panel"' in html
    translated = client.get(url, {"view": "translated"}).content.decode()
    assert "离线要点" in translated


def test_chinese_conversation_page(user, client_for, convo):
    client = client_for(user)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    html = client.get(reverse("support:conversation", args=[convo.pk])).content.decode()
    assert "回复" in html and "订单" in html


def test_live_lint_returns_checks_and_ungrounded_positions(user, client_for, convo):
    response = client_for(user).post(
        reverse("support:lint", args=[convo.pk]),
        {"reply": "See https://x.example, tracking YT2525400731926548"},
    )
    data = response.json()
    rules = {c["rule"] for c in data["checks"]}
    assert "reply.no_links" in rules and "grounding.tracking" in rules
    assert data["ungrounded"][0]["text"] == "YT2525400731926548"


def test_actions_draft_submit_note_close(user, client_for, convo, org):
    client = client_for(user)
    url = reverse("support:action", args=[convo.pk])
    client.post(url, {"action": "draft"})
    assert Draft.objects.for_org(org).filter(kind="cs_reply", status="pending").exists()
    client.post(url, {"action": "note", "note": "Called the carrier."})
    client.post(url, {"action": "no_response"})
    convo.refresh_from_db()
    assert convo.status == Conversation.Status.CLOSED and convo.no_response_needed


def test_kb_editor_saves_and_search_finds(user, client_for, org):
    from apps.support.context import kb_search

    client = client_for(user)
    client.post(
        reverse("support:kb_new"),
        {
            "title": "Akku lädt nicht",
            "language": "de",
            "body": "Wenn der Akku nicht lädt, bitte das Kabel wechseln.",
            "is_active": "1",
        },
    )
    found = kb_search(org=org, text="Mein Akku lädt nicht mehr", language="de")
    assert [a.title for a in found] == ["Akku lädt nicht"]


def test_viewer_cannot_act(member_with_role, client_for, convo):
    viewer = member_with_role("viewer")
    response = client_for(viewer).post(
        reverse("support:action", args=[convo.pk]), {"action": "no_response"}
    )
    assert response.status_code == 404
