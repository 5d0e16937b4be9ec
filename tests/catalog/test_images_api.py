"""POST listings/{id}/images/ (multipart upload, Pillow-checked, stored under the
organization's image folder like the listing page's upload) and POST listings/{id}/images/draft/
(the auto-fixed main image or a selling-point image as a listing_image draft)."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.catalog.images import services as img
from apps.catalog.models import Product
from apps.review.models import Draft
from tests.factories import ListingFactory, ProductFactory, StoreFactory, marketplace

from .test_images import as_bytes, product_photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def listing(org):
    product = ProductFactory(
        organization=org,
        images=[],
        attributes={"material": "stainless steel", "power_w": 65, "length_m": 2,
                    "connector": "USB-C"},
    )  # fmt: skip
    store = StoreFactory(organization=org, marketplace=marketplace("amazon_de"))
    return ListingFactory(
        organization=org, product=product, store=store, language="de-DE", currency="EUR"
    )


def upload(client, listing, data: bytes, name="photo.png"):
    return client.post(
        f"/api/v1/listings/{listing.pk}/images/",
        {"image": SimpleUploadedFile(name, data)},
        format="multipart",
    )


def test_an_upload_is_stored_in_the_orgs_folder_and_added_to_the_product(org, listing,
                                                                         api_client):  # fmt: skip
    response = upload(api_client, listing, as_bytes(product_photo(300), "JPEG"), "p.jpg")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["path"].startswith(f"catalog/{org.id}/images/") and body["path"].endswith(".jpg")
    assert body["product"] == listing.product_id and body["images"] == [body["path"]]
    assert Product.objects.for_org(org).get(pk=listing.product_id).images == [body["path"]]
    with default_storage.open(body["path"], "rb") as fh:
        assert fh.read(3) == b"\xff\xd8\xff"  # a JPEG, as uploaded


@pytest.mark.parametrize(
    ("data", "says"),
    [(b"%PDF-1.4 not an image", "not an image we can read"),
     ("GIF", "GIF images are not accepted")],
)  # fmt: skip
def test_other_files_are_a_400_naming_image_and_nothing_is_stored(
    org, listing, api_client, data, says
):
    if data == "GIF":
        data = as_bytes(product_photo(100), "GIF")
    response = upload(api_client, listing, data, "x.bin")
    assert response.status_code == 400
    body = response.json()
    assert says in body["errors"]["image"][0]
    assert Product.objects.for_org(org).get(pk=listing.product_id).images == []


def test_an_oversized_upload_is_refused_before_it_is_read(org, listing, api_client, monkeypatch):
    monkeypatch.setattr(img, "UPLOAD_MAX_BYTES", 1000)
    response = upload(api_client, listing, as_bytes(product_photo(300), "PNG"))
    assert response.status_code == 400 and "larger than" in response.json()["errors"]["image"][0]


def test_a_missing_file_is_a_400_and_another_orgs_listing_a_404(
    org, other_org, listing, api_client, api_client_for
):
    response = api_client.post(f"/api/v1/listings/{listing.pk}/images/", {}, format="multipart")
    assert response.status_code == 400 and "image" in response.json()["errors"]
    theirs = upload(api_client_for(other_org), listing, as_bytes(product_photo(100), "PNG"))
    assert theirs.status_code == 404
    assert (
        api_client_for(org, role="viewer")
        .post(f"/api/v1/listings/{listing.pk}/images/draft/", {}, format="json")
        .status_code
        == 403
    )
    assert Product.objects.for_org(org).get(pk=listing.product_id).images == []


def test_fix_main_and_selling_points_become_listing_image_drafts(org, listing, api_client):
    url = f"/api/v1/listings/{listing.pk}/images/draft/"
    nothing = api_client.post(url, {}, format="json")
    assert nothing.status_code == 404  # no image to start from yet
    assert upload(api_client, listing, as_bytes(product_photo(800), "PNG")).status_code == 201
    fixed = api_client.post(url, {"what": "fix_main"}, format="json")
    assert fixed.status_code == 201, fixed.content
    draft = Draft.objects.for_org(org).get(pk=fixed.json()["id"])
    assert draft.kind == "listing_image" and draft.status == "pending"
    assert draft.target_id == listing.pk and draft.proposed["role"] == "main"
    assert img.main_image_check(img.image_open(org=org, path=draft.proposed["images"][0])).passed
    selling = api_client.post(url, {"what": "selling_points"}, format="json")
    assert selling.status_code == 201, selling.content
    proposed = Draft.objects.for_org(org).get(pk=selling.json()["id"]).proposed
    assert proposed["role"] == "selling_points"
    assert img.image_open(org=org, path=proposed["images"][1]).size == (1600, 1600)
    bad = api_client.post(url, {"what": "anything"}, format="json")
    assert bad.status_code == 400 and "what" in bad.json()["errors"]


def test_the_dashboard_upload_shares_the_size_bound(org, listing, user, client_for, monkeypatch):
    from django.urls import reverse

    url = reverse("catalog:image_upload", args=[listing.pk])
    data = as_bytes(product_photo(300), "PNG")
    client_for(user).post(url, {"image": SimpleUploadedFile("a.png", data)})
    assert len(Product.objects.for_org(org).get(pk=listing.product_id).images) == 1
    monkeypatch.setattr(img, "UPLOAD_MAX_BYTES", 1000)
    client_for(user).post(url, {"image": SimpleUploadedFile("b.png", data)})
    assert len(Product.objects.for_org(org).get(pk=listing.product_id).images) == 1
