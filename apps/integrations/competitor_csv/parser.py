"""Competitor-offer files (CSV, TSV or XLSX) → offers and per-line errors, on the tabular
pipeline.

What repricing tools and scrapers export, one observation of one competitor offer per line:

    listing_id,seller,price,currency,shipping,fulfilment,rating,buy_box,observed_at
    1042,Anker Official,"12,99",EUR,0,FBA,4.8,yes,2024-11-20 13:05

A listing is named by `listing_id`, or by `asin`/`external_id` (with `store` when the seller
has the same ASIN in several stores), or by `sku` + `store`. Headers per language are data
(`columns.yaml`); encodings, delimiters, decimals and dates are the pipeline's
(`apps/integrations/tabular`). A malformed line is reported with its line number and skipped;
every good line is kept. Nothing here touches the database: the pricing app resolves listings
and writes the offers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.bounds import RECORD_MIN
from apps.integrations.tabular.errors import LineError, TabularFormatError
from apps.integrations.tabular.pipeline import TabularReader, TypedChunk, read
from apps.integrations.tabular.readers import CHUNK_ROWS, Source
from apps.integrations.tabular.records import typed_records
from apps.integrations.tabular.schema import load_schema
from apps.integrations.tabular.values import number_text, to_decimal

SCHEMA_FILE = Path(__file__).with_name("columns.yaml")
KIND = "competitor_offers"
# Bounds of what the observation's columns hold: money as numeric(14, 4); dates in the
# platform's window (year 1 would be stored as 1 BC and break every chart).
MAX_AMOUNT = Decimal(10) ** 10
_OFFSET = r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*[+-](\d{2}):?\d{2}$"
OBSERVED_MIN = pd.Timestamp(RECORD_MIN.isoformat(), tz="UTC")

FULFILMENT = {
    "fba": "fba", "afn": "fba", "amazon": "fba", "fbm": "fbm", "mfn": "fbm", "merchant": "fbm",
    "seller": "fbm", "prime": "other", "sfp": "other", "seller fulfilled prime": "other",
    "other": "other", "亚马逊配送": "fba", "卖家自配送": "fbm", "自发货": "fbm",
}  # fmt: skip

# The file as a whole is not an offer table (kept under its old name for callers).
CompetitorFormatError = TabularFormatError

__all__ = ["CompetitorFormatError", "LineError", "OfferRow", "ParseResult", "parse"]


def schema():
    return load_schema(SCHEMA_FILE)


@dataclass
class OfferRow:
    """One observation, its listing still named as in the file (resolved by the importer)."""

    line: int
    seller: str
    price: Decimal
    listing_id: int | None = None
    external_id: str = ""
    sku: str = ""
    store: str = ""
    seller_id: str = ""
    currency: str = ""
    shipping: Decimal = Decimal(0)
    fulfilment: str = ""
    rating: Decimal | None = None  # percent 0–100
    buy_box: bool = False
    observed_at: datetime | None = None


@dataclass
class ParseResult:
    rows: list[OfferRow] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)


def open_offers(
    source: Source, filename: str = "", *, chunk_rows: int = CHUNK_ROWS, xlsx_reader: str = ""
) -> TabularReader:
    """The offer file's reader; raises CompetitorFormatError for a file that is not one."""
    reader = read(
        source, schema(), filename=filename, chunk_rows=chunk_rows, xlsx_reader=xlsx_reader
    )
    found = set(reader.columns)
    if "sku" in found and not found & {"listing_id", "external_id"} and "store" not in found:
        raise CompetitorFormatError(_("A file naming listings by SKU needs a store column."))
    return reader


def offer_chunks(reader: TabularReader, *, now: datetime | None = None) -> Iterator[TypedChunk]:
    """The reader's chunks with the offer rules applied (see `check_offers`)."""
    now = now or timezone.now()
    for chunk in reader:
        check_offers(chunk, now=now)
        yield chunk


def parse(data: bytes, filename: str = "", *, now: datetime | None = None) -> ParseResult:
    """Every row and line error of a (small) file at once: tests and previews; importers
    walk `offer_chunks` instead so a big file never sits in memory as Python objects."""
    reader = open_offers(data, filename)
    result = ParseResult(columns=list(reader.columns))
    for chunk in offer_chunks(reader, now=now):
        result.rows.extend(offer_rows(chunk.good()))
        result.errors.extend(chunk.errors())
    return result


def parse_records(
    records: list[dict[str, Any]], *, now: datetime | None = None
) -> tuple[list[OfferRow], list[LineError]]:
    """API rows (dicts with the file's column names) through exactly the file's rules;
    rows are numbered from 1."""
    chunk = typed_records(records, schema())
    if chunk is None:
        return [], []
    check_offers(chunk, now=now or timezone.now())
    return offer_rows(chunk.good()), chunk.errors()


