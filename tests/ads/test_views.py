from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from apps.ads.bulk_import import bulk_file_import
from apps.ads.imports import search_terms_import
from apps.ads.models import Campaign
from apps.ads.recommendations import recommendations_run
from apps.ads.targets import campaign_target_override
from apps.review.models import Draft

pytestmark = pytest.mark.django_db

PAGES = [
    "ads:index",
    "ads:search_terms",
    "ads:waste",
    "ads:recommendations",
    "ads:imports",
    "ads:bulk",
]


@pytest.fixture
def loaded(org, store, listing, st_csv, bulk_xlsx, user):
    search_terms_import(org=org, store_id=store.pk, data=st_csv, filename="st.csv")
    bulk_file_import(org=org, store_id=store.pk, data=bulk_xlsx, filename="bulk.xlsx")
    for c in Campaign.objects.for_org(org):
        campaign_target_override(org=org, actor=user, campaign_id=c.pk, target_acos=Decimal("30"))
    recommendations_run(org=org)
    return store


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_pages_render_in_english_and_chinese(loaded, user, client_for, lang):
    client = client_for(user)
    client.cookies["django_language"] = lang
    camp = Campaign.objects.for_org(loaded.organization).first()
    for name in PAGES:
        response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 200, name
    response = client.get(reverse("ads:campaign", args=[camp.pk]), HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200 and b"<svg" in response.content


def test_other_organization_gets_404(loaded, outsider, client_for):
    client = client_for(outsider)
    camp = Campaign.objects.for_org(loaded.organization).first()
    assert client.get(reverse("ads:campaign", args=[camp.pk])).status_code == 404
    assert client.post(reverse("ads:approve_campaign", args=[camp.pk])).status_code == 404
    assert camp.name.encode() not in client.get(reverse("ads:index")).content
    assert camp.name.encode() not in client.get(reverse("ads:recommendations")).content


def test_approve_a_campaigns_changes_together(loaded, user, client_for):
    org = loaded.organization
    client = client_for(user)
    target = Draft.objects.for_org(org).filter(kind="ad_change", status="pending").first().target_id
    n = (
        Draft.objects.for_org(org)
        .filter(kind="ad_change", status="pending", target_id=target)
        .count()
    )
    response = client.post(reverse("ads:approve_campaign", args=[target]))
    assert response.status_code == 302
    assert (
        Draft.objects.for_org(org)
        .filter(kind="ad_change", status="applied", target_id=target)
        .count()
        == n
    )
    download = client.get(reverse("ads:bulk") + "?download=1")
    assert download.status_code == 200 and download.content[:2] == b"PK"


def test_upload_from_the_page_runs_as_a_job_with_line_numbered_errors(
    org, store, user, client_for, st_csv, imports_inline
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.core.models import Job

    client = client_for(user)
    lines = st_csv.split(b"\n")
    bad = lines[1].replace(b",412,4,", b",412,abc,")  # clicks not a number: line 2 refused
    broken = b"\n".join([lines[0], bad, *lines[1:]])
    with imports_inline():
        response = client.post(
            reverse("ads:index"),
            {
                "kind": "search_terms",
                "store": store.pk,
                "file": SimpleUploadedFile("st.csv", broken, content_type="text/csv"),
            },
        )
    job = Job.objects.for_org(org).get(kind="ads_search_terms_import")
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:job", args=[job.pk])
    assert job.status == "succeeded", job.error
    assert Campaign.objects.for_org(org).count() == 2
    assert job.result["errors"] and job.result["errors"][0]["line"] == 2
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"ads-import-result" in page.content
    assert b"ads-import-errors" in page.content and reverse("ads:imports").encode() in page.content
    assert not list((Path(settings.MEDIA_ROOT) / "ads-uploads" / str(org.pk)).iterdir())


def test_review_screen_shows_an_ad_change_draft(loaded, user, client_for):
    draft = Draft.objects.for_org(loaded.organization).filter(kind="ad_change").first()
    response = client_for(user).get(reverse("review:detail", args=[draft.pk]))
    assert response.status_code == 200
    from django.utils.html import escape

    from apps.ads.reasons import rationale_label

    # The stored rationale is the rule's code; the screen says the sentence.
    assert " " not in draft.rationale
    assert escape(rationale_label(draft)).encode() in response.content


def test_ad_spend_by_product_day_contract(loaded, listing, other_org):
    from datetime import date

    from apps.ads.models import SearchTermStat
    from apps.ads.selectors import ad_spend_by_product_day

    org = loaded.organization
    frame = ad_spend_by_product_day(org=org, start=date(2025, 9, 1), end=date(2025, 9, 30))
    assert list(frame.columns) == ["product_id", "store_id", "day", "spend", "sales", "currency"]
    assert set(frame["product_id"]) == {listing.product_id}
    # Both campaigns advertise the one SKU: its spend is the whole report's.
    total = sum(SearchTermStat.objects.for_org(org).values_list("spend", flat=True))
    assert sum(frame["spend"]) == total
    assert isinstance(frame["spend"].iloc[0], Decimal) and set(frame["currency"]) == {"USD"}
    assert ad_spend_by_product_day(
        org=other_org, start=date(2025, 9, 1), end=date(2025, 9, 30)
    ).empty


def test_compute_again_queues_a_job_and_shows_its_page(
    loaded, user, client_for, django_capture_on_commit_callbacks
):
    from apps.core.models import Job

    client = client_for(user)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("ads:recommendations_refresh"))
    job = Job.objects.for_org(loaded.organization).get(kind="ads_recommendations")
    assert response.status_code == 302 and response["Location"].endswith(f"/jobs/{job.pk}/")
    assert len(queued) == 1
    assert client.get(response["Location"]).status_code == 200
