"""The listings CSV export through the API: start the job (the dashboard's "Export listings"),
poll it, download the file; another organization's export is 404, before and after it ran."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from apps.catalog.exports.listings import COLUMNS, EXPORT_KIND
from apps.catalog.tasks import listings_export_task
from apps.core.models import Job
from apps.core.services import job_create
from tests.factories import ListingFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def _start(client, django_capture_on_commit_callbacks) -> dict:
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post("/api/v1/exports/listings/")
    assert response.status_code == 202, response.content
    assert len(queued) == 1
    return response.json()


def test_the_export_is_started_polled_and_downloaded_as_csv(
    api_client, org, django_capture_on_commit_callbacks
):
    store = StoreFactory(organization=org, name="Main")
    listings = [
        ListingFactory(organization=org, store=store, title=f"Lamp {i}", price="12.50")
        for i in range(3)
    ]
    body = _start(api_client, django_capture_on_commit_callbacks)
    assert body["kind"] == EXPORT_KIND and body["total"] == 3 and body["status"] == "queued"
    assert body["status_url"] == f"/api/v1/jobs/{body['id']}/"
    file_url = f"/api/v1/exports/listings/{body['id']}/file/"
    assert api_client.get(file_url).status_code == 404  # not written yet

    listings_export_task(org.pk, body["id"])  # what the worker runs
    job = api_client.get(body["status_url"]).json()
    assert job["status"] == "succeeded" and job["result"]["rows"] == 3

    response = api_client.get(file_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="listings-{body["id"]}.csv"' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == COLUMNS
    by_sku = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert set(by_sku) == {x.product.sku for x in listings}
    assert {r["title"] for r in by_sku.values()} == {"Lamp 0", "Lamp 1", "Lamp 2"}
    assert {Decimal(r["price"]) for r in by_sku.values()} == {Decimal("12.50")}
    assert {r["store"] for r in by_sku.values()} == {"Main"}


def test_the_export_holds_only_the_callers_listings(
    api_client, org, other_org, django_capture_on_commit_callbacks
):
    mine = ListingFactory(organization=org)
    ListingFactory(organization=other_org)
    body = _start(api_client, django_capture_on_commit_callbacks)
    listings_export_task(org.pk, body["id"])
    response = api_client.get(f"/api/v1/exports/listings/{body['id']}/file/")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert [r[0] for r in rows] == [mine.product.sku]


def test_another_organizations_export_file_is_404(
    api_client, other_api_client, org, django_capture_on_commit_callbacks
):
    ListingFactory(organization=org)
    body = _start(api_client, django_capture_on_commit_callbacks)
    listings_export_task(org.pk, body["id"])
    url = f"/api/v1/exports/listings/{body['id']}/file/"
    assert api_client.get(url).status_code == 200
    response = other_api_client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


def test_another_kind_of_job_is_no_listings_export(api_client, org):
    other = job_create(org=org, kind="catalog.marketplace_export", total=1)
    Job.objects.for_org(org).filter(pk=other.pk).update(status=Job.Status.SUCCEEDED)
    assert api_client.get(f"/api/v1/exports/listings/{other.pk}/file/").status_code == 404


def test_reading_the_file_needs_the_catalog_read_scope(
    org, django_capture_on_commit_callbacks, api_client
):
    from rest_framework.test import APIClient

    from apps.accounts.services import api_key_issue

    ListingFactory(organization=org)
    body = _start(api_client, django_capture_on_commit_callbacks)
    listings_export_task(org.pk, body["id"])
    client = APIClient()
    raw = api_key_issue(org=org, name="orders only", scopes=["orders:read"]).raw_key
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get(f"/api/v1/exports/listings/{body['id']}/file/").status_code == 403
    assert client.post("/api/v1/exports/listings/").status_code == 403
