"""Scene images on generated backgrounds in a real browser, English and Chinese: the photos page
offers the generated scene when an image endpoint is configured (a local fake server) and says
plainly that it needs one otherwise; the review screen shows the generated scene's draft with
before and after. Screenshots: /tmp/scene-<lang>-*.png."""

from __future__ import annotations

import io

import pytest

from apps.catalog.images import cutout, generated
from apps.catalog.listings.marketplaces import marketplaces_sync
from apps.catalog.models import Marketplace
from apps.catalog.photos import synthetic
from apps.catalog.photos.services import photo_upload
from apps.review.services import draft_approve
from tests.ai.fake_server import FakeLLMServer, Reply, scripted
from tests.browser.test_dashboard_browser import browser  # noqa: F401 - the fixture
from tests.factories import ListingFactory, ProductFactory, StoreFactory, marketplace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _png(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_generated_scene_pages(live_server, browser, org, user, lang, tmp_path, settings):  # noqa: F811
    settings.MEDIA_ROOT = str(tmp_path)
    marketplaces_sync(Marketplace)  # a transactional test flushed the reference rows
    product = ProductFactory(organization=org, images=[], category="Power banks",
                             attributes={"colour": "black"})  # fmt: skip
    store = StoreFactory(organization=org, marketplace=marketplace("amazon_de"))
    listing = ListingFactory(organization=org, product=product, store=store, language="de-DE",
                             currency="EUR")  # fmt: skip
    photo, _truth = synthetic.object_on_texture(1000)
    row = photo_upload(org=org, actor=user, product=product, data=_png(photo))
    main = cutout.listing_cutout_main_draft(org=org, actor=user, listing=listing, photo=row)
    draft_approve(org=org, actor=user, draft_id=main.pk)
    listing.refresh_from_db()
    user.set_password("pw-scene-12345")
    user.save()
    context = browser.new_context(viewport={"width": 1280, "height": 1000},
                                  locale="zh-CN" if lang == "zh-hans" else "en-US")  # fmt: skip
    context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-scene-12345")
    with page.expect_navigation():
        page.click("[data-testid=login-form] button[type=submit]")
    photos_url = f"{live_server.url}/catalog/products/{product.pk}/photos/"
    settings.CROSSBORDER_IMAGE_BASE_URL = ""
    page.goto(photos_url)
    note = page.locator("[data-testid=generation-note]").inner_text()
    assert ("图像生成端点" in note) == (lang == "zh-hans")
    assert page.locator("[data-testid=make-generated]").count() == 0
    page.screenshot(path=f"/tmp/scene-{lang}-offline.png", full_page=True)
    scene_bytes = _png(synthetic.texture(1024, seed=3))
    with FakeLLMServer(scripted(Reply.image(scene_bytes))) as server:
        settings.CROSSBORDER_IMAGE_BASE_URL = server.url
        page.goto(photos_url)
        assert page.locator("[data-testid=make-generated]").count() == 1
        page.screenshot(path=f"/tmp/scene-{lang}-photos.png", full_page=True)
        draft = generated.listing_generated_scene_draft(
            org=org, actor=user, listing=listing, photo=row, setting="living_room"
        )
    page.goto(f"{live_server.url}/review/{draft.pk}/")
    page.locator("[data-testid=before-after]").wait_for()
    assert page.locator("[data-testid=after-image]").count() == 1
    page.screenshot(path=f"/tmp/scene-{lang}-review.png", full_page=True)
    context.close()
