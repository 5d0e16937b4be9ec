"""Marketplace export jobs: rules checked before writing, listings with errors left out and
reported, files downloadable only by their organization (dashboard and API)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.catalog.exports.marketplace import marketplace_export_run, marketplace_export_start
from apps.core.errors import ValidationFailed
from apps.core.models import Job
from tests.factories import ListingFactory, StoreFactory, marketplace
from tests.integrations.feed_schema import assert_valid_feed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def amazon_store(org):
    return StoreFactory(organization=org, marketplace=marketplace("amazon_us"), seller_id="A9X")


def run(org, job: Job) -> Job:
    marketplace_export_run(org=org, job=job)
    return Job.objects.for_org(org).get(pk=job.pk)


def test_an_amazon_feed_holds_the_good_listings_and_reports_the_bad(
    org, user, client_for, amazon_store
):
    good = ListingFactory(organization=org, store=amazon_store, title="Voltora Copper Cable 2 m")
    bad = ListingFactory(organization=org, store=amazon_store, title="Best seller cable!")
    no_price = ListingFactory(organization=org, store=amazon_store, price=None)
    job = run(
        org,
        marketplace_export_start(org=org, actor=user, store_id=amazon_store.pk, fmt="amazon_json"),
    )
    assert job.status == "succeeded"
    assert job.result["rows"] == 1 and job.result["excluded_count"] == 2
    assert (job.done, job.failed) == (1, 2)
    excluded = {e["id"]: e["reasons"] for e in job.result["excluded"]}
    assert set(excluded) == {bad.pk, no_price.pk}
    assert any("!" in r for r in excluded[bad.pk]) and any(
        "best seller" in r for r in excluded[bad.pk]
    )
    assert excluded[no_price.pk] == ["The listing has no price."]
    c = client_for(user)
    feed = json.loads(b"".join(c.get(reverse("exports:download", args=[job.pk])).streaming_content))
    assert_valid_feed(feed)
    assert feed["header"]["sellerId"] == "A9X"
    assert [m["sku"] for m in feed["messages"]] == [good.product.sku]
    assert feed["messages"][0]["attributes"]["item_name"][0]["value"] == "Voltora Copper Cable 2 m"
    report = b"".join(c.get(reverse("exports:excluded", args=[job.pk])).streaming_content)
    rows = list(csv.DictReader(io.StringIO(report.decode("utf-8-sig"))))
    assert {int(r["listing_id"]) for r in rows} == {bad.pk, no_price.pk}


def test_a_shopify_and_an_ebay_file_are_written_for_their_stores(org, user):
    shop = StoreFactory(organization=org, marketplace=marketplace("shopify"))
    ebay = StoreFactory(organization=org, marketplace=marketplace("ebay_uk"))
    ListingFactory(
        organization=org, store=shop, title="Lamp", price=Decimal("9.50"), currency="USD"
    )
    ListingFactory(
        organization=org, store=ebay, title="Charger", price=Decimal("7.25"), currency="GBP"
    )
    shop_job = run(
        org, marketplace_export_start(org=org, actor=user, store_id=shop.pk, fmt="shopify_csv")
    )
    ebay_job = run(
        org, marketplace_export_start(org=org, actor=user, store_id=ebay.pk, fmt="ebay_csv")
    )
    from apps.catalog.exports.marketplace import export_file

    shop_rows = list(csv.DictReader(io.StringIO(export_file(shop_job).read_text("utf-8-sig"))))
    assert [(r["Title"], r["Variant Price"]) for r in shop_rows] == [("Lamp", "9.50")]
    ebay_text = export_file(ebay_job).read_text("utf-8-sig")
    assert ebay_text.startswith("Action(SiteID=UK|Country=CN|Currency=GBP|Version=1193)")
    ebay_rows = list(csv.DictReader(io.StringIO(ebay_text)))
    assert [(r["Title"], r["StartPrice"]) for r in ebay_rows] == [("Charger", "7.25")]


def test_a_format_for_another_channel_or_a_foreign_store_is_refused(
    org, other_org, user, amazon_store
):
    with pytest.raises(ValidationFailed, match="Shopify product CSV files are for shopify stores"):
        marketplace_export_start(org=org, actor=user, store_id=amazon_store.pk, fmt="shopify_csv")
    foreign = StoreFactory(organization=other_org)
    with pytest.raises(ValidationFailed, match="Choose one of your stores"):
        marketplace_export_start(org=org, actor=user, store_id=foreign.pk, fmt="amazon_json")
    assert not Job.objects.for_org(org).filter(kind="catalog.marketplace_export").exists()


def test_the_listings_page_starts_an_export_and_its_page_and_files_are_tenant_checked(
    org, user, outsider, client_for, amazon_store
):
    ListingFactory(organization=org, store=amazon_store)
    client = client_for(user)
    page = client.get(reverse("catalog:listings")).content.decode()
    assert 'data-testid="marketplace-export"' in page and "JSON_LISTINGS_FEED" in page
    response = client.post(
        reverse("exports:marketplace"), {"format": "amazon_json", "store": amazon_store.pk}
    )
    job = Job.objects.for_org(org).get(kind="catalog.marketplace_export")
    assert response.status_code == 302 and response["Location"] == reverse(
        "exports:job", args=[job.pk]
    )
    job = run(org, job)
    status_page = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert 'data-testid="export-download"' in status_page
    other = client_for(outsider)
    for name in ("job", "download", "excluded"):
        assert other.get(reverse(f"exports:{name}", args=[job.pk])).status_code == 404
    assert (
        other.post(
            reverse("exports:marketplace"), {"format": "amazon_json", "store": amazon_store.pk}
        ).status_code
        == 302
    )
    assert not Job.objects.for_org(outsider.memberships.first().organization).exists()


def test_a_viewer_cannot_start_an_export(org, member_with_role, client_for, amazon_store):
    viewer = member_with_role("viewer")
    response = client_for(viewer).post(
        reverse("exports:marketplace"), {"format": "amazon_json", "store": amazon_store.pk}
    )
    assert response.status_code == 403


def test_the_api_starts_an_export_and_serves_the_file_to_its_organization_only(
    org, user, api_client, other_api_client, amazon_store
):
    ListingFactory(organization=org, store=amazon_store, title="API cable")
    response = api_client.post(
        "/api/v1/exports/",
        {"format": "amazon_json", "store": amazon_store.pk, "operation": "PATCH"},
        format="json",
    )
    assert response.status_code == 202, response.content
    job = Job.objects.for_org(org).get(pk=response.json()["id"])
    run(org, job)
    file = api_client.get(f"/api/v1/exports/{job.pk}/file/")
    assert file.status_code == 200
    feed = json.loads(b"".join(file.streaming_content))
    assert_valid_feed(feed)
    assert feed["messages"][0]["operationType"] == "PATCH"
    assert other_api_client.get(f"/api/v1/exports/{job.pk}/file/").status_code == 404
    bad = other_api_client.post(
        "/api/v1/exports/", {"format": "amazon_json", "store": amazon_store.pk}, format="json"
    )
    assert bad.status_code == 400
