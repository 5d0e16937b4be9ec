"""Customer-review exports (CSV, TSV or XLSX) → reviews and per-line errors, on the tabular
pipeline.

Real files come from marketplace seller centres, review tools and spreadsheets typed by hand:

    Rating,Title,Review,Date
    5,"Charges fast","Charges my phone twice, very compact.",2024-11-02

Encodings, delimiters and XLSX are the pipeline's; headers per language are data
(`columns.yaml`); an optional `sku` column assigns rows to products. A bad line is reported
with its line number (as a spreadsheet shows it, the header is line 1) and skipped; good lines
are kept. A file without a recognisable header is refused whole.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from apps.integrations.tabular.errors import LineError, TabularFormatError
from apps.integrations.tabular.pipeline import TabularReader, TypedChunk, read
from apps.integrations.tabular.readers import Source, cell_text
from apps.integrations.tabular.schema import load_schema
from apps.integrations.tabular.values import parse_datetime_column

SCHEMA_FILE = Path(__file__).with_name("columns.yaml")
KIND = "product_reviews"
MAX_TEXT = 20_000
_STARS = r"^\s*(\d(?:[.,]\d)?)\s*(?:/\s*5|out of 5|stars?|sterne|étoiles?|estrellas?|星|颗星)?\s*$"
_REVIEWED_IN = r"(?i)^(?:reviewed in .+? on|rezension aus .+? vom)\s+"

# The file is not a review export at all (kept under its old name for callers).
ReviewFormatError = TabularFormatError

__all__ = ["LineError", "ParsedReview", "ReviewFormatError", "ReviewParseResult", "parse"]


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
        return fingerprint(self.rating, self.date, self.title, self.text)


def fingerprint(rating: int, day: date | None, title: str, text: str) -> str:
    key = "\x1f".join([str(rating), str(day or ""), title, text])
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


@dataclass
class ReviewParseResult:
    reviews: list[ParsedReview] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # our field -> the file's header
    encoding: str = ""


def open_reviews(source: Source, filename: str = "") -> TabularReader:
    reader = read(source, load_schema(SCHEMA_FILE), filename=filename)
    if "rating" not in reader.columns or not {"text", "title"} & set(reader.columns):
        shown = ", ".join(h for h in reader.table.header if h.strip())[:200]
        raise ReviewFormatError(
            "No review header found: the first line needs a rating column (rating, stars, 评分 …) "
            f"and a text or title column (review, text, title, 评论 …). It has: {shown or '—'}."
        )
    return reader


def review_chunks(reader: TabularReader) -> Iterator[TypedChunk]:
    for chunk in reader:
        check_reviews(chunk)
        yield chunk


def parse(data: bytes, filename: str = "") -> ReviewParseResult:
    """Reviews and per-line errors from an uploaded file's bytes (all at once)."""
    reader = open_reviews(data, filename)
    result = ReviewParseResult(
        columns=dict(reader.columns),
        encoding="xlsx" if reader.format == "xlsx" else reader.encoding,
    )
    for chunk in review_chunks(reader):
        result.reviews.extend(reviews(chunk.good()))
        result.errors.extend(chunk.errors())
    return result


def check_reviews(chunk: TypedChunk) -> None:
    """Ratings as whole stars 1–5, a title or a text, dates; a column at a time."""
    rows, text = chunk.rows, chunk.text
    rating, bad = ratings(text["rating"])
    chunk.fail(bad, "the rating %(rating)r is not a whole number of stars from 1 to 5", order=0)
    rows["rating"] = rating
    chunk.fail((text["title"] == "") & (text["text"] == ""),
               "the review has neither a title nor a text", order=1)  # fmt: skip
    chunk.fail(text["text"].str.len() > MAX_TEXT,
               f"the review text is longer than {MAX_TEXT:,} characters", order=2)  # fmt: skip
    rows["title"] = rows["title"].str.slice(0, 300)
    days = text["date"].str.replace(_REVIEWED_IN, "", regex=True)
    parsed, bad_date = parse_datetime_column(days, dates_only=True)
    shown = days.str.slice(0, 30).astype(object)
    chunk.fail(bad_date, pd.Series([f"the date {d!r} is not a date (use YYYY-MM-DD)"
                                    for d in shown], index=shown.index), order=3)  # fmt: skip
    rows["date"] = parsed
    rows["language"] = rows["language"].str.slice(0, 10)


def ratings(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Whole stars 1–5 from "5", "4.0", "3 stars", "2/5", "★★★★☆", "1 Sterne"."""
    star_only = cells.str.fullmatch(r"[★☆]+").fillna(False).astype(bool)
    number = pd.to_numeric(
        cells.str.extract(_STARS, flags=re.IGNORECASE, expand=False).str.replace(
            ",", ".", regex=False
        ),
        errors="coerce",
    )
    number = number.where(~star_only, cells.str.count("★").astype("float64"))
    whole = (number == number.round()) & number.between(1, 5)
    bad = ~whole.fillna(False).astype(bool)
    return number.where(~bad).astype("Int64"), bad


def parse_rating(value: object) -> int:
    """One rating cell; ValueError when it is not whole stars 1–5."""
    rating, bad = ratings(pd.Series([cell_text(value)], dtype="str"))
    if bad.iloc[0]:
        raise ValueError(
            f"the rating {str(value)[:20]!r} is not a whole number of stars from 1 to 5"
        )
    return int(rating.iloc[0])


def reviews(frame: pd.DataFrame) -> list[ParsedReview]:
    return [
        ParsedReview(
            line=int(r.line), rating=int(r.rating), title=r.title, text=r.text,
            date=None if pd.isna(r.date) else r.date.date(), sku=r.sku, language=r.language,
        )
        for r in frame.itertuples(index=False)
    ]  # fmt: skip
