"""Bytes → chunks of text cells with their line numbers: CSV/TSV (any delimiter of comma, tab,
semicolon) streamed through pandas' C parser, XLSX through calamine (openpyxl read-only as the
fallback). Nothing here knows columns or types: `pipeline` does that.

Line numbers are the numbers a spreadsheet or an editor shows: the header is line 1 when it
is the first line, blank lines count, and a quoted cell spanning lines moves the next rows down.
"""

from __future__ import annotations

import csv
import io
import queue
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from .decoding import SAMPLE_BYTES, Encoding, detect, text_stream
from .errors import TabularFormatError

CHUNK_ROWS = 50_000
EXTRA_FIELDS = 8  # fields a line may have beyond the header's before the parser gives up
DELIMITERS = (",", "\t", ";")
XLSX_READERS = ("calamine", "openpyxl")

Source = bytes | Path | str | IO[bytes]


@dataclass
class RawChunk:
    """Text cells (columns 0…n-1, "" for empty), the line number of each row, and how many
    fields each line really had (a short line has fewer than the header). `may_hold_nul` is
    False when the decoder saw no NUL character up to this chunk, so no cell needs the scan."""

    cells: pd.DataFrame
    lines: np.ndarray
    fields: np.ndarray
    may_hold_nul: bool = True


@dataclass
class Table:
    format: str  # csv, tsv, xlsx
    encoding: str  # "" for xlsx
    delimiter: str
    header: list[str]
    header_line: int
    chunks: Iterator[RawChunk] = field(repr=False)


def open_binary(source: Source) -> IO[bytes]:
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source)
    if isinstance(source, str | Path):
        return open(source, "rb")
    return source


