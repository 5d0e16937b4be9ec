"""A header and rows (already formula-escaped with `apps.core.csv_safe`) as CSV or XLSX bytes:
the writer the dashboard's list exports share (orders, order risk, inbound shipments)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def table_bytes(
    head: list[str], rows: Iterable[list], *, fmt: str, sheet: str = "export"
) -> tuple[bytes, str]:
    """The file's bytes and content type: XLSX written row by row (openpyxl's write-only
    mode), CSV in UTF-8 with a BOM so spreadsheet programs read it as UTF-8."""
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(sheet[:31])
        ws.append(head)
        for row in rows:
            ws.append(row)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue(), XLSX_TYPE
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(head)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig"), CSV_TYPE
