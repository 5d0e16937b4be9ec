"""Rows that arrive as data (an API's JSON list) typed by the same rules as a file's lines."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from .readers import RawChunk, cell_text
from .schema import Schema

if TYPE_CHECKING:
    from .pipeline import TypedChunk


def typed_records(records: list[dict[str, Any]], schema: Schema) -> TypedChunk | None:
    """One TypedChunk of `records` (dicts keyed by the schema's column names), None when
    there are none; rows are numbered from 1, as an API reports them."""
    from .pipeline import typed_chunk

    names = list(schema.columns)
    extra = sorted({k for r in records for k in r} - set(names))
    header = names + extra
    cells = pd.DataFrame(
        [[cell_text(r.get(k)) for k in header] for r in records] or None,
        columns=range(len(header)), dtype="str",
    )  # fmt: skip
    raw = RawChunk(
        cells=cells,
        lines=np.arange(1, len(records) + 1, dtype=np.int64),
        fields=np.full(len(records), len(header), dtype=np.int64),
    )
    chunk = typed_chunk(raw, schema, {name: i for i, name in enumerate(names)})
    # A JSON list or object where a cell belongs is not a value (its text would be stored).
    nested = [next((k for k in header if isinstance(r.get(k), dict | list)), "") for r in records]
    if chunk is not None and any(nested):
        reasons = pd.Series(
            [_("%(column)s is not a single value") % {"column": k} for k in nested],
            index=chunk.rows.index,
            dtype=object,
        )
        chunk.fail(pd.Series([bool(k) for k in nested], index=chunk.rows.index), reasons,
                   order=-3)  # fmt: skip
    return chunk