def check_offers(chunk: TypedChunk, *, now: datetime) -> None:
    """The offer rules, a column at a time; typed values are normalised in place."""
    rows, text = chunk.rows, chunk.text
    order = {name: i for i, name in enumerate(schema().columns)}
    listing = rows["listing_id"]
    chunk.fail((text["listing_id"] != "") & (listing <= 0).fillna(False),
               _("listing_id is not a positive whole number: %(listing_id)r"),
               order=order["listing_id"])  # fmt: skip
    named = (text["listing_id"] != "") | (text["external_id"] != "") | (text["sku"] != "")
    chunk.fail(~named, _("no listing_id, ASIN or SKU"), order=order["external_id"])
    chunk.fail((text["seller"] == "") & (text["seller_id"] == ""), _("the seller is empty"),
               order=order["seller"])  # fmt: skip
    price_set = text["price"] != ""
    chunk.fail(~price_set, _("price is not a number: %(price)r"), order=order["price"])
    chunk.fail(_compare(rows["price"], lambda v: v <= 0),
               _("price must be above zero: %(price)s"), order=order["price"])  # fmt: skip
    chunk.fail(_compare(rows["shipping"], lambda v: v < 0),
               _("shipping is not an amount of zero or more: %(shipping)r"),
               order=order["shipping"])  # fmt: skip
    for name in ("price", "shipping"):  # the columns hold 14 digits, 4 of them decimals
        chunk.fail(_compare(rows[name], lambda v: isinstance(v, Decimal) and v >= MAX_AMOUNT),
                   _("%(column)s is too large: %(value)s")
                   % {"column": name, "value": f"%({name})s"}, order=order[name])  # fmt: skip
    rows["shipping"] = rows["shipping"].where(rows["shipping"].notna(), Decimal(0))
    currency = text["currency"].str.upper()
    chunk.fail(
        (currency != "") & ~currency.str.fullmatch(r"[A-Z]{3}").fillna(False),
        _("currency is not an ISO 4217 code: %(currency)r"),
        order=order["currency"],
    )
    rows["currency"] = currency.astype(object)
    fulfilment = text["fulfilment"].str.lower().map(FULFILMENT).fillna("").astype(object)
    chunk.fail((text["fulfilment"] != "") & (fulfilment == ""),
               _("unknown fulfilment %(fulfilment)r (use FBA or FBM)"),
               order=order["fulfilment"])  # fmt: skip
    rows["fulfilment"] = fulfilment
    rating, bad_rating = ratings(text["rating"])
    chunk.fail(bad_rating, _("rating is not 0–5 stars or 0–100%%: %(rating)r"),
               order=order["rating"])  # fmt: skip
    rows["rating"] = rating
    observed = rows["observed_at"]
    chunk.fail(
        (observed > pd.Timestamp(now) + timedelta(minutes=5)).fillna(False),
        _("observed_at is in the future: %(observed_at)s"),
        order=order["observed_at"],
    )
    # Parsed to UTC, but an offset PostgreSQL could not store is a typo, not a time zone.
    offset = text["observed_at"].str.extract(_OFFSET, expand=True)
    chunk.fail(
        (pd.to_numeric(offset[0], errors="coerce") >= 16).fillna(False),
        _("observed_at has a UTC offset beyond ±15:59: %(observed_at)s"),
        order=order["observed_at"],
    )
    chunk.fail(
        (observed < OBSERVED_MIN).fillna(False),
        _("observed_at is before %(min)s: %%(observed_at)s") % {"min": RECORD_MIN.isoformat()},
        order=order["observed_at"],
    )
    rows["observed_at"] = observed.where(text["observed_at"] != "", pd.Timestamp(now))
    rows["seller_id"] = rows["seller_id"].where(
        rows["seller_id"] != "", rows["seller"].str.slice(0, 100)
    )


def _compare(values: pd.Series, test) -> pd.Series:
    return pd.Series([v is not None and test(v) for v in values], index=values.index)


def ratings(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Seller ratings as a percentage 0–100, as the model stores it: "98%" and 98 are 98;
    stars (a number up to 5, "4.8") become a percentage (4.8 stars → 96)."""
    numbers, bad, percent = number_text(cells)
    decimals = to_decimal(numbers)
    out: list[Decimal | None] = []
    for value, is_percent in zip(decimals, percent, strict=True):
        if value is not None and not is_percent and value <= 5:
            value = value * 20
        out.append(
            None if value is None or not 0 <= value <= 100 else value.quantize(Decimal("0.01"))
        )
    rating = pd.Series(out, index=cells.index, dtype=object)
    bad = (cells != "") & (bad | rating.isna())
    return rating, bad


def offer_rows(frame: pd.DataFrame) -> list[OfferRow]:
    """OfferRow objects for one chunk's good rows."""
    return [
        OfferRow(
            line=int(r.line), seller=r.seller, price=r.price,
            listing_id=None if pd.isna(r.listing_id) else int(r.listing_id),
            external_id=r.external_id, sku=r.sku, store=r.store, seller_id=r.seller_id,
            currency=r.currency, shipping=r.shipping, fulfilment=r.fulfilment, rating=r.rating,
            buy_box=bool(r.buy_box), observed_at=r.observed_at.to_pydatetime(),
        )
        for r in frame.itertuples(index=False)
    ]  # fmt: skip


def parse_decimal(value: Any) -> Decimal | None:
    """One cell as the pipeline reads it (either decimal convention, currency symbols)."""
    text, bad, _percent = number_text(pd.Series([_cell(value)], dtype="str"))
    return None if bad.iloc[0] or not text.iloc[0] else Decimal(text.iloc[0])


def parse_rating(value: Any) -> Decimal | None:
    rating, bad = ratings(pd.Series([_cell(value)], dtype="str"))
    return None if bad.iloc[0] else rating.iloc[0]


def _cell(value: Any) -> str:
    from apps.integrations.tabular.readers import cell_text

    return cell_text(value)
