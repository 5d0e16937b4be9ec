"""Candidate-product files (CSV, TSV or XLSX of market data) → typed rows and line errors on the
tabular pipeline. Analytics stores them (with the source the user names) and scores them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

from apps.integrations.tabular.errors import LineError
from apps.integrations.tabular.pipeline import TypedChunk, read
from apps.integrations.tabular.readers import Source
from apps.integrations.tabular.records import typed_records
from apps.integrations.tabular.schema import load_schema

SCHEMA_FILE = Path(__file__).with_name("columns.yaml")
NUMERIC = (
    "price",
    "unit_cost",
    "monthly_sales",
    "reviews",
    "rating",
    "sellers",
    "trend_pct",
    "weight_g",
    "length_mm",
    "width_mm",
    "height_mm",
)
ESTIMABLE = {
    "price",
    "unit_cost",
    "monthly_sales",
    "reviews",
    "rating",
    "sellers",
    "trend_pct",
    "weight_g",
    "length_mm",
    "width_mm",
    "height_mm",
}


def schema():
    return load_schema(SCHEMA_FILE)


@dataclass
class ParseResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)


def parse(source: Source, filename: str = "") -> ParseResult:
    reader = read(source, schema(), filename=filename)
    result = ParseResult()
    for chunk in reader:
        _collect(chunk, result)
    return result


def parse_records(records: list[dict[str, Any]]) -> ParseResult:
    """API rows through the file's rules; rows are numbered from 1."""
    result = ParseResult()
    chunk = typed_records(records, schema())
    if chunk is not None:
        _collect(chunk, result)
    return result


def _collect(chunk: TypedChunk, result: ParseResult) -> None:
    rows, text = chunk.rows, chunk.text
    chunk.fail(text["name"] == "", _("the product name is empty"))
    for name in ("currency", "cost_currency"):
        code = text[name].str.upper()
        chunk.fail(
            (code != "") & ~code.str.fullmatch(r"[A-Z]{3}").fillna(False),
            _("%(column)s is not an ISO 4217 code: %(value)s")
            % {"column": name, "value": f"%({name})s"},
        )
    for name in NUMERIC:
        if name == "trend_pct":
            continue
        chunk.fail(
            pd.Series(
                [v is not None and not pd.isna(v) and v < 0 for v in rows[name]], index=rows.index
            ),
            _("%(column)s is negative: %(value)s") % {"column": name, "value": f"%({name})s"},
        )
    rating = pd.Series(
        [v is not None and not pd.isna(v) and v > 5 for v in rows["rating"]], index=rows.index
    )
    chunk.fail(rating, _("rating is not 0–5 stars: %(rating)s"))
    for r in chunk.good().to_dict("records"):
        row = {k: (None if _na(r.get(k)) else r.get(k)) for k in NUMERIC}
        row.update(
            line=int(r["line"]),
            name=r["name"],
            category=r["category"] or "",
            marketplace=(r["marketplace"] or "").strip().lower(),
            currency=(r["currency"] or "").upper(),
            cost_currency=(r["cost_currency"] or "").upper(),
        )
        marked = {
            p.strip().lower().replace(" ", "_")
            for p in str(r["estimated"] or "").replace(";", ",").split(",")
            if p.strip()
        }
        row["estimated"] = sorted(marked & ESTIMABLE)
        result.rows.append(row)
    result.errors.extend(chunk.errors())


def _na(value) -> bool:
    return value is None or bool(pd.isna(value))
