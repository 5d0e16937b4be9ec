"""Amazon Ads bulk-operations XLSX (bulksheets 2.0) → typed entity rows, on the tabular pipeline.

The workbook has several sheets (`Portfolios`, `Sponsored Products Campaigns`, …); the SP sheet
is found by name (or as the first sheet whose header has `Entity` and `Campaign ID`). One row per
entity (`Campaign`, `Ad Group`, `Product Ad`, `Keyword`, `Negative Keyword`, `Campaign Negative
Keyword`, `Product Targeting`, `Bidding Adjustment`…); children carry their parents' ids; ids are
long digit strings kept as text; names to read are in the `(Informational only)` columns of a
download; values are case-insensitive and localized in some downloads (`Aktualisieren`).
Cells are typed by the pipeline (`typed_chunk`) from the schema in `columns.yaml`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from apps.integrations.tabular.errors import TabularFormatError
from apps.integrations.tabular.pipeline import TypedChunk, typed_chunk
from apps.integrations.tabular.readers import CHUNK_ROWS, RawChunk, Source, cell_text, open_binary
from apps.integrations.tabular.schema import load_schema

SCHEMA_FILE = Path(__file__).with_name("columns.yaml")
KIND = "amazon_sp_bulk"
SHEET = "Sponsored Products Campaigns"

ENTITIES = {
    "campaign": "campaign",
    "kampagne": "campaign",
    "campagne": "campaign",
    "campaña": "campaign",
    "ad group": "ad_group",
    "anzeigengruppe": "ad_group",
    "groupe d'annonces": "ad_group",
    "product ad": "product_ad",
    "produktanzeige": "product_ad",
    "keyword": "keyword",
    "negative keyword": "negative_keyword",
    "negatives keyword": "negative_keyword",
    "campaign negative keyword": "campaign_negative_keyword",
    "negatives kampagnen-keyword": "campaign_negative_keyword",
    "product targeting": "product_targeting",
    "produkt-targeting": "product_targeting",
    "negative product targeting": "negative_product_targeting",
    "bidding adjustment": "bidding_adjustment",
    "gebotsanpassung": "bidding_adjustment",
}
OPERATIONS = {
    "": "",
    "create": "create",
    "update": "update",
    "archive": "archive",
    "erstellen": "create",
    "aktualisieren": "update",
    "archivieren": "archive",
    "créer": "create",
    "mettre à jour": "update",
    "archiver": "archive",
    "crear": "create",
    "actualizar": "update",
    "archivar": "archive",
}
STATES = {
    "enabled": "enabled",
    "paused": "paused",
    "archived": "archived",
    "aktiviert": "enabled",
    "pausiert": "paused",
    "archiviert": "archived",
    "activé": "enabled",
    "en pause": "paused",
    "archivé": "archived",
    "": "",
}
MATCH = {
    "broad": "broad",
    "phrase": "phrase",
    "exact": "exact",
    "negativeexact": "negativeExact",
    "negativephrase": "negativePhrase",
    "negative exact": "negativeExact",
    "negative phrase": "negativePhrase",
    "": "",
}


def schema():
    return load_schema(SCHEMA_FILE)


def _key(header: Any) -> str:
    return " ".join(cell_text(header).replace("\ufeff", "").split()).casefold()


def header_positions(header: list[str]) -> dict[str, int]:
    """Our column → position, matched exactly (case and spacing aside); missing required
    columns are a whole-file error naming them."""
    index = {_key(a): name for name, col in schema().columns.items() for a in col.aliases}
    found: dict[str, int] = {}
    for position, cell in enumerate(header):
        name = index.get(_key(cell))
        if name and name not in found:
            found[name] = position
    missing = [" | ".join(g) for g in schema().required if not any(n in found for n in g)]
    if missing:
        raise TabularFormatError(
            _("Missing columns: %(missing)s. Found: %(found)s.")
            % {"missing": ", ".join(missing), "found": ", ".join(h for h in header if h)[:300]}
        )
    return found


class BulkReader:
    """What `file_import` iterates: TypedChunks of the SP sheet, with `format`/`encoding`."""

    format = "xlsx"
    encoding = ""

    def __init__(self, source: Source, *, chunk_rows: int = CHUNK_ROWS) -> None:
        data = open_binary(source).read()
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise TabularFormatError(_("The file is not a readable Excel spreadsheet."))
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
            raise TabularFormatError(
                _("The file is not a readable Excel spreadsheet (%(error)s).")
                % {"error": type(exc).__name__}
            ) from exc
        self._book = book
        self.sheet, self.header = self._find_sheet(book)
        self.positions = header_positions(self.header)
        self.columns = {n: self.header[i] for n, i in self.positions.items()}
        self.chunk_rows = chunk_rows
        self.rows_read = 0

    @staticmethod
    def _find_sheet(book) -> tuple[Any, list[str]]:
        ordered = sorted(book.worksheets, key=lambda s: s.title.strip() != SHEET)
        for sheet in ordered:
            sheet.reset_dimensions()  # POI-written files declare A1 as their dimension
            for row in sheet.iter_rows(values_only=True, max_row=1):
                header = [cell_text(c) for c in row]
                keys = {_key(h) for h in header}
                if "entity" in keys or "entität" in keys:
                    while header and not header[-1]:
                        header.pop()
                    return sheet, header
        raise TabularFormatError(
            _("No '%(sheet)s' sheet with an Entity column in this workbook.") % {"sheet": SHEET}
        )

    def __iter__(self) -> Iterator[TypedChunk]:
        width = len(self.header)
        batch: list[list[str]] = []
        lines: list[int] = []
        line = 1
        try:
            for row in self.sheet.iter_rows(values_only=True, min_row=2):
                line += 1
                texts = [cell_text(c) for c in row[:width]]
                batch.append(texts + [""] * (width - len(texts)))
                lines.append(line)
                if len(batch) >= self.chunk_rows:
                    yield from self._typed(batch, lines)
                    batch, lines = [], []
            if batch:
                yield from self._typed(batch, lines)
        finally:
            self._book.close()

    def _typed(self, batch: list[list[str]], lines: list[int]) -> Iterator[TypedChunk]:
        cells = pd.DataFrame(batch, dtype="str")
        filled = (cells != "").to_numpy()
        fields = np.where(
            filled.any(axis=1), filled.shape[1] - np.argmax(filled[:, ::-1], axis=1), 0
        )
        raw = RawChunk(cells=cells, lines=np.asarray(lines, dtype=np.int64), fields=fields)
        chunk = typed_chunk(raw, schema(), self.positions)
        if chunk is not None:
            check_bulk(chunk)
            self.rows_read += len(chunk.rows)
            yield chunk


def _lookup(text: pd.Series, table: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    lowered = text.str.casefold().str.replace(r"\s+", " ", regex=True).str.strip()
    return lowered.map(table), ~lowered.isin(table.keys())


def check_bulk(chunk: TypedChunk) -> None:
    """Entity, operation, state and match type normalised (case and language); ids digits."""
    rows, text = chunk.rows, chunk.text
    entity, bad = _lookup(text["entity"], ENTITIES)
    chunk.fail(bad, "unknown entity %(entity)r", order=0)
    rows["entity"] = entity
    operation, bad = _lookup(text["operation"], OPERATIONS)
    chunk.fail(bad, "unknown operation %(operation)r", order=1)
    rows["operation"] = operation
    state, bad = _lookup(text["state"], STATES)
    chunk.fail(bad, "unknown state %(state)r", order=2)
    rows["state"] = state
    match, bad = _lookup(
        text["match_type"].str.replace(" ", ""), {k.replace(" ", ""): v for k, v in MATCH.items()}
    )
    chunk.fail(bad, "unknown match type %(match_type)r", order=3)
    rows["match_type"] = match
    for name in (
        "campaign_id",
        "ad_group_id",
        "ad_id",
        "keyword_id",
        "product_targeting_id",
        "portfolio_id",
    ):
        chunk.fail(~text[name].str.fullmatch(r"\d*"), f"{name} is not an id: %({name})r", order=4)
    chunk.fail(text["campaign_id"] == "", "Campaign ID is empty", order=4)
    targeting = text["targeting_type"].str.casefold()
    rows["targeting_type"] = targeting.map(
        {
            "auto": "auto",
            "automatic": "auto",
            "manual": "manual",
            "automatisch": "auto",
            "manuell": "manual",
        }
    ).fillna("")
    for name in ("campaign_name", "ad_group_name"):
        info = rows[f"{name}_info"]
        rows[name] = rows[name].where(rows[name] != "", info)
    rows["keyword_text"] = rows["keyword_text"].str.split().str.join(" ")


MATCH_RE = re.compile(r"^(negative)?(exact|phrase|broad)$", re.I)
