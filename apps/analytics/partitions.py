"""The full build of one organization's facts as its own partition of `ProfitFact`.

`analytics_profitfact` is partitioned by organization (LIST; migration 0005): an organization's
facts live in `analytics_profitfact_o<org>_<n>` once it has been built in full, those of others
(and of an organization never built) in the UNLOGGED default partition. PostgreSQL runs
`CREATE TABLE … AS` in parallel but never `INSERT … SELECT`, so a full build selects straight
into a new UNLOGGED table (both cores), makes it match the parent (the id from the facts'
sequence and the NOT NULLs in one pass, the two keys, a CHECK so that attaching does not scan
it), drops the organization's previous partition and attaches the new one: no row-by-row
insert of a million facts, and no DELETE of the old ones (docs/benchmarks.md, profit report).

An incremental refresh still DELETEs and INSERTs through the parent, which routes the rows.
"""

from __future__ import annotations

from django.db import connection

from .models import ProfitFact

FACTS = ProfitFact._meta.db_table
DEFAULT = f"{FACTS}_default"
SEQUENCE = f"{FACTS}_id_seq"


def _columns() -> list[tuple[str, str, bool]]:
    """(column, SQL type, NOT NULL) of the facts but the id, in the build's column order."""
    fields = [f for f in ProfitFact._meta.concrete_fields if not f.primary_key]
    return [(f.column, f.db_type(connection), not f.null) for f in fields]


def _partitions(cursor, org_id: int) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass AND c.relname LIKE %s",
        [FACTS, f"{FACTS}_o{int(org_id)}\\_%"],
    )
    return [r[0] for r in cursor.fetchall()]


def build_partition(cursor, *, org_id: int, select: str, params: dict, columns: list[str]) -> int:
    """The organization's facts become the rows of `select` (its output columns `columns`, as
    many as the facts have besides the id). Runs in the caller's transaction."""
    org_id = int(org_id)
    types = {name: (sql_type, not_null) for name, sql_type, not_null in _columns()}
    cursor.execute("SELECT nextval(%s)", [SEQUENCE])  # a fresh suffix
    table = f"{FACTS}_o{org_id}_{cursor.fetchone()[0]}"
    casts = ", ".join(f"f.{c}::{types[c][0]} AS {c}" for c in columns)
    cursor.execute(f"CREATE UNLOGGED TABLE {table} AS SELECT {casts} FROM ({select}) f", params)
    rows = cursor.rowcount
    not_null = ", ".join(f"ALTER {c} SET NOT NULL" for c in columns if types[c][1])
    # one rewrite: ids from the facts' sequence, NOT NULLs checked on the way
    cursor.execute(
        f"ALTER TABLE {table} ADD COLUMN id bigint NOT NULL DEFAULT nextval('{SEQUENCE}'), "
        f"{not_null}, ADD CHECK (organization_id = {org_id})"
    )
    cursor.execute(
        f"ALTER TABLE {table} ADD PRIMARY KEY (id, organization_id), "
        "ADD UNIQUE NULLS NOT DISTINCT (organization_id, day, store_id, product_id)"
    )
    for old in _partitions(cursor, org_id):
        cursor.execute(f"DROP TABLE {old}")
    cursor.execute(f"DELETE FROM {DEFAULT} WHERE organization_id = %s", [org_id])
    cursor.execute(f"ALTER TABLE {FACTS} ATTACH PARTITION {table} FOR VALUES IN ({org_id})")
    return rows
