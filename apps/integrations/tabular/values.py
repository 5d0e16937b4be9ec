"""Typed columns from text columns, a whole column at a time.

Every function takes a pandas Series of stripped text ("" = empty cell) and returns the typed
Series and a boolean Series `bad` (a non-empty cell that is not a value of the type). Checks
are vectorised (pandas string methods run as Arrow kernels when pyarrow is installed); Python
loops only build the final `Decimal` objects, because money must never pass through a float.

Numbers are read in either convention, cell by cell, as sellers' files mix them:
`12.99`, `12,99`, `1,234.56`, `1.234,56`, `1 234,56`, `$1,234.56`, `1.234,56 €`, `EUR 12`,
`12,5 %`; a single `,` or `.` followed by exactly three digits groups thousands (`1,980`,
`¥1.980` are 1980), as yen and won prices are written. `1E999`, `NaN`, `inf` and anything over
10^15 are not values: a line error, never an infinite or missing amount.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MAX_MAGNITUDE = 1e15
_CLEAN = r"[\s\x{00a0}\x{202f}'’%€$£¥₹₩￥₽₺₫฿]|(?i:[a-z]{3}|us|rmb|cn|jp)"
_DOT_GROUPS = r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+"  # 1.980, 1.234.567: dots group thousands
_COMMA_GROUPS = r"[+-]?[1-9]\d{0,2}(?:,\d{3})+"  # 1,980 and 1,234,567
_CANONICAL = r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d{1,2})?"

TRUE = {"1", "true", "yes", "y", "x", "t", "是", "ja", "oui", "sí", "si", "1.0", "はい"}
FALSE = {"", "0", "false", "no", "n", "f", "否", "nein", "non", "0.0", "いいえ"}

DATE_FORMATS = ("%Y/%m/%d", "%d.%m.%Y", "%Y年%m月%d日", "%d/%m/%Y", "%m/%d/%Y", "%Y%m%d",
                "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y")  # fmt: skip
DATETIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
                    "%Y年%m月%d日 %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S %z",
                    "%b %d, %Y %H:%M")  # fmt: skip


def _bool_mask(mask: pd.Series) -> pd.Series:
    return mask.fillna(False).astype(bool)


def arrow(cells: pd.Series) -> pa.ChunkedArray:
    """The column as an Arrow string array (zero-copy for Arrow-backed pandas strings)."""
    data = getattr(cells.array, "_pa_array", None)
    if data is None or (
        not pa.types.is_large_string(data.type) and not pa.types.is_string(data.type)
    ):
        data = pa.chunked_array([pa.array(cells.astype(object).tolist(), type=pa.large_string())])
    return pc.fill_null(data, "")


def _full(array: pa.ChunkedArray, pattern: str) -> pa.ChunkedArray:
    return pc.match_substring_regex(array, f"^(?:{pattern})$")


def number_text(cells: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(canonical text "-1234.56" or "", bad, percent) of a column of number cells, computed
    with Arrow kernels (RE2 regexes and memchr scans in C++), not a Python call per cell:
    about six passes over the column whatever mix of conventions it holds."""
    array = arrow(cells)
    filled = pc.not_equal(array, "")
    percent = pc.match_substring(array, "%")
    cleaned = pc.replace_substring_regex(array, _CLEAN, "")
    out = _normalise_marks(cleaned)
    out = pc.replace_substring_regex(out, r"^([+-]?)\.", r"\10.")  # ".5" is 0.5
    ok = _full(out, _CANONICAL)
    numbers = pc.cast(pc.if_else(ok, out, "0"), pa.float64())
    ok = pc.and_(ok, pc.less(pc.abs(numbers), MAX_MAGNITUDE))
    bad = pc.and_(filled, pc.invert(ok))
    text = pc.if_else(ok, out, "")
    index = cells.index
    return (
        pd.Series(text.to_numpy(zero_copy_only=False), index=index, dtype=object),
        pd.Series(bad.to_numpy(zero_copy_only=False), index=index, dtype=bool),
        pd.Series(percent.to_numpy(zero_copy_only=False), index=index, dtype=bool),
    )


