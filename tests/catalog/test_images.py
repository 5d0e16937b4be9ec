"""Images: the main-image check on generated pictures, the auto-fix, selling-point images with
Chinese and German callouts, uploads, listing_image drafts and the tenant-checked image view."""

from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image, ImageDraw

from apps.catalog.images import services as img
from apps.catalog.models import Listing, ListingRevision
from apps.core.errors import ValidationFailed
from apps.review.models import Draft
from apps.review.services import draft_approve
from tests.factories import ListingFactory, ProductFactory, StoreFactory, marketplace


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)  # setting_changed resets the storage's location
    yield tmp_path
    assert default_storage.location == str(tmp_path)


def product_photo(
    size=800, background=(200, 200, 200), product_share=0.5, fmt="PNG"
) -> Image.Image:
    """A copper-coloured disc and a dark bar on a background, like a phone photo of a part."""
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    side = int(size * product_share)
    x0 = (size - side) // 2 + size // 10  # off centre
    y0 = (size - side) // 2
    draw.ellipse((x0, y0, x0 + side, y0 + side), fill=(184, 115, 51))
    draw.rectangle(
        (x0 + side // 4, y0 + side // 3, x0 + side // 2, y0 + side // 2), fill=(40, 40, 40)
    )
    buf = io.BytesIO()
    image.save(buf, fmt)
    buf.seek(0)
    return Image.open(buf)


def as_bytes(image: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt)
    return buf.getvalue()


def test_a_small_grey_background_photo_fails_with_each_reason():
    report = img.main_image_check(product_photo(800, (200, 200, 200), 0.5))
    assert not report.passed
    rules = {c.rule for c in report.checks}
    assert rules == {"image.background", "image.fill", "image.min_side"}
    messages = {c.rule: str(c.message) for c in report.checks}
    assert "800 px" in messages["image.min_side"] and "1000" in messages["image.min_side"]
    assert messages["image.background"].startswith("The background is not pure white: 0%")
    assert report.measured["fill"] < 0.85


def test_a_small_product_on_white_fails_only_on_fill():
    report = img.main_image_check(product_photo(1200, (255, 255, 255), 0.4))
    assert [c.rule for c in report.checks] == ["image.fill"]
    assert "40%" in str(report.checks[0].message) or "39%" in str(report.checks[0].message)


def test_formats_and_colour_modes_outside_the_rules_fail():
    cmyk = Image.new("CMYK", (1200, 1200), (0, 0, 0, 0))
    cmyk.format = "BMP"
    report = img.main_image_check(cmyk, {"modes": ["RGB"]})
    assert {"image.format", "image.mode"} <= {c.rule for c in report.checks}


def test_an_oversized_image_fails_on_the_longest_side():
    huge = Image.new("RGB", (10_400, 200), (255, 255, 255))
    report = img.main_image_check(huge)
    assert "image.max_side" in {c.rule for c in report.checks}


def test_the_auto_fixed_image_passes_every_check():
    photo = product_photo(800, (200, 200, 200), 0.5)
    fixed = img.image_autofix(photo)
    assert fixed.size == (2000, 2000)
    fixed.format = "JPEG"
    report = img.main_image_check(fixed)
    assert report.passed, [str(c.message) for c in report.checks]
    assert report.measured["white_border"] == 1.0
    assert 0.88 <= report.measured["fill"] <= 0.92
    # The product keeps its colour: a large copper area, not punched out as background.
    arr = np.asarray(fixed).astype(int)
    copper = (np.abs(arr - [184, 115, 51]) < 12).all(axis=2).mean()
    assert copper > 0.4


def _text_ink(image: Image.Image) -> int:
    """Dark pixels in the callout column (right of the product)."""
    arr = np.asarray(image.convert("L"))
    w = arr.shape[1]
    return int((arr[:, int(w * 0.62) :] < 80).sum())


@pytest.mark.parametrize(
    ("language", "callouts"),
    [
        ("zh-Hans", ["材质：紫铜", "长度：2 米", "功率：65 W", "兼容：USB-C 设备"]),
        ("de-DE", ["Material: Kupfer", "Länge: 2 m", "Leistung: 65 W", "Für USB-C-Geräte"]),
        ("ja-JP", ["素材：銅", "長さ：2 m", "出力：65 W"]),
    ],
)
def test_selling_point_images_render_callouts_in_the_target_language(language, callouts):
    rendered = img.selling_point_image(product_photo(900), callouts, language=language)
    assert rendered.size[0] >= 1600 and rendered.size[1] >= 1600
    assert _text_ink(rendered) > 2000  # text was drawn
    # Real glyphs, not tofu: different words give different pixels.
    other = img.selling_point_image(
        product_photo(900), [c[::-1] for c in callouts], language=language
    )
    assert np.asarray(rendered).tobytes() != np.asarray(other).tobytes()


def test_the_cjk_font_has_chinese_and_german_glyphs():
    font = img._font(40, "zh-Hans")
    notdef = font.getmask("\uffff").getbbox()
    for text in ("铜", "ä", "ß", "W"):
        assert font.getbbox(text)[2] > 0
        assert font.getmask(text).getbbox() != notdef or text == "\uffff"


def test_a_selling_point_image_needs_three_to_five_callouts():
    with pytest.raises(ValidationFailed):
        img.selling_point_image(product_photo(), ["a", "b"], language="en")
    with pytest.raises(ValidationFailed):
        img.selling_point_image(product_photo(), list("abcdef"), language="en")


@pytest.mark.django_db
def test_uploads_accept_png_jpeg_webp_and_refuse_other_formats(org, user):
    product = ProductFactory(organization=org, images=[])
    for fmt in ("PNG", "JPEG", "WEBP"):
        path = img.product_image_upload(
            org=org, actor=user, product=product, data=as_bytes(product_photo(300), fmt)
        )
        product.refresh_from_db()
        assert path in product.images and path.startswith(f"catalog/{org.id}/images/")
    assert len(product.images) == 3
    for fmt in ("GIF", "BMP", "TIFF"):
        with pytest.raises(ValidationFailed) as exc:
            img.product_image_upload(
                org=org, actor=user, product=product, data=as_bytes(product_photo(300), fmt)
            )
        assert f"{fmt} images are not accepted" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        img.product_image_upload(org=org, actor=user, product=product, data=b"%PDF-1.4 not")
    assert "not an image we can read" in exc.value.message
    product.refresh_from_db()
    assert len(product.images) == 3


@pytest.fixture
def pictured_listing(org, user):
    product = ProductFactory(
        organization=org,
        images=[],
        attributes={
            "material": "stainless steel",
            "power_w": 65,
            "length_m": 2,
            "connector": "USB-C",
        },
    )
    store = StoreFactory(organization=org, marketplace=marketplace("amazon_de"))
    listing = ListingFactory(
        organization=org, product=product, store=store, language="de-DE", currency="EUR"
    )
    img.product_image_upload(
        org=org, actor=user, product=product, data=as_bytes(product_photo(800), "PNG")
    )
    listing.refresh_from_db()
    return listing


@pytest.mark.django_db
def test_the_auto_fix_becomes_a_draft_and_approval_sets_the_main_image(org, user, pictured_listing):
    listing = pictured_listing
    draft = img.listing_image_fix_draft(org=org, actor=user, listing=listing)
    assert draft.kind == "listing_image" and draft.status == "pending"
    assert draft.checks == []  # the fixed image passes
    assert {e["check"] for e in draft.evidence} == {
        "image.background",
        "image.fill",
        "image.min_side",
    }
    assert Listing.objects.for_org(org).get(pk=listing.pk).images == []  # nothing applied yet
    draft_approve(org=org, actor=user, draft_id=draft.pk)
    listing = Listing.objects.for_org(org).get(pk=listing.pk)
    assert listing.images == draft.proposed["images"]
    assert img.main_image_check(img.image_open(org=org, path=listing.images[0])).passed
    revision = ListingRevision.objects.for_org(org).get(listing=listing)
    assert revision.source == "draft" and "images" in revision.changes


@pytest.mark.django_db
def test_a_selling_point_draft_renders_german_callouts_from_the_facts(org, user, pictured_listing):
    draft = img.listing_selling_image_draft(org=org, actor=user, listing=pictured_listing)
    callouts = [e["callout"] for e in draft.evidence]
    assert 3 <= len(callouts) <= 5
    assert any(c == "Material: Edelstahl" for c in callouts) and any("65" in c for c in callouts)
    rendered = img.image_open(org=org, path=draft.proposed["images"][1])
    assert rendered.size == (1600, 1600)
    assert draft.checks == []


@pytest.mark.django_db
def test_a_failing_image_draft_cannot_be_approved(org, user, pictured_listing):
    from apps.review.services import draft_create

    bad = pictured_listing.product.images[0]  # the raw 800 px grey photo
    draft = draft_create(
        org=org,
        kind="listing_image",
        target=pictured_listing,
        proposed={"images": [bad], "role": "main"},
    )
    assert {c["rule"] for c in draft.checks} >= {"image.min_side", "image.background"}
    with pytest.raises(Exception):  # noqa: B017 - the review service refuses errors
        draft_approve(org=org, actor=user, draft_id=draft.pk)
    assert Draft.objects.for_org(org).get(pk=draft.pk).status == "pending"


@pytest.mark.django_db
def test_images_are_served_only_to_their_organization(
    org, user, outsider, client_for, pictured_listing
):
    path = pictured_listing.product.images[0]
    url = reverse("catalog:image", args=[path])
    response = client_for(user).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    assert client_for(outsider).get(url).status_code == 404
    assert (
        client_for(user).get(reverse("catalog:image", args=["catalog/1/../x.png"])).status_code
        == 404
    )


@pytest.mark.django_db
def test_image_actions_on_a_foreign_listing_are_404(org, other_org, user, client_for):
    foreign = ListingFactory(organization=other_org)
    client = client_for(user)
    for name in ("image_draft", "image_upload", "listing_save"):
        assert client.post(reverse(f"catalog:{name}", args=[foreign.pk])).status_code == 404


@pytest.mark.django_db
def test_the_listing_page_shows_the_image_report_and_the_review_screen_before_after(
    org, user, client_for, pictured_listing
):
    client = client_for(user)
    page = client.get(
        reverse("catalog:listing_detail", args=[pictured_listing.pk])
    ).content.decode()
    assert 'data-testid="image-report"' in page and "800 × 800 px" in page
    response = client.post(
        reverse("catalog:image_draft", args=[pictured_listing.pk]), {"what": "fix"}
    )
    assert response.status_code == 302
    draft = Draft.objects.for_org(org).get(kind="listing_image")
    review = client.get(reverse("review:detail", args=[draft.pk])).content.decode()
    assert 'data-testid="image-compare"' in review
    assert reverse("catalog:image", args=[draft.proposed["images"][0]]) in review
