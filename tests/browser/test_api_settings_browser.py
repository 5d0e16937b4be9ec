"""The API keys and webhooks settings pages in a real browser, in English and Chinese: a
manager creates a scoped key (shown once) and sees a webhook disabled after failures (with the
notice every page shows). Screenshots go to /tmp/api-settings-<page>-<lang>.png."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.services import api_key_issue
from apps.integrations.models import WebhookSubscription
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

from .test_dashboard_browser import browser  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
USERNAME, PASSWORD = "erp-admin", "erp-admin-12345"


@pytest.fixture
def manager(live_server):
    org = OrganizationFactory(slug="api-demo", name="Shenzhen Voltora Electronics")
    user = UserFactory(username=USERNAME, password__=None)
    user.set_password(PASSWORD)
    user.save()
    MembershipFactory(organization=org, user=user, role=Role.MANAGER)
    api_key_issue(org=org, name="Kingdee ERP", scopes=["catalog:write", "orders:read"])
    WebhookSubscription.objects.create(
        organization=org,
        url="https://erp.example.com/hooks/crossborder",
        events=["draft.applied", "job.finished"],
        secret="whsec_x",
        is_active=False,
        consecutive_failures=50,
        disabled_at=timezone.now(),
        disabled_reason="50 delivery attempts failed in a row (last: HTTP 503)",
    )
    return org


def _page(browser, live_server, lang):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    if lang == "zh":
        context.add_cookies(
            [{"name": "django_language", "value": "zh-hans", "url": live_server.url}]
        )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-form] button[type=submit]")
    return page


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_settings_pages(browser, live_server, manager, lang):  # noqa: F811
    page = _page(browser, live_server, lang)
    page.goto(f"{live_server.url}/accounts/api-keys/")
    page.fill("[data-testid=key-create] input[name=name]", "WMS")
    page.check("input[name=scope_logistics][value=write]")
    with page.expect_navigation():
        page.click("[data-testid=key-create] button[type=submit]")
    assert page.locator("[data-testid=new-key] .key-once").inner_text().startswith("cbk_")
    assert "logistics:write" in page.locator("[data-testid=key-list]").inner_text()
    page.screenshot(path=f"/tmp/api-settings-keys-{lang}.png", full_page=True)

    page.goto(f"{live_server.url}/imports/webhooks/")
    notice = page.locator("[data-testid=webhook-disabled-notice]").inner_text()
    assert "erp.example.com" in notice
    page.screenshot(path=f"/tmp/api-settings-webhooks-{lang}.png", full_page=True)
    if lang == "zh":
        assert "权限范围" in page.goto(f"{live_server.url}/accounts/api-keys/").text()
