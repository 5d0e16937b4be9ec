"""Cursor (keyset) pagination of every API list.

`?page_size=` (1-500, default `PAGE_SIZE`) rows per page; the answer is
`{"next", "previous", "results"}` (plus `count` with `?count=true`, one COUNT query). `next` and
`previous` are links holding an opaque `cursor`: the ordering values of the page's last (first)
row. The next page is the rows strictly after them in the list's ordering, to which the primary
key is appended as a unique tie-breaker, so paging is stable while rows are inserted or deleted
(no row skipped or shown twice) and a page costs the same queries whatever its depth or size
(no OFFSET, no COUNT).

Orderings the keyset cannot express (random, raw SQL, expressions with NULLS FIRST/LAST) and
plain Python lists fall back to an offset inside the same opaque cursor, so every list answers
the same shape. A cursor is bound to its ordering: sent with another `ordering` it is a 400.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import uuid
from collections import OrderedDict
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist, FieldError
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param

from . import pagecache

MAX_PAGE_SIZE = 500
_TRUE = {"1", "true", "yes"}


def _invalid(message: str = "Invalid cursor: follow the `next` and `previous` links as given."):
    return exceptions.ValidationError({"cursor": [message]})


# Cursor values keep their type (a datetime keeps its microseconds, a Decimal its digits).


def _pack(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return {"s": str(value)}


def _unpack(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if len(value) != 1:
        raise _invalid()
    ((tag, raw),) = value.items()
    try:
        if tag == "dt":
            return dt.datetime.fromisoformat(raw)
        if tag == "d":
            return dt.date.fromisoformat(raw)
        if tag == "n":
            return Decimal(raw)
        if tag == "u":
            return uuid.UUID(raw)
        if tag == "s":
            return str(raw)
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise _invalid() from exc
    raise _invalid()


def _encode(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str) -> dict:
    if len(token) > 4000:
        raise _invalid()
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise _invalid() from exc
    if not isinstance(data, dict):
        raise _invalid()
    return data


# Ordering of a queryset as (field path, descending) pairs ending with the primary key.


def _relation_to_id(model, name: str) -> str:
    """`store` (a foreign key) → `store_id`: Django would order by the related model's own
    Meta.ordering, which the keyset could not reproduce."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    if field.is_relation and (field.many_to_one or field.one_to_one) and field.concrete:
        return field.attname
    return name


def keyset_ordering(queryset: QuerySet) -> list[tuple[str, bool]] | None:
    """The ordering as (name, descending), with a unique tie-breaker; None when a keyset
    cannot follow it (then the pagination falls back to an offset)."""
    query = queryset.query
    if query.extra_order_by:
        return None
    items = list(query.order_by)
    if not items and query.default_ordering:
        items = list(queryset.model._meta.ordering)
    pk_names = {"pk", queryset.model._meta.pk.name, queryset.model._meta.pk.attname}
    out: list[tuple[str, bool]] = []
    for item in items:
        if isinstance(item, str):
            if item == "?" or "." in item:
                return None
            desc, name = item.startswith("-"), item.lstrip("-+")
        elif (
            isinstance(item, OrderBy)
            and isinstance(item.expression, F)
            and not item.nulls_first
            and not item.nulls_last
        ):
            desc, name = item.descending, str(getattr(item.expression, "name", ""))
        elif isinstance(item, F):
            desc, name = False, str(getattr(item, "name", ""))
        else:
            return None
        name = "pk" if name in pk_names else _relation_to_id(queryset.model, name)
        if name in (n for n, _ in out):
            continue
        out.append((name, desc))
        if name == "pk":
            return out
    out.append(("pk", out[-1][1] if out else False))
    return out


def _eq(name: str, value: Any) -> Q:
    return Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})


def _after(name: str, value: Any, desc: bool) -> Q | None:
    """Rows after `value` in PostgreSQL's order (NULLs are last ascending, first descending)."""
    if desc:
        return Q(**{f"{name}__isnull": False}) if value is None else Q(**{f"{name}__lt": value})
    if value is None:
        return None
    return Q(**{f"{name}__gt": value}) | Q(**{f"{name}__isnull": True})


