"""The demo: 200 conversations in five languages linked to demo orders, injections, rule-breaking
drafts, answered history for the SLA dashboard, a knowledge base and a demo mailbox."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from apps.accounts.models import Organization
from apps.review.models import Draft
from apps.support.models import Conversation, KnowledgeArticle, Mailbox, Message
from apps.support.selectors import sla_report

pytestmark = pytest.mark.django_db


def test_demo_support_data():
    call_command("seed_demo", stdout=StringIO())
    org = Organization.objects.get(slug="demo")
    convos = Conversation.objects.for_org(org)
    assert convos.count() == 200
    assert set(convos.values_list("language", flat=True)) >= {"en", "de", "fr", "ja", "es"}
    assert convos.filter(order__isnull=False).count() == 200
    assert Message.objects.for_org(org).filter(looks_like_instruction=True).exists()
    drafts = Draft.objects.for_org(org).filter(kind="cs_reply", status="pending")
    assert drafts.count() >= 20
    broken = [d for d in drafts if any(c["severity"] == "error" for c in d.checks)]
    assert {c["rule"] for d in broken for c in d.checks} >= {
        "reply.no_links",
        "reply.no_review_incentive",
    }
    assert sla_report(org=org, days=30)["p50"] is not None
    assert KnowledgeArticle.objects.for_org(org).filter(tags__contains=["policy"]).exists()
    assert Mailbox.objects.for_org(org).get().imap_port == 1143
    before = convos.count()
    call_command("seed_demo", stdout=StringIO())
    assert Conversation.objects.for_org(org).count() == before
