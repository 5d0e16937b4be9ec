"""Sponsored Products search-term reports (console XLSX or CSV, daily or summary) → typed rows
and line-numbered errors, on the tabular pipeline.

What the console writes (see ../shared/data/README.md):

    Start Date,End Date,Portfolio name,Currency,Campaign Name,Ad Group Name,Targeting,
    Match Type,Customer Search Term,Impressions,Clicks,...,Spend,"7 Day Total Sales ",...
    "Sep 08, 2025","Sep 08, 2025",No Portfolio,USD,KVX PB10K - SP - Auto,...,$3.36,$25.99,...

Headers are matched by name (trailing spaces, 7/14-day attribution, German and other console
languages: `columns.yaml`); money `$3.36`/`€142.96`, Java doubles and float noise are the
pipeline's number rules; percent columns (CTR, ACoS, conversion rate) are not read, they are
recomputed from the counts. Auto rows carry Match Type `-` (stored as ""). Search terms are
stored lower-cased and trimmed (ASINs as terms are lowercase in the console already). Nothing
here touches the database: apps.ads.imports resolves campaigns and writes the days.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from apps.integrations.tabular.pipeline import TabularReader, TypedChunk, read
from apps.integrations.tabular.readers import Source
from apps.integrations.tabular.schema import load_schema
from apps.integrations.tabular.values import arrow as arrow_array
from apps.integrations.tabular.values import number_text

SCHEMA_FILE = Path(__file__).with_name("columns.yaml")
TEXT_COLUMNS = ("campaign", "ad_group", "targeting", "search_term", "match_type", "portfolio")
MAX_TEXT = 255
MAX_PERIOD_DAYS = 366  # a summary row's Start..End (the console offers at most 95 days)
KIND = "amazon_sp_search_terms"
AUTO_TARGETING = frozenset({"close-match", "loose-match", "substitutes", "complements", "*"})
SYMBOLS = {
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "￥": "JPY",
    "C$": "CAD",
    "A$": "AUD",
    "R$": "BRL",
    "MX$": "MXN",
    "₹": "INR",
    "zł": "PLN",
    "kr": "SEK",
    "TL": "TRY",
}
MATCH_TYPES = {
    "broad": "broad",
    "phrase": "phrase",
    "exact": "exact",
    "-": "",
    "": "",
    "weitgehend": "broad",
    "passende wortgruppe": "phrase",
    "genau": "exact",
    "large": "broad",
    "expression": "phrase",
    "exacte": "exact",
    "amplia": "broad",
    "frase": "phrase",
    "exacta": "exact",
}


def schema():
    return load_schema(SCHEMA_FILE)


def open_search_terms(source: Source, filename: str = "", **kwargs) -> TabularReader:
    """The report's reader; raises TabularFormatError naming any missing required column."""
    return read(source, schema(), filename=filename, **kwargs)


def attribution_days(reader: TabularReader) -> int:
    """14 when the file's sales/orders columns are the 14-day ones, else 7."""
    headers = " ".join(reader.columns.get(c, "") for c in ("sales", "orders", "units"))
    return 14 if "14" in headers else 7


def currency_from_symbol(cells: pd.Series) -> str:
    """The currency a money column's symbol names ("$3.36" → USD), "" when none does."""
    sample = cells[cells != ""].head(200)
    for symbol, code in sorted(SYMBOLS.items(), key=lambda kv: -len(kv[0])):
        if sample.str.contains(symbol, regex=False).any():
            return code
    return ""


def _squash(cells: pd.Series, *, lower: bool = False) -> pd.Series:
    """Runs of whitespace as one space (and lower case), with Arrow kernels (RE2)."""
    array = arrow_array(cells)
    if lower:
        array = pc.utf8_lower(array)
    if pc.any(pc.match_substring_regex(array, r"\s\s|[\t\n\r\f\v]")).as_py():
        array = pc.replace_substring_regex(array, r"\s+", " ")
    return _arrow_series(array, cells.index)


def _days(stamps: pd.Series) -> pd.Series:
    values = stamps.dt.tz_localize(None) if stamps.dt.tz is not None else stamps
    return pd.Series(values.to_numpy().astype("datetime64[D]"), index=stamps.index)


