"""Generation for products × stores through the real worker, the API and the pages, and tenant
isolation of every studio endpoint."""

from __future__ import annotations

import time

import pytest

from apps.catalog.content.studio import listings_generate
from apps.catalog.models import Listing
from apps.core.errors import NotFound
from apps.core.models import Job
from apps.review.models import Draft
from tests.factories import ListingFactory, ProductFactory, StoreFactory, marketplace


def wait_for(job: Job, timeout: float = 60) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job still {job.status} after {timeout}s ({job.done}/{job.total})")


@pytest.mark.worker
def test_generation_for_products_by_stores_through_the_worker(org, user, celery_worker, settings):
    settings.OPENAI_BASE_URL = ""
    us = StoreFactory(organization=org, marketplace=marketplace("amazon_us"), name="US")
    de = StoreFactory(organization=org, marketplace=marketplace("amazon_de"), name="DE")
    products = [ProductFactory(organization=org) for _ in range(3)]
    existing = ListingFactory(organization=org, product=products[0], store=us)
    job = listings_generate(org=org, actor=user, product_ids=[p.pk for p in products],
                            store_ids=[us.pk, de.pk])  # fmt: skip
    job = wait_for(job)
    assert (job.status, job.total, job.done, job.failed) == ("succeeded", 6, 6, 0)
    listings = Listing.objects.for_org(org)
    assert listings.count() == 6
    created = listings.exclude(pk=existing.pk)
    assert set(created.values_list("status", flat=True)) == {"draft"}
    assert set(listings.filter(store=de).values_list("language", "currency")) == {("de-DE", "EUR")}
    drafts = Draft.objects.for_org(org).filter(job_id=job.pk, kind="listing_content")
    assert drafts.count() == 6 and set(drafts.values_list("status", flat=True)) == {"pending"}
    de_draft = drafts.get(target_id=listings.get(store=de, product=products[1]).pk)
    assert de_draft.proposed["title"].startswith("Voltora Ladegerät")
    assert any(e.get("kind") == "back_translation" for e in de_draft.evidence)


@pytest.mark.django_db
def test_generate_api_returns_the_job_and_refuses_foreign_ids(
    org, other_org, api_client, other_api_client, monkeypatch, settings
):
    settings.OPENAI_BASE_URL = ""
    monkeypatch.setattr("apps.ai.tasks.generation_batch_task.delay", lambda *a: None)
    store = StoreFactory(organization=org)
    product = ProductFactory(organization=org)
    foreign_product = ProductFactory(organization=other_org)
    body = {"product_ids": [product.pk, foreign_product.pk], "store_ids": [store.pk]}
    response = api_client.post("/api/v1/listings/generate/", body, format="json")
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["total"] == 1 and job["result"]["refused_product_ids"] == [foreign_product.pk]
    other = other_api_client.post("/api/v1/listings/generate/",
                                  {"product_ids": [product.pk], "store_ids": [store.pk]},
                                  format="json")  # fmt: skip
    assert other.status_code == 404
    assert not Listing.objects.for_org(other_org).exists()
    bad = api_client.post("/api/v1/listings/generate/", {"product_ids": []}, format="json")
    assert bad.status_code == 400


@pytest.mark.django_db
def test_translate_api_and_page_answer_404_for_another_organizations_listing(
    org, other_org, user, client_for, api_client, monkeypatch
):
    monkeypatch.setattr("apps.ai.tasks.generation_batch_task.delay", lambda *a: None)
    foreign = ListingFactory(organization=other_org)
    target = StoreFactory(organization=org, marketplace=marketplace("amazon_fr"))
    url = f"/api/v1/listings/{foreign.pk}/translate/"
    assert api_client.post(url, {"store_ids": [target.pk]}, format="json").status_code == 404
    page = client_for(user).post(f"/catalog/listings/{foreign.pk}/translate/", {"store": target.pk})
    assert page.status_code == 404
    own = ListingFactory(organization=org)
    response = api_client.post(f"/api/v1/listings/{own.pk}/translate/",
                               {"store_ids": [target.pk]}, format="json")  # fmt: skip
    assert response.status_code == 202 and response.json()["kind"] == "catalog.translation"


@pytest.mark.django_db
def test_products_page_generates_for_ticked_products_and_stores(
    org, other_org, user, client_for, monkeypatch, settings
):
    settings.OPENAI_BASE_URL = ""
    monkeypatch.setattr("apps.ai.tasks.generation_batch_task.delay", lambda *a: None)
    store = StoreFactory(organization=org, name="Main")
    product = ProductFactory(organization=org)
    client = client_for(user)
    page = client.get("/catalog/products/").content.decode()
    assert 'data-testid="generate-form"' in page and "Main" in page
    response = client.post("/catalog/products/generate/",
                           {"product": [product.pk], "store": [store.pk]})  # fmt: skip
    job = Job.objects.for_org(org).get()
    assert response.status_code == 302 and response["Location"] == f"/review/jobs/{job.pk}/"
    foreign = ProductFactory(organization=other_org)
    client.post("/catalog/products/generate/", {"product": [foreign.pk], "store": [store.pk]})
    assert Job.objects.for_org(org).count() == 1  # refused, with a message


@pytest.mark.django_db
def test_service_refuses_when_nothing_is_the_organizations(org, other_org, user):
    store = StoreFactory(organization=other_org)
    product = ProductFactory(organization=other_org)
    with pytest.raises(NotFound):
        listings_generate(org=org, actor=user, product_ids=[product.pk], store_ids=[store.pk])
