"""What an import kind expects: its columns, their types, and their header aliases as data.

Each format folder declares its columns in a YAML file (`apps/integrations/<format>/columns.yaml`)
with the headers sellers' files use per language, so adding a German or Japanese variant is a
data change reviewed like any other, not code:

    kind: competitor_offers
    required: [[seller, seller_id], [price], [listing_id, external_id, sku]]
    columns:
      price:
        type: money
        aliases: {en: [price, listing price], zh: [价格], de: [preis]}

Headers are compared after `normalise_header`: case, surrounding spaces, a BOM, separators
(spaces, `_`, `-`, `.`, `/`) and a trailing bracketed unit or marker such as `(#)`, `(€)`,
`[%]` or `（元）` do not matter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from .errors import TabularFormatError

TYPES = {"text", "integer", "decimal", "money", "percent", "date", "datetime", "bool", "raw"}
_SUFFIX = re.compile(r"\s*[\(\[（【][^\)\]）】]*[\)\]）】]\s*$")
_SEPARATORS = re.compile(r"[\s_\-./:：·•]+")


def normalise_header(cell: Any) -> str:
    """The comparable form of a header cell ("Price (€) " and "price" are the same)."""
    text = unicodedata.normalize("NFKC", "" if cell is None else str(cell))
    text = text.replace("\ufeff", "").strip()
    while True:
        stripped = _SUFFIX.sub("", text)
        if stripped == text or not stripped:
            break
        text = stripped
    return _SEPARATORS.sub("", text).casefold()


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "text"
    aliases: tuple[str, ...] = ()
    max_length: int = 0  # text longer than this is cut (0: the pipeline's cell limit only)
    invalid: str = ""  # message for a value of the wrong type, %(column)s and %(value)r


@dataclass(frozen=True)
class Schema:
    kind: str
    columns: dict[str, Column]
    # Each group needs at least one of its columns in the header; a missing group is a
    # whole-file error naming it ("listing_id | asin | sku").
    required: tuple[tuple[str, ...], ...] = ()
    labels: dict[str, str] = field(default_factory=dict)  # how a group member is named

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Schema:
        columns: dict[str, Column] = {}
        for name, spec in (data.get("columns") or {}).items():
            spec = spec or {}
            kind = spec.get("type", "text")
            if kind not in TYPES:
                raise ValueError(f"column {name}: unknown type {kind!r}")
            aliases = spec.get("aliases") or {}
            if isinstance(aliases, dict):
                flat = [a for per_language in aliases.values() for a in per_language or ()]
            else:
                flat = list(aliases)
            columns[name] = Column(
                name=name, type=kind, aliases=tuple(str(a) for a in [name, *flat]),
                max_length=int(spec.get("max_length", 0)), invalid=spec.get("invalid", ""),
            )  # fmt: skip
        required = tuple(
            tuple(g) if isinstance(g, list) else (g,) for g in data.get("required", ())
        )
        return cls(
            kind=data["kind"], columns=columns, required=required, labels=data.get("labels", {})
        )

    @property
    def index(self) -> dict[str, str]:
        return _index(self)

    def match(self, header: list[Any]) -> dict[str, int]:
        """Column name → position in the header (first match wins); raises when a required
        group is missing, naming what is missing and what the file has."""
        found: dict[str, int] = {}
        index = self.index
        for position, cell in enumerate(header):
            name = index.get(normalise_header(cell))
            if name and name not in found:
                found[name] = position
        missing = [
            " | ".join(self.labels.get(n, n) for n in group)
            for group in self.required
            if not any(n in found for n in group)
        ]
        if missing:
            shown = ", ".join(
                str(c).strip() for c in header if c not in (None, "") and str(c).strip()
            )
            raise TabularFormatError(
                _("Missing columns: %(missing)s. Found: %(found)s.")
                % {"missing": ", ".join(missing), "found": shown[:300] or "—"}
            )
        return found


@cache
def _index_cached(kind: str, pairs: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return dict(pairs)


def _index(schema: Schema) -> dict[str, str]:
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for column in schema.columns.values():
        for alias in column.aliases:
            key = normalise_header(alias)
            if key and key not in seen:
                seen.add(key)
                pairs.append((key, column.name))
    return _index_cached(schema.kind, tuple(pairs))


@cache
def load_schema(path: str | Path) -> Schema:
    """The schema declared in a YAML file (cached: the file is read once per process)."""
    with open(path, encoding="utf-8") as handle:
        return Schema.from_dict(yaml.safe_load(handle))
