"""A list endpoint's page rendered from `.values()` rows instead of model instances, with the
same output as its ModelSerializer.

A page of 100 listings through `ListSerializer` builds 300 model instances (the listing, its
product and store) and walks DRF's per-field `get_attribute` machinery 2,000 times: about 20 ms
of CPU per request, most of a list request's cost. `compile_plan` reads the serializer's
fields once: each becomes a column lookup (`store.marketplace.code` → `store__marketplace__code`)
and a converter (none for text, integers, choices, JSON and primary keys, whose representation
is the value itself; the field's own `to_representation` for money and times, so the strings are
exactly DRF's). A serializer with any other kind of field (a method field, a nested
serializer, a callable source) gets no plan and is rendered by DRF as before.
`tests/api/test_fast_list.py` compares both renderings field by field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from django.core.exceptions import FieldError
from rest_framework import ISO_8601, relations, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings

from .pagination import CursorPagination, keyset_ordering
from .renderers import FastJSONRenderer
from .sqljson import join_rows, sql_plan, sql_plan_applies

# Field kinds whose representation of a non-null database value is that value.
_IDENTITY = (serializers.CharField, serializers.IntegerField, serializers.ChoiceField,
             serializers.BooleanField, serializers.UUIDField)  # fmt: skip
_CONVERTED = (serializers.DecimalField, serializers.DateTimeField, serializers.DateField,
              serializers.BigIntegerField,
              serializers.FloatField)  # fmt: skip


@dataclass(frozen=True)
class Plan:
    lookups: tuple[str, ...]
    names: tuple[str, ...]
    converters: tuple[Callable[[Any], Any] | None, ...]

    def bind(self) -> Callable[[dict[str, Any]], dict[str, Any]]:
        """The row function of this request (times are shown in the current time zone)."""
        steps = [
            (name, lookup, _datetime(convert.__self__) if _is_datetime(convert) else convert)
            for name, lookup, convert in zip(self.names, self.lookups, self.converters, strict=True)
        ]

        def row(values: dict[str, Any]) -> dict[str, Any]:
            out = {}
            for name, lookup, convert in steps:
                value = values[lookup]
                out[name] = value if convert is None or value is None else convert(value)
            return out

        return row


def _is_datetime(convert) -> bool:
    return isinstance(getattr(convert, "__self__", None), serializers.DateTimeField)


def _datetime(field: serializers.DateTimeField) -> Callable[[Any], Any]:
    """DRF's DateTimeField.to_representation for aware values with the zone looked up once
    per request, not once per value (DRF asks asgiref's context-local storage each time)."""
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    if zone is None or not isinstance(output_format, str) or output_format.lower() != ISO_8601:
        return field.to_representation

    def convert(value):
        if not isinstance(value, datetime) or value.tzinfo is None:
            return field.to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert


def _converter(field: serializers.Field) -> tuple[bool, Callable[[Any], Any] | None]:
    """(supported, converter) of one field."""
    if isinstance(field, serializers.JSONField):
        return (not field.binary), None
    if isinstance(field, relations.PrimaryKeyRelatedField):
        return field.pk_field is None, None
    if isinstance(field, _CONVERTED):
        return True, field.to_representation
    if isinstance(field, _IDENTITY) and not isinstance(
        field, serializers.RegexField | serializers.EmailField | serializers.URLField
    ):
        if type(field).to_representation not in (
            serializers.CharField.to_representation,
            serializers.IntegerField.to_representation,
            serializers.ChoiceField.to_representation,
            serializers.BooleanField.to_representation,
            serializers.UUIDField.to_representation,
        ):
            return False, None
        if isinstance(field, serializers.UUIDField):
            return True, field.to_representation
        return True, None
    return False, None


_PLANS: dict[type, Plan | None] = {}


def compile_plan(serializer: serializers.ModelSerializer) -> Plan | None:
    """The `.values()` plan of a read serializer, or None when a field needs DRF itself."""
    kind = type(serializer)
    if kind in _PLANS:
        return _PLANS[kind]
    lookups, names, converters = [], [], []
    plan: Plan | None = None
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        supported, convert = _converter(field)
        if not supported or field.source == "*":
            break
        lookups.append("__".join(field.source_attrs))
        names.append(name)
        converters.append(convert)
    else:
        try:  # every source must be a column (a property or a method is not)
            serializer.Meta.model._default_manager.none().values(*lookups)
        except FieldError:
            pass
        else:
            plan = Plan(tuple(lookups), tuple(names), tuple(converters))
    _PLANS[kind] = plan
    return plan


def fast_list(view, request) -> Response | None:
    """The paginated list of `view` from `.values()` rows (None: render the usual way). The
    view's filters, ordering and pagination apply unchanged."""
    serializer = view.get_serializer()
    plan = compile_plan(serializer)
    if plan is None:
        return None
    queryset = view.filter_queryset(view.get_queryset())
    row = plan.bind()
    if isinstance(view.paginator, PageNumberPagination):
        # OFFSET pages: sort and skip narrow rows (the ids), then read the page's wide rows
        # by id; PostgreSQL otherwise sorts every row of the organization with all columns.
        ids = view.paginate_queryset(queryset.values_list("pk", flat=True))
        wide = {
            values["pk"]: values
            for values in view.get_queryset().filter(pk__in=ids).values("pk", *plan.lookups)
        }
        return view.get_paginated_response([row(wide[pk]) for pk in ids if pk in wide])
    # The ordering's fields and `pk` ride along: the cursor reads its boundary off the rows.
    ordering = [name for name, _ in keyset_ordering(queryset) or [] if "__" not in name]
    sql = sql_plan(serializer) if _sql_applies(request) else None
    if sql is not None:
        # Each row's JSON object from PostgreSQL (apps/core/sqljson.py), joined into the body.
        columns = (*dict.fromkeys(("pk", *ordering)), "_cb_json")

        def prepare(rows):
            return rows.annotate(_cb_json=sql.expression()).values(*columns)

        paginator = view.paginator
        if isinstance(paginator, CursorPagination) and keyset_ordering(queryset) is not None:
            # Annotated per page, after the keyset condition: the compiled page is reused.
            paginator.prepare_rows = ((sql, columns), prepare)
            page = view.paginate_queryset(queryset)
        else:
            page = view.paginate_queryset(prepare(queryset))
        if page is not None:
            body = join_rows([values["_cb_json"] for values in page])
            return view.get_paginated_response(orjson.Fragment(body))
    queryset = queryset.values(*dict.fromkeys(("pk", *ordering, *plan.lookups)))
    page = view.paginate_queryset(queryset)
    rows = [row(values) for values in (page if page is not None else queryset)]
    if page is not None:
        return view.get_paginated_response(rows)
    return Response(rows)


def _sql_applies(request) -> bool:
    """The SQL page is written by the orjson renderer (a `Fragment`), compact, in UTC."""
    renderer = getattr(request, "accepted_renderer", None)
    if not isinstance(renderer, FastJSONRenderer) or not sql_plan_applies():
        return False
    media_type = getattr(request, "accepted_media_type", "") or ""
    return not renderer.get_indent(media_type, {}) and renderer.compact
