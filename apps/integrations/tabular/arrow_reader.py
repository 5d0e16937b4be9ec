"""The fast path of the tabular pipeline for big plain files: Arrow's multi-threaded CSV reader
instead of pandas' Python strings, giving the same TypedChunks (text columns stay Arrow-backed).

A file takes this path only when its line numbers are certain from row positions alone: UTF-8
(with or without a BOM), not a spreadsheet, no quote character (so no cell spans lines), no
blank line, no NUL byte, every line exactly as wide as the header. Anything else — or a line
Arrow finds malformed — returns None, and the caller reads the file with `pipeline.read`, which
handles every case (encodings, quoting, blank lines, ragged lines) at pandas' speed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .decoding import SAMPLE_BYTES, detect
from .errors import TabularFormatError
from .pipeline import (
    MAX_CELL_BYTES,
    TypedChunk,
    _convert,
    _empty,
    _messages,
    _template,
)
from .readers import DELIMITERS, Source
from .schema import Schema

CHUNK_ROWS = 250_000


class _NotPlain(Exception):
    """The file needs the general pipeline."""


def _text(array: pa.ChunkedArray | pa.Array) -> pd.Series:
    return pd.Series(pd.arrays.ArrowExtensionArray(array), copy=False)


class ArrowReader:
    """Iterates over TypedChunks like `pipeline.TabularReader` (same attributes)."""

    def __init__(self, data: bytes, schema: Schema, *, chunk_rows: int = CHUNK_ROWS) -> None:
        self.schema = schema
        self.format, self.encoding = "csv", "utf-8"
        self.rows_read = 0
        bom = data.startswith(b"\xef\xbb\xbf")
        if bom:
            self.encoding = "utf-8-sig"
            data = data[3:]
        end = data.find(b"\n")
        first = (data if end < 0 else data[:end]).decode("utf-8").rstrip("\r")
        if not first.strip(" \t\r\n\ufeff,;"):
            raise _NotPlain
        delimiter = max(DELIMITERS, key=first.count)
        self.format = "tsv" if delimiter == "\t" else "csv"
        header = [
            c.replace("\ufeff", "").strip() for c in next(csv.reader([first], delimiter=delimiter))
        ]
        self.header = header
        self.positions = schema.match(header)  # raises for a missing required column
        self.columns = {name: header[i] for name, i in self.positions.items()}
        body = b"" if end < 0 else data[end + 1 :]
        self._table = self._parse(body, delimiter, len(header)) if body.strip() else None
        self._chunk_rows = chunk_rows

    def _parse(self, body: bytes, delimiter: str, width: int) -> pa.Table:
        bad: list[int] = []

        def invalid(row) -> str:
            bad.append(1)
            return "skip"

        names = [f"c{i}" for i in range(width)]
        wanted = sorted(set(self.positions.values()))
        try:
            table = pacsv.read_csv(
                io.BytesIO(body),
                read_options=pacsv.ReadOptions(column_names=names, block_size=16 << 20),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter, quote_char=False, invalid_row_handler=invalid,
                    ignore_empty_lines=False,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names},
                    include_columns=[names[i] for i in wanted],
                    strings_can_be_null=False,
                ),
            )  # fmt: skip
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise _NotPlain from exc
        if bad:
            raise _NotPlain
        for column in table.columns:  # the pipeline reports lines with oversized cells
            if (pc.max(pc.binary_length(column)).as_py() or 0) > MAX_CELL_BYTES:
                raise _NotPlain
        return table

    def __iter__(self) -> Iterator[TypedChunk]:
        if self._table is None:
            return
        total = self._table.num_rows
        for start in range(0, total, self._chunk_rows):
            chunk = self._typed(self._table.slice(start, self._chunk_rows), start)
            if chunk is not None:
                self.rows_read += len(chunk.rows)
                yield chunk
        self._table = None

    def _typed(self, table: pa.Table, start: int) -> TypedChunk | None:
        n = table.num_rows
        cells = {
            i: pc.utf8_trim_whitespace(table.column(f"c{i}")) for i in set(self.positions.values())
        }
        # A line of empty cells is a blank line: not a row (it still counts in the numbering).
        filled = None
        for array in cells.values():
            some = pc.not_equal(array, "")
            filled = some if filled is None else pc.or_(filled, some)
        keep = np.ones(n, dtype=bool) if filled is None else filled.to_numpy(zero_copy_only=False)
        lines = np.arange(n, dtype=np.int64) + start + 2  # the header is line 1
        if not keep.all():
            mask = pa.array(keep)
            cells = {i: pc.filter(a, mask) for i, a in cells.items()}
            lines = lines[keep]
            if not len(lines):
                return None
        index = pd.RangeIndex(len(lines))
        line = pd.Series(lines, index=index, name="line")
        rows = pd.DataFrame({"line": line}, index=index)
        text = pd.DataFrame({"line": line}, index=index)
        chunk = TypedChunk(rows=rows, text=text)
        messages = _messages()
        order_of = {name: i for i, name in enumerate(self.schema.columns)}
        for name, position in self.positions.items():
            column = self.schema.columns[name]
            array = cells[position]
            stripped = _text(array)
            text[name] = stripped
            if column.type in ("text", "raw"):
                typed = array
                if column.max_length:
                    typed = pc.utf8_slice_codeunits(array, 0, column.max_length)
                rows[name] = _text(typed)
                continue
            typed, bad = _convert(stripped, column.type, column.max_length)
            rows[name] = typed
            if column.type in messages and bad.any():
                template = column.invalid or messages[column.type]
                chunk.fail(bad, _template(template, name), order=order_of[name])
        empty = _text(pa.array(np.full(len(lines), "", dtype=object), type=pa.string()))
        for name, column in self.schema.columns.items():
            if name not in rows:
                if column.type in ("text", "raw"):
                    rows[name], text[name] = empty, empty
                else:
                    rows[name], text[name] = _empty(column.type, index), empty
        return chunk


def read_fast(source: Source, schema: Schema, *, filename: str = "") -> ArrowReader | None:
    """An ArrowReader when the file is plain (see the module's doc), else None. A Path or a
    named file is read whole; a stream is read whole and rewound for the general path."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return None
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    elif isinstance(source, str | Path):
        data = Path(source).read_bytes()
    else:
        position = source.tell() if source.seekable() else None
        if position is None:
            return None
        data = source.read()
        source.seek(position)
    if data[:4] == b"PK\x03\x04" or not data.strip():
        return None
    try:
        encoding = detect(data[:SAMPLE_BYTES], complete=len(data) <= SAMPLE_BYTES)
    except TabularFormatError:
        return None
    if encoding.label not in ("utf-8", "utf-8-sig"):
        return None
    if b'"' in data or b"\x00" in data or b"\n\n" in data or b"\n\r\n" in data:
        return None
    if data.count(b"\r") != data.count(b"\r\n"):
        return None
    try:
        return ArrowReader(data, schema)
    except _NotPlain:
        return None
    except UnicodeDecodeError:
        return None


__all__ = ["ArrowReader", "read_fast"]
