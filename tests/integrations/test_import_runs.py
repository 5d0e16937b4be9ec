"""ImportRun: one per upload, the same bytes never applied twice, refused lines stored and
downloadable as a formula-safe CSV by the uploading organization only."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.core.csv_safe import safe_cell as csv_safe
from apps.integrations.models import ImportLineError, ImportRun
from apps.pricing.competitor_import import competitor_file_import
from apps.pricing.models import CompetitorOffer
from tests.factories import ListingFactory

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "ecb-eurofxref-hist-sample.csv"


@pytest.fixture
def offers_file(org):
    listing = ListingFactory(organization=org)
    return (
        "listing_id,seller,price,observed_at\n"
        f"{listing.id},Rival,18.49,2024-11-19 10:00\n"
        f"{listing.id},Rival,1E999,2024-11-19 11:00\n"
        f"{listing.id},Other,17.00,2024-11-19 10:00\n"
    ).encode()


def test_an_upload_is_recorded_and_the_same_file_again_is_recognised_not_reapplied(
    org, offers_file
):
    first = competitor_file_import(org=org, data=offers_file, filename="offers.csv")
    assert (first.rows, first.imported, first.counts.created) == (3, 2, 2)
    run = ImportRun.objects.for_org(org).get(pk=first.import_run_id)
    assert (run.status, run.kind, run.format, run.encoding) == ("succeeded", "competitor_offers",
                                                                "csv", "utf-8")  # fmt: skip
    assert (run.rows_read, run.rows_ok, run.rows_failed, run.created) == (3, 2, 1, 2)
    assert [(e.line, e.reason) for e in run.line_errors.all()] == [
        (3, "price is not a number: '1E999'")]  # fmt: skip

    again = competitor_file_import(org=org, data=offers_file, filename="offers-copy.csv")
    assert again.duplicate_of == run.pk and again.imported == 0
    assert "already imported" in again.message and f"#{run.pk}" in again.message
    assert CompetitorOffer.objects.for_org(org).count() == 2
    second = ImportRun.objects.for_org(org).get(pk=again.import_run_id)
    assert second.status == "duplicate" and second.duplicate_of_id == run.pk

    changed = competitor_file_import(org=org, data=offers_file.replace(b"18.49", b"18.39"))
    assert changed.duplicate_of is None and changed.counts.updated == 1


def test_the_same_file_in_another_organization_is_not_a_duplicate(org, other_org, offers_file):
    competitor_file_import(org=org, data=offers_file)
    ListingFactory(organization=other_org)
    result = competitor_file_import(org=other_org, data=offers_file)
    assert result.duplicate_of is None  # its listings are unknown there: line errors instead
    assert result.imported == 0 and len(result.errors) == 3


def test_a_file_refused_whole_is_recorded_as_failed_and_may_be_sent_again(org):
    from apps.integrations.competitor_csv.parser import CompetitorFormatError

    with pytest.raises(CompetitorFormatError):
        competitor_file_import(org=org, data=b"nothing,useful\n1,2\n")
    with pytest.raises(CompetitorFormatError):
        competitor_file_import(org=org, data=b"nothing,useful\n1,2\n")
    runs = ImportRun.objects.for_org(org)
    assert [r.status for r in runs] == ["failed", "failed"]
    assert "Missing columns" in runs[0].error


@pytest.mark.parametrize(
    ("cell", "safe"),
    [("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
     ("price is not a number", "price is not a number")],
)  # fmt: skip
def test_error_csv_cells_cannot_run_as_formulas(cell, safe):
    assert csv_safe(cell) == safe


def test_the_error_csv_downloads_for_the_owner_and_is_404_for_another_organization(
    org, other_org, user, outsider, client_for, offers_file
):
    result = competitor_file_import(org=org, data=offers_file, filename="offers.csv")
    run = ImportRun.objects.for_org(org).get(pk=result.import_run_id)
    ImportLineError.objects.create(run=run, line=9, reason="=cmd|' /C calc'!A0")
    response = client_for(user).get(f"/imports/{run.pk}/errors.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines() == [
        "line,reason", "3,price is not a number: '1E999'", "9,'=cmd|' /C calc'!A0"]  # fmt: skip
    assert client_for(outsider).get(f"/imports/{run.pk}/errors.csv").status_code == 404


def test_the_ecb_command_reports_a_truncated_file_clearly(db, tmp_path):
    cut_zip = tmp_path / "eurofxref-hist.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("eurofxref-hist.csv", SAMPLE.read_bytes() * 20)
    cut_zip.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(CommandError, match="damaged or incomplete"):
        call_command("import_ecb_rates", str(cut_zip), stdout=io.StringIO())

    cut_csv = tmp_path / "eurofxref-hist.csv"
    text = SAMPLE.read_text()
    cut_csv.write_text(text[: text.rindex("\n", 0, len(text) - 1) + 40])  # last line cut short
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ecb_rates", str(cut_csv), stdout=out, stderr=err)
    assert "60 rates on 2 days" in out.getvalue() and "line 4: expected 41 rates" in err.getvalue()


def test_a_big_file_reports_its_progress_on_a_job(org, offers_file, monkeypatch):
    from apps.core.models import Job
    from apps.integrations import services

    monkeypatch.setattr(services, "JOB_MIN_BYTES", 1)
    result = competitor_file_import(org=org, data=offers_file, filename="offers.csv")
    run = ImportRun.objects.for_org(org).get(pk=result.import_run_id)
    job = Job.objects.for_org(org).get(pk=run.job_id)
    assert (job.kind, job.status, job.done, job.failed) == (
        "import.competitor_offers", "succeeded", 2, 1)  # fmt: skip
    assert job.result == {"import_run": run.pk, "rows": 3, "ok": 2, "failed": 1}
