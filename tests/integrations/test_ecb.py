"""The ECB reference-rate history file is parsed exactly and imported once."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from apps.integrations.ecb.calendar import business_days
from apps.integrations.ecb.parser import EcbFormatError, parse, read_source
from apps.orders.ecb_import import ecb_rates_import
from apps.orders.models import ExchangeRate

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "ecb-eurofxref-hist-sample.csv"


def sample_text() -> str:
    return SAMPLE.read_text()


def test_the_sample_parses_to_exact_decimals_with_na_skipped_and_trailing_comma_ignored():
    result = parse(sample_text())
    assert result.errors == []
    rates = {(r.date, r.currency): r.rate for r in result.rates}
    assert rates[(date(2024, 11, 22), "USD")] == Decimal("1.0412")
    assert rates[(date(2024, 11, 22), "GBP")] == Decimal("0.83143")
    assert rates[(date(2024, 11, 20), "IDR")] == Decimal("16756.00")
    assert rates[(date(2024, 11, 21), "CNY")] == Decimal("7.5864")
    # Retired currencies (CYP, EEK, …) are N/A on these days: skipped, not errors.
    assert not any(currency in {"CYP", "EEK", "HRK", "RUB"} for _, currency in rates)
    assert "CYP" in result.currencies  # the column is still known
    assert result.dates == [date(2024, 11, 20), date(2024, 11, 21), date(2024, 11, 22)]
    assert len(result.rates) == 3 * 30


def test_a_malformed_line_is_reported_with_its_line_number_and_good_rows_are_kept():
    lines = sample_text().splitlines()
    lines.insert(2, "2024-11-3x,1.04,160.00,")  # line 3: not a date, too few columns
    lines.append("2024-11-19,abc," + ",".join(lines[1].split(",")[2:]))  # line 6: one bad value
    lines.append("2024-11-22," + ",".join(lines[1].split(",")[1:]))  # line 7: repeated date
    result = parse("\n".join(lines) + "\n")
    errors = {e.line: e.reason for e in result.errors}
    assert set(errors) == {3, 6, 7}
    assert "found 2" in errors[3]
    assert errors[6] == "USD: not a positive rate: 'abc'"
    assert errors[7] == "2024-11-22 already appeared on line 2"
    kept = {(r.date, r.currency) for r in result.rates}
    assert (date(2024, 11, 19), "JPY") in kept  # the rest of line 6 survives
    assert (date(2024, 11, 19), "USD") not in kept
    assert len([r for r in result.rates if r.date == date(2024, 11, 22)]) == 30


def test_a_file_without_the_ecb_header_is_rejected_as_a_whole():
    with pytest.raises(EcbFormatError):
        parse("Datum;USD;JPY\n22.11.2024;1,04;161\n")


def test_the_zip_the_ecb_serves_is_read_like_the_csv():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("eurofxref-hist.csv", SAMPLE.read_bytes())
    assert read_source(buffer.getvalue()) == sample_text()


@pytest.mark.django_db
def test_importing_twice_creates_nothing_twice_and_a_corrected_rate_is_updated():
    first = ecb_rates_import(source=SAMPLE)
    assert (first.counts.created, first.counts.updated) == (90, 0)
    public = ExchangeRate.objects.filter(organization__isnull=True, source="ecb", base="EUR")
    assert public.count() == 90

    again = ecb_rates_import(source=SAMPLE)
    assert (again.counts.created, again.counts.updated, again.counts.unchanged) == (0, 0, 90)
    assert public.count() == 90

    corrected = sample_text().replace("2024-11-22,1.0412,", "2024-11-22,1.0413,")
    third = ecb_rates_import(source=corrected.encode())
    assert (third.counts.created, third.counts.updated) == (0, 1)
    assert public.get(quote="USD", date=date(2024, 11, 22)).rate == Decimal("1.0413")


@pytest.mark.django_db
def test_the_import_command_prints_counts_and_errors(tmp_path):
    broken = tmp_path / "eurofxref-hist.csv"
    broken.write_text(sample_text() + "not-a-date,1.0,\n")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ecb_rates", str(broken), stdout=out, stderr=err)
    assert "90 rates on 3 days (2024-11-20 … 2024-11-22)" in out.getvalue()
    assert "90 created" in out.getvalue()
    assert "line 5:" in err.getvalue()


def test_the_ecb_publishes_on_target_business_days_only():
    days = business_days(date(2024, 12, 20), date(2025, 1, 3))
    assert days == [
        date(2024, 12, 20), date(2024, 12, 23), date(2024, 12, 24), date(2024, 12, 27),
        date(2024, 12, 30), date(2024, 12, 31), date(2025, 1, 2), date(2025, 1, 3),
    ]  # fmt: skip
    assert date(2025, 4, 18) not in business_days(date(2025, 4, 14), date(2025, 4, 22))