def _normalise_marks(text: pa.ChunkedArray) -> pa.ChunkedArray:
    """Dot-decimal text from cells written with group and decimal marks. With both marks the
    last one is the decimal mark (1,234.56 and 1.234,56); a lone mark followed by groups of
    three digits groups thousands (1,980 and 1.980); any other lone comma is a decimal comma.
    What this leaves malformed ("1,2.3,4") fails the canonical check afterwards."""
    comma, dot = pc.match_substring(text, ","), pc.match_substring(text, ".")
    both = pc.and_(comma, dot)
    comma_last = pc.and_(both, pc.match_substring_regex(text, r",[^.]*$"))
    only_comma = pc.and_(comma, pc.invert(dot))
    only_dot = pc.and_(dot, pc.invert(comma))
    no_commas = pc.replace_substring(text, ",", "")
    no_dots = pc.replace_substring(text, ".", "")
    comma_as_dot = pc.replace_substring(no_dots, ",", ".")
    comma_groups = pc.and_(only_comma, _full(text, _COMMA_GROUPS))
    dot_groups = pc.and_(only_dot, _full(text, _DOT_GROUPS))
    out = pc.if_else(comma_last, comma_as_dot, pc.if_else(both, no_commas, text))
    out = pc.if_else(only_comma, pc.if_else(comma_groups, no_commas, comma_as_dot), out)
    return pc.if_else(dot_groups, no_dots, out)


def to_decimal(text: pd.Series) -> pd.Series:
    """Decimal objects from canonical number text ("" → None): the one Python loop, because
    money must never pass through a float."""
    return pd.Series(
        [Decimal(t) if t else None for t in text.tolist()], index=text.index, dtype=object
    )


def parse_decimal_column(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    text, bad, _percent = number_text(cells)
    return to_decimal(text), bad


def parse_integer_column(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    text, bad, _percent = number_text(cells)
    numbers = pd.to_numeric(text.where(text != "", None), errors="coerce")
    whole = numbers.isna() | (numbers == np.floor(numbers.fillna(0)))
    bad = bad | ((text != "") & ~whole)
    return numbers.where(~bad).astype("Int64"), bad


def parse_bool_column(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    lowered = cells.str.lower()
    true, false = lowered.isin(TRUE), lowered.isin(FALSE)
    return pd.Series(true.to_numpy(), index=cells.index), ~(true | false)


def parse_datetime_column(
    cells: pd.Series, *, dates_only: bool = False
) -> tuple[pd.Series, pd.Series]:
    """UTC datetimes (times without a zone are UTC); `dates_only` keeps the day.

    The formats that read a sample of the column are tried first, so a column written one way
    (the usual case) costs one vectorised pass; cells left over try the other formats."""
    filled = cells != ""
    source = cells.astype(object).where(filled, None)
    formats = DATE_FORMATS if dates_only else (*DATETIME_FORMATS, *DATE_FORMATS)
    result = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[ns, UTC]")
    for fmt in _ranked(source[filled].head(50), ("ISO8601", *formats)):
        missing = filled & result.isna()
        if not missing.any():
            break
        result[missing] = _to_datetime(source[missing], fmt)
    bad = filled & result.isna()
    return result, bad


def _ranked(sample: pd.Series, formats: tuple[str, ...]) -> list[str]:
    """Formats by how many cells of the sample they read (ties keep the declared order)."""
    if sample.empty:
        return list(formats)
    hits = {fmt: int(_to_datetime(sample, fmt).notna().sum()) for fmt in formats}
    return sorted(formats, key=lambda fmt: -hits[fmt])


def _to_datetime(cells: pd.Series, fmt: str) -> pd.Series:
    try:
        parsed = pd.to_datetime(cells, format=fmt, errors="coerce", utc=True)
    except (ValueError, OverflowError):  # mixed offsets and out-of-bounds years
        parsed = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[ns, UTC]")
    return parsed.astype("datetime64[ns, UTC]")
