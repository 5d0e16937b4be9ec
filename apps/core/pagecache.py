"""The compiled SQL of keyset list pages, reused between requests of the same shape.

Building and compiling the ORM query of a list page (the row JSON annotation of
`apps/core/sqljson.py`, its joins, the keyset condition, the ordering) was about a third of
the Python time of `GET /api/v1/listings/`. The page query is a pure function of: the list's
base queryset (the viewset's tenant-scoped, filtered queryset), the page's preparation (the
annotation and the columns read), the ordering, the direction, the page size and the
cursor's values. So the compiled SQL is kept per process under a key holding everything but
the cursor's values, and the base queryset is keyed by its own compiled SQL *and parameters*:
another organization (its id is a parameter of the base query), another filter, search or
scope is another key, never a shared entry. The cursor's values are the only parameters
substituted; their positions are found when the entry is made by compiling the page a second
time with other values and checking that exactly those parameters moved, by the offsets given
(otherwise the shape is not cached). Only integer cursor values are cached (the default
orderings, by store, product and id); anything else compiles as before.

The rows are read through the connection's cursor (query logging and execute wrappers such as
`assertNumQueries` see them) and returned as the `.values()` dictionaries the ORM would give;
a shape whose columns need a database converter is not cached. The base queryset's tenant
check (`TenantQuerySet._assert_scoped`) runs on every request as before.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.signals import setting_changed
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ValuesIterable

MAX_ENTRIES = 512
_OFFSETS = (1_000_003, 2_000_017, 3_000_037, 4_000_063, 5_000_081, 6_000_101)


@dataclass(frozen=True)
class CompiledPage:
    sql: str
    params: tuple
    slots: tuple[tuple[int, int], ...]  # (parameter index, cursor value index)
    names: tuple[str, ...]

    def params_for(self, values: list[int] | None) -> list:
        params = list(self.params)
        for position, index in self.slots:
            params[position] = values[index]  # type: ignore[index]
        return params


_CACHE: dict[Hashable, CompiledPage | None] = {}
_MISSING: Any = object()


def clear() -> None:
    _CACHE.clear()


def _on_setting_changed(**kwargs) -> None:
    clear()


setting_changed.connect(_on_setting_changed)


def _cacheable_values(values: list | None) -> bool:
    if values is None:
        return True
    return len(values) <= len(_OFFSETS) and all(type(v) is int for v in values)


def _compile(queryset: QuerySet) -> tuple[str, tuple, Any] | None:
    if queryset._iterable_class is not ValuesIterable or queryset.query.extra_select:
        return None
    compiler = queryset.query.get_compiler(queryset.db)
    sql, params = compiler.as_sql()
    if compiler.get_converters([col for col, _alias, _annotation in compiler.select]):
        return None
    return sql, tuple(params), compiler


def _make_entry(build: Callable[[list | None], QuerySet], values: list | None):
    """The compiled page, or None when this shape cannot be reused safely."""
    first = build(values)
    compiled = _compile(first)
    if compiled is None:
        return None
    sql, params, _compiler = compiled
    query = first.query
    names = (*query.values_select, *query.annotation_select)
    slots: list[tuple[int, int]] = []
    if values:
        moved = [v + _OFFSETS[i] for i, v in enumerate(values)]
        second = _compile(build(moved))
        if second is None or second[0] != sql or len(second[1]) != len(params):
            return None
        for position, (a, b) in enumerate(zip(params, second[1], strict=True)):
            if a == b:
                continue
            if type(a) is not int or type(b) is not int or (b - a) not in _OFFSETS:
                return None
            index = _OFFSETS.index(b - a)
            if index >= len(values) or a != values[index]:
                return None
            slots.append((position, index))
        if sorted(i for _p, i in slots) != list(range(len(values))):
            return None
    return CompiledPage(sql, params, tuple(slots), names)


def page_rows(
    base: QuerySet,
    build: Callable[[list | None], QuerySet],
    key: Hashable,
    values: list | None,
) -> list[dict]:
    """The rows of `build(values)` (a `.values()` queryset over `base`), from the cached
    compiled SQL of this shape when there is one."""
    if not _cacheable_values(values):
        return list(build(values))
    assert_scoped = getattr(base, "_assert_scoped", None)
    if assert_scoped is not None:
        assert_scoped()
    # The base's ordering and selected columns are replaced by the page's (`key`): the key
    # compiles without them (its joins, conditions and parameters stay), unless it annotates.
    query = base.query.chain()
    query.clear_ordering(force=True)
    if not query.annotations and not query.extra:
        query.clear_select_clause()
        query.add_fields(["pk"])
    base_sql, base_params = query.sql_with_params()
    try:
        full_key = (key, base.db, base_sql, tuple(base_params), values is None,
                    len(values or ()))  # fmt: skip
        hash(full_key)
    except TypeError:  # an unhashable parameter (a list for IN): not cached
        return list(build(values))
    # One lookup (another thread may clear the cache between two).
    entry = _CACHE.get(full_key, _MISSING)
    if entry is _MISSING:
        if len(_CACHE) >= MAX_ENTRIES:
            _CACHE.clear()
        entry = _CACHE[full_key] = _make_entry(build, values)
    if entry is None:
        return list(build(values))
    with connections[base.db].cursor() as cursor:
        cursor.execute(entry.sql, entry.params_for(values))
        names = entry.names
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
