"""Photo to listing facts: OCR and barcodes on generated photos with known text and GTIN, bad
uploads, the product_facts draft accepted fact by fact, grounding from accepted facts; GrabCut
cut-outs, white main and scene images; cross-tenant 404s."""

from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from apps.ai.services import JOB_KIND, generation_batch_run
from apps.catalog.content.facts import fact_sheet
from apps.catalog.images import cutout
from apps.catalog.images import services as img
from apps.catalog.models import Product
from apps.catalog.photos import extract, synthetic
from apps.catalog.photos.services import photo_read, photo_upload
from apps.core.errors import ValidationFailed
from apps.core.services import job_create
from apps.review.models import Draft
from apps.review.services import draft_approve
from tests.factories import ListingFactory, ProductFactory, StoreFactory, marketplace

GTIN = "4006381333931"


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    yield tmp_path


def png(image: Image.Image, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt)
    return buf.getvalue()


# --- extraction ------------------------------------------------------------------------------


def test_ocr_and_barcode_read_the_known_label_and_gtin():
    photo = synthetic.box_photo(gtin=GTIN)
    result = extract.photo_facts(photo, photo="p.png")
    facts = {f["key"]: f for f in result["facts"]}
    assert facts["brand"]["value"] == "VOLTORA"
    assert facts["model"]["value"] == "PB-2000"
    assert (facts["capacity"]["value"], facts["capacity"]["unit"]) == ("20000", "mAh")
    assert (facts["power"]["value"], facts["power"]["unit"]) == ("22.5", "W")
    assert facts["dimensions"]["value"] == "150 × 70 × 27" and facts["dimensions"]["unit"] == "mm"
    assert {"CE", "FCC"} <= set(facts["certifications"]["value"])
    assert "USB-C" in facts["ports"]["value"]
    assert facts["category"]["value"] == "power_bank"
    assert facts["gtin"]["value"] == GTIN and facts["gtin"]["source"] == "barcode"
    assert facts["gtin"]["evidence"].startswith("EAN-13")
    assert all(f["photo"] == "p.png" and f["evidence"] for f in result["facts"])
    assert "material" not in facts  # "Output" holds "tpu" but not as a word


def test_a_wrong_check_digit_is_refused_from_a_qr_code_and_printed_digits():
    bad = GTIN[:-1] + "2"
    assert extract.gtin_valid(GTIN) and not extract.gtin_valid(bad)
    assert extract.gtin_valid("036000291452") and extract.gtin_valid("96385074")
    lines = ("Brand: VOLTORA", f"EAN: {bad}")
    photo = synthetic.box_photo(lines, gtin=None, qr_text=f"https://id.gs1.org/01/0{bad}")
    result = extract.photo_facts(photo, photo="p.png")
    assert not [f for f in result["facts"] if f["key"] == "gtin"]
    refused = {r["code"] for r in result["refused"]}
    assert f"0{bad}" in refused and bad in refused
    assert all(r["reason"] == "wrong GTIN check digit" for r in result["refused"])


def test_chinese_and_german_labels_are_read():
    photo = synthetic.box_photo(("品牌: 伏特拉", "Marke: VOLTORA", "移动电源 10000mAh"), gtin=None)
    result = extract.photo_facts(photo, photo="p.png")
    facts = {f["key"]: f for f in result["facts"]}
    assert facts["brand"]["value"] in ("伏特拉", "VOLTORA")
    assert facts["capacity"]["value"] == "10000"
    assert facts["category"]["value"] == "power_bank"


def test_the_dominant_colour_is_named():
    image = Image.new("RGB", (400, 400), (240, 240, 240))
    image.paste((200, 30, 30), (100, 100, 300, 300))
    assert extract.dominant_colour(image)[0] == "red"


@pytest.mark.parametrize(
    "data, code",
    [
        (b"not an image at all", "not_an_image"),
        (b"", "empty"),
        (png(Image.new("RGB", (300, 300), "blue"))[:400], "truncated"),
        (png(Image.new("RGB", (100, 100), "blue")), "too_small"),
        (png(Image.new("RGB", (300, 300), "blue"), "GIF"), "format"),
    ],
)
def test_bad_photos_get_a_clear_error(data, code):
    with pytest.raises(ValidationFailed) as info:
        photo_read(data)
    assert info.value.code == code


