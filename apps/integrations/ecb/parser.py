"""Parse the ECB history file (eurofxref-hist.csv) into rates and per-line errors.

The format, as the ECB serves it:

    Date,USD,JPY,BGN,CYP,...,ZAR,
    2024-11-22,1.0412,161.19,1.9558,N/A,...,18.8880,

one row per TARGET business day, newest first, every rate in units of currency per 1 EUR, a
trailing comma on every line (an empty last column), `N/A` where a currency was not quoted that
day (columns of retired currencies such as CYP or DEM stay in the file). A malformed line is
reported with its line number and skipped; a malformed value costs only that value.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

MISSING = {"", "N/A"}
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class EcbFormatError(ValueError):
    """The input is not an ECB history file at all (no usable header)."""


@dataclass(frozen=True)
class EcbRate:
    date: date
    currency: str
    rate: Decimal  # units of `currency` per 1 EUR, exactly as published


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


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
    data = Path(source).read_bytes() if isinstance(source, (str, Path)) else source
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if len(members) != 1:
                raise EcbFormatError(f"Expected one CSV file in the zip, found {len(members)}.")
            data = archive.read(members[0])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EcbFormatError("The file is not UTF-8 text.") from exc


def parse(text: str) -> EcbParseResult:
    lines = csv.reader(io.StringIO(text))
    result = EcbParseResult()
    columns = _header(lines)
    result.currencies = columns
    seen: dict[date, int] = {}
    for fields in lines:
        number = lines.line_num
        if not any(f.strip() for f in fields):
            continue
        fields = [f.strip() for f in fields]
        while len(fields) > len(columns) + 1 and fields[-1] == "":
            fields.pop()  # the trailing comma's empty column
        if len(fields) != len(columns) + 1:
            found = len(fields) - 1 - (fields[-1] == "")
            result.errors.append(
                LineError(number, f"expected {len(columns)} rates after the date, found {found}")
            )
            continue
        try:
            day = date.fromisoformat(fields[0])
        except ValueError:
            result.errors.append(LineError(number, f"not a date (YYYY-MM-DD): {fields[0]!r}"))
            continue
        if day in seen:
            result.errors.append(LineError(number, f"{day} already appeared on line {seen[day]}"))
            continue
        seen[day] = number
        for currency, value in zip(columns, fields[1:], strict=True):
            if value in MISSING:
                continue
            rate = _rate(value)
            if rate is None:
                result.errors.append(
                    LineError(number, f"{currency}: not a positive rate: {value!r}")
                )
            else:
                result.rates.append(EcbRate(day, currency, rate))
    return result


def _header(lines) -> list[str]:
    for fields in lines:
        if not any(f.strip() for f in fields):
            continue
        names = [f.strip() for f in fields]
        while names and names[-1] == "":
            names.pop()
        if not names or names[0] != "Date":
            raise EcbFormatError("The first line must be the ECB header: Date,USD,JPY,…")
        currencies = names[1:]
        bad = [c for c in currencies if not _CURRENCY.match(c)]
        if bad or len(set(currencies)) != len(currencies) or not currencies:
            raise EcbFormatError(f"Header has invalid or repeated currency columns: {bad or names}")
        return currencies
    raise EcbFormatError("The file is empty.")


def _rate(value: str) -> Decimal | None:
    try:
        rate = Decimal(value)
    except InvalidOperation:
        return None
    return rate if rate.is_finite() and rate > 0 else None
