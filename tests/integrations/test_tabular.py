"""The tabular import pipeline: every encoding, delimiter, format and locale it promises,
line-numbered errors with good rows kept, and bounded chunks for big files."""

from __future__ import annotations

import codecs
import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from apps.integrations.tabular.errors import TabularFormatError
from apps.integrations.tabular.pipeline import read
from apps.integrations.tabular.readers import open_table
from apps.integrations.tabular.schema import Schema, normalise_header

DATA = Path(__file__).resolve().parent.parent / "data"
SCHEMA = Schema.from_dict({
    "kind": "test",
    "required": [["sku"], ["price"]],
    "columns": {
        "sku": {"aliases": {"zh": ["货号"], "de": ["artikelnummer"]}},
        "title": {"aliases": {"en": ["name"], "zh": ["标题"], "de": ["titel"], "fr": ["titre"],
                              "ja": ["タイトル"], "es": ["título"]}},
        "price": {"type": "money", "aliases": {"zh": ["价格"], "de": ["preis"], "fr": ["prix"],
                                                "ja": ["価格"], "es": ["precio"]}},
        "share": {"type": "percent", "aliases": {"en": ["margin"]}},
        "day": {"type": "date"},
        "seen": {"type": "datetime"},
        "qty": {"type": "integer", "aliases": {"en": ["quantity"]}},
        "active": {"type": "bool"},
    },
})  # fmt: skip


def typed(data: bytes | Path, filename: str = "", **options) -> tuple[pd.DataFrame, list]:
    reader = read(data, SCHEMA, filename=filename, **options)
    frames, errors = [], []
    for chunk in reader:
        frames.append(chunk.good())
        errors.extend(chunk.errors())
    return pd.concat(frames, ignore_index=True), errors


# --- encodings ---------------------------------------------------------------------------------

UTF = "sku,title,price\nA1,Lädt schnell – 充电器 ✓,12.99\n"
CHINESE = (
    "sku,title,price\nA1,快速充电器，体积小巧，适合旅行携带。,19.99\n"
    "A2,数据线一米长，编织耐用。,9.90\n"
)
WESTERN = ("sku,title,price\nA1,Crème brûlée für die Straße: naïve café déjà vu,12.99\n"
           "A2,Größe: groß; Qualität: gut; Preis: günstig – très élégant,8.50\n")  # fmt: skip


