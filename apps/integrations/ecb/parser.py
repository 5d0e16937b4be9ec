"""Parse the ECB history file (eurofxref-hist.csv) into rates and per-line errors, on the
tabular pipeline (decoding, CSV reading and line numbers are its; the ECB's layout is here).

The format, as the ECB serves it:

    Date,USD,JPY,BGN,CYP,...,ZAR,
    2024-11-22,1.0412,161.19,1.9558,N/A,...,18.8880,

one row per TARGET business day, newest first, every rate in units of currency per 1 EUR, a
trailing comma on every line (an empty last column), `N/A` where a currency was not quoted that
day (columns of retired currencies such as CYP or DEM stay in the file). A malformed line is
reported with its line number and skipped; a malformed value costs only that value. A file cut
short (an interrupted download) costs its last line, or is refused as a whole with a clear
message when the cut leaves nothing readable (a broken zip, a cut character, an open quote).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from apps.integrations.tabular.decoding import detect, text_stream
from apps.integrations.tabular.errors import LineError, TabularFormatError
from apps.integrations.tabular.readers import RawChunk, open_table

MISSING = {"", "N/A"}
_CURRENCY = re.compile(r"^[A-Z]{3}$")

# The input is not an ECB history file at all (kept under its old name for callers).
EcbFormatError = TabularFormatError

__all__ = ["EcbFormatError", "EcbParseResult", "EcbRate", "LineError", "parse", "read_source"]


@dataclass(frozen=True)
class EcbRate:
    date: date
    currency: str
    rate: Decimal  # units of `currency` per 1 EUR, exactly as published


@dataclass
class EcbParseResult:
    rates: list[EcbRate] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    currencies: list[str] = field(default_factory=list)

    @property
    def dates(self) -> list[date]:
        return sorted({r.date for r in self.rates})


def read_source(source: str | bytes | Path) -> str:
    """The CSV text of a path or raw bytes, unpacking the .zip the ECB serves."""
    data = Path(source).read_bytes() if isinstance(source, str | Path) else source
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = [n for n in archive.namelist() if n.lower().endswith(".csv")]
                if len(members) != 1:
                    raise EcbFormatError(f"Expected one CSV file in the zip, found {len(members)}.")
                data = archive.read(members[0])
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise EcbFormatError(
                f"The zip archive is damaged or incomplete (a cut download?): {exc}"
            ) from exc
    if not data.strip():
        raise EcbFormatError("The file is empty.")
    encoding = detect(data[:65536], complete=len(data) <= 65536)
    return text_stream(io.BytesIO(data), encoding).read()


def parse(text: str) -> EcbParseResult:
    table = open_table(text.encode("utf-8"))
    currencies = _currencies(table.header)
    result = EcbParseResult(currencies=currencies)
    seen: dict[date, int] = {}
    for chunk in table.chunks:
        _parse_chunk(chunk, currencies, seen, result)
    result.errors.sort(key=lambda e: e.line)
    return result


def _currencies(header: list[str]) -> list[str]:
    names = [h.strip() for h in header]
    while names and names[-1] == "":
        names.pop()
    if not names or names[0] != "Date":
        raise EcbFormatError("The first line must be the ECB header: Date,USD,JPY,…")
    currencies = names[1:]
    bad = [c for c in currencies if not _CURRENCY.match(c)]
    if bad or len(set(currencies)) != len(currencies) or not currencies:
        raise EcbFormatError(f"Header has invalid or repeated currency columns: {bad or names}")
    return currencies


def _parse_chunk(
    chunk: RawChunk, currencies: list[str], seen: dict[date, int], result: EcbParseResult
) -> None:
    width = len(currencies) + 1
    cells = chunk.cells.iloc[:, :width].apply(lambda c: c.str.strip())
    lines = pd.Series(chunk.lines, index=cells.index)
    fields = pd.Series(chunk.fields, index=cells.index)
    present = fields > 0  # blank lines are skipped
    wrong_width = present & (fields != width)
    for at in wrong_width[wrong_width].index:
        result.errors.append(LineError(int(lines[at]), f"expected {len(currencies)} rates "
                                       f"after the date, found {int(fields[at]) - 1}"))  # fmt: skip
    rows = present & ~wrong_width
    days = pd.to_datetime(cells[0].where(rows, None), format="%Y-%m-%d", errors="coerce")
    bad_day = rows & days.isna()
    for at in bad_day[bad_day].index:
        result.errors.append(
            LineError(int(lines[at]), f"not a date (YYYY-MM-DD): {cells.at[at, 0]!r}")
        )
    rows &= ~bad_day
    for at in rows[rows].index:  # one entry per day: a file has a few thousand
        day = days[at].date()
        if day in seen:
            result.errors.append(
                LineError(int(lines[at]), f"{day} already appeared on line {seen[day]}")
            )
            rows[at] = False
        else:
            seen[day] = int(lines[at])
    _rates(cells.loc[rows], days.loc[rows], lines.loc[rows], currencies, result)


def _rates(
    cells: pd.DataFrame, days: pd.Series, lines: pd.Series, currencies: list[str],
    result: EcbParseResult,
) -> None:  # fmt: skip
    """Every quoted rate of the good rows, checked a whole column at a time."""
    if cells.empty:
        return
    values = cells.iloc[:, 1:]
    values.columns = currencies
    long = values.stack(future_stack=True)
    long = long[~long.isin(MISSING)]
    numbers = pd.to_numeric(
        long.where(long.str.fullmatch(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d{1,3})?").fillna(False)),
        errors="coerce",
    )
    good = np.isfinite(numbers.to_numpy(dtype="float64")) & (numbers.to_numpy(dtype="float64") > 0)
    for (at, currency), value in long[~good].items():
        result.errors.append(
            LineError(int(lines[at]), f"{currency}: not a positive rate: {value!r}")
        )
    for (at, currency), value in long[good].items():
        result.rates.append(EcbRate(days[at].date(), currency, Decimal(value)))