def test_too_large_photos_are_refused(monkeypatch):
    from apps.catalog.photos import services

    monkeypatch.setattr(services, "PHOTO_MAX_BYTES", 100)
    with pytest.raises(ValidationFailed) as info:
        photo_read(png(Image.new("RGB", (300, 300), "blue")))
    assert info.value.code == "too_large" and "20 MB" in info.value.message
    monkeypatch.setattr(services, "PHOTO_MAX_BYTES", 10**9)
    monkeypatch.setattr(services, "PHOTO_MAX_PIXELS", 1000)
    with pytest.raises(ValidationFailed) as info:
        photo_read(png(Image.new("RGB", (300, 300), "blue")))
    assert info.value.code == "too_many_pixels"


# --- the fact sheet draft -------------------------------------------------------------------


def run_photo_facts(org, product) -> Draft:
    job = job_create(org=org, kind=JOB_KIND, total=1)
    job.result = {"kind": "photo_facts"}
    job.save(update_fields=["result"])
    generation_batch_run(org=org, job_id=job.pk, kind="photo_facts", target_ids=[product.pk])
    draft = Draft.objects.for_org(org).get(job_id=job.pk)
    assert draft.status != "failed", draft.error
    return draft


@pytest.mark.django_db
def test_a_fact_enters_the_product_only_after_approval_and_only_if_ticked(org, user):
    product = ProductFactory(organization=org, brand="", category="", attributes={})
    photo_upload(
        org=org, actor=user, product=product, data=png(synthetic.box_photo()), role="packaging"
    )
    draft = run_photo_facts(org, product)
    assert draft.kind == "product_facts" and draft.status == "pending"
    assert draft.provider == "offline"
    ids = {f["id"] for f in draft.proposed["facts"]}
    assert {"brand", "gtin", "capacity", "power", "dimensions"} <= ids
    product.refresh_from_db()
    assert product.brand == "" and "gtin" not in product.attributes  # nothing applied yet
    draft_approve(
        org=org,
        actor=user,
        draft_id=draft.pk,
        edited={"accepted": ["brand", "gtin", "capacity", "dimensions"]},
    )
    product = Product.objects.for_org(org).get(pk=product.pk)
    assert product.brand == "VOLTORA"
    assert product.attributes["gtin"] == GTIN
    assert product.attributes["capacity_mah"] == 20000
    assert "power_w" not in product.attributes  # not ticked: not applied
    assert (product.length_mm, product.width_mm, product.height_mm) == (150, 70, 27)
    # Grounding now reads the accepted facts.
    sheet = fact_sheet(product)
    assert any(q.kind == "charge" and q.value == 20000 for q in sheet.quantities)


@pytest.mark.django_db
def test_the_review_screen_ticks_facts_one_by_one(org, user, client_for):
    product = ProductFactory(organization=org, brand="", attributes={})
    photo_upload(org=org, actor=user, product=product, data=png(synthetic.box_photo()))
    draft = run_photo_facts(org, product)
    client = client_for(user)
    page = client.get(reverse("review:detail", args=[draft.pk]))
    assert page.status_code == 200 and b'data-testid="photo-fact"' in page.content
    response = client.post(
        reverse("review:approve", args=[draft.pk]), {"edit": "1", "accepted": ["model"]}
    )
    assert response.status_code in (302, 200)
    product.refresh_from_db()
    assert product.attributes.get("model") == "PB-2000" and product.brand == ""


# --- cut-out and images ---------------------------------------------------------------------


def test_grabcut_cuts_a_synthetic_object_out_of_a_textured_background():
    photo, truth = synthetic.object_on_texture(1200, seed=3)
    cut = cutout.cutout(photo)
    assert cut.method == "grabcut"
    assert cutout.iou(cut.mask, truth) >= 0.9
    assert cut.quality.ok


def test_a_plain_light_background_takes_the_pillow_path():
    image = Image.new("RGB", (800, 800), (250, 250, 250))
    image.paste((30, 30, 200), (200, 150, 600, 650))
    cut = cutout.cutout(image)
    truth = np.zeros((800, 800), bool)
    truth[150:650, 200:600] = True
    assert cut.method == "plain_background" and cutout.iou(cut.mask, truth) >= 0.97


def test_mask_quality_refuses_an_empty_or_full_mask():
    arr = np.asarray(synthetic.texture(300))
    assert not cutout.mask_quality(arr, np.zeros((300, 300), bool)).ok
    assert not cutout.mask_quality(arr, np.ones((300, 300), bool)).ok


