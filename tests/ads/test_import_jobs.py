"""Search-term report uploads run as Celery jobs: on the real worker the suite starts."""

from __future__ import annotations

import io
import time

import pytest

from apps.ads.models import SearchTermStat
from apps.core.models import Job
from tests.factories import StoreFactory


def _wait(org, job_id: int, seconds: float = 90) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and Job.objects.for_org(org).get(pk=job_id).is_active:
        time.sleep(0.2)
    return Job.objects.for_org(org).get(pk=job_id)


def test_upload_is_imported_by_the_real_worker_with_progress(
    org, api_client, st_csv, celery_worker, settings
):
    settings.OPENAI_BASE_URL = ""
    store = StoreFactory(organization=org, name="Kovexa US")
    lines = st_csv.split(b"\n")
    bad = lines[1].replace(b",412,4,", b",412,abc,")
    data = io.BytesIO(b"\n".join([lines[0], bad, *lines[1:]]))
    data.name = "st.csv"
    r = api_client.post(
        "/api/v1/ads/reports/search-terms/", {"store": store.pk, "file": data}, format="multipart"
    )
    assert r.status_code == 202, r.content
    job = _wait(org, r.json()["job"])
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.done == job.total == job.result["rows"] > 0
    assert job.result["imported"] == SearchTermStat.objects.for_org(org).count() > 0
    assert [e["line"] for e in job.result["errors"]] == [2]
    assert "clicks" in job.result["errors"][0]["reason"].lower()


def test_another_organizations_store_is_404_and_nothing_is_queued(
    other_api_client, org, st_csv, db
):
    store = StoreFactory(organization=org, name="Kovexa US")
    data = io.BytesIO(st_csv)
    data.name = "st.csv"
    r = other_api_client.post(
        "/api/v1/ads/reports/search-terms/", {"store": store.pk, "file": data}, format="multipart"
    )
    assert r.status_code == 404
    assert not Job.objects.unscoped().filter(kind="ads_search_terms_import").exists()


@pytest.mark.django_db
def test_the_job_page_of_an_import_is_the_organizations_only(
    org, other_org, user, outsider, client_for, st_csv, imports_inline
):
    from django.urls import reverse

    from apps.ads.import_jobs import search_terms_import_start

    store = StoreFactory(organization=org, name="Kovexa US")
    with imports_inline():
        job = search_terms_import_start(
            org=org, actor=user, store_id=store.pk, upload=st_csv, filename="st.csv"
        )
    url = reverse("dashboard:job", args=[job.pk])
    assert client_for(user).get(url).status_code == 200
    assert client_for(outsider).get(url).status_code == 404


def test_a_job_cancelled_before_its_worker_ran_leaves_no_file(
    org, user, st_csv, settings, tmp_path, db
):
    """The task of a job that is no longer active removes the saved upload instead of
    leaving it under MEDIA_ROOT for good (here the queued task never fires: the test's
    transaction never commits, so it is run by hand)."""
    from apps.ads.import_jobs import search_terms_import_run, search_terms_import_start, upload_dir
    from apps.core import services as jobs

    settings.MEDIA_ROOT = str(tmp_path)
    store = StoreFactory(organization=org)
    job = search_terms_import_start(
        org=org, actor=user, store_id=store.pk, upload=st_csv, filename="st.csv"
    )
    [path] = list(upload_dir(org.pk).iterdir())
    jobs.job_fail(job_id=job.pk, error="cancelled")
    out = search_terms_import_run(
        org=org, job_id=job.pk, path=str(path), store_id=store.pk, filename="st.csv"
    )
    assert out == {"skipped": "job not active"}
    assert not path.exists()


def test_uploads_older_than_a_day_are_purged_and_fresh_ones_kept(settings, tmp_path):
    import os

    from apps.ads.import_jobs import search_term_uploads_purge

    settings.MEDIA_ROOT = str(tmp_path)
    folder = tmp_path / "ads-uploads" / "7"
    folder.mkdir(parents=True)
    old, fresh = folder / "old-st.csv", folder / "fresh-st.csv"
    old.write_bytes(b"x")
    fresh.write_bytes(b"y")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    assert search_term_uploads_purge() == 1
    assert not old.exists() and fresh.exists()
    assert search_term_uploads_purge() == 0
