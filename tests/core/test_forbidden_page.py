"""The 403 page: styled like the dashboard, in the reader's language, with the reason."""

from __future__ import annotations

from django.urls import reverse

from apps.accounts.models import Role
from tests.factories import ListingFactory


def test_a_forbidden_action_shows_the_dashboard_page_with_the_views_reason(
    org, member_with_role, client_for
):
    viewer = client_for(member_with_role(Role.VIEWER))
    response = viewer.post(reverse("pricing:strategy_new"), {"name": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="forbidden"' in html and 'class="topbar"' in html  # the layout
    assert "Only managers and owners change pricing." in html


def test_without_a_reason_the_page_says_what_the_role_does_not_allow(
    org, member_with_role, client_for
):
    listing = ListingFactory(organization=org)
    viewer = client_for(member_with_role(Role.VIEWER))
    response = viewer.post(reverse("catalog:generate_content"), {"listing": [listing.pk]})
    assert response.status_code == 403
    reason = response.content.decode().split('data-testid="forbidden-reason">')[1].split("</p>")[0]
    assert "Viewer" in reason and org.name in reason


def test_the_forbidden_page_speaks_chinese(org, member_with_role, client_for):
    viewer = client_for(member_with_role(Role.VIEWER))
    viewer.cookies["django_language"] = "zh-hans"
    response = viewer.post(reverse("pricing:strategy_new"), {"name": "x"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "不允许" in html and "只有经理和所有者可以修改定价" in html


def test_an_expired_form_gets_a_styled_page_that_says_what_to_do(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("pricing:strategy_new"), {"name": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="forbidden"' in html and "reload the page" in html