@pytest.mark.parametrize(
    ("data", "label", "title"),
    [
        (UTF.encode("utf-8"), "utf-8", "Lädt schnell – 充电器 ✓"),
        (codecs.BOM_UTF8 + UTF.encode("utf-8"), "utf-8-sig", "Lädt schnell – 充电器 ✓"),
        (UTF.encode("utf-16"), "utf-16", "Lädt schnell – 充电器 ✓"),  # BOM, native (LE)
        (codecs.BOM_UTF16_BE + UTF.encode("utf-16-be"), "utf-16", "Lädt schnell – 充电器 ✓"),
        (UTF.encode("utf-16-le"), "utf-16-le", "Lädt schnell – 充电器 ✓"),  # no BOM
        (UTF.encode("utf-16-be"), "utf-16-be", "Lädt schnell – 充电器 ✓"),  # no BOM
        (CHINESE.encode("gbk"), "gbk", "快速充电器，体积小巧，适合旅行携带。"),
        (CHINESE.replace("快速", "𠮷快速").encode("gb18030"), "gb18030",
         "𠮷快速充电器，体积小巧，适合旅行携带。"),
        (WESTERN.encode("cp1252"), "cp1252", "Crème brûlée für die Straße: naïve café déjà vu"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "utf-16-le", "utf-16-be",
         "gbk", "gb18030", "windows-1252"],
)  # fmt: skip
def test_every_encoding_is_detected_and_decoded_exactly(data, label, title):
    reader = read(data, SCHEMA)
    assert reader.encoding == label
    rows = pd.concat([c.good() for c in reader])
    assert rows["title"].iloc[0] == title


def test_bytes_no_supported_encoding_reads_cleanly_are_refused_with_a_clear_message():
    with pytest.raises(TabularFormatError, match=r"cannot be told for sure.*CSV UTF-8"):
        read(b"sku,price\n\xff\xd8\xff\xe0 not text \x81\x00\xfe,1\n", SCHEMA)


def test_a_bad_byte_after_the_sample_is_an_error_not_mojibake():
    good = "".join(f"A{n},Lädt {n},1.00\n" for n in range(30_000)).encode("utf-8")
    data = b"sku,title,price\n" + good + b"B1,caf\xe9,2.00\n"
    with pytest.raises(TabularFormatError, match="not utf-8 text throughout"):
        typed(data)


# --- delimiters and formats --------------------------------------------------------------------


@pytest.mark.parametrize(("delimiter", "fmt"), [(",", "csv"), ("\t", "tsv"), (";", "csv")])
def test_comma_tab_and_semicolon_are_sniffed(delimiter, fmt):
    text = delimiter.join(["sku", "title", "price"]) + "\n"
    text += delimiter.join(["A1", '"Kabel, 1 m; schwarz"', '"12,99"']) + "\n"
    reader = read(text.encode(), SCHEMA)
    assert reader.format == fmt
    [row] = pd.concat(list(c.good() for c in reader)).to_dict("records")
    assert row["title"] == "Kabel, 1 m; schwarz" and row["price"] == Decimal("12.99")


def _workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["SKU", "Title", "Price", "Day", "Qty", "Margin"])
    sheet.append(["A1", "Cable", 11.2, datetime(2026, 11, 30), 3, "12,5 %"])
    sheet.append([None, None, None, None, None, None])
    sheet.append([12345, "Numeric SKU", 4.0, "30.11.2026", 2.0, 0.971])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_xlsx_reads_the_same_through_both_readers(reader):
    rows, errors = typed(_workbook(), "offers.xlsx", xlsx_reader=reader)
    assert errors == []
    assert list(rows["line"]) == [2, 4]  # the blank row is skipped, not renumbered
    assert list(rows["sku"]) == ["A1", "12345"]
    assert list(rows["price"]) == [Decimal("11.2"), Decimal("4")]
    assert [d.date().isoformat() for d in rows["day"]] == ["2026-11-30", "2026-11-30"]
    assert list(rows["qty"]) == [3, 2] and list(rows["share"]) == [
        Decimal("12.5"),
        Decimal("0.971"),
    ]


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")
@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_a_poi_written_xlsx_with_a_one_cell_dimension_is_read_whole(reader):
    table = open_table(DATA / "amazon-sp-search-term-report-en.xlsx", xlsx_reader=reader)
    assert table.header[0] == "Start Date" and "7 Day Total Sales" in table.header
    rows = sum(int((chunk.fields > 0).sum()) for chunk in table.chunks)
    assert rows == 41  # openpyxl alone would stop after the declared dimension


def test_a_damaged_workbook_is_refused_whole():
    with pytest.raises(TabularFormatError, match="not a readable Excel spreadsheet"):
        read(b"PK\x03\x04garbage", SCHEMA, filename="x.xlsx")


# --- headers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    ["price", " Price ", "PRICE", "Price (€)", "price (#)", "Preis", "价格", "价格（元）", "Prix",
     "価格", "Precio", "price_"],
)  # fmt: skip
def test_header_aliases_ignore_case_spaces_suffixes_and_language(header):
    reader = read(f"SKU,{header}\nA1,3.50\n".encode(), SCHEMA)
    assert reader.columns["price"] == header.strip()
    assert normalise_header("Quantity (#)") == normalise_header("quantity")


def test_missing_required_columns_are_named_in_a_whole_file_error():
    with pytest.raises(TabularFormatError, match=r"Missing columns: price\. Found: sku, title"):
        read(b"sku,title\nA1,x\n", SCHEMA)


