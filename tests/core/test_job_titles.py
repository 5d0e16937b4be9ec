"""Jobs are titled in the reader's language, whatever language the label was stored in."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from apps.core.services import job_create


def test_generation_bulk_and_repricing_jobs_are_titled_for_the_reader(org, user, client_for):
    generation = job_create(org=org, kind="ai.generation", total=2,
                            label="Listing content for 2 listings")  # fmt: skip
    generation.result = {"kind": "listing_content"}
    generation.save(update_fields=["result"])
    bulk = job_create(org=org, kind="review.bulk", total=3, label="Bulk approve of 3 drafts")
    reprice = job_create(org=org, kind="reprice_store", label="Reprice Voltora US")
    upload = job_create(org=org, kind="import.competitor_offers", label="offers.csv")

    with translation.override("en"):
        assert generation.title == "Listing content: 2 drafts"
        assert bulk.title == "Bulk approval of 3 drafts"
        assert upload.title == "offers.csv"
    with translation.override("zh-hans"):
        assert generation.title == "商品文案：2 条草稿"
        assert bulk.title == "批量批准 3 条草稿"
        assert "Reprice" not in reprice.title and "Voltora US" in reprice.title

    client = client_for(user)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("dashboard:jobs")).content.decode()
    assert "商品文案：2 条草稿" in html and "批量批准 3 条草稿" in html
    assert "Listing content for 2 listings" not in html
