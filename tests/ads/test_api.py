import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from apps.ads.bulk_import import bulk_file_import
from apps.ads.imports import search_terms_import
from apps.ads.models import Campaign, SearchTermStat
from apps.ads.recommendations import recommendations_run
from apps.ads.targets import campaign_target_override
from apps.core.models import Job
from apps.review.models import Draft
from apps.review.services import draft_approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(org, store, listing, st_csv, bulk_xlsx, user):
    search_terms_import(org=org, store_id=store.pk, data=st_csv, filename="st.csv")
    bulk_file_import(org=org, store_id=store.pk, data=bulk_xlsx, filename="bulk.xlsx")
    for c in Campaign.objects.for_org(org):
        campaign_target_override(org=org, actor=user, campaign_id=c.pk, target_acos=Decimal("30"))
    recommendations_run(org=org)
    return store


def test_upload_reports(api_client, org, store, st_xlsx, bulk_xlsx, imports_inline):
    from apps.core.models import Job

    with imports_inline():
        r = api_client.post(
            "/api/v1/ads/reports/search-terms/",
            {"store": store.pk, "file": io.BytesIO(st_xlsx)},
            format="multipart",
        )
    assert r.status_code == 202, r.content
    job_id = r.json()["job"]
    assert r.json()["status_url"] == f"/api/v1/jobs/{job_id}/"
    job = Job.objects.for_org(org).get(pk=job_id)
    assert job.kind == "ads_search_terms_import" and job.status == "succeeded", job.error
    assert job.result["imported"] == SearchTermStat.objects.for_org(org).count() > 0
    assert job.done == job.result["rows"] > 0  # an XLSX's total is an estimate
    status = api_client.get(f"/api/v1/jobs/{job_id}/")
    assert status.status_code == 200 and status.json()["status"] == "succeeded"
    f = io.BytesIO(bulk_xlsx)
    f.name = "bulk.xlsx"
    r = api_client.post(
        "/api/v1/ads/reports/bulk/", {"store": store.pk, "file": f}, format="multipart"
    )
    assert r.status_code == 200 and r.json()["errors"] == []
    bad = io.BytesIO(b"a,b\n1,2\n")
    bad.name = "x.csv"
    with imports_inline():
        r = api_client.post(
            "/api/v1/ads/reports/search-terms/",
            {"store": store.pk, "file": bad},
            format="multipart",
        )
    assert r.status_code == 202
    failed = Job.objects.for_org(org).get(pk=r.json()["job"])
    assert failed.status == "failed" and "Missing columns" in failed.error


def test_read_campaigns_metrics_recommendations_and_download(
    api_client, org, loaded, user, django_capture_on_commit_callbacks
):
    r = api_client.get("/api/v1/ads/campaigns/")
    assert r.status_code == 200
    body = r.json()
    items = body["results"] if isinstance(body, dict) else body
    assert {c["name"] for c in items} == {"KVX PB10K - SP - Auto", "KVX PB10K - SP - KW Manual"}
    cid = items[0]["id"]
    m = api_client.get(f"/api/v1/ads/campaigns/{cid}/metrics/")
    assert m.status_code == 200 and m.json()["days"] and m.json()["target"]["source"] == "override"
    assert (
        api_client.get(
            f"/api/v1/ads/campaigns/{cid}/metrics/?start=2025-09-10&end=2025-09-01"
        ).status_code
        == 400
    )
    t = api_client.get("/api/v1/ads/search-terms/")
    assert t.status_code == 200 and t.json()["results"]
    recs = api_client.get("/api/v1/ads/recommendations/").json()
    recs = recs["results"] if isinstance(recs, dict) else recs
    assert recs and all(x["evidence"] for x in recs)
    assert all(" " not in x["rationale"] and x["rationale_text"] for x in recs)
    zh = api_client.get("/api/v1/ads/recommendations/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    zh = zh["results"] if isinstance(zh, dict) else zh
    assert zh[0]["rationale_text"] != recs[0]["rationale_text"]
    for d in Draft.objects.for_org(org).filter(kind="ad_change", status="pending"):
        draft_approve(org=org, actor=user, draft_id=d.pk)
    info = api_client.get("/api/v1/ads/bulk-file/?info=1").json()
    assert info["rows"] > 0
    x = api_client.get("/api/v1/ads/bulk-file/")
    assert x.status_code == 200 and x.content[:2] == b"PK"
    assert "Sponsored Products Campaigns" in load_workbook(io.BytesIO(x.content)).sheetnames
    with django_capture_on_commit_callbacks(execute=False) as queued:
        run = api_client.post("/api/v1/ads/recommendations/run/")
    assert run.status_code == 202 and len(queued) == 1
    job = Job.objects.for_org(org).get(pk=run.json()["job"])
    assert job.kind == "ads_recommendations" and job.status == "queued"
    # One run at a time per organization.
    again = api_client.post("/api/v1/ads/recommendations/run/")
    assert again.status_code == 409


def test_cross_tenant_404_on_every_endpoint_and_download(
    other_api_client, org, loaded, st_csv, user
):
    camp = Campaign.objects.for_org(org).first()
    draft = Draft.objects.for_org(org).filter(kind="ad_change").first()
    assert other_api_client.get(f"/api/v1/ads/campaigns/{camp.pk}/").status_code == 404
    assert other_api_client.get(f"/api/v1/ads/campaigns/{camp.pk}/metrics/").status_code == 404
    assert other_api_client.get(f"/api/v1/ads/recommendations/{draft.pk}/").status_code == 404
    listed = other_api_client.get("/api/v1/ads/campaigns/").json()
    assert (listed["results"] if isinstance(listed, dict) else listed) == []
    assert other_api_client.get("/api/v1/ads/search-terms/").json()["results"] == []
    recs = other_api_client.get("/api/v1/ads/recommendations/").json()
    assert (recs["results"] if isinstance(recs, dict) else recs) == []
    r = other_api_client.post(
        "/api/v1/ads/reports/search-terms/",
        {"store": loaded.pk, "file": io.BytesIO(st_csv)},
        format="multipart",
    )
    assert r.status_code == 404
    # The download holds only the caller's own approved changes (none).
    for d in Draft.objects.for_org(org).filter(kind="ad_change", status="pending"):
        draft_approve(org=org, actor=user, draft_id=d.pk)
    assert other_api_client.get("/api/v1/ads/bulk-file/?info=1").json()["rows"] == 0
    other_file = other_api_client.get("/api/v1/ads/bulk-file/")
    rows = list(
        load_workbook(io.BytesIO(other_file.content))["Sponsored Products Campaigns"].iter_rows()
    )
    assert len(rows) == 1  # the header only