def test_white_main_and_scene_images_meet_the_size_rules():
    photo, _truth = synthetic.object_on_texture(1000)
    cut = cutout.cutout(photo)
    main = cutout.white_main_image(cut)
    assert img.main_image_check(main).passed and main.size == (2000, 2000)
    scene = cutout.scene_image(cut, synthetic.texture(900, seed=5))
    assert min(scene.size) >= 1600
    small_scene = cutout.scene_image(cut, None, side=800)
    assert min(small_scene.size) >= 1600  # never below the rule
    data = cutout.png_with_ai_label(scene, "test")
    assert Image.open(io.BytesIO(data)).text["AI-Generated"] == "true"


@pytest.fixture
def photo_listing(org, user):
    product = ProductFactory(organization=org, images=[])
    store = StoreFactory(organization=org, marketplace=marketplace("amazon_de"))
    listing = ListingFactory(
        organization=org, product=product, store=store, language="de-DE", currency="EUR"
    )
    photo, _truth = synthetic.object_on_texture(1000)
    row = photo_upload(org=org, actor=user, product=product, data=png(photo))
    return listing, row


@pytest.mark.django_db
def test_cutout_drafts_pass_the_gate_and_apply_on_approval(org, user, photo_listing, client_for):
    listing, photo = photo_listing
    with pytest.raises(ValidationFailed):  # a scene is never the main image
        cutout.listing_scene_draft(org=org, actor=user, listing=listing, photo=photo)
    draft = cutout.listing_cutout_main_draft(org=org, actor=user, listing=listing, photo=photo)
    assert draft.kind == "listing_image" and draft.checks == []
    with default_storage.open(draft.proposed["images"][0], "rb") as fh:
        assert Image.open(fh).text["AI-Generated"] == "true"
    draft_approve(org=org, actor=user, draft_id=draft.pk)
    listing.refresh_from_db()
    assert listing.images[0] == draft.proposed["images"][0]
    scene = cutout.listing_scene_draft(org=org, actor=user, listing=listing, photo=photo)
    assert scene.proposed["role"] == "scene" and scene.checks == []
    with default_storage.open(scene.proposed["images"][1], "rb") as fh:
        assert min(Image.open(fh).size) >= 1600
    page = client_for(user).get(reverse("review:detail", args=[scene.pk]))
    assert page.status_code == 200 and b'data-testid="after-image"' in page.content


# --- tenancy ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_other_organizations_photos_and_images_answer_404(
    org, other_org, user, outsider, client_for, api_client, other_api_client, photo_listing
):
    listing, photo = photo_listing
    theirs = client_for(outsider)
    assert theirs.get(reverse("catalog:photos", args=[listing.product_id])).status_code == 404
    assert theirs.get(reverse("catalog:image", args=[photo.path])).status_code == 404
    assert other_api_client.get(f"/api/v1/photos/{photo.pk}/").status_code == 404
    assert other_api_client.get(f"/api/v1/products/{listing.product_id}/photos/").status_code == 404
    assert (
        other_api_client.post(
            f"/api/v1/photos/{photo.pk}/images/",
            {"listing": listing.pk, "what": "main"},
            format="json",
        ).status_code
        == 404
    )
    assert api_client.get(f"/api/v1/photos/{photo.pk}/").status_code == 200


@pytest.mark.django_db
def test_the_api_uploads_photos_refuses_bad_ones_and_approves_facts_one_by_one(org, api_client):
    product = ProductFactory(organization=org, brand="", attributes={})
    url = f"/api/v1/products/{product.pk}/photos/"
    bad = api_client.post(url, {"image": io.BytesIO(b"no image"), "role": "packaging"},
                          format="multipart")  # fmt: skip
    assert bad.status_code == 400 and "not an image" in bad.content.decode()
    upload = io.BytesIO(png(synthetic.box_photo()))
    upload.name = "box.png"
    created = api_client.post(url, {"image": upload, "role": "packaging"}, format="multipart")
    assert created.status_code == 201 and created.json()["role"] == "packaging"
    assert [p["id"] for p in api_client.get(url).json()] == [created.json()["id"]]
    draft = run_photo_facts(org, product)
    response = api_client.post(f"/api/v1/drafts/{draft.pk}/approve/",
                               {"payload": {"accepted": ["gtin"]}}, format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    product.refresh_from_db()
    assert product.attributes == {"gtin": GTIN} and product.brand == ""
