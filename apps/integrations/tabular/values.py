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

Speed (a 1,000,000-row file in seconds): each step of the number path first asks the whole
column, with one cheap scan, whether any cell needs it — a symbol inside a cell, a second kind
of mark, a group of three digits — so a column written one way pays for that one convention's
passes, while a column that mixes them still gets every rule cell by cell.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MAX_MAGNITUDE = 1e15
_CLEAN = r"[\s\x{00a0}\x{202f}'’%€$£¥₹₩￥₽₺₫฿]|(?i:[a-z]{3}|us|rmb|cn|jp)"
# The characters of `_CLEAN`'s class (RE2's \s is ASCII: tab, newline, form feed, CR, space):
# those at either end of a cell (`$1,234.56`, `1.234,56 €`, `12,5 %`) go with one trim.
_EDGE_CHARS = "\t\n\f\r \u00a0\u202f'’%€$£¥₹₩￥₽₺₫฿"
_NOT_NUMBER_CHAR = r"[^0-9.,+-]"
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


def _any(mask: pa.ChunkedArray) -> bool:
    return bool(pc.any(mask).as_py())


def number_text(cells: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(canonical text "-1234.56" or "", bad, percent) of a column of number cells, computed
    with Arrow kernels (RE2 regexes and memchr scans in C++), not a Python call per cell."""
    text, ok, bad, _numbers = _number_arrays(cells)
    index = cells.index
    percent = pc.match_substring(arrow(cells), "%")
    return (
        pd.Series(pc.if_else(ok, text, "").to_numpy(zero_copy_only=False), index=index,
                  dtype=object),
        pd.Series(bad.to_numpy(zero_copy_only=False), index=index, dtype=bool),
        pd.Series(percent.to_numpy(zero_copy_only=False), index=index, dtype=bool),
    )  # fmt: skip


def _number_arrays(
    cells: pd.Series, *, need_numbers: bool = False
) -> tuple[pa.ChunkedArray, pa.ChunkedArray, pa.ChunkedArray, pa.ChunkedArray | None]:
    """(dot-decimal text, ok, bad, float value) of a column of number cells. Each step first
    asks the whole column whether it has anything to do (one cheap scan), so a column written
    one way pays for the passes of that one convention, not of every convention sellers use.
    The float (computed when asked or when a cell may be too large) is only for the
    magnitude check and the whole-number test, never for a Decimal value."""
    array = arrow(cells)
    filled = pc.not_equal(array, "")
    cleaned, plain = _clean(array)
    out = _normalise_marks(cleaned)
    if any(_any(pc.starts_with(out, lead)) for lead in (".", "+.", "-.")):
        out = pc.replace_substring_regex(out, r"^([+-]?)\.", r"\10.")  # ".5" is 0.5
    ok = _full(out, _CANONICAL)
    numbers: pa.ChunkedArray | None = None
    if need_numbers or _may_be_huge(out, exponent=not plain):
        numbers = pc.cast(pc.if_else(ok, out, "0"), pa.float64())
        ok = pc.and_(ok, pc.less(pc.abs(numbers), MAX_MAGNITUDE))
    bad = pc.and_(filled, pc.invert(ok))
    return out, ok, bad, numbers


def _may_be_huge(text: pa.ChunkedArray, *, exponent: bool) -> bool:
    """Whether a canonical number in `text` can reach MAX_MAGNITUDE: only with more than 15
    characters or an exponent (impossible when `_clean` found nothing but digits and marks),
    which cheap scans rule out for most columns."""
    longest = pc.max(pc.binary_length(text)).as_py() or 0
    if longest > 15:
        return True
    return exponent and (_any(pc.match_substring(text, "e")) or _any(pc.match_substring(text, "E")))


def _clean(array: pa.ChunkedArray) -> tuple[pa.ChunkedArray, bool]:
    """The cells without spaces, currency symbols or codes and percent signs (`_CLEAN`).
    Symbols at either end, as most files write them, go with one trim (no regex); the regex
    runs only on the cells that still hold a character a number does not have. Trimming
    first does not change what `_CLEAN` does: it removes the same class characters, and
    the letter runs the regex looks at are left as they were. The flag: whether the trimmed
    column held only digits, signs and marks (so no exponent either)."""
    trimmed = pc.utf8_trim(array, characters=_EDGE_CHARS)
    rest = pc.match_substring_regex(trimmed, _NOT_NUMBER_CHAR)
    if not _any(rest):
        return trimmed, True
    flat, mask = trimmed.combine_chunks(), rest.combine_chunks()
    cleaned = pc.replace_substring_regex(pc.filter(flat, mask), _CLEAN, "")
    return pa.chunked_array([pc.replace_with_mask(flat, mask, cleaned)]), False


def _normalise_marks(text: pa.ChunkedArray) -> pa.ChunkedArray:
    """Dot-decimal text from cells written with group and decimal marks. With both marks the
    last one is the decimal mark (1,234.56 and 1.234,56); a lone mark followed by groups of
    three digits groups thousands (1,980 and 1.980); any other lone comma is a decimal comma.
    What this leaves malformed ("1,2.3,4") fails the canonical check afterwards.

    Every cell ends up either with its commas dropped or with its dots dropped and its comma
    made the dot (`swap`): the column-wide checks skip the tests no cell can need."""
    comma, dot = pc.match_substring(text, ","), pc.match_substring(text, ".")
    any_comma, any_dot = _any(comma), _any(dot)
    if not (any_comma or any_dot):
        return text
    swap: pa.ChunkedArray | None = None
    if any_comma:  # a comma with no dot after it is the decimal mark, unless it groups
        swap = pc.match_substring_regex(text, r",[^.]*$") if any_dot else comma
        groups = _grouped(text, ",", _COMMA_GROUPS)
        if groups is not None:
            swap = pc.and_(swap, pc.invert(groups))
    if any_dot:  # dots that only group thousands go, as a swap would drop them
        groups = _grouped(text, ".", _DOT_GROUPS)
        if groups is not None:
            swap = groups if swap is None else pc.or_(swap, groups)
    if swap is None or not _any(swap):
        return pc.replace_substring(text, ",", "") if any_comma else text
    swapped = pc.replace_substring(pc.replace_substring(text, ".", ""), ",", ".")
    if not _any(pc.and_(pc.invert(swap), pc.or_(comma, dot))):
        return swapped  # the cells not swapped have no mark: both ways leave them as they are
    return pc.if_else(swap, swapped, pc.replace_substring(text, ",", ""))


def _grouped(text: pa.ChunkedArray, mark: str, pattern: str) -> pa.ChunkedArray | None:
    """Cells that are whole numbers grouped by `mark` (None when none can be): such a cell
    has the mark fourth from its end, a cheap test that spares the regex most columns."""
    if not _any(pc.equal(pc.utf8_slice_codeunits(text, -4, -3), mark)):
        return None
    return _full(text, pattern)


def to_decimal(text: pd.Series) -> pd.Series:
    """Decimal objects from canonical number text ("" → None): the one Python loop, because
    money must never pass through a float."""
    filled = text != ""
    return _decimals(arrow(text[filled]), filled.to_numpy(dtype=bool), text.index)


def _decimals(texts: pa.ChunkedArray, filled: np.ndarray, index: pd.Index) -> pd.Series:
    """`Decimal` of each text at the positions `filled` marks, None elsewhere, by `map` over
    the non-empty cells. When the first thousand repeat themselves (percents, round prices),
    each distinct text is converted once (a hash pass in Arrow, then `map` over the distinct
    values), as a Decimal is immutable and rows may share it."""
    result = np.full(len(filled), None, dtype=object)
    head = texts.slice(0, 1000).to_pylist()
    if len(set(head)) > len(head) // 2:  # mostly distinct (prices): hashing would not pay
        result[np.flatnonzero(filled)] = list(map(Decimal, texts.to_numpy(zero_copy_only=False)))
    elif len(texts):
        encoded = pc.dictionary_encode(texts).combine_chunks()
        distinct = np.fromiter(
            map(Decimal, encoded.dictionary.to_numpy(zero_copy_only=False)),
            dtype=object, count=len(encoded.dictionary),
        )  # fmt: skip
        result[np.flatnonzero(filled)] = distinct[encoded.indices.to_numpy()]
    return pd.Series(result, index=index, dtype=object)


def parse_decimal_column(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    text, ok, bad, _numbers = _number_arrays(cells)
    filled = ok.to_numpy(zero_copy_only=False)
    decimals = _decimals(pc.filter(text, ok), filled, cells.index)
    return decimals, pd.Series(bad.to_numpy(zero_copy_only=False), index=cells.index)


def parse_integer_column(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Int64 values; the float of `_number_arrays` is exact for every whole number under the
    magnitude limit, so it decides wholeness and gives the value without a second parse."""
    _text, ok, bad, numbers = _number_arrays(cells, need_numbers=True)
    assert numbers is not None
    values = numbers.to_numpy()
    fine = ok.to_numpy(zero_copy_only=False)
    whole = values == np.floor(values)
    good = fine & whole
    typed = pd.arrays.IntegerArray(np.where(good, values, 0).astype(np.int64), ~good)
    bad_mask = bad.to_numpy(zero_copy_only=False) | (fine & ~whole)
    return pd.Series(typed, index=cells.index), pd.Series(bad_mask, index=cells.index)


def parse_bool_column(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    lowered = cells.str.lower()
    true, false = lowered.isin(TRUE), lowered.isin(FALSE)
    return pd.Series(true.to_numpy(), index=cells.index), ~(true | false)


def parse_datetime_column(
    cells: pd.Series, *, dates_only: bool = False
) -> tuple[pd.Series, pd.Series]:
    """UTC datetimes (times without a zone are UTC); `dates_only` keeps the day.

    Each distinct text is parsed once (a column repeats its dates: a thousand days in
    50,000 rows), then spread back to its rows."""
    filled = (cells != "").to_numpy(dtype=bool)
    present = cells[filled].astype(object)
    codes, distinct = pd.factorize(present)
    formats = DATE_FORMATS if dates_only else (*DATETIME_FORMATS, *DATE_FORMATS)
    typed = _parse_distinct(pd.Series(distinct, dtype=object), present.head(50), formats)
    rows = np.full(len(cells), -1, dtype=np.intp)
    rows[filled] = codes
    result = pd.Series(typed.array.take(rows, allow_fill=True), index=cells.index)
    return result, pd.Series(filled, index=cells.index) & result.isna()


def _parse_distinct(source: pd.Series, sample: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    """The datetimes of non-empty texts. The formats that read a sample of the column are
    tried first, so a column written one way (the usual case) costs one vectorised pass;
    cells left over try the other formats."""
    result = pd.Series(pd.NaT, index=source.index, dtype="datetime64[ns, UTC]")
    candidates = ("ISO8601", *formats)
    first = _reads_all(sample, candidates)
    if first:  # the format the ranking would put first: try it alone before ranking the rest
        result[:] = _to_datetime(source, first)
        if result.notna().all():
            return result
    for fmt in _ranked(sample, candidates):
        missing = result.isna()
        if not missing.any():
            break
        result[missing] = _to_datetime(source[missing], fmt)
    return result


def _reads_all(sample: pd.Series, formats: tuple[str, ...]) -> str:
    """The first format that reads every cell of the sample ("" if none): `_ranked` would put
    it first (ties keep the declared order), and it usually reads the whole column, so the
    other formats need not be tried on the sample at all."""
    for fmt in formats:
        if not sample.empty and _to_datetime(sample, fmt).notna().all():
            return fmt
    return ""


def _ranked(sample: pd.Series, formats: tuple[str, ...]) -> list[str]:
    """Formats by how many cells of the sample they read (ties keep the declared order)."""
    if sample.empty:
        return list(formats)
    hits = {fmt: int(_to_datetime(sample, fmt).notna().sum()) for fmt in formats}
    return sorted(formats, key=lambda fmt: -hits[fmt])


_NS_MIN = pd.Timestamp.min.tz_localize("UTC")
_NS_MAX = pd.Timestamp.max.tz_localize("UTC")


def _to_datetime(cells: pd.Series, fmt: str) -> pd.Series:
    try:
        parsed = pd.to_datetime(cells, format=fmt, errors="coerce", utc=True)
    except (ValueError, OverflowError):  # mixed offsets and out-of-bounds years
        parsed = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[ns, UTC]")
    # pandas may parse `9999/12/31` at a coarser resolution; such a cell is a line error, not a
    # failed column (nanosecond timestamps end in 2262).
    in_range = (parsed >= _NS_MIN) & (parsed <= _NS_MAX)
    return parsed.where(in_range).astype("datetime64[ns, UTC]")
