"""Business-report variants parse: the real US sample, a German download (localized headers,
en dash, German money), an older header set with SKU, and XLSX; bad lines are reported."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from apps.integrations.amazon_business_report.parser import parse
from apps.integrations.tabular.errors import TabularFormatError

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data"
SAMPLE = SAMPLE / "amazon-business-report-child-asin.csv"
if not SAMPLE.exists():
    SAMPLE = Path("/work/shared/data/amazon-business-report-child-asin.csv")


def test_the_us_sample_parses_with_thousands_separators():
    result = parse(SAMPLE.read_bytes(), "BusinessReport.csv")
    assert not result.errors
    first = result.rows[0]
    assert first.child_asin == "B0DK7PW2N4"
    assert (first.sessions, first.page_views, first.units) == (3418, 5877, 412)
    assert len(result.rows) == 12


def test_a_german_download_with_localized_headers_parses():
    data = (
        "\ufeff(Übergeordnete) ASIN,(Untergeordnete) ASIN,Titel,Sitzungen – Summe,"
        "Sitzungen – Summe – B2B,Seitenaufrufe – Summe,Bestellte Einheiten,"
        "Umsatz bestellter Produkte\n"
        'B0DK7PA1A1,B0DK7PW2N4,Powerbank,"1,234",5,"2,001",87,"17.510,95 €"\n'
    ).encode()
    result = parse(data, "Geschäftsbericht.csv")
    assert not result.errors
    row = result.rows[0]
    assert (row.child_asin, row.sessions, row.page_views, row.units) == (
        "B0DK7PW2N4",
        1234,
        2001,
        87,
    )


def test_an_older_version_with_sku_and_no_total_suffix_parses():
    data = (
        b"(Parent) ASIN,(Child) ASIN,SKU,Title,Sessions,Page Views,Units Ordered\n"
        b"B01,B0X,KV-PB10,Bank,12,30,2\n,,KV-EB01,Earbuds,7,9,1\n"
    )
    result = parse(data, "report.csv")
    assert [(r.child_asin, r.sku, r.sessions) for r in result.rows] == [
        ("B0X", "KV-PB10", 12),
        ("", "KV-EB01", 7),
    ]


def test_xlsx_and_line_numbered_errors_keep_the_good_rows():
    book = Workbook()
    sheet = book.active
    sheet.append(["(Child) ASIN", "Sessions - Total", "Page Views - Total"])
    sheet.append(["B0A", 10, 20])
    sheet.append(["B0B", "lots", 5])
    sheet.append(["", 3, 4])
    buf = io.BytesIO()
    book.save(buf)
    result = parse(buf.getvalue(), "report.xlsx")
    assert [r.child_asin for r in result.rows] == ["B0A"]
    assert [e.line for e in result.errors] == [3, 4]


def test_a_file_without_sessions_is_refused_as_a_whole():
    with pytest.raises(TabularFormatError):
        parse(b"(Child) ASIN,Title\nB0A,x\n", "x.csv")
