"""Order imports: the Amazon all-orders report, Shopify's order export, ERP order-line files
and the bulk API, all written set-based.

Each format's parser (apps/integrations/<format>/) turns a chunk of typed rows into the same
normalised frame of order lines (the columns of `staging.TEXT`, `TIMES`, `MONEY`, `INTS`,
`FLAGS`). Every chunk's lines are COPYed into one staging table; after the last chunk, orders
(from the distinct order ids) and their lines are upserted in one transaction
(`staging.StagedLines`): a re-import changes nothing, a later file's statuses, amounts, refunds
and returns are applied, and an order's lines may be anywhere in the file. Plain UTF-8 Amazon
reports are read by Arrow's CSV reader (`tabular.arrow_reader`), other files by the tabular
pipeline; both give the same typed chunks and line-numbered errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from django.utils.translation import gettext as _

from apps.accounts.models import Organization
from apps.catalog.models import Store
from apps.core.money import CURRENCIES
from apps.integrations.amazon_orders import parser as amazon
from apps.integrations.order_lines import parser as generic
from apps.integrations.services import ChunkOutcome, file_import
from apps.integrations.shopify_orders import parser as shopify
from apps.integrations.tabular.errors import LineError
from apps.integrations.tabular.pipeline import TabularReader, TypedChunk
from apps.integrations.tabular.readers import Source

from .staging import INTS, MONEY, StagedLines, money_array

FORMATS = {"amazon": amazon, "shopify": shopify, "lines": generic}


@dataclass
class OrderImportResult:
    rows: int = 0
    lines: int = 0  # lines written
    orders_created: int = 0
    orders_updated: int = 0
    items_created: int = 0
    items_updated: int = 0
    errors: list[LineError] = field(default_factory=list)
    import_run_id: int | None = None
    duplicate_of: int | None = None
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows, "lines": self.lines, "orders_created": self.orders_created,
            "orders_updated": self.orders_updated, "items_created": self.items_created,
            "items_updated": self.items_updated, "errors": [e.as_dict() for e in self.errors],
            "import_run": self.import_run_id, "duplicate_of": self.duplicate_of,
            "message": self.message,
        }  # fmt: skip


class _Lookahead:
    """The reader's chunks with `last` set while the final one is handled."""

    def __init__(self, reader: TabularReader) -> None:
        self.reader = reader
        self.last = False

    format = property(lambda self: self.reader.format)
    encoding = property(lambda self: self.reader.encoding)
    columns = property(lambda self: self.reader.columns)

    def __iter__(self) -> Iterator[TypedChunk]:
        previous = None
        for chunk in self.reader:
            if previous is not None:
                yield previous
            previous = chunk
        self.last = True
        if previous is not None:
            yield previous


class _Writer:
    """Stages a file's normalised lines chunk by chunk (a repeated order line is a line error
    naming the first one, across chunks too) and writes them all after the last chunk."""

    def __init__(self, *, org: Organization, store: Store, source: str, score: bool) -> None:
        self.staged = StagedLines(org=org, store=store, source=source, score=score)
        self.seen = _SeenKeys()
        self.result = OrderImportResult()

    def add(self, frame: pd.DataFrame, *, last: bool) -> ChunkOutcome:
        frame, errors = self.seen.drop_repeats(frame)
        self.staged.add(frame)
        self.result.lines += len(frame)
        outcome = ChunkOutcome(errors=errors)
        if last:
            self.finish(outcome)
        return outcome

    def finish(self, outcome: ChunkOutcome | None = None) -> None:
        """Write everything staged, in one transaction (counted on the last chunk)."""
        try:
            counts = self.staged.write()
        finally:
            self.staged.close()
        result = self.result
        result.orders_created, result.orders_updated = counts.orders_created, counts.orders_updated
        result.items_created, result.items_updated = counts.items_created, counts.items_updated
        if outcome is not None:
            outcome.created, outcome.updated = counts.items_created, counts.items_updated

    def close(self) -> None:
        self.staged.close()

    @property
    def touched_from(self) -> pd.Timestamp | None:
        return self.staged.first_ordered_at


class _SeenKeys:
    """The (order id, item key) pairs seen so far, as two 64-bit hashes per pair in sorted
    arrays: a million lines cost a few vectorised sorts, not a million dictionary inserts."""

    _KEYS = ("0123456789abcdef", "fedcba9876543210")

    def __init__(self) -> None:
        self.h1 = np.empty(0, dtype=np.uint64)
        self.h2 = np.empty(0, dtype=np.uint64)
        self.lines = np.empty(0, dtype=np.int64)

    def drop_repeats(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[LineError]]:
        if not len(frame):
            return frame, []
        pairs = pc.binary_join_element_wise(
            amazon.arrow_text(frame["order_id"]), amazon.arrow_text(frame["item_key"]), "\x1f"
        ).to_numpy(zero_copy_only=False)
        h1 = pd.util.hash_array(pairs, hash_key=self._KEYS[0])
        h2 = pd.util.hash_array(pairs, hash_key=self._KEYS[1])
        lines = frame["line"].to_numpy(dtype=np.int64)
        first = np.full(len(frame), -1, dtype=np.int64)
        pairs_frame = pd.DataFrame({"a": h1, "b": h2, "line": lines})
        inside = pairs_frame.duplicated(["a", "b"]).to_numpy()
        if inside.any():  # repeats within the chunk: the pair's first line is kept
            firsts = pairs_frame.groupby(["a", "b"])["line"].transform("min").to_numpy()
            first[inside] = firsts[inside]
        if len(self.h1):  # repeats of an earlier chunk's line
            at = np.minimum(np.searchsorted(self.h1, h1), len(self.h1) - 1)
            earlier = (self.h1[at] == h1) & (self.h2[at] == h2)
            first[earlier] = self.lines[at[earlier]]
        repeat = first >= 0
        keep = ~repeat
        h1_all = np.concatenate([self.h1, h1[keep]])
        order = np.argsort(h1_all, kind="stable")
        self.h1 = h1_all[order]
        self.h2 = np.concatenate([self.h2, h2[keep]])[order]
        self.lines = np.concatenate([self.lines, lines[keep]])[order]
        if not repeat.any():
            return frame, []
        errors = [
            LineError(int(line), _(
                "order %(order)s line %(item)s repeats line %(first)d (skipped)"
            ) % {"order": order_id, "item": item, "first": int(earlier_line)})
            for line, order_id, item, earlier_line in zip(
                lines[repeat], frame["order_id"].to_numpy(dtype=object)[repeat],
                frame["item_key"].to_numpy(dtype=object)[repeat], first[repeat], strict=True,
            )
        ]  # fmt: skip
        return frame.loc[keep], errors