def open_table(
    source: Source, *, filename: str = "", chunk_rows: int = CHUNK_ROWS, xlsx_reader: str = ""
) -> Table:
    """The table in `source`; raises TabularFormatError when it is not one at all."""
    raw = open_binary(source)
    sample = raw.read(SAMPLE_BYTES)
    if not sample.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise TabularFormatError(_("The file is empty."))
    if sample[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        rest = raw.read()
        return _xlsx_table(sample + rest, chunk_rows=chunk_rows, reader=xlsx_reader)
    encoding = detect(sample, complete=len(sample) < SAMPLE_BYTES)
    return _text_table(_Prefixed(sample, raw), encoding, chunk_rows=chunk_rows)


class _Prefixed(io.RawIOBase):
    """The sample already read, then the rest of the stream."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0:
                data, self._head = self._head + self._rest.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._rest.read(size)


def prefetch(chunks: Iterator[RawChunk]) -> Iterator[RawChunk]:
    """Parse the next chunk on a thread while the caller types this one: pandas' C parser
    and Arrow's kernels release the GIL, so the two overlap on a second core. One chunk
    ahead at most, so memory stays bounded."""
    results: queue.Queue = queue.Queue(maxsize=1)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in chunks:
                while not stop.is_set():
                    try:
                        results.put(chunk, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            results.put(done)
        except BaseException as exc:  # re-raised in the consumer, with its traceback
            results.put(exc)

    thread = threading.Thread(target=produce, name="tabular-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = results.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


# --- delimited text ----------------------------------------------------------------------------


def _text_table(raw: IO[bytes] | io.RawIOBase, encoding: Encoding, *, chunk_rows: int) -> Table:
    text = text_stream(raw, encoding)
    line = 0
    while True:
        first = text.readline()
        line += 1
        if not first:
            raise TabularFormatError(_("The file is empty."))
        if first.strip(" \t\r\n\ufeff\x00,;"):
            break
    delimiter = max(DELIMITERS, key=first.count)
    try:
        header = next(csv.reader([first], delimiter=delimiter))
    except (csv.Error, StopIteration) as exc:
        raise TabularFormatError(_("The header line cannot be read: %s") % exc) from exc
    header = [cell.replace("\ufeff", "").strip() for cell in header]
    return Table(
        format="tsv" if delimiter == "\t" else "csv",
        encoding=encoding.label,
        delimiter=delimiter,
        header=header,
        header_line=line,
        chunks=prefetch(_text_chunks(text, delimiter, len(header), line, chunk_rows)),
    )


def _text_chunks(
    text: IO[str] | io.TextIOBase, delimiter: str, width: int, header_line: int, chunk_rows: int
) -> Iterator[RawChunk]:
    names = list(range(width + EXTRA_FIELDS))
    reader = pd.read_csv(
        text, sep=delimiter, header=None, names=names, dtype="str", keep_default_na=False,
        na_filter=False, skip_blank_lines=False, chunksize=chunk_rows, engine="c",
        quotechar='"', doublequote=True, index_col=False, low_memory=True,
    )  # fmt: skip
    next_line = header_line + 1
    try:
        for frame in reader:
            cells = frame.fillna("")
            count = _field_counts(cells)
            quoted = getattr(text, "saw_quote", True)  # line breaks need a quoted cell
            extra = _newlines(cells) if quoted else np.zeros(len(cells), dtype=np.int64)
            lines = np.arange(len(cells), dtype=np.int64) + next_line
            if extra.any():
                lines += np.concatenate(([0], np.cumsum(extra)[:-1]))
            if len(lines):
                next_line = int(lines[-1]) + 1 + int(extra[-1])
            nul = getattr(text, "saw_nul", True)
            yield RawChunk(cells=cells, lines=lines, fields=count, may_hold_nul=nul)
    except pd.errors.ParserError as exc:
        raise TabularFormatError(
            _("The file cannot be read as %(format)s after line %(line)d: %(error)s")
            % {"format": "TSV" if delimiter == "\t" else "CSV", "line": next_line - 1,
               "error": str(exc).strip()}
        ) from exc  # fmt: skip
    finally:
        reader.close()


def _newlines(cells: pd.DataFrame) -> np.ndarray:
    """Line breaks inside each row's (quoted) cells."""
    total = np.zeros(len(cells), dtype=np.int64)
    for name in cells.columns:
        column = cells[name]
        if column.str.contains("\n", regex=False).any():
            total += column.str.count("\n").to_numpy(dtype=np.int64)
    return total


# --- spreadsheets ------------------------------------------------------------------------------


def _xlsx_table(data: bytes, *, chunk_rows: int, reader: str = "") -> Table:
    readers = (reader,) if reader else XLSX_READERS
    rows: Iterator[list[Any]] | None = None
    failure: Exception | None = None
    for name in readers:
        try:
            rows = _calamine_rows(data) if name == "calamine" else _openpyxl_rows(data)
            break
        except ImportError as exc:  # calamine is optional: fall back
            failure = exc
        except Exception as exc:  # each reader raises its own kinds for a damaged workbook
            failure = exc
    if rows is None:
        raise TabularFormatError(
            _("The file is not a readable Excel spreadsheet (%(error)s).")
            % {"error": type(failure).__name__}
        ) from failure
    line = 0
    for cells in rows:
        line += 1
        texts = [cell_text(c) for c in cells]
        if any(texts):
            header = [t.replace("\ufeff", "") for t in texts]
            while header and not header[-1]:
                header.pop()
            break
    else:
        raise TabularFormatError(_("The file is empty."))
    return Table(
        format="xlsx", encoding="", delimiter="", header=header, header_line=line,
        chunks=_xlsx_chunks(rows, len(header), line, chunk_rows),
    )  # fmt: skip


def _calamine_rows(data: bytes) -> Iterator[list[Any]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheet = book.get_sheet_by_index(0)
    return iter(sheet.iter_rows())


def _openpyxl_rows(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise zipfile.BadZipFile("not a zip file")
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = book.worksheets[0]
    sheet.reset_dimensions()  # Apache POI writes <dimension ref="A1"/>: read every row

    def rows() -> Iterator[list[Any]]:
        try:
            for row in sheet.iter_rows(values_only=True):
                yield list(row)
        finally:
            book.close()

    return rows()


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV export would carry, so one path types both."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _xlsx_chunks(
    rows: Iterator[list[Any]], width: int, header_line: int, chunk_rows: int
) -> Iterator[RawChunk]:
    line = header_line
    batch: list[list[str]] = []
    numbers: list[int] = []
    columns = width + EXTRA_FIELDS
    for cells in rows:
        line += 1
        texts = [cell_text(c) for c in cells[:columns]]
        batch.append(texts + [""] * (columns - len(texts)))
        numbers.append(line)
        if len(batch) >= chunk_rows:
            yield _xlsx_chunk(batch, numbers, width)
            batch, numbers = [], []
    if batch:
        yield _xlsx_chunk(batch, numbers, width)


def _xlsx_chunk(batch: list[list[str]], numbers: list[int], width: int) -> RawChunk:
    cells = pd.DataFrame(batch, dtype="str")
    return RawChunk(
        cells=cells, lines=np.asarray(numbers, dtype=np.int64), fields=_field_counts(cells)
    )


def _field_counts(cells: pd.DataFrame) -> np.ndarray:
    """Fields up to the last non-empty one: how wide each line really is (a line cut short,
    as a truncated download ends, has fewer than the header)."""
    filled = (cells != "").to_numpy()
    if not filled.size:
        return np.zeros(len(cells), dtype=np.int64)
    last = filled.shape[1] - np.argmax(filled[:, ::-1], axis=1)
    return np.where(filled.any(axis=1), last, 0)
