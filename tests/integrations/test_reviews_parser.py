"""The review-file parser on real formats made here: UTF-8 with BOM, GBK, TSV, semicolons,
XLSX, bad lines with line numbers (good lines kept), empty files and wrong columns."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook

from apps.integrations.reviews.parser import ReviewFormatError, parse, parse_rating


def test_utf8_with_bom_and_amazon_style_headers():
    data = ("\ufeffStar Rating,Review Title,Review Text,Review Date\r\n"
            '5,"Fast, compact","Charges twice, ""really"" fast.",2024-11-02\r\n'
            "4,Good,Nice,02/11/2024\r\n").encode("utf-8")  # fmt: skip
    result = parse(data, "reviews.csv")
    assert result.encoding == "utf-8-sig" and result.errors == []
    first, second = result.reviews
    assert (first.rating, first.title, first.text) == (
        5,
        "Fast, compact",
        'Charges twice, "really" fast.',
    )
    assert first.date == date(2024, 11, 2) and first.line == 2
    assert second.date == date(2024, 11, 2)
    assert result.columns["rating"] == "Star Rating"


def test_gbk_file_with_chinese_headers():
    data = (
        "评分,标题,评论内容,日期\n5,很好,充电很快，体积小巧。,2024年11月02日\n"
        "1,差评,用了一周就坏了,2024-10-01\n"
    )
    result = parse(data.encode("gbk"), "评论.csv")
    assert result.encoding == "gbk"
    assert [(r.rating, r.text) for r in result.reviews] == [
        (5, "充电很快，体积小巧。"),
        (1, "用了一周就坏了"),
    ]
    assert result.reviews[0].date == date(2024, 11, 2)


def test_tsv_and_semicolon_files_with_german_headers():
    tsv = "Sterne\tTitel\tRezension\tDatum\n4\tGut\tLädt schnell; kompakt\t02.11.2024\n"
    result = parse(tsv.encode(), "x.tsv")
    assert result.reviews[0].text == "Lädt schnell; kompakt" and result.reviews[0].rating == 4
    semi = "Bewertung;Titel;Kommentar\n5 Sterne;Super;Sehr gut, danke\n"
    assert parse(semi.encode(), "x.csv").reviews[0].text == "Sehr gut, danke"


def test_bad_lines_are_reported_with_line_numbers_and_good_lines_kept():
    data = ("rating,title,text,date\n5,Great,Works,2024-01-05\n"
            "six,Bad,Rating is text,2024-01-05\n7,Too many,Stars,2024-01-05\n"
            "\n3,,,2024-01-05\n4,Ok,Fine,not a date\n"
            "2,Meh,Stopped working,2024-01-06\n")  # fmt: skip
    result = parse(data.encode())
    assert [r.line for r in result.reviews] == [2, 8]
    assert [(e.line, e.reason.split(" ")[1]) for e in result.errors] == [
        (3, "rating"), (4, "rating"), (6, "review"), (7, "date")]  # fmt: skip
    assert "line 3:" in str(result.errors[0])


def test_xlsx_with_numbers_and_dates_as_cells():
    book = Workbook()
    sheet = book.active
    sheet.append(["Rating", "Title", "Review", "Date", "SKU"])
    sheet.append([5, "Solid", "Solid cable", date(2024, 3, 1), "VT-C1"])
    sheet.append([2.0, "Short", "Cable too short", "2024-03-02", "VT-C1"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = parse(buffer.getvalue(), "reviews.xlsx")
    assert result.encoding == "xlsx" and result.errors == []
    assert [(r.rating, r.date, r.sku) for r in result.reviews] == [
        (5, date(2024, 3, 1), "VT-C1"), (2, date(2024, 3, 2), "VT-C1")]  # fmt: skip


def test_empty_file_and_wrong_columns_are_refused_whole():
    with pytest.raises(ReviewFormatError, match="empty"):
        parse(b"  \n\n")
    with pytest.raises(ReviewFormatError, match="No review header") as exc:
        parse(b"order id,price,currency\n123,9.99,USD\n")
    assert "order id, price, currency" in str(exc.value)
    with pytest.raises(ReviewFormatError, match="spreadsheet"):
        parse(b"PK\x03\x04garbage", "x.xlsx")


@pytest.mark.parametrize("raw,stars", [("5", 5), ("4.0", 4), ("3 stars", 3), ("2/5", 2),
                                       ("★★★★☆", 4), ("1 Sterne", 1), (4, 4)])  # fmt: skip
def test_ratings_in_the_forms_exports_use(raw, stars):
    assert parse_rating(raw) == stars


@pytest.mark.parametrize("raw", ["0", "6", "4.5", "great", ""])
def test_ratings_outside_one_to_five_whole_stars_are_errors(raw):
    with pytest.raises(ValueError):
        parse_rating(raw)
