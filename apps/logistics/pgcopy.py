"""Read a query's rows straight into NumPy arrays with `COPY … TO STDOUT (FORMAT binary)`.

For the planner's big reads (a year of order lines, ~11 M rows for 100,000 SKUs): every column
is a fixed-width, non-NULL number (int4, int8, float8), so every row of PostgreSQL's binary
format has the same size and the whole stream is one NumPy structured array: no text to
format or parse, no Python object per row. The query must COALESCE nullable columns and cast
each column to the declared type.
"""

from __future__ import annotations

import io

import numpy as np
from django.db import connection

SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
_SIZES = {"int2": ("i2", 2), "int4": ("i4", 4), "int8": ("i8", 8), "float8": ("f8", 8)}


def copy_arrays(
    sql: str, params: dict | list | None, columns: list[tuple[str, str]], work_mem: str = ""
) -> dict:
    """Run `sql` (bound with `params`) through binary COPY; `columns` are (name, pg type) in
    the query's order, types from int2/int4/int8/float8. Returns {name: native 1-d array}.
    `work_mem` (e.g. "256MB") is set for this statement only: a hash join over a year of
    orders in memory rather than spilled in batches."""
    fields: list[tuple[str, str]] = [("_n", ">i2")]
    for name, kind in columns:
        code, _size = _SIZES[kind]
        fields += [(f"_len_{name}", ">i4"), (name, f">{code}")]
    row = np.dtype(fields)
    buf = io.BytesIO()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        query = raw.mogrify(sql, params)
        query = query.decode() if isinstance(query, bytes) else query
        if work_mem:
            raw.execute("SELECT set_config('work_mem', %s, false)", [work_mem])
        try:
            raw.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT binary)", buf)
        finally:
            if work_mem:
                raw.execute("RESET work_mem")
    data = buf.getbuffer()
    if bytes(data[:11]) != SIGNATURE:
        raise ValueError("not a binary COPY stream")
    ext = int.from_bytes(bytes(data[15:19]), "big")
    head = 19 + ext
    count = (len(data) - head - 2) // row.itemsize
    if head + count * row.itemsize + 2 != len(data) or bytes(data[-2:]) != b"\xff\xff":
        raise ValueError("rows of unexpected size (a NULL or a column of another type?)")
    rows = np.frombuffer(data, dtype=row, count=count, offset=head)
    if count and (
        (rows["_n"] != len(columns)).any()
        or any((rows[f"_len_{n}"] != _SIZES[k][1]).any() for n, k in columns)
    ):
        raise ValueError("rows of unexpected shape (a NULL or a column of another type?)")
    out = {name: rows[name].astype(rows[name].dtype.newbyteorder("=")) for name, _ in columns}
    del rows
    data.release()
    return out
