"""Bytes in, typed rows and line-numbered errors out, one chunk of rows at a time.

    reader = read(data, schema, filename="offers.csv")
    for chunk in reader:                         # bounded memory: CHUNK_ROWS rows at a time
        chunk.fail(chunk.rows["price"] <= 0, "price must be above zero: %(price)s")
        good = chunk.good()                      # typed DataFrame, with a `line` column
        errors = chunk.errors()                  # [LineError(line, "reason; reason")]

The schema (`schema.Schema`, declared as data per format) names the columns and their types;
the pipeline matches headers, refuses a file missing required columns as a whole, skips blank
lines, and turns every cell that is not a value of its column's type — or that carries a NUL
byte, or is over 128 KiB — into a reason on its line. The domain adds its own vectorised rules
with `fail`; a line with any reason is reported and left out, the others are kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd
import pyarrow.compute as pc
from django.utils.translation import gettext as _

from . import values
from .errors import LineError, TabularFormatError
from .readers import CHUNK_ROWS, RawChunk, Source, Table, open_table
from .schema import Schema

MAX_CELL_BYTES = 128 * 1024
_SHOWN = 50  # characters of a bad value quoted in its line's reason


def _messages() -> dict[str, str]:
    return {
        "integer": _("%(column)s is not a whole number: %(value)r"),
        "decimal": _("%(column)s is not a number: %(value)r"),
        "money": _("%(column)s is not a number: %(value)r"),
        "percent": _("%(column)s is not a percentage: %(value)r"),
        "date": _("%(column)s is not a date: %(value)r"),
        "datetime": _("%(column)s is not a date and time: %(value)r"),
        "bool": _("%(column)s is not yes/no: %(value)r"),
    }


@dataclass
class TypedChunk:
    """One chunk of a file: `rows` holds every non-blank line's typed values (a bad value is
    None/NaT) and `text` the stripped cells as written, both indexed alike, with `line`."""

    rows: pd.DataFrame
    text: pd.DataFrame
    _reasons: list[tuple[int, pd.Series]] = field(default_factory=list)

    @property
    def lines(self) -> pd.Series:
        return self.rows["line"]

    def fail(self, mask: pd.Series, message: str | pd.Series, *, order: int = 1000) -> None:
        """Give every row in `mask` a reason: a template filled from the row's cells as
        written (`%(price)s`, `%(price)r`), or a Series of ready messages."""
        mask = mask.fillna(False).astype(bool) if mask.dtype != bool else mask
        if not mask.any():
            return
        if isinstance(message, str):
            texts = self.text.loc[mask]
            keys = [k for k in texts.columns if f"%({k})" in message]
            if keys:
                shown = {k: texts[k].astype(object).str.slice(0, _SHOWN) for k in keys}
                reasons = pd.Series(
                    [message % dict(zip(keys, cells, strict=True)) for cells in
                     zip(*(shown[k] for k in keys), strict=True)],
                    index=texts.index, dtype=object,
                )  # fmt: skip
            else:
                reasons = pd.Series(message, index=texts.index, dtype=object)
        else:
            reasons = message.loc[mask].astype(object)
        self._reasons.append((order, reasons))

    @property
    def failed(self) -> pd.Series:
        bad = pd.Series(False, index=self.rows.index)
        for _order, reasons in self._reasons:
            bad.loc[reasons.index] = True
        return bad

    def good(self) -> pd.DataFrame:
        return self.rows.loc[~self.failed] if self._reasons else self.rows

    def errors(self) -> list[LineError]:
        if not self._reasons:
            return []
        frame = pd.concat(
            [pd.DataFrame({"at": r.index, "order": o, "reason": r.to_numpy()})
             for o, r in self._reasons],
            ignore_index=True,
        ).sort_values(["at", "order"], kind="stable")  # fmt: skip
        joined = frame.groupby("at", sort=True)["reason"].agg("; ".join)
        lines = self.rows["line"].loc[joined.index]
        return [LineError(int(n), str(r)) for n, r in zip(lines, joined, strict=True)]


class TabularReader:
    """Iterate over a file's TypedChunks. `format`, `encoding`, `header` and `columns` (our
    column → the file's header) are known as soon as it is created; a file that is not a
    table of this schema raises TabularFormatError right there."""

    def __init__(
        self,
        source: Source,
        schema: Schema,
        *,
        filename: str = "",
        chunk_rows: int = CHUNK_ROWS,
        xlsx_reader: str = "",
    ) -> None:
        self.schema = schema
        self.table: Table = open_table(
            source, filename=filename, chunk_rows=chunk_rows, xlsx_reader=xlsx_reader
        )
        self.positions = schema.match(self.table.header)
        self.columns = {name: self.table.header[i] for name, i in self.positions.items()}
        self.rows_read = 0

    @property
    def format(self) -> str:
        return self.table.format

    @property
    def encoding(self) -> str:
        return self.table.encoding

    def __iter__(self) -> Iterator[TypedChunk]:
        for raw in self.table.chunks:
            chunk = typed_chunk(raw, self.schema, self.positions)
            if chunk is not None:
                self.rows_read += len(chunk.rows)
                yield chunk


def typed_chunk(raw: RawChunk, schema: Schema, positions: dict[str, int]) -> TypedChunk | None:
    """Type one raw chunk: `positions` maps our columns to the chunk's cell columns."""
    keep = raw.fields > 0  # blank lines are not rows (they still count in the numbering)
    if not keep.any():
        return None
    cells = raw.cells.loc[keep]
    index = pd.RangeIndex(len(cells))
    cells.index = index
    lines = pd.Series(raw.lines[keep], index=index, name="line")
    text = pd.DataFrame({"line": lines}, index=index)
    rows = pd.DataFrame({"line": lines}, index=index)
    chunk = TypedChunk(rows=rows, text=text)
    _check_cells(chunk, cells, nul=raw.may_hold_nul)
    messages = _messages()
    order_of = {name: i for i, name in enumerate(schema.columns)}
    for name, position in positions.items():
        order = order_of[name]
        column = schema.columns[name]
        stripped = cells[position].str.strip()
        text[name] = stripped
        typed, bad = _convert(stripped, column.type, column.max_length)
        rows[name] = typed
        if column.type in messages and bad.any():
            template = column.invalid or messages[column.type]
            chunk.fail(bad, _template(template, name), order=order)
    for name, column in schema.columns.items():
        if name not in rows:
            rows[name] = _empty(column.type, index)
            text[name] = ""
    return chunk


