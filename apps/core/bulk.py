"""Bulk upserts of the API: one request of up to 10,000 items, each validated on its own, one
result per item (created, updated, unchanged or error with the reason), valid items saved even
when others fail.

Validation has two paths giving the same answer. DRF's per-item `run_validation` costs about a
millisecond per item (10 s for 10,000), so `compile_item_validator` turns the item serializer's
fields into plain checks that accept a value only when the serializer would accept it with the
same result; any value the plain checks do not vouch for (a wrong type, a bound crossed, a field
kind they do not know) sends the item through the serializer itself, so errors read exactly as
on the single-item endpoints. The serializer stays the one definition of the item (bounds and
OpenAPI schema); `tests/api/test_bulk_validator.py` compares both paths on odd values.

`BulkUpsertViewSet` is the shared endpoint: subclasses name the item serializer, the natural
key fields echoed in each result, and `upsert(valid_items)` — a call of the owning app's
set-based service returning one `Outcome` per item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import ISO_8601, serializers
from rest_framework.fields import empty
from rest_framework.response import Response
from rest_framework.settings import api_settings

from .api import TenantViewSet
from .bounds import date_problem

BULK_MAX = 10_000
STATUSES = ("created", "updated", "unchanged", "error")


class Slow(Exception):
    """The plain checks decline a value: validate the item with the serializer."""


@dataclass(frozen=True)
class Outcome:
    """The result of one valid item after the write: its status, the row id, or an error
    found only against the database (unknown SKU, another organization's id, a duplicate)."""

    status: str  # created | updated | unchanged | error
    id: int | None = None
    errors: dict[str, list[str]] | None = None

    @classmethod
    def error(cls, field: str, message: str) -> Outcome:
        return cls("error", None, {field: [message]})


# --- the compiled validator --------------------------------------------------------------------

_PLAIN_CHAR_VALIDATORS = {"MaxLengthValidator", "MinLengthValidator",
                          "ProhibitNullCharactersValidator",
                          "ProhibitSurrogateCharactersValidator"}  # fmt: skip


def _char(field: serializers.CharField) -> Callable[[Any], Any]:
    if any(type(v).__name__ not in _PLAIN_CHAR_VALIDATORS for v in field.validators):
        return _generic(field)
    max_length, min_length = field.max_length, field.min_length
    trim, allow_blank = field.trim_whitespace, field.allow_blank

    def check(value):
        if not isinstance(value, str) or "\x00" in value:
            raise Slow
        if trim:
            value = value.strip()
        if not value and not allow_blank:
            raise Slow
        if (max_length is not None and len(value) > max_length) or (
            min_length is not None and len(value) < min_length
        ):
            raise Slow
        try:
            value.encode("utf-8")  # lone surrogates: the serializer refuses them
        except UnicodeEncodeError as exc:
            raise Slow from exc
        return value

    return check


def _choice(field: serializers.ChoiceField) -> Callable[[Any], Any]:
    mapping = dict(field.choice_strings_to_values)
    allow_blank = field.allow_blank

    def check(value):
        if isinstance(value, str):
            if value in mapping:
                return mapping[value]
            if value == "" and allow_blank:
                return ""
        raise Slow

    return check


def _decimal(field: serializers.DecimalField) -> Callable[[Any], Any]:
    if field.localize or (
        field.validators
        and any(
            type(v).__name__ not in {"MinValueValidator", "MaxValueValidator"}
            for v in field.validators
        )
    ):
        return _generic(field)
    max_digits, places = field.max_digits, field.decimal_places
    low, high = field.min_value, field.max_value
    quantum = Decimal(1).scaleb(-places) if places is not None else None

    def check(value):
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise Slow  # floats and the rest: the serializer's rules
        try:
            number = Decimal(value.strip() if isinstance(value, str) else value)
        except (InvalidOperation, ValueError) as exc:
            raise Slow from exc
        if not number.is_finite():
            raise Slow
        _sign, digits, exponent = number.as_tuple()
        if not isinstance(exponent, int) or exponent > 0:
            raise Slow
        decimals = -exponent
        whole = len(digits) - decimals
        if places is not None and decimals > places:
            raise Slow
        if max_digits is not None and (
            len(digits) > max_digits or whole > max_digits - (places or 0)
        ):
            raise Slow
        if (low is not None and number < low) or (high is not None and number > high):
            raise Slow
        return number.quantize(quantum) if quantum is not None else number

    return check


def _integer(field: serializers.IntegerField) -> Callable[[Any], Any]:
    if any(type(v).__name__ not in {"MinValueValidator", "MaxValueValidator"}
           for v in field.validators):  # fmt: skip
        return _generic(field)
    low, high = field.min_value, field.max_value

    def check(value):
        if type(value) is not int:
            raise Slow
        if (low is not None and value < low) or (high is not None and value > high):
            raise Slow
        return value

    return check


def _boolean(field) -> Callable[[Any], Any]:
    def check(value):
        if value is True or value is False:
            return value
        raise Slow

    return check


def _datetime(field: serializers.DateTimeField) -> Callable[[Any], Any]:
    formats = getattr(field, "input_formats", api_settings.DATETIME_INPUT_FORMATS)
    if list(formats) != [ISO_8601] or field.validators:
        return _generic(field)
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()

    def check(value):
        # Only the unambiguous form: a full ISO 8601 date-time with a UTC offset.
        if not isinstance(value, str) or not 19 <= len(value) <= 40 or value[10:11] != "T":
            raise Slow
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise Slow from exc
        if parsed.tzinfo is None or date_problem(parsed):
            raise Slow
        return parsed.astimezone(zone) if zone is not None else parsed

    return check


def _generic(field: serializers.Field) -> Callable[[Any], Any]:
    """A field kind without plain checks: its own validation, outside the serializer's
    machinery (still far cheaper than the whole item through the serializer)."""

    def check(value):
        try:
            return field.run_validation(value)
        except serializers.ValidationError as exc:
            raise Slow from exc

    return check


def _list_of(field: serializers.ListField) -> Callable[[Any], Any]:
    child = field.child
    if not isinstance(child, serializers.Serializer):
        return _generic(field)
    item = compile_item_validator(child)
    max_length, min_length, allow_empty = field.max_length, field.min_length, field.allow_empty

    def check(value):
        if not isinstance(value, list) or (not value and not allow_empty):
            raise Slow
        if (max_length is not None and len(value) > max_length) or (
            min_length is not None and len(value) < min_length
        ):
            raise Slow
        return [item(v) for v in value]

    return check


def _field_check(field: serializers.Field) -> Callable[[Any], Any]:
    kind = type(field)
    if kind is serializers.CharField:
        return _char(field)
    if kind is serializers.ChoiceField or kind.__name__ == "CurrencyField":
        return _choice(field)
    if kind is serializers.DecimalField:
        return _decimal(field)
    if kind is serializers.IntegerField:
        return _integer(field)
    if kind is serializers.BooleanField:
        return _boolean(field)
    if issubclass(kind, serializers.DateTimeField) and kind.__module__ in (
        "rest_framework.fields",
        "apps.core.bounds",
    ):
        return _datetime(field)
    if kind is serializers.ListField:
        return _list_of(field)
    return _generic(field)


def compile_item_validator(serializer: serializers.Serializer) -> Callable[[Any], dict]:
    """Plain checks for `serializer`'s fields: a function turning a raw item into the
    serializer's validated data, or raising `Slow` where the serializer must decide."""
    plan = []
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if field.source != name or (
            field.validators
            and not isinstance(
                field, serializers.CharField | serializers.DecimalField | serializers.IntegerField
            )
        ):
            plan.append((name, _generic(field), field))
            continue
        plan.append((name, _field_check(field), field))
    custom_validate = type(serializer).validate is not serializers.Serializer.validate
    field_hooks = [n for n, _c, _f in plan if hasattr(serializer, f"validate_{n}")]
    if field_hooks or getattr(serializer, "validators", None):
        # Per-field hooks and serializer validators: leave every item to the serializer.
        def declined(raw):
            raise Slow

        return declined

    def validate(raw) -> dict:
        if not isinstance(raw, dict):
            raise Slow
        out: dict[str, Any] = {}
        for name, check, field in plan:
            if name in raw:
                value = raw[name]
                if value is None:
                    if not field.allow_null:
                        raise Slow
                    out[name] = None
                else:
                    out[name] = check(value)
            elif field.required:
                raise Slow
            elif field.default is not empty:
                out[name] = field.get_default()
        if custom_validate:
            try:
                out = dict(serializer.validate(out))
            except serializers.ValidationError as exc:
                raise Slow from exc
        return out

    return validate


def validate_items(
    items: Sequence[Any], child: serializers.Serializer
) -> tuple[list[dict], list[int], dict[int, dict]]:
    """(valid items, their positions, errors by position): the plain checks first, the
    serializer for whatever they decline."""
    fast = compile_item_validator(child)
    valid: list[dict] = []
    positions: list[int] = []
    errors: dict[int, dict] = {}
    for index, raw in enumerate(items):
        try:
            valid.append(fast(raw))
            positions.append(index)
            continue
        except Slow:
            pass
        try:
            valid.append(dict(child.run_validation(raw)))
            positions.append(index)
        except serializers.ValidationError as exc:
            detail = exc.detail
            errors[index] = detail if isinstance(detail, dict) else {"non_field_errors": detail}
    return valid, positions, errors


# --- the endpoint ------------------------------------------------------------------------------


class BulkBodySerializer(serializers.Serializer):
    # Items unchecked here: a malformed item is an error of that item, not of the request.
    items = serializers.ListField(
        min_length=1, max_length=BULK_MAX,
        error_messages={"max_length": f"Send at most {BULK_MAX:,} items per request; split "
                                      "the batch (each request is answered item by item)."},
    )  # fmt: skip


class BulkResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(min_value=0, max_value=BULK_MAX - 1)
    status = serializers.ChoiceField(choices=STATUSES)
    id = serializers.IntegerField(allow_null=True)
    errors = serializers.DictField(
        required=False,
        child=serializers.JSONField(),
        help_text="Messages per field: a list of strings, or for a list field (an order's "
        "`lines`) an object of such lists by position",
    )


def _key_of(raw: Any, fields: Sequence[str]) -> dict[str, Any]:
    """The natural key as sent (bounded: echoed even for an invalid item)."""
    if not isinstance(raw, dict):
        return {f: None for f in fields}
    out = {}
    for f in fields:
        value = raw.get(f)
        if isinstance(value, str):
            out[f] = value[:200]
        elif isinstance(value, int | bool) and abs(value) < 2**63:
            out[f] = value
        else:
            out[f] = None
    return out


def bulk_schema(name: str, item: type[serializers.Serializer], key_fields: Sequence[str]) -> Any:
    """The schema of a bulk endpoint (a class decorator): `{"items": [item…]}` in, summary and
    results out."""
    result = {f: serializers.JSONField(required=False, help_text="As sent") for f in key_fields}
    return extend_schema_view(
        create=extend_schema(
            request=inline_serializer(
                f"{name}BulkUpsert",
                {"items": serializers.ListField(child=item(), min_length=1, max_length=BULK_MAX)},
            ),
            responses={
                200: inline_serializer(
                    f"{name}BulkUpsertResult",
                    {
                        "summary": inline_serializer(
                            f"{name}BulkSummary",
                            {s: serializers.IntegerField(min_value=0) for s in STATUSES},
                        ),
                        "results": inline_serializer(
                            f"{name}BulkItemResult",
                            {**BulkResultSerializer().get_fields(), **result},
                            many=True,
                        ),
                    },
                )
            },
        )
    )


class BulkUpsertViewSet(TenantViewSet):
    """`POST` `{"items": [...]}`: one result per item, in order. Subclasses set
    `item_serializer_class`, `key_fields` and implement `upsert`."""

    item_serializer_class: type[serializers.Serializer]
    key_fields: Sequence[str] = ()
    serializer_class = BulkBodySerializer

    def upsert(self, items: list[dict]) -> list[Outcome]:
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        body = BulkBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        raw_items = body.validated_data["items"]
        child = self.item_serializer_class(context=self.get_serializer_context())
        valid, positions, errors = validate_items(raw_items, child)
        outcomes = self.upsert(valid) if valid else []
        results: list[dict] = []
        summary = dict.fromkeys(STATUSES, 0)
        by_position = dict(zip(positions, outcomes, strict=True))
        for index, raw in enumerate(raw_items):
            row = {"index": index, **_key_of(raw, self.key_fields)}
            if index in errors:
                row.update(status="error", id=None, errors=errors[index])
            else:
                outcome = by_position[index]
                row.update(status=outcome.status, id=outcome.id)
                if outcome.errors:
                    row["errors"] = outcome.errors
            summary[row["status"]] += 1
            results.append(row)
        return Response({"summary": summary, "results": results})


def duplicates(keys: Sequence[Any]) -> dict[int, int]:
    """Positions whose key repeats an earlier one → that earlier position (the first wins)."""
    first: dict[Any, int] = {}
    out: dict[int, int] = {}
    for index, key in enumerate(keys):
        if key in first:
            out[index] = first[key]
        else:
            first[key] = index
    return out


def upsert_statuses(rows, keys: Sequence[Any]) -> list[tuple[str, int | None]]:
    """(status, id) per key from an upsert statement's rows `(id, key, inserted)`: `inserted`
    NULL for a row as it was before the statement (read by a CTE), true / false for a row the
    statement inserted / updated. A key with no row of its own is unchanged.

    The statements answer rows by key and Python matches them: joining the written rows back
    to the incoming ones in SQL makes the planner, which cannot estimate a CTE's rows, pick
    nested loops quadratic in the batch size."""
    before: dict[Any, int] = {}
    written: dict[Any, tuple[int, bool]] = {}
    for pk, key, inserted in rows:
        if inserted is None:
            before[key] = pk
        else:
            written[key] = (pk, inserted)
    out: list[tuple[str, int | None]] = []
    for key in keys:
        if key in written:
            pk, inserted = written[key]
            out.append(("created" if inserted else "updated", pk))
        else:
            out.append(("unchanged", before.get(key)))
    return out
