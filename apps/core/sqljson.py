"""A list page serialised by PostgreSQL: each row's JSON object as one text column, written
into the response body as it comes (no row dictionaries, no per-value conversion, no encoder).

`sql_plan(serializer)` reads a read serializer's fields once and gives each a SQL rendering
with exactly the serializer's output: integers and booleans as their text; text, choices and
UUIDs through `to_json` (PostgreSQL escapes strings as orjson and DRF do; U+2028/U+2029 are
escaped afterwards, as `FastJSONRenderer` does); money (`DecimalField` read from a `numeric`
column of the same scale) as the column's text in quotes, which is DRF's quantized string;
times as ISO 8601 in UTC with microseconds only when non-zero and `Z`, DRF's format; JSON
columns as their text without the blanks PostgreSQL puts after `,` and `:` outside strings.
A serializer with any other field (a method field, a float, a coerced big integer, a custom
format) gets no plan, and a request in another time zone than UTC does not use one: those
pages go through `apps/core/fastlist.py` as before.

The guarantee, checked by `tests/api/test_sql_json.py` on odd values (quotes, control
characters, U+2028, CJK, NULLs, zero microseconds, big prices, nested JSON): the SQL page is
the DRF page byte for byte, except JSON columns holding non-integral numbers, which are equal
as JSON (PostgreSQL writes `1e16` as `10000000000000000`, Python as `1e+16`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import F, Func, TextField
from django.utils import timezone
from rest_framework import ISO_8601, relations, serializers
from rest_framework.settings import api_settings

_INTEGER_TYPES = {"integer", "bigint", "smallint", "serial", "bigserial", "smallserial"}
_TEXT_TYPES = ("varchar", "text", "char", "citext")

# SQL of each kind from the column's SQL `{}`; every one is NULL-safe (JSON null).
_TEMPLATES = {
    "int": "coalesce(({})::text, 'null')",
    "bool": "coalesce(({})::text, 'null')",
    "text": "coalesce(to_json({})::text, 'null')",
    "decimal": "coalesce(to_json(({})::text)::text, 'null')",
    "datetime": (
        "coalesce(to_json(to_char(({0}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        "CASE WHEN extract(microseconds FROM ({0}))::bigint %% 1000000 = 0 THEN '' "
        "ELSE to_char(({0}) AT TIME ZONE 'UTC', '.US') END || 'Z')::text, 'null')"
    ),
    "date": "coalesce(to_json({})::text, 'null')",
    # jsonb's text puts a blank after `,` and `:`: an array of strings (bullets, keywords) is
    # rebuilt by array_to_json (compact, the same escapes); anything else has the blanks
    # outside string literals dropped by a regular expression (three times the cost).
    "json": (
        "CASE WHEN jsonb_typeof({0}) = 'array' AND NOT ({0} @? '$[*] ? (@.type() != \"string\")')"
        " THEN array_to_json(ARRAY(SELECT e FROM jsonb_array_elements_text({0}) WITH ORDINALITY"
        " AS t(e, n) ORDER BY n))::text"
        " ELSE coalesce(regexp_replace(({0})::text,"
        " '(\"(?:[^\"\\\\]|\\\\.)*\")|[ \\n]+', '\\1', 'g'), 'null') END"
    ),
}


@dataclass(frozen=True)
class SqlPlan:
    names: tuple[str, ...]
    lookups: tuple[str, ...]
    kinds: tuple[str, ...]

    def expression(self) -> JSONRow:
        return JSONRow(self)


class JSONRow(Func):
    """`'{"id":' || … || '}'`: one row's JSON object as text (compact, the fields' order)."""

    output_field = TextField()

    def __init__(self, plan: SqlPlan):
        super().__init__(*(F(lookup) for lookup in plan.lookups), output_field=TextField())
        self.plan = plan

    def as_sql(self, compiler, connection, **extra_context):
        pieces, params = [], []
        for i, (name, kind, expr) in enumerate(
            zip(self.plan.names, self.plan.kinds, self.source_expressions, strict=True)
        ):
            sql, more = compiler.compile(expr)
            template = _TEMPLATES[kind]
            params.extend(list(more) * max(1, template.count("{0}") + template.count("{}")))
            key = ("{" if i == 0 else ",") + json.dumps(name, ensure_ascii=False) + ":"
            literal = "'" + key.replace("'", "''").replace("%", "%%") + "'"
            pieces.append(f"{literal} || {template.format(sql)}")
        return "(" + " || ".join([*pieces, "'}'"]) + ")", params


def _model_field(model, lookup: str):
    """The model field a `values()` lookup reads (a relation: its target's column)."""
    field = None
    parts = lookup.split("__")
    for i, part in enumerate(parts):
        field = model._meta.get_field(part)
        if i < len(parts) - 1:
            # Through a nullable relation DRF leaves the key out (SkipField); SQL would say null.
            if not field.is_relation or field.many_to_many or field.one_to_many or field.null:
                return None
            model = field.related_model
    if field is not None and field.is_relation and not field.concrete:
        return None
    return field


def _kind(field: serializers.Field, model_field) -> str | None:
    """The SQL rendering of `field` reading `model_field`, or None (not supported)."""
    if model_field is None or model_field.many_to_many or model_field.one_to_many:
        return None
    db_type = (model_field.db_type(connection) or "").split("(")[0].strip().lower()
    if isinstance(field, relations.PrimaryKeyRelatedField):
        return "int" if field.pk_field is None and db_type in _INTEGER_TYPES else None
    if isinstance(field, serializers.JSONField):
        return "json" if not field.binary and db_type == "jsonb" else None
    if isinstance(field, serializers.BooleanField):
        return "bool" if db_type == "boolean" else None
    if isinstance(field, serializers.DecimalField):
        exact = (
            db_type == "numeric"
            and getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
            and not field.localize
            and not getattr(field, "normalize_output", False)
            and getattr(model_field, "decimal_places", None) == field.decimal_places
            and getattr(model_field, "max_digits", None) == field.max_digits
        )
        return "decimal" if exact else None
    if isinstance(field, serializers.DateTimeField):
        output = getattr(field, "format", api_settings.DATETIME_FORMAT)
        ok = db_type == "timestamp with time zone" and isinstance(output, str)
        ok = ok and getattr(field, "timezone", None) is None and settings.USE_TZ
        return "datetime" if ok and output.lower() == ISO_8601 else None
    if isinstance(field, serializers.DateField):
        output = getattr(field, "format", api_settings.DATE_FORMAT)
        ok = db_type == "date" and isinstance(output, str) and output.lower() == ISO_8601
        return "date" if ok else None
    if isinstance(field, serializers.UUIDField):
        return "text" if db_type == "uuid" and field.uuid_format == "hex_verbose" else None
    big = getattr(serializers, "BigIntegerField", None)
    if big is not None and type(field) is big:
        coerced = getattr(field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING)
        return "int" if not coerced and db_type in _INTEGER_TYPES else None
    if type(field) is serializers.IntegerField:
        return "int" if db_type in _INTEGER_TYPES else None
    if type(field) in (serializers.CharField, serializers.ChoiceField):
        if not db_type.startswith(_TEXT_TYPES):
            return None
        if isinstance(field, serializers.ChoiceField) and any(
            not isinstance(k, str) for k in field.choices
        ):
            return None
        return "text"
    return None


_PLANS: dict[type, SqlPlan | None] = {}


def sql_plan(serializer: serializers.ModelSerializer) -> SqlPlan | None:
    """The SQL rendering of a read serializer's rows, or None when a field needs Python."""
    kind_of = type(serializer)
    if kind_of in _PLANS:
        return _PLANS[kind_of]
    model = serializer.Meta.model
    names, lookups, kinds = [], [], []
    plan: SqlPlan | None = None
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        if field.source == "*" or not field.source_attrs:
            break
        lookup = "__".join(field.source_attrs)
        try:
            model_field = _model_field(model, lookup)
        except Exception:  # FieldDoesNotExist: a property or a method
            break
        kind = _kind(field, model_field)
        if kind is None:
            break
        names.append(name)
        lookups.append(lookup)
        kinds.append(kind)
    else:
        plan = SqlPlan(tuple(names), tuple(lookups), tuple(kinds))
    _PLANS[kind_of] = plan
    return plan


def sql_plan_applies() -> bool:
    """Times are rendered in UTC by the SQL; another active zone renders in Python."""
    return timezone.get_current_timezone_name() == "UTC"


def join_rows(texts: list[str]) -> bytes:
    """The rows' JSON texts as one JSON array, U+2028/U+2029 escaped as DRF's renderer does."""
    body = ("[" + ",".join(texts) + "]").encode()
    if b"\xe2" in body:  # one memchr; a two-byte search is 40 times slower
        body = body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
    return body
