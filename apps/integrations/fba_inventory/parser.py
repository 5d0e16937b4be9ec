"""Manage FBA Inventory report (tab-separated, `GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA`) →
stock rows per SKU and line-numbered errors, on the tabular pipeline.

Quirks handled here (encodings, BOM, locale decimals are the pipeline's):
- `afn-warehouse-quantity` = fulfillable + unsellable + reserved; a report without the
  fulfillable column gets it as warehouse − unsellable − reserved.
- inbound = working + shipped + receiving (`afn-total-quantity` also counts those).
- fields vary by marketplace and the fields chosen in Seller Central: columns are mapped by
  name, optional ones may be absent, unknown ones (a trailing `store`) are ignored.
- the same SKU twice in a file: the later line wins, the earlier is reported.
Nothing here touches the database: apps.logistics.imports writes the stock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

from apps.integrations.tabular.errors import LineError
from apps.integrations.tabular.pipeline import TabularReader, TypedChunk, read
from apps.integrations.tabular.readers import CHUNK_ROWS, Source
from apps.integrations.tabular.records import typed_records
from apps.integrations.tabular.schema import load_schema, normalise_header

SCHEMA_FILE = Path(__file__).with_name("columns.yaml")
KIND = "fba_inventory"
MAX_UNITS = 10_000_000
QUANTITIES = (
    "afn_warehouse_quantity",
    "afn_fulfillable_quantity",
    "afn_unsellable_quantity",
    "afn_reserved_quantity",
    "afn_total_quantity",
    "afn_inbound_working_quantity",
    "afn_inbound_shipped_quantity",
    "afn_inbound_receiving_quantity",
)


def schema():
    return load_schema(SCHEMA_FILE)


@dataclass
class StockRow:
    line: int
    sku: str
    fulfillable: int
    reserved: int = 0
    unsellable: int = 0
    inbound: int = 0
    asin: str = ""
    unit_volume_ft3: Decimal | None = None


@dataclass
class ParseResult:
    rows: list[StockRow] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    encoding: str = ""


def open_report(
    source: Source, filename: str = "", *, chunk_rows: int = CHUNK_ROWS
) -> TabularReader:
    """The report's reader; raises TabularFormatError when `sku` or every quantity is missing."""
    return read(source, schema(), filename=filename or "report.tsv", chunk_rows=chunk_rows)


def check_stock(chunk: TypedChunk) -> None:
    """The report's rules, a column at a time; fills `fulfillable`, `inbound` in place."""
    rows, text = chunk.rows, chunk.text
    order = {name: i for i, name in enumerate(schema().columns)}
    chunk.fail(text["sku"] == "", _("the SKU is empty"), order=order["sku"])
    for name in QUANTITIES:
        values = rows[name]
        bad = ((values < 0) | (values > MAX_UNITS)).fillna(False)
        chunk.fail(
            bad,
            _("%(column)s is out of range: %%(%(column)s)s") % {"column": name},
            order=order[name],
        )
    ints = {n: rows[n].fillna(0).astype("int64") for n in QUANTITIES}
    fulfillable = rows["afn_fulfillable_quantity"]
    derived = (
        ints["afn_warehouse_quantity"]
        - ints["afn_unsellable_quantity"]
        - ints["afn_reserved_quantity"]
    )
    rows["fulfillable"] = fulfillable.fillna(derived.clip(lower=0)).astype("int64")
    rows["reserved"] = ints["afn_reserved_quantity"]
    rows["unsellable"] = ints["afn_unsellable_quantity"]
    rows["inbound"] = (
        ints["afn_inbound_working_quantity"]
        + ints["afn_inbound_shipped_quantity"]
        + ints["afn_inbound_receiving_quantity"]
    )
    # The same SKU twice: the later line is the report's last word.
    sku = text["sku"].str.upper()
    earlier = sku.duplicated(keep="last") & (sku != "")
    if earlier.any():
        last_line = rows.loc[~sku.duplicated(keep="last")].set_index(
            sku[~sku.duplicated(keep="last")]
        )["line"]
        messages = pd.Series(
            [
                _("duplicate SKU %(sku)s: line %(line)d is used instead")
                % {"sku": s, "line": last_line[s]}
                for s in sku[earlier]
            ],
            index=sku[earlier].index,
            dtype=object,
        )
        chunk.fail(earlier, messages, order=order["sku"])


def stock_chunks(reader: TabularReader) -> Iterator[TypedChunk]:
    for chunk in reader:
        check_stock(chunk)
        yield chunk


def stock_rows(frame: pd.DataFrame) -> list[StockRow]:
    return [
        StockRow(
            line=int(r.line),
            sku=r.sku,
            fulfillable=int(r.fulfillable),
            reserved=int(r.reserved),
            unsellable=int(r.unsellable),
            inbound=int(r.inbound),
            asin=r.asin or "",
            unit_volume_ft3=None
            if r.per_unit_volume is None or pd.isna(r.per_unit_volume)
            else Decimal(r.per_unit_volume),
        )
        for r in frame.itertuples(index=False)
    ]


def parse(data: bytes, filename: str = "report.tsv") -> ParseResult:
    """Every row and line error of a (small) report at once: tests, previews and the API."""
    reader = open_report(data, filename)
    result = ParseResult(columns=list(reader.columns), encoding=reader.encoding)
    for chunk in stock_chunks(reader):
        result.rows.extend(stock_rows(chunk.good()))
        result.errors.extend(chunk.errors())
    return result


def parse_records(records: list[dict[str, Any]]) -> tuple[list[StockRow], list[LineError]]:
    """API rows (dicts with the report's column names) through exactly the report's rules."""
    chunk = typed_records(_by_column(records), schema())
    if chunk is None:
        return [], []
    check_stock(chunk)
    return stock_rows(chunk.good()), chunk.errors()


def _by_column(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """API rows may use the file's headers (`afn-fulfillable-quantity`) or our column names:
    both map to the column, as a file's header would."""
    index = schema().index
    return [
        {index.get(normalise_header(k), k): v for k, v in r.items()} if isinstance(r, dict) else {}
        for r in records
    ]