def _template(template: str, name: str) -> str:
    """A column message with `%(column)s` filled in and `%(value)…` pointing at its cell."""
    return template.replace("%(column)s", name.replace("%", "%%")).replace("%(value)", f"%({name})")


def _check_cells(chunk: TypedChunk, cells: pd.DataFrame, *, nul: bool = True) -> None:
    """NUL bytes and oversized cells, in any column: the line is refused, not stored. Two
    Arrow scans per column (memchr for NUL, the byte lengths kept in the array's offsets for
    size); a Series is built only for a column that has such a cell. `nul` False: the
    reader saw no NUL in the text, so that scan is skipped."""
    for position in cells.columns:
        array = values.arrow(cells[position])
        found = pc.match_substring(array, "\x00") if nul else None
        if found is not None and pc.any(found).as_py():
            mask = pd.Series(found.to_numpy(zero_copy_only=False), index=cells.index)
            chunk.fail(mask, _("column %d contains a NUL byte") % (position + 1), order=-2)
        size = pc.binary_length(array)
        if (pc.max(size).as_py() or 0) > MAX_CELL_BYTES:
            big = pc.greater(size, MAX_CELL_BYTES).to_numpy(zero_copy_only=False)
            chunk.fail(
                pd.Series(big, index=cells.index),
                _("column %d holds more than 128 KiB") % (position + 1),
                order=-1,
            )


def _convert(cells: pd.Series, kind: str, max_length: int) -> tuple[pd.Series, pd.Series]:
    if kind in ("decimal", "money", "percent"):
        return values.parse_decimal_column(cells)
    if kind == "integer":
        return values.parse_integer_column(cells)
    if kind == "bool":
        return values.parse_bool_column(cells)
    if kind in ("date", "datetime"):
        return values.parse_datetime_column(cells, dates_only=kind == "date")
    typed = cells.astype(object)
    if max_length:
        typed = typed.str.slice(0, max_length)
    return typed, pd.Series(False, index=cells.index)


def _empty(kind: str, index: pd.Index) -> pd.Series:
    if kind in ("date", "datetime"):
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns, UTC]")
    if kind == "integer":
        return pd.Series(pd.NA, index=index, dtype="Int64")
    if kind == "bool":
        return pd.Series(False, index=index)
    if kind in ("text", "raw"):
        return pd.Series("", index=index, dtype=object)
    return pd.Series(None, index=index, dtype=object)


def read(
    source: Source,
    schema: Schema,
    *,
    filename: str = "",
    chunk_rows: int = CHUNK_ROWS,
    xlsx_reader: str = "",
) -> TabularReader:
    return TabularReader(
        source, schema, filename=filename, chunk_rows=chunk_rows, xlsx_reader=xlsx_reader
    )


__all__ = ["LineError", "TabularFormatError", "TabularReader", "TypedChunk", "read"]
