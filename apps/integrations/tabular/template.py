"""A blank file of a format, from its `columns.yaml`: what an upload page offers to download so
a seller starts from the columns the import expects, under the names it documents."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from .schema import Schema


@dataclass(frozen=True)
class TemplateColumn:
    header: str  # the name the template writes (the schema's label, else the column name)
    group: tuple[str, ...]  # the required group it belongs to, with its fellow headers; () optional


def template_columns(schema: Schema) -> list[TemplateColumn]:
    """The schema's columns in declaration order, each with its required group."""
    named = {name: schema.labels.get(name, name) for name in schema.columns}
    groups = {name: tuple(named[n] for n in group) for group in schema.required for name in group}
    return [TemplateColumn(named[name], groups.get(name, ())) for name in schema.columns]


def template_csv(schema: Schema) -> bytes:
    """The header line as UTF-8 CSV with a BOM, so Excel opens it with the right encoding (the
    import reads the BOM back)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([c.header for c in template_columns(schema)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
