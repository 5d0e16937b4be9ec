"""The photo-to-facts review in Chinese, in a real browser: a manager opens the product_facts
draft read off a Pillow-made box photo, sees each fact with its photo and evidence, ticks two
facts and approves; only those two enter the product. Screenshots: /tmp/zh-photo-facts*.png."""

from __future__ import annotations

import io

import pytest
from django.conf import settings as django_settings

from apps.accounts.models import Role
from apps.ai.services import JOB_KIND, generation_batch_run
from apps.catalog.listings.marketplaces import marketplaces_sync
from apps.catalog.models import Marketplace, Product
from apps.catalog.photos import synthetic
from apps.catalog.photos.services import photo_upload
from apps.core.services import job_create
from apps.review.models import Draft
from tests.browser.test_dashboard_browser import browser  # noqa: F401 - the fixture
from tests.factories import MembershipFactory, OrganizationFactory, ProductFactory, UserFactory

USERNAME, PASSWORD = "photo-manager", "photo12345"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fact_draft(live_server, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    marketplaces_sync(Marketplace)
    org = OrganizationFactory(slug="photo-demo", name="Shenzhen Voltora Electronics")
    user = UserFactory(username=USERNAME, password__=None)
    user.set_password(PASSWORD)
    user.save()
    MembershipFactory(organization=org, user=user, role=Role.MANAGER)
    product = ProductFactory(organization=org, brand="", attributes={}, sku="VOL-PB-BOX")
    buf = io.BytesIO()
    synthetic.box_photo().save(buf, "PNG")
    photo_upload(org=org, actor=user, product=product, data=buf.getvalue(), role="packaging")
    job = job_create(org=org, kind=JOB_KIND, total=1)
    job.result = {"kind": "photo_facts"}
    job.save(update_fields=["result"])
    generation_batch_run(org=org, job_id=job.pk, kind="photo_facts", target_ids=[product.pk])
    return org, product, Draft.objects.for_org(org).get(job_id=job.pk)


def test_the_photo_facts_review_in_chinese_applies_only_the_ticked_facts(
    browser,  # noqa: F811
    live_server,
    fact_draft,
):
    org, product, draft = fact_draft
    assert django_settings.MEDIA_ROOT
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-form] button[type=submit]")
    page.goto(f"{live_server.url}/review/{draft.pk}/")
    form = page.locator("[data-testid=photo-facts-form]")
    form.wait_for()
    text = form.inner_text()
    assert "从照片识别出的信息" in text and "品牌" in text and "批准勾选的信息" in text
    rows = page.locator("[data-testid=photo-fact]")
    assert rows.count() >= 8
    assert (
        page.locator("[data-testid=photo-fact][data-key=gtin] [data-testid=fact-value]")
        .inner_text()
        .strip()
        == "4006381333931"
    )
    # every fact shows its photo
    assert page.locator("[data-testid=photo-fact] img").count() == rows.count()
    page.screenshot(path="/tmp/zh-photo-facts.png", full_page=True)
    page.check("[data-testid=photo-fact][data-key=brand] [data-testid=accept-fact]")
    page.check("[data-testid=photo-fact][data-key=gtin] [data-testid=accept-fact]")
    with page.expect_navigation():
        page.click("[data-testid=approve-facts]")
    page.screenshot(path="/tmp/zh-photo-facts-approved.png", full_page=True)
    product = Product.objects.for_org(org).get(pk=product.pk)
    assert product.brand == "VOLTORA" and product.attributes.get("gtin") == "4006381333931"
    assert "power_w" not in product.attributes and "capacity_mah" not in product.attributes
    assert Draft.objects.for_org(org).get(pk=draft.pk).status == "applied"