# Per line: an order's total (a sum of its lines) must still fit numeric(14, 4).
MAX_LINE_AMOUNT = 10**9
MAX_QUANTITY = 1_000_000


def _check_amounts(chunk: TypedChunk, lines: pd.DataFrame) -> list[LineError]:
    """Lines the database would refuse: an unknown currency, an amount or quantity too large."""
    bad = ~lines["currency"].isin(CURRENCIES) & (lines["currency"] != "")
    errors = [
        LineError(int(line), _("unknown currency %(c)r") % {"c": currency})
        for line, currency in zip(lines.loc[bad, "line"], lines.loc[bad, "currency"], strict=True)
    ]
    huge = np.zeros(len(lines), dtype=bool)
    for column in MONEY:
        if column in lines:
            values = pc.cast(
                pc.fill_null(money_array(lines[column], len(lines)), "0"), pa.float64()
            )
            huge |= pc.greater_equal(pc.abs(values), MAX_LINE_AMOUNT).to_numpy(zero_copy_only=False)
    huge = pd.Series(huge, index=lines.index)
    for column in INTS:
        if column in lines:
            huge |= lines[column].fillna(0).astype("int64") > MAX_QUANTITY
    errors += [
        LineError(int(line), _("an amount or quantity is too large to store"))
        for line in lines.loc[huge & ~bad, "line"]
    ]
    return errors


def _drop(lines: pd.DataFrame, errors: list[LineError]) -> pd.DataFrame:
    if not errors:
        return lines
    bad = {e.line for e in errors}
    return lines.loc[~lines["line"].isin(bad)]


def order_file_import(
    *,
    org: Organization,
    store: Store,
    data: Source,
    filename: str = "",
    format: str = "amazon",
    actor=None,
    score: bool = True,
) -> OrderImportResult:
    """Import an order file of `format` ('amazon', 'shopify' or 'lines') into `store`.

    Raises TabularFormatError when the file as a whole cannot be read (no recognisable header,
    a missing required column); every bad line is reported with its number and skipped, the
    good ones are written. The same bytes imported again are recognised (`duplicate_of`); a
    changed file updates statuses, amounts, refunds and returns in place."""
    parser = FORMATS[format]
    writer = _Writer(org=org, store=store, source=format, score=score)
    spreader = shopify.ShopifyLines() if format == "shopify" else None
    holder: dict[str, _Lookahead] = {}

    def open_reader(source: Source, name: str) -> _Lookahead:
        holder["reader"] = _Lookahead(parser.open_orders(source, name))
        return holder["reader"]

    def apply_chunk(chunk: TypedChunk) -> ChunkOutcome:
        if spreader is not None:
            spreader.fill(chunk)
        parser.check_lines(chunk)
        lines = parser.lines(chunk.good())
        errors = _check_amounts(chunk, lines)
        outcome = writer.add(_drop(lines, errors), last=holder["reader"].last)
        outcome.errors = sorted([*errors, *outcome.errors], key=lambda e: e.line)
        return outcome

    try:
        outcome = file_import(
            org=org, kind=f"orders_{format}", target=str(store.pk), source=data,
            filename=filename, open_reader=open_reader, apply_chunk=apply_chunk, actor=actor,
        )  # fmt: skip
    finally:
        writer.close()  # the staging table of a file that failed half-way
    run = outcome.run
    result = writer.result
    result.import_run_id = run.pk
    if outcome.is_duplicate:
        result.duplicate_of = outcome.duplicate_of.pk
        result.rows = outcome.duplicate_of.rows_read
        result.message = outcome.duplicate_message()
        return result
    result.rows = run.rows_read
    result.errors = outcome.errors
    return result


def order_rows_import(
    *, org: Organization, store: Store, rows: list[dict[str, Any]], score: bool = True
) -> OrderImportResult:
    """Import order lines given as data (the bulk API): rows numbered from 1 in errors."""
    result = OrderImportResult(rows=len(rows))
    chunk = generic.records_chunk(rows)
    if chunk is None:
        return result
    generic.check_lines(chunk)
    lines = generic.lines(chunk.good())
    errors = chunk.errors() + _check_amounts(chunk, lines)
    writer = _Writer(org=org, store=store, source="api", score=score)
    outcome = writer.add(_drop(lines, errors), last=True)
    result = writer.result
    result.rows = len(rows)
    result.errors = sorted([*errors, *outcome.errors], key=lambda e: e.line)
    return result


def _score_from(org: Organization, first: pd.Timestamp) -> None:
    """Score the orders placed since `first` (imports do it inside their write)."""
    from .risk import order_risk_score

    order_risk_score(org=org, since=first.to_pydatetime())


__all__ = ["OrderImportResult", "order_file_import", "order_rows_import"]
