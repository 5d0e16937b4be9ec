"""The one CSV helper every file the platform writes goes through: text a spreadsheet would run
as a formula gets a leading apostrophe; numbers and ordinary text pass unchanged."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from apps.core.csv_safe import safe_cell, safe_writer


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+49 30 1234", "'+49 30 1234"),
        ("-cheap", "'-cheap"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Voltora 20W = fast", "Voltora 20W = fast"),
        ("", ""),
        (-3, -3),
        (Decimal("-1.50"), Decimal("-1.50")),
        (None, None),
    ],
)
def test_formula_cells_are_escaped_and_numbers_are_not(cell, written):
    assert safe_cell(cell) == written


def test_the_writer_escapes_every_row_it_writes():
    fh = io.StringIO()
    writer = safe_writer(fh)
    writer.writerow(["=HYPERLINK(1)", -2])
    writer.writerows([["@x", "ok"]])
    assert list(csv.reader(io.StringIO(fh.getvalue()))) == [["'=HYPERLINK(1)", "-2"], ["'@x", "ok"]]
