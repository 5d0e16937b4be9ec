"""Amazon's "Detail Page Sales and Traffic By Child Item" business report (CSV or XLSX) → one
row per child ASIN with sessions and page views, and line-numbered errors.

The report covers the date range chosen when it was downloaded and has no date column: the
importer is told the range. Headers are localized per marketplace (`columns.yaml`); numbers in
either convention (`"3,418"`, `"17.510,95 €"`), percentages and BOMs are the tabular pipeline's.
Nothing here touches the database: analytics resolves ASINs to products and stores the traffic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from django.utils.translation import gettext as _

from apps.integrations.tabular.errors import LineError
from apps.integrations.tabular.pipeline import TypedChunk, read
from apps.integrations.tabular.readers import Source
from apps.integrations.tabular.records import typed_records
from apps.integrations.tabular.schema import load_schema

SCHEMA_FILE = Path(__file__).with_name("columns.yaml")


def schema():
    return load_schema(SCHEMA_FILE)


@dataclass
class TrafficRow:
    line: int
    child_asin: str
    sku: str
    sessions: int
    page_views: int
    units: int | None


@dataclass
class ParseResult:
    rows: list[TrafficRow] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)


def parse(source: Source, filename: str = "") -> ParseResult:
    """Every row and line error; raises TabularFormatError for a file that is not the report."""
    reader = read(source, schema(), filename=filename)
    result = ParseResult(columns=list(reader.columns))
    for chunk in reader:
        _collect(chunk, result)
    return result


def parse_records(records: list[dict]) -> ParseResult:
    """API rows (dicts keyed by the column names above) through the file's rules; rows are
    numbered from 1."""
    result = ParseResult(columns=list(schema().columns))
    chunk = typed_records(records, schema())
    if chunk is not None:
        _collect(chunk, result)
    return result


def _collect(chunk: TypedChunk, result: ParseResult) -> None:
    rows, text = chunk.rows, chunk.text
    chunk.fail((text["child_asin"] == "") & (text["sku"] == ""), _("no ASIN or SKU"))
    chunk.fail(text["sessions"] == "", _("sessions is empty"))
    for name in ("sessions", "page_views"):
        chunk.fail(
            (rows[name] < 0).fillna(False),
            _("%(column)s is negative: %(value)s") % {"column": name, "value": f"%({name})s"},
        )
    for r in chunk.good().itertuples(index=False):
        result.rows.append(
            TrafficRow(
                line=int(r.line),
                child_asin=(r.child_asin or "").upper(),
                sku=r.sku or "",
                sessions=int(r.sessions),
                page_views=0 if _na(r.page_views) else int(r.page_views),
                units=None if _na(r.units) else int(r.units),
            )
        )
    result.errors.extend(chunk.errors())


def _na(value) -> bool:
    return bool(pd.isna(value))