def _row_fields(model, ordering: list[tuple[str, bool]]) -> list | None:
    """The model's fields of an ordering whose columns are all NOT NULL, of this model, in one
    direction (None otherwise): such a keyset is one row comparison."""
    if model is None or len({desc for _name, desc in ordering}) != 1:
        return None
    fields = []
    for name, _desc in ordering:
        try:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        except FieldDoesNotExist:
            field = next((f for f in model._meta.concrete_fields if f.attname == name), None)
        if field is None or not field.concrete or field.null or "__" in name:
            return None
        fields.append(field)
    return fields


def keyset_filter(
    ordering: list[tuple[str, bool]], values: list[Any], *, reverse: bool, model=None
) -> Q:
    """(f1 after v1) OR (f1 = v1 AND f2 after v2) OR ...; `reverse`: before instead of after.

    When every column is NOT NULL and the ordering has one direction (the default orderings,
    `-updated_at`, …) and `model` is given, the same rows as one row comparison,
    `(f1, f2, pk) > (v1, v2, vpk)`: PostgreSQL reads it as an index range (an index on the
    ordering's columns gives the page by a short index scan instead of a sort of every row of
    the organization), the OR form it cannot."""
    fields = _row_fields(model, ordering) if None not in values else None
    if fields:
        prepped = tuple(f.get_prep_value(v) for f, v in zip(fields, values, strict=True))
        columns = Tuple(*(F(name) for name, _desc in ordering))
        lookup = TupleLessThan if ordering[0][1] != reverse else TupleGreaterThan
        return Q(lookup(columns, prepped))
    condition = Q(pk__in=[])
    prefix = Q()
    for (name, desc), value in zip(ordering, values, strict=True):
        after = _after(name, value, desc != reverse)
        if after is not None:
            condition |= prefix & after
        prefix &= _eq(name, value)
    return condition


def _order_by(ordering: list[tuple[str, bool]], *, reverse: bool) -> list[str]:
    return [("-" if desc != reverse else "") + name for name, desc in ordering]