def _arrow_series(array, index) -> pd.Series:
    """An Arrow string array as a Series without a Python object per cell."""
    return pd.Series(pd.arrays.ArrowExtensionArray(array), index=index)


def check_search_terms(chunk: TypedChunk, *, currency: str = "") -> None:
    """The report's rules, a column at a time: a day, a search term, counts ≥ 0, a known
    match type, a currency. Adds `day`, `end_day` and normalised text columns to the rows."""
    rows, text = chunk.rows, chunk.text
    day = rows["date"].where(rows["date"].notna(), rows["start_date"])
    end = rows["end_date"].where(rows["end_date"].notna(), day)
    chunk.fail(
        day.isna() & (text["date"] == "") & (text["start_date"] == ""),
        "the row has no date",
        order=0,
    )
    # Days as numpy datetime64[D] (Arrow date32 for COPY), not a Python date per cell.
    rows["day"] = _days(day)
    rows["end_day"] = _days(end)
    chunk.fail(end.notna() & day.notna() & (end < day), "the end date is before the start date")
    chunk.fail(
        (end - day).dt.days >= MAX_PERIOD_DAYS,
        f"the report period is longer than {MAX_PERIOD_DAYS} days",
    )
    # Arrow-backed strings: lower-casing, whitespace and lengths run as Arrow kernels.
    arrow = {n: text[n].astype("string[pyarrow]") for n in TEXT_COLUMNS}
    for name in ("campaign", "ad_group", "targeting", "search_term"):
        chunk.fail(arrow[name] == "", f"{name.replace('_', ' ')} is empty", order=1)
    for name in TEXT_COLUMNS:
        chunk.fail(
            arrow[name].str.len() > MAX_TEXT,
            f"{name.replace('_', ' ')} is longer than {MAX_TEXT} characters",
            order=1,
        )
    # A handful of distinct match types: map the distinct values, not every cell.
    codes, uniques = pd.factorize(arrow["match_type"].str.lower(), use_na_sentinel=False)
    mapped = np.array([MATCH_TYPES.get(u) for u in uniques], dtype=object)
    known = pd.Series(np.array([m is not None for m in mapped])[codes], index=rows.index)
    chunk.fail(~known, "unknown match type %(match_type)r", order=2)
    rows["match_type"] = pd.Series(
        np.where(known, mapped[codes], ""), index=rows.index, dtype=object
    )
    rows["search_term"] = _squash(text["search_term"], lower=True)
    rows["targeting"] = _squash(text["targeting"])
    for name in ("impressions", "clicks", "orders", "units"):
        values = rows[name].fillna(0)
        chunk.fail(values < 0, f"{name} is negative: %({name})s", order=3)
        rows[name] = values.astype("int64")
    for name in ("spend", "sales"):
        # Canonical text ("3.36") for COPY: the cell's number without its symbol, no Decimal
        # round trip; the pipeline already refused what is not a number (or is ≥ 10^15).
        canonical, bad, _percent = number_text(text[name])
        chunk.fail(bad, f"{name} is not a number: %({name})r", order=3)
        cells = arrow_array(canonical)
        # Negative, or more than 10 digits before the point (the column holds 12,2).
        out = pc.match_substring_regex(cells, r"^-|^\+?\d{11,}")
        chunk.fail(
            pd.Series(out.to_numpy(zero_copy_only=False), index=rows.index),
            f"{name} is out of range: %({name})s",
            order=3,
        )
        rows[name] = _arrow_series(pc.if_else(pc.equal(cells, ""), "0", cells), rows.index)
    cur = pc.utf8_upper(arrow_array(text["currency"]))
    if currency:
        cur = pc.if_else(pc.equal(cur, ""), currency, cur)
    ok = pc.match_substring_regex(cur, r"^[A-Z]{3}$")
    chunk.fail(
        pd.Series(pc.invert(ok).to_numpy(zero_copy_only=False), index=rows.index),
        "no currency: add a Currency column or a symbol to Spend",
        order=4,
    )
    rows["currency"] = _arrow_series(cur, rows.index)
