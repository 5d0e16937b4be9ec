"""A translated reply edited after its back-translation, in a real browser (English and
Chinese): the conversation page warns that the back-translation is stale, offers "back-translate
again", and shows the lint error of the link the edit added. Screenshots go to
$SUPPORT_SCREENSHOTS (default /tmp/support-screenshots)/stale-<lang>.png."""

from __future__ import annotations

import pytest

from apps.review.editing import draft_edit
from apps.review.services import draft_create
from tests.browser.test_dashboard_browser import browser  # noqa: F401 - the fixture
from tests.browser.test_support_browser import PASSWORD, USERNAME, _shot, conversation  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GERMAN = "Hallo Jonas,\n\nwir senden Ihnen das fehlende Kabel heute nach.\n\nViele Grüße\nKovexa"
BACK = "你好 Jonas，\n\n我们今天给您补寄缺少的数据线。\n\n此致\nKovexa"


def test_stale_back_translation_is_shown_in_english_and_chinese(
    browser,  # noqa: F811
    live_server,
    conversation,  # noqa: F811
):
    org = conversation.organization
    draft = draft_create(
        org=org,
        kind="cs_reply",
        target=conversation,
        actor=None,
        proposed={"reply": GERMAN, "language": "de"},
        rationale="The operator's Chinese reply, translated.",
        evidence=[
            {"kind": "operator_source", "language": "zh-Hans", "text": "我们今天补寄数据线。"},
            {"kind": "back_translation", "language": "zh-Hans", "method": "llm", "reply": BACK},
        ],
    )
    edited = GERMAN.replace("heute nach.", "heute nach. Mehr unter https://kovexa.example/hilfe")
    draft_edit(org=org, actor=None, draft_id=draft.pk, edited={"reply": edited})
    page = browser.new_page(viewport={"width": 1360, "height": 1000}, locale="en-US")
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-form] button[type=submit]")
    url = f"{live_server.url}/support/conversations/{conversation.pk}/"
    page.goto(url)
    warning = page.locator("[data-testid=back-translation-stale]").inner_text()
    assert "the text changed after it was translated back" in warning.lower()
    assert page.locator("[data-testid=back-translate-again]").is_visible()
    assert "kovexa.example" in page.locator("[data-testid=draft-reply]").inner_text()
    assert "Outside links" in page.locator("[data-testid=draft-checks]").inner_text()
    page.locator("[data-testid=latest-draft]").scroll_into_view_if_needed()
    _shot(page, "stale-en")
    with page.expect_navigation():
        page.click("[data-testid=lang-zh-hans]")
    page.goto(url)
    warning = page.locator("[data-testid=back-translation-stale]").inner_text()
    assert "文本在回译之后被修改过" in warning
    assert page.locator("[data-testid=back-translate-again]").inner_text().strip() == "重新回译"
    assert "Outside links" not in page.locator("[data-testid=draft-checks]").inner_text()
    _shot(page, "stale-zh")
