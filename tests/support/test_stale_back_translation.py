"""An edited translated reply: its back-translation is marked stale, the checks run again on
the edited text, approval needs "I have read the edited text" until it is back-translated
again (the fake OpenAI-compatible server), and offline that action says it needs an endpoint."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.ai.models import UsageRecord
from apps.core.errors import ValidationFailed
from apps.review.editing import draft_back_translate, draft_edit
from apps.review.models import Draft
from apps.review.services import draft_approve
from apps.support.services.replies import reply_submit
from apps.support.translation import KIND
from tests.ai.fake_server import Reply

from .conftest import system_of, user_of
from .test_reply_translation import BACK, CHINESE, GERMAN, _run, convo, translator  # noqa: F401

pytestmark = pytest.mark.django_db

EDITED = GERMAN.replace("weiter.", "weiter und melden uns morgen.")
LINKED = GERMAN + "\nMehr unter https://kovexa.example/hilfe"
BACK2 = "你好 Jonas，您的订单已发出；我们会继续跟踪货件，明天再联系您。"


def _back(draft) -> dict:
    return next(e for e in draft.evidence if e["kind"] == "back_translation")


@pytest.fixture
def server(llm):
    state = {"back": BACK}

    def respond(body: dict, n: int) -> Reply:
        if "You check a translation" in system_of(body):
            return Reply.json({"reply": state["back"]})
        return translator()(body, n)

    srv = llm(respond)
    srv.state = state
    return srv


@pytest.fixture
def draft(org, user, convo, server):  # noqa: F811
    _run(org, reply_submit(org=org, actor=user, conversation=convo, text=CHINESE))
    d = Draft.objects.for_org(org).get(kind="cs_reply", target_id=convo.pk)
    assert d.status == "pending" and _back(d)["reply"] == BACK and not _back(d).get("stale")
    return d


def test_edit_marks_back_translation_stale_and_lints_the_new_text(org, user, draft):
    edited = draft_edit(org=org, actor=user, draft_id=draft.pk, edited={"reply": LINKED})
    edited.refresh_from_db()
    assert edited.proposed["reply"] == LINKED
    assert _back(edited)["stale"] is True and _back(edited)["reply"] == BACK
    errors = {c["rule"] for c in edited.checks if c["severity"] == "error"}
    assert "reply.no_links" in errors  # the link added in the edit is flagged
    original = next(e for e in edited.evidence if e["kind"] == "original_proposal")
    assert original["proposed"]["reply"] == GERMAN
    assert edited.events.filter(from_status="pending", to_status="pending").count() == 1


def test_approve_of_a_stale_draft_needs_the_confirmation(org, user, draft):
    draft_edit(org=org, actor=user, draft_id=draft.pk, edited={"reply": EDITED})
    with pytest.raises(ValidationFailed) as exc:
        draft_approve(org=org, actor=user, draft_id=draft.pk)
    assert exc.value.code == "back_translation_stale"
    assert Draft.objects.for_org(org).get(pk=draft.pk).status == "pending"
    done = draft_approve(org=org, actor=user, draft_id=draft.pk, confirm_edited=True)
    assert done.status == "applied" and done.final["reply"] == EDITED
    assert done.edit_distance > 0  # measured against the generator's original proposal


def test_approve_with_an_edit_in_one_step_needs_the_confirmation(org, user, draft):
    with pytest.raises(ValidationFailed) as exc:
        draft_approve(org=org, actor=user, draft_id=draft.pk, edited={"reply": EDITED})
    assert exc.value.code == "back_translation_stale"
    done = draft_approve(
        org=org, actor=user, draft_id=draft.pk, edited={"reply": EDITED}, confirm_edited=True
    )
    assert done.status == "applied" and _back(done)["stale"] is True


def test_back_translate_again_through_the_model(org, user, draft, server):
    draft_edit(org=org, actor=user, draft_id=draft.pk, edited={"reply": EDITED})
    server.state["back"] = BACK2
    fresh = draft_back_translate(org=org, actor=user, draft_id=draft.pk)
    assert _back(fresh)["reply"] == BACK2 and not _back(fresh).get("stale")
    assert _back(fresh)["method"] == "llm"
    assert "melden uns morgen" in user_of(server.requests[-1])  # the edited text, as data
    purposes = list(
        UsageRecord.objects.for_org(org).filter(kind=KIND).values_list("purpose", flat=True)
    )
    assert purposes.count("back_translation") == 2
    assert draft_approve(org=org, actor=user, draft_id=draft.pk).status == "applied"


def test_back_translate_again_offline_says_it_needs_an_endpoint(org, user, draft, settings):
    draft_edit(org=org, actor=user, draft_id=draft.pk, edited={"reply": EDITED})
    settings.OPENAI_BASE_URL = ""
    with pytest.raises(ValidationFailed) as exc:
        draft_back_translate(org=org, actor=user, draft_id=draft.pk)
    assert exc.value.code == "back_translation_needs_llm"
    assert _back(Draft.objects.for_org(org).get(pk=draft.pk))["stale"] is True


def test_api_edit_exposes_stale_flag_and_approve_guard(org, draft, api_client):
    url = f"/api/v1/drafts/{draft.pk}/edit/"
    body = api_client.post(url, {"payload": {"reply": EDITED}}, format="json").json()
    assert body["back_translation_stale"] is True
    assert body["proposed"]["reply"] == EDITED
    got = api_client.get(f"/api/v1/drafts/{draft.pk}/").json()
    assert got["back_translation_stale"] is True
    approve = f"/api/v1/drafts/{draft.pk}/approve/"
    refused = api_client.post(approve, {}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "back_translation_stale"
    ok = api_client.post(approve, {"confirm_edited_text": True}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "applied"


def test_api_back_translate_and_cross_tenant(org, draft, api_client, other_api_client):
    api_client.post(
        f"/api/v1/drafts/{draft.pk}/edit/", {"payload": {"reply": EDITED}}, format="json"
    )
    url = f"/api/v1/drafts/{draft.pk}/back-translate/"
    assert other_api_client.post(url).status_code == 404
    edit = f"/api/v1/drafts/{draft.pk}/edit/"
    assert (
        other_api_client.post(edit, {"payload": {"reply": "x"}}, format="json").status_code == 404
    )
    body = api_client.post(url).json()
    assert body["back_translation_stale"] is False


def test_pages_show_the_warning_and_guard(org, user, draft, convo, client_for, outsider):  # noqa: F811
    client = client_for(user)
    saved = client.post(
        reverse("support:action", args=[convo.pk]),
        {"action": "edit_draft", "draft": draft.pk, "reply": LINKED},
    )
    assert saved.status_code == 302
    html = client.get(reverse("support:conversation", args=[convo.pk])).content.decode()
    assert 'data-testid="back-translation-stale"' in html
    assert "back-translate again" in html and 'data-testid="back-translate-again"' in html
    assert "kovexa.example" in html  # the edited text, and its lint error below
    detail = client.get(reverse("review:detail", args=[draft.pk])).content.decode()
    assert 'data-testid="back-translation-stale"' in detail
    assert 'data-testid="confirm-edited"' in detail
    other = client_for(outsider)
    for name in ("review:edit", "review:back_translate"):
        assert other.post(reverse(name, args=[draft.pk])).status_code == 404
    assert (
        other.post(
            reverse("support:action", args=[convo.pk]),
            {"action": "edit_draft", "draft": draft.pk, "reply": "x"},
        ).status_code
        == 404
    )
    client.post(reverse("support:action", args=[convo.pk]), {"action": "edit_draft",
                "draft": draft.pk, "reply": EDITED})  # fmt: skip
    refused = client.post(reverse("review:approve", args=[draft.pk]))
    assert refused.status_code == 400 and "Back-translate it again" in refused.content.decode()
    ok = client.post(reverse("review:approve", args=[draft.pk]), {"confirm_edited_text": "on"})
    assert ok.status_code == 302
    assert Draft.objects.for_org(org).get(pk=draft.pk).status == "applied"


def test_bulk_approval_leaves_a_stale_draft_for_a_person(org, user, draft):
    from apps.review.bulk import drafts_approve_many

    draft_edit(org=org, actor=user, draft_id=draft.pk, edited={"reply": EDITED})
    result = drafts_approve_many(org=org, actor=user, ids=[draft.pk])
    assert result["flagged"] == 1
    assert Draft.objects.for_org(org).get(pk=draft.pk).status == "pending"
