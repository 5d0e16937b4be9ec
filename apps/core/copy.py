"""COPY a DataFrame into a table of the caller's session (set-based writes of big batches).

pyarrow's CSV writer formats a 250,000-row frame about 5× faster than `DataFrame.to_csv` (the
repricer writes up to a million rows a run). Missing values (NaN, pandas NA) become unquoted
empty fields, which COPY reads as NULL; strings are quoted where needed.
"""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="needed")


def frame_csv(frame: pd.DataFrame) -> io.BytesIO:
    """The frame as header-less CSV bytes, ready for `COPY ... FROM STDIN WITH (FORMAT csv)`."""
    sink = io.BytesIO()
    pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), sink, _OPTIONS)
    sink.seek(0)
    return sink


def copy_frame_into(cursor, table: str, frame: pd.DataFrame) -> None:
    """COPY the frame's columns (by name) into `table`; `cursor` is a Django cursor."""
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    cursor.cursor.copy_expert(
        f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", frame_csv(frame)
    )