# --- locale values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "cell", "value"),
    [
        ("price", "$1,234.56", Decimal("1234.56")),
        ("price", "1.234,56 €", Decimal("1234.56")),
        ("price", "1 234,56", Decimal("1234.56")),
        ("price", "EUR 12,99", Decimal("12.99")),
        ("price", "¥1,980", Decimal("1980")),
        ("price", "-3.5", Decimal("-3.5")),
        ("share", "12,5 %", Decimal("12.5")),
        ("share", "0.971%", Decimal("0.971")),
        ("share", "3.5090000000000003%", Decimal("3.5090000000000003")),
        ("day", "2026/11/30", datetime(2026, 11, 30, tzinfo=UTC)),
        ("day", "30.11.2026", datetime(2026, 11, 30, tzinfo=UTC)),
        ("day", "2026-11-30", datetime(2026, 11, 30, tzinfo=UTC)),
        ("day", "Sep 08, 2025", datetime(2025, 9, 8, tzinfo=UTC)),
        ("seen", "2026-11-30T10:00:00+02:00", datetime(2026, 11, 30, 8, 0, tzinfo=UTC)),
        ("seen", "2026-11-30 13:05", datetime(2026, 11, 30, 13, 5, tzinfo=UTC)),
        ("qty", "1,000", 1000),
        ("active", "ja", True),
    ],
)
def test_locale_numbers_percents_and_dates_are_read(column, cell, value):
    rows, errors = typed(f'sku,price,{column}\nA1,1,"{cell}"\n'.encode() if column != "price"
                         else f'sku,price\nA1,"{cell}"\n'.encode())  # fmt: skip
    assert errors == []
    got = rows[column].iloc[0]
    if isinstance(value, datetime):
        got = got.to_pydatetime()
    assert got == value
    if column in ("price", "share"):
        assert type(got) is Decimal  # money never passes through a float


@pytest.mark.parametrize("cell", ["1E999", "NaN", "inf", "-Infinity", "abc", "1.2.3", "1e400"])
def test_numbers_that_are_not_finite_values_are_line_errors(cell):
    rows, errors = typed(f"sku,price\nA1,{cell}\nA2,2.50\n".encode())
    assert [(e.line, e.reason) for e in errors] == [(2, f"price is not a number: {cell!r}")]
    assert list(rows["sku"]) == ["A2"]


def test_nul_bytes_and_oversized_cells_are_line_errors_and_good_rows_are_kept():
    big = "x" * (128 * 1024 + 1)
    data = f"sku,title,price\nA1,ok,1\nA2,bad\x00cell,2\nA3,{big},3\n\nA4,fine,4\n".encode()
    rows, errors = typed(data)
    assert [(e.line, e.reason) for e in errors] == [
        (3, "column 2 contains a NUL byte"),
        (4, "column 2 holds more than 128 KiB"),
    ]
    assert list(zip(rows["line"], rows["sku"], strict=True)) == [(2, "A1"), (6, "A4")]


def test_line_errors_name_every_bad_value_of_a_line_and_count_blank_and_multiline_rows():
    data = (
        b"sku,title,price,day,active\n"
        b"A1,ok,1.00,2026-11-30,yes\n"
        b"\n"
        b'A2,"two\nlines",x,31.02.2026,maybe\n'
        b"A3,ok,3,2026/11/30,no\n"
    )
    rows, errors = typed(data)
    assert [e.line for e in errors] == [4]
    assert errors[0].reason == (
        "price is not a number: 'x'; day is not a date: '31.02.2026'; active is not yes/no: 'maybe'"
    )
    assert list(rows["line"]) == [2, 6]


def test_big_files_stream_in_chunks_with_continuous_line_numbers():
    lines = "".join(f"A{n},t,{n}.5\n" for n in range(2_500))
    reader = read(("sku,title,price\n" + lines).encode(), SCHEMA, chunk_rows=1_000)
    chunks = list(reader)
    assert [len(c.rows) for c in chunks] == [1_000, 1_000, 500]
    assert list(chunks[2].rows["line"].iloc[[0, -1]]) == [2_002, 2_501]
    assert chunks[2].rows["price"].iloc[-1] == Decimal("2499.5")


def test_an_empty_file_is_refused_whole():
    for data in (b"", b"\n \n", codecs.BOM_UTF8):
        with pytest.raises(TabularFormatError, match="empty"):
            read(data, SCHEMA)


def test_a_date_outside_the_timestamp_range_is_a_line_error_not_a_crash():
    from apps.integrations.tabular.values import parse_datetime_column

    cells = pd.Series(["2026/11/30", "9999/12/31", "1500/01/01", ""], dtype="str")
    parsed, bad = parse_datetime_column(cells, dates_only=True)
    assert parsed.iloc[0] == pd.Timestamp("2026-11-30", tz="UTC")
    assert bad.tolist() == [False, True, True, False]
