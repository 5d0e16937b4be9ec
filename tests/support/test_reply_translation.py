"""The operator writes the reply in Chinese; the buyer gets it in their language.

With an endpoint (the scripted OpenAI-compatible server, real HTTP): the `cs_reply_translation`
kind translates it, a second call back-translates it into Chinese, the draft is an ordinary
`cs_reply` whose lint and grounding run on the translated text, and the approved reply reaches
a real SMTP server (aiosmtpd) in German with threading headers. Offline: the page and the API
say that translating needs an endpoint, and Chinese text is never sent to a German buyer."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.ai.models import UsageRecord
from apps.ai.services import generation_batch_run
from apps.ai.untrusted import fence_of
from apps.core.models import Job
from apps.review.models import Draft
from apps.review.services import draft_approve
from apps.support.models import Conversation, Message
from apps.support.services.channels import mailbox_create
from apps.support.services.ingest import mail_ingest
from apps.support.services.replies import TranslationNeedsEndpoint, reply_submit
from apps.support.tasks import outbound_message_send_task
from apps.support.translation import KIND
from tests.ai.fake_server import Reply

from .conftest import relay_mail, system_of, user_of

pytestmark = pytest.mark.django_db

ORDER = "114-1111111-2222222"
CHINESE = f"Jonas您好，您的订单 {ORDER} 已经发货，我们会继续跟进物流。祝好，Kovexa US"
GERMAN = (
    f"Hallo Jonas,\n\nIhre Bestellung {ORDER} ist verschickt; wir verfolgen die Sendung "
    "weiter.\n\nViele Grüße\nKovexa US"
)
BACK = f"你好 Jonas，\n\n您的订单 {ORDER} 已发出；我们会继续跟踪货件。\n\n此致\nKovexa US"
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def convo(org, store) -> Conversation:
    from tests.factories import OrderFactory

    OrderFactory(organization=org, store=store, marketplace_order_id=ORDER)
    raw = relay_mail(
        "Hallo, wo ist meine Bestellung? Ich warte noch auf das Paket.",
        order_id=ORDER,
        alias="zz9buyer0000001",
        name="Jonas",
        message_id="<relay-de-7@email.amazonses.com>",
    )
    convo = mail_ingest(org=org, store=store, raw=raw).message.conversation
    assert convo.language == "de"
    return convo


def translator(german: str = GERMAN):
    """Translation requests get `german`, back-translation requests the Chinese rendering."""

    def respond(body: dict, n: int) -> Reply:
        if "You check a translation" in system_of(body):
            return Reply.json({"reply": BACK})
        if "You translate a customer-service reply" in system_of(body):
            return Reply.json({"reply": german})
        return Reply.json({"translation": "你好", "intent": "other", "sentiment": "neutral"})

    return respond


def _run(org, job: Job) -> None:
    """What the ai worker does with the job's one batch (the task is queued on commit)."""
    ids = list(Conversation.objects.for_org(org).values_list("pk", flat=True))
    generation_batch_run(
        org=org, job_id=job.pk, kind=KIND, target_ids=ids, options=job.result["options"]
    )


def test_chinese_reply_is_translated_back_translated_approved_and_sent_in_german(
    org, user, store, convo, llm, smtp_server
):
    server = llm(translator())
    mailbox_create(
        org=org,
        store=store,
        address="support@kovexa-store.example",
        smtp_host="127.0.0.1",
        smtp_port=smtp_server.port,
        smtp_starttls=False,
    )
    job = reply_submit(org=org, actor=user, conversation=convo, text=CHINESE)
    assert isinstance(job, Job) and job.result["options"] == {"source_zh": CHINESE}
    _run(org, job)
    draft = Draft.objects.for_org(org).get(kind="cs_reply", target_id=convo.pk)
    assert draft.status == "pending", draft.error
    assert draft.proposed == {"reply": GERMAN, "language": "de"}
    assert not [c for c in draft.checks if c["severity"] == "error"], draft.checks
    back = next(e for e in draft.evidence if e["kind"] == "back_translation")
    assert back["method"] == "llm" and back["reply"] == BACK
    source = next(e for e in draft.evidence if e["kind"] == "operator_source")
    assert source["text"] == CHINESE
    # two calls: the translation (operator text as data), the back-translation (German as data)
    translate, back_call = server.requests
    joined = system_of(translate) + "\n" + user_of(translate)
    assert "Jonas您好" not in fence_of(joined).outside(joined) and "Jonas您好" in joined
    assert "Translate the operator's reply into the buyer's language: German" in joined
    assert "Ihre Bestellung" in user_of(back_call)
    purposes = sorted(
        UsageRecord.objects.for_org(org).filter(kind=KIND).values_list("purpose", flat=True)
    )
    assert purposes == ["back_translation", "generate"]
    draft_approve(org=org, actor=user, draft_id=draft.pk)
    sent = Message.objects.for_org(org).get(direction="outbound")
    outbound_message_send_task(sent.pk)
    sent.refresh_from_db()
    assert sent.send_status == "sent", sent.send_error
    (rcpt, mail) = smtp_server.messages[0]
    assert rcpt == ["zz9buyer0000001@marketplace.amazon.com"]
    assert mail["In-Reply-To"] == "<relay-de-7@email.amazonses.com>"
    body = mail.get_content()
    assert "Ihre Bestellung 114-1111111-2222222 ist verschickt" in body
    assert not HAN.search(body)  # no Chinese reaches the German buyer


