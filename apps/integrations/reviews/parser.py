"""Parse customer-review exports (CSV, TSV or XLSX) into reviews and per-line errors.

Real files come from marketplace seller centres, review tools and spreadsheets typed by hand:

    Rating,Title,Review,Date
    5,"Charges fast","Charges my phone twice, very compact.",2024-11-02

Encodings: UTF-8 (with or without the BOM Excel writes) and GBK (Chinese Excel's "CSV").
Delimiter: comma, semicolon (European Excel) or tab, sniffed from the header. Headers are
matched by alias in English, German and Chinese (rating/stars/评分 …); an optional `sku`
column assigns rows to products. A bad line is reported with its line number (as a
spreadsheet shows it, the header is line 1) and skipped; good lines are kept. A file without
a recognisable header is refused whole.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

MAX_TEXT = 20_000
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "rating": ("rating", "stars", "star rating", "star", "score", "overall", "review rating",
               "bewertung", "sterne", "note", "評価", "评分", "星级", "评级"),
    "title": ("title", "review title", "headline", "summary", "subject", "titel",
              "überschrift", "titre", "タイトル", "标题", "评论标题"),
    "text": ("text", "review", "review text", "body", "content", "comment", "comments",
             "review body", "rezension", "kommentar", "text der rezension", "commentaire",
             "レビュー", "内容", "评论", "评论内容", "评价", "评价内容"),
    "date": ("date", "review date", "created", "created at", "posted", "datum", "日付",
             "日期", "评论日期", "时间"),
    "sku": ("sku", "seller sku", "product sku", "商品编码", "货号"),
    "language": ("language", "lang", "sprache", "语言"),
}  # fmt: skip
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d %H:%M:%S", "%Y年%m月%d日", "%B %d, %Y", "%d %B %Y")  # fmt: skip
_STARS = re.compile(r"^\s*(\d(?:[.,]\d)?)\s*(?:/\s*5|out of 5|stars?|sterne|星|颗星)?\s*$",
                    re.IGNORECASE)  # fmt: skip


class ReviewFormatError(ValueError):
    """The file is not a review export at all (unreadable, or no recognisable header)."""


@dataclass(frozen=True)
class ParsedReview:
    line: int
    rating: int
    title: str
    text: str
    date: date | None
    sku: str = ""
    language: str = ""

    @property
    def fingerprint(self) -> str:
        key = "\x1f".join([str(self.rating), str(self.date or ""), self.title, self.text])
        return hashlib.sha1(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ReviewParseResult:
    reviews: list[ParsedReview] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # our field -> the file's header
    encoding: str = ""


def _norm(header: object) -> str:
    return re.sub(r"[\s_\-]+", " ", str(header or "").strip().lower().lstrip("\ufeff")).strip()


_ALIAS_TO_FIELD = {_norm(a): name for name, aliases in HEADER_ALIASES.items() for a in aliases}


def match_columns(headers: list[object]) -> dict[str, int]:
    """Our field name -> column index, for the headers we recognise (first match wins)."""
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = _ALIAS_TO_FIELD.get(_norm(header))
        if name and name not in found:
            found[name] = index
    return found


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding: UTF-8 (BOM or not), else GBK; anything else is refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError as exc:
        raise ReviewFormatError(
            "The file is neither UTF-8 nor GBK text. Save it as CSV (UTF-8) and upload again."
        ) from exc


def _rows_from_text(text: str) -> list[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = max(("\t", ";", ","), key=first.count) if first.strip() else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _rows_from_xlsx(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException …
        raise ReviewFormatError(f"The spreadsheet cannot be read ({type(exc).__name__}).") from exc
    sheet = book.worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def parse_rating(value: object) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = str(value or "").strip()
        if text and set(text) <= {"★", "☆"}:
            return text.count("★") or _bad_rating(text)
        match = _STARS.match(text)
        if not match:
            return _bad_rating(text)
        number = float(match.group(1).replace(",", "."))
    if number != int(number) or not 1 <= number <= 5:
        return _bad_rating(value)
    return int(number)


def _bad_rating(value: object) -> int:
    raise ValueError(f"the rating {str(value)[:20]!r} is not a whole number of stars from 1 to 5")


def parse_date(value: object) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    text = re.sub(r"^(reviewed in .+? on|rezension aus .+? vom)\s+", "", text, flags=re.I)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"the date {text[:30]!r} is not a date (use YYYY-MM-DD)")


def parse(data: bytes, filename: str = "") -> ReviewParseResult:
    """Reviews and per-line errors from an uploaded file's bytes."""
    if not data.strip():
        raise ReviewFormatError("The file is empty.")
    result = ReviewParseResult()
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        rows, result.encoding = _rows_from_xlsx(data), "xlsx"
    else:
        text, result.encoding = decode(data)
        rows = _rows_from_text(text)
    header_at = next((i for i, row in enumerate(rows) if any(str(c).strip() for c in row)), None)
    if header_at is None:
        raise ReviewFormatError("The file is empty.")
    headers = rows[header_at]
    columns = match_columns(headers)
    if "rating" not in columns or not ({"text", "title"} & set(columns)):
        shown = ", ".join(str(h) for h in headers if str(h).strip())[:200]
        raise ReviewFormatError(
            "No review header found: the first line needs a rating column (rating, stars, 评分 …) "
            f"and a text or title column (review, text, title, 评论 …). It has: {shown or '—'}."
        )
    result.columns = {name: str(headers[i]).lstrip("\ufeff") for name, i in columns.items()}
    for offset, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not any(str(c).strip() for c in row):
            continue  # blank lines are not errors
        try:
            result.reviews.append(_review(row, columns, offset))
        except ValueError as exc:
            result.errors.append(LineError(offset, str(exc)))
    return result


def _cell(row: list[object], columns: dict[str, int], name: str) -> object:
    index = columns.get(name)
    return row[index] if index is not None and index < len(row) else ""


def _review(row: list[object], columns: dict[str, int], line: int) -> ParsedReview:
    title = str(_cell(row, columns, "title") or "").strip()
    text = str(_cell(row, columns, "text") or "").strip()
    if not title and not text:
        raise ValueError("the review has neither a title nor a text")
    if len(text) > MAX_TEXT:
        raise ValueError(f"the review text is longer than {MAX_TEXT:,} characters")
    return ParsedReview(
        line=line, rating=parse_rating(_cell(row, columns, "rating")), title=title[:300],
        text=text, date=parse_date(_cell(row, columns, "date")),
        sku=str(_cell(row, columns, "sku") or "").strip(),
        language=str(_cell(row, columns, "language") or "").strip()[:10],
    )  # fmt: skip
