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

MAX_MAGNITUDE = 1e15
_CLEAN = r"[\s\u00a0\u202f'’%€$£¥₹₩￥₽₺₫฿]|(?i:\b(?:[a-z]{3}|us|rmb)\b)|(?i:^(?:us|rmb|r)\b)"
_PLAIN = r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d{1,2})?|[+-]?\.\d+"
_DOT_GROUPS = r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+"  # 1.980, 1.234.567: dots group thousands
_COMMA_GROUPS = r"[+-]?[1-9]\d{0,2}(?:,\d{3})+"  # 1,980 and 1,234,567
_COMMA_GROUPS_DOT = r"[+-]?\d{1,3}(?:,\d{3})+\.\d+"  # 1,234.56
_DOT_GROUPS_COMMA = r"[+-]?\d{1,3}(?:\.\d{3})+,\d+"  # 1.234,56
_COMMA_DECIMAL = r"[+-]?\d*,\d+"  # 12,99 and ,5

TRUE = {"1", "true", "yes", "y", "x", "t", "是", "ja", "oui", "sí", "si", "1.0", "はい"}
FALSE = {"", "0", "false", "no", "n", "f", "否", "nein", "non", "0.0", "いいえ"}

DATE_FORMATS = ("%Y/%m/%d", "%d.%m.%Y", "%Y年%m月%d日", "%d/%m/%Y", "%m/%d/%Y", "%Y%m%d",
                "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y")  # fmt: skip
DATETIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
                    "%Y年%m月%d日 %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S %z",
                    "%b %d, %Y %H:%M")  # fmt: skip


def _bool_mask(mask: pd.Series) -> pd.Series:
    return mask.fillna(False).astype(bool)


def number_text(cells: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(canonical text "-1234.56" or "", bad, percent) of a column of number cells."""
    filled = cells != ""
    percent = _bool_mask(cells.str.contains("%", regex=False))
    plain = _bool_mask(cells.str.fullmatch(_PLAIN))
    # Most cells of most files are plain ("12.99"): only the others go through the cleanup.
    dot_groups = plain & _bool_mask(cells.str.fullmatch(_DOT_GROUPS))
    out = cells.where(plain & ~dot_groups, "")
    rest = filled & (~plain | dot_groups)
    if rest.any():
        text = cells[rest].str.replace(_CLEAN, "", regex=True)
        out[rest] = _normalise_marks(text)
    bad = filled & (out == "")
    values = pd.to_numeric(out.where(~bad & filled, None), errors="coerce")
    huge = filled & ~bad & ~np.isfinite(values.fillna(0).to_numpy(dtype="float64"))
    huge |= filled & ~bad & (values.abs() >= MAX_MAGNITUDE).fillna(False)
    bad = bad | huge
    return out.where(~bad, ""), bad, percent


def _normalise_marks(text: pd.Series) -> pd.Series:
    """Canonical dot-decimal text for cells written with group and decimal marks."""
    out = pd.Series("", index=text.index, dtype=object)
    rules = (
        (_PLAIN, None, None),
        (_COMMA_GROUPS_DOT, ",", None),
        (_DOT_GROUPS_COMMA, ".", ","),
        (_DOT_GROUPS, ".", None),
        (_COMMA_GROUPS, ",", None),
        (_COMMA_DECIMAL, None, ","),
    )
    todo = pd.Series(True, index=text.index)
    for pattern, group, decimal in rules:
        hit = todo & _bool_mask(text.str.fullmatch(pattern))
        if pattern == _PLAIN:
            hit &= ~_bool_mask(text.str.fullmatch(_DOT_GROUPS))
        if not hit.any():
            continue
        value = text[hit]
        if group:
            value = value.str.replace(group, "", regex=False)
        if decimal:
            value = value.str.replace(decimal, ".", regex=False)
        out[hit] = value.astype(object)
        todo &= ~hit
    return out.str.replace(r"^([+-]?)\.", r"\g<1>0.", regex=True).fillna("")


def to_decimal(text: pd.Series) -> pd.Series:
    """Decimal objects from canonical number text ("" → None)."""
    return pd.Series(
        [Decimal(t) if t else None for t in text.astype(object)], index=text.index, dtype=object
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
    """UTC datetimes (times without a zone are UTC); `dates_only` keeps the day."""
    filled = cells != ""
    source = cells.astype(object).where(filled, None)
    result = _to_datetime(source, "ISO8601")
    formats = DATE_FORMATS if dates_only else (*DATETIME_FORMATS, *DATE_FORMATS)
    for fmt in formats:
        missing = filled & result.isna()
        if not missing.any():
            break
        result[missing] = _to_datetime(source[missing], fmt)
    bad = filled & result.isna()
    return result, bad


def _to_datetime(cells: pd.Series, fmt: str) -> pd.Series:
    try:
        parsed = pd.to_datetime(cells, format=fmt, errors="coerce", utc=True)
    except (ValueError, OverflowError):  # mixed offsets and out-of-bounds years
        parsed = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[ns, UTC]")
    return parsed.astype("datetime64[ns, UTC]")
