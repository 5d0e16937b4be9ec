"""The webhooks page (en + zh): create (secret shown once), rotate, disable, redeliver."""

from __future__ import annotations

import re

from django.urls import reverse

from apps.accounts.models import Role
from apps.core.events import event_emit
from apps.integrations.models import WebhookDelivery, WebhookSubscription

URL = "/imports/webhooks/"


def test_a_manager_creates_and_manages_a_webhook(org, user, client_for, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    client = client_for(user)
    html = client.post(
        URL,
        {"action": "create", "url": "http://127.0.0.1:9/hook", "events": ["job.finished"]},
    ).content.decode()
    secret = re.search(r'class="key-once">(whsec_[^<]+)<', html).group(1)
    sub = WebhookSubscription.objects.for_org(org).get()
    assert sub.secret == secret and sub.events == ["job.finished"]
    assert secret not in client.get(URL).content.decode()
    html = client.post(URL, {"action": "rotate", "id": sub.id}).content.decode()
    sub.refresh_from_db()
    assert sub.previous_secret == secret and sub.secret in html
    client.post(URL, {"action": "disable", "id": sub.id})
    sub.refresh_from_db()
    assert not sub.is_active
    client.post(URL, {"action": "enable", "id": sub.id})
    event_emit(org=org, event="job.finished", payload={"job_id": 1})
    delivery = WebhookDelivery.objects.for_org(org).get()
    page = client.get(URL).content.decode()
    assert "job.finished" in page and "Redeliver" in page
    client.post(URL, {"action": "redeliver", "id": delivery.id})
    assert WebhookDelivery.objects.for_org(org).count() == 2


def test_internal_urls_are_refused_on_the_page(org, user, client_for, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    response = client_for(user).post(
        URL, {"action": "create", "url": "http://127.0.0.1/x", "events": ["job.finished"]},
        follow=True,
    )  # fmt: skip
    assert "internal address" in response.content.decode()
    assert not WebhookSubscription.objects.for_org(org).exists()


def test_a_viewer_cannot_manage(org, member_with_role, client_for):
    client = client_for(member_with_role(Role.VIEWER))
    assert 'data-testid="webhook-create"' not in client.get(URL).content.decode()
    client.post(
        URL, {"action": "create", "url": "https://example.com/", "events": ["job.finished"]}
    )
    assert not WebhookSubscription.objects.for_org(org).exists()


def test_the_page_in_chinese(org, user, client_for):
    client = client_for(user)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    html = client.get(URL).content.decode()
    assert "最近的投递" in html and "创建 Webhook" in html
