"""A conversation in Chinese in a real browser: the operator switches to 中文, reads the buyer's
German message and its offline gist, types a reply with a tracking number that is not in the
context and a link, and sees the grounding mark and the Chinese lint messages live. Also takes a
screenshot of every support page in English and Chinese (into $SUPPORT_SCREENSHOTS if set)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from apps.accounts.models import Role
from apps.catalog.listings.marketplaces import marketplaces_sync
from apps.catalog.models import Marketplace
from apps.support.services.ingest import mail_ingest
from apps.support.services.kb import kb_article_save, macro_save
from tests.browser.test_dashboard_browser import browser  # noqa: F401 - the fixture
from tests.factories import (
    MembershipFactory,
    OrderFactory,
    OrganizationFactory,
    StoreFactory,
    UserFactory,
)
from tests.support.conftest import relay_mail

USERNAME, PASSWORD = "operator", "operator12345"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def conversation(live_server):
    marketplaces_sync(Marketplace)
    org = OrganizationFactory(slug="support-demo", name="Kovexa")
    user = UserFactory(username=USERNAME, password__=None)
    user.set_password(PASSWORD)
    user.save()
    MembershipFactory(organization=org, user=user, role=Role.MANAGER)
    store = StoreFactory(organization=org, name="Kovexa DE")
    OrderFactory(organization=org, store=store, marketplace_order_id="028-3350917-4471620")
    kb_article_save(
        org=org, title="Fehlende Teile", body="Fehlende Teile senden wir nach.", language="de"
    )
    macro_save(
        org=org,
        name="Fehlteil",
        language="de",
        body="Hallo {buyer_name}, zu Bestellung {order_id} senden wir das Teil nach.",
    )
    raw = relay_mail(
        "Guten Tag, im Paket fehlt das Kabel. Können Sie es bitte nachschicken?",
        order_id="028-3350917-4471620",
        name="Jonas",
        alias="q3v8n1z6k0p4w2h",
    )
    return mail_ingest(org=org, store=store, raw=raw).message.conversation


def _shot(page, name: str) -> None:
    folder = Path(os.environ.get("SUPPORT_SCREENSHOTS") or "/tmp/support-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_a_conversation_in_chinese_with_live_lint_and_grounding_marks(
    browser,  # noqa: F811
    live_server,
    conversation,
):
    page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="en-US")
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-form] button[type=submit]")
    pages = [
        "/support/",
        f"/support/conversations/{conversation.pk}/",
        "/support/knowledge/",
        "/support/knowledge/new/",
        "/support/sla/",
        "/support/macros/",
        "/support/sla/settings/",
        "/support/mailboxes/",
    ]
    for lang in ("en", "zh"):
        for i, path in enumerate(pages):
            page.goto(f"{live_server.url}{path}")
            _shot(page, f"{lang}-{i}")
        if lang == "en":
            with page.expect_navigation():
                page.click("[data-testid=lang-zh-hans]")
    page.goto(f"{live_server.url}/support/conversations/{conversation.pk}/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "fehlt das Kabel" in page.locator("[data-testid=message-text]").inner_text()
    page.click("[data-testid=view-toggle] a")
    assert "缺件" in page.locator("[data-testid=message-translation]").inner_text()
    # Logistics is set up: the panel reads its shipments (none for this test's order).
    assert "该订单没有发货记录" in page.locator("[data-testid=side-panel]").inner_text()
    page.fill(
        "textarea[name=reply]",
        "Hallo Jonas, Sendungsnummer YT2525400731926548, siehe https://kovexa.example/hilfe",
    )
    page.wait_for_selector("[data-testid=grounding-marks] mark.ungrounded")
    assert page.locator("mark.ungrounded").inner_text() == "YT2525400731926548"
    results = page.locator("[data-testid=lint-results]").inner_text()
    assert "买家消息中不允许外部链接" in results
    _shot(page, "zh-conversation-lint")
    # A macro is inserted with the conversation's values; Chinese without an endpoint is refused
    page.select_option("[data-testid=macro-select]", label="Fehlteil (de)")
    value = page.locator("textarea[name=reply]").input_value()
    assert value == "Hallo Jonas, zu Bestellung 028-3350917-4471620 senden wir das Teil nach."
    page.fill("textarea[name=reply]", "Jonas您好，我们会补发缺少的数据线。")
    page.wait_for_selector("[data-testid=lint-results] li[data-rule='reply.translate']")
    assert "翻译需要 LLM 接口" in page.locator("[data-testid=lint-results]").inner_text()
    assert "需要 LLM 接口" in page.locator("[data-testid=translation-note]").inner_text()
    _shot(page, "zh-conversation-chinese-reply-offline")