def test_the_conversation_page_shows_the_translation_and_its_back_translation(
    org, user, convo, llm, client_for
):
    llm(translator())
    client = client_for(user)
    url = reverse("support:action", args=[convo.pk])
    response = client.post(url, {"action": "submit", "reply": CHINESE}, follow=True)
    assert response.status_code == 200
    assert "is being translated into the buyer" in response.content.decode()
    _run(org, Job.objects.for_org(org).get(result__kind=KIND))
    html = client.get(reverse("support:conversation", args=[convo.pk])).content.decode()
    assert 'data-testid="draft-reply"' in html and "Ihre Bestellung" in html
    assert 'data-testid="draft-back-translation"' in html and "您的订单" in html
    assert 'data-testid="edit-in-chinese"' in html
    draft = Draft.objects.for_org(org).get(kind="cs_reply", target_id=convo.pk)
    review = client.get(reverse("review:detail", args=[draft.pk])).content.decode()
    assert 'data-testid="cs-back-translation"' in review and "您的订单" in review
    assert 'data-testid="cs-operator-source"' in review and "Jonas您好" in review


def test_an_invented_tracking_number_in_the_translation_is_caught(org, user, convo, llm):
    invented = GERMAN.replace("verschickt;", "verschickt (Sendung YT2525400731926548);")
    server = llm(translator(invented))
    job = reply_submit(org=org, actor=user, conversation=convo, text=CHINESE)
    _run(org, job)
    # the grounding error went to the repair round, the model repeated it: no sendable draft
    assert "YT2525400731926548" in server.requests[1]["messages"][-1]["content"]
    draft = Draft.objects.for_org(org).get(kind="cs_reply", target_id=convo.pk)
    assert draft.status == "failed" and "YT2525400731926548" in draft.error
    assert not Message.objects.for_org(org).filter(direction="outbound").exists()


def test_a_link_in_the_translation_is_linted(org, user, convo, llm):
    llm(translator(GERMAN + "\nMehr unter https://kovexa-store.example"))
    _run(org, reply_submit(org=org, actor=user, conversation=convo, text=CHINESE))
    draft = Draft.objects.for_org(org).get(kind="cs_reply", target_id=convo.pk)
    assert draft.status == "failed" and "link" in draft.error.lower()


def test_offline_a_chinese_reply_is_refused_with_the_reason(org, user, convo, offline_ai):
    with pytest.raises(TranslationNeedsEndpoint) as raised:
        reply_submit(org=org, actor=user, conversation=convo, text=CHINESE)
    assert "needs an LLM endpoint" in raised.value.message
    assert not Draft.objects.for_org(org).exists()
    assert not Job.objects.for_org(org).exists()


def test_offline_the_page_says_translating_needs_an_endpoint(
    org, user, convo, offline_ai, client_for
):
    client = client_for(user)
    page = client.get(reverse("support:conversation", args=[convo.pk])).content.decode()
    assert "Translating a Chinese reply needs an LLM endpoint" in page
    response = client.post(
        reverse("support:action", args=[convo.pk]),
        {"action": "submit", "reply": CHINESE},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Translating a reply needs an LLM endpoint" in html
    assert "Chinese text is never sent to this buyer" in html
    assert not Draft.objects.for_org(org).exists()
    lint = client.post(reverse("support:lint", args=[convo.pk]), {"reply": CHINESE}).json()
    assert lint["checks"][0]["rule"] == "reply.translate"
    assert lint["checks"][0]["severity"] == "error"


def test_offline_the_api_refuses_with_a_problem(org, convo, offline_ai, api_client_for):
    response = api_client_for(org).post(
        f"/api/v1/support/conversations/{convo.pk}/reply/", {"reply": CHINESE}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "translation_needs_llm"


def test_with_an_endpoint_the_api_answers_202_with_the_job(org, convo, llm, api_client_for):
    llm(translator())
    response = api_client_for(org).post(
        f"/api/v1/support/conversations/{convo.pk}/reply/", {"reply": CHINESE}, format="json"
    )
    assert (
        response.status_code == 202
        and Job.objects.for_org(org).filter(pk=response.json()["job"]).exists()
    )


def test_even_a_short_chinese_text_edited_into_a_draft_blocks_approval(org, user, convo):
    from apps.support.generation import validate

    checks = validate(convo, {"reply": "好的，谢谢", "language": "de"})
    assert any(c.rule == "reply.language" and c.severity == "error" for c in checks)