class CursorPagination(BasePagination):
    """Keyset pagination with opaque cursors (see the module docstring)."""

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    count_query_param = "count"
    max_page_size = MAX_PAGE_SIZE
    # (key, function): applied to each keyset page's queryset before it runs (the `.values()`
    # of a fast list); with it the page's compiled SQL is reused (apps/core/pagecache.py).
    prepare_rows: tuple[Any, Any] | None = None

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        default = api_settings.PAGE_SIZE or 50
        if raw in (None, ""):
            return default
        try:
            size = int(raw)
        except (TypeError, ValueError) as exc:
            raise exceptions.ValidationError(
                {"page_size": [f"A whole number from 1 to {self.max_page_size}."]}
            ) from exc
        return max(1, min(size, self.max_page_size))

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        if "page" in request.query_params:
            raise exceptions.ValidationError(
                {"page": ["Lists use cursor pagination: follow the `next` link."]}
            )
        self.page_size = self.get_page_size(request)
        self.count = None
        if request.query_params.get(self.count_query_param, "").lower() in _TRUE:
            self.count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        token = request.query_params.get(self.cursor_query_param)
        cursor = _decode(token) if token else None
        ordering = keyset_ordering(queryset) if isinstance(queryset, QuerySet) else None
        if ordering is None:
            return self._paginate_offset(queryset, cursor)
        return self._paginate_keyset(queryset, ordering, cursor)

    # Keyset --------------------------------------------------------------------------------

    def _signature(self, ordering) -> str:
        return hashlib.sha256(repr(ordering).encode()).hexdigest()[:12]

    def _paginate_keyset(self, queryset: QuerySet, ordering, cursor: dict | None) -> list:
        signature = self._signature(ordering)
        reverse = False
        unpacked = None
        if cursor is not None:
            values = cursor.get("k")
            if cursor.get("s") != signature or not isinstance(values, list):
                raise _invalid("Invalid cursor for this ordering: start again without `cursor`.")
            if len(values) != len(ordering):
                raise _invalid()
            reverse = bool(cursor.get("r"))
            unpacked = [_unpack(v) for v in values]
        base = queryset

        def build(keys: list | None) -> QuerySet:
            qs = base
            if keys is not None:
                try:
                    condition = keyset_filter(ordering, keys, reverse=reverse, model=base.model)
                    qs = qs.filter(condition)
                except (DjangoValidationError, FieldError, TypeError, ValueError) as exc:
                    raise _invalid() from exc
            qs = qs.order_by(*_order_by(ordering, reverse=reverse))
            if prepare is not None:
                qs = prepare[1](qs)
            return qs[: self.page_size + 1]

        prepare = self.prepare_rows
        try:
            if prepare is None:
                rows = list(build(unpacked))
            else:
                # The compiled page SQL is reused between requests (apps/core/pagecache.py).
                key = (prepare[0], tuple(ordering), reverse, self.page_size)
                rows = pagecache.page_rows(base, build, key, unpacked)
        except FieldError:  # an ordering the database cannot follow: offsets (as before)
            if unpacked is not None:
                base = base.filter(
                    keyset_filter(ordering, unpacked, reverse=reverse, model=base.model)
                )
            return self._paginate_offset(prepare[1](base) if prepare else base, None)
        queryset = base
        has_more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if reverse:
            rows.reverse()
        self._ordering, self._sig = ordering, signature
        self._queryset = queryset
        next_row = rows[-1] if rows and (has_more if not reverse else True) else None
        prev_row = rows[0] if rows and (has_more if reverse else cursor is not None) else None
        boundary = self._values([r for r in (prev_row, next_row) if r is not None])
        self._next = {"k": boundary[id(next_row)], "s": signature} if next_row is not None else None
        self._previous = (
            {"k": boundary[id(prev_row)], "s": signature, "r": 1} if prev_row is not None else None
        )
        return rows

    def _values(self, rows: list) -> dict[int, list]:
        """The ordering values of the boundary rows (read off the rows; one query when the
        ordering follows a relation the rows do not hold)."""
        names = [name for name, _ in self._ordering]
        found: dict[int, list] = {}
        missing = []
        for row in rows:
            try:
                if any("__" in n for n in names):
                    raise LookupError
                if isinstance(row, dict):
                    found[id(row)] = [_pack(row[n]) for n in names]
                else:
                    found[id(row)] = [_pack(getattr(row, n)) for n in names]
            except (LookupError, AttributeError):
                missing.append(row)
        if missing:
            pks = [r["pk"] if isinstance(r, dict) else r.pk for r in missing]
            fetched = {
                values[0]: list(values[1:])
                for values in self._queryset.order_by().filter(pk__in=pks).values_list("pk", *names)
            }
            for row, pk in zip(missing, pks, strict=True):
                found[id(row)] = [_pack(v) for v in fetched[pk]]
        return found

    # Offset fallback ----------------------------------------------------------------------------

    def _paginate_offset(self, rows, cursor: dict | None) -> list:
        offset = 0
        if cursor is not None:
            given = cursor.get("o")
            if not isinstance(given, int) or isinstance(given, bool) or given < 0:
                raise _invalid()
            offset = given
        page = list(rows[offset : offset + self.page_size + 1])
        has_more = len(page) > self.page_size
        self._next = {"o": offset + self.page_size} if has_more else None
        self._previous = {"o": max(0, offset - self.page_size)} if offset > 0 else None
        return page[: self.page_size]

    # Links and response ---------------------------------------------------------------------------

    def _link(self, cursor: dict | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        url = remove_query_param(url, self.count_query_param)
        return replace_query_param(url, self.cursor_query_param, _encode(cursor))

    def get_next_link(self) -> str | None:
        return self._link(self._next)

    def get_previous_link(self) -> str | None:
        return self._link(self._previous)

    def get_paginated_response(self, data):
        body = OrderedDict()
        if self.count is not None:
            body["count"] = self.count
        body["next"] = self.get_next_link()
        body["previous"] = self.get_previous_link()
        body["results"] = data
        return Response(body)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "nullable": True, "format": "uri", "maxLength": 8000}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Only with `?count=true`: the rows of the whole list.",
                },
                "next": {**link, "description": "The next page; null on the last one."},
                "previous": {**link, "description": "The previous page; null on the first."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a `next` or `previous` link.",
                "schema": {"type": "string", "maxLength": 4000},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (1-{self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
            {
                "name": self.count_query_param,
                "required": False,
                "in": "query",
                "description": "`true` adds `count`, the rows of the whole list (one more "
                "query; leave it out when you only page through).",
                "schema": {"type": "boolean"},
            },
        ]
