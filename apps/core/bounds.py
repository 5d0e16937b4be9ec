"""Bounded inputs of the API: dates and times, whole numbers and query filters that only take
values every layer below can hold.

Python accepts UTC offsets up to ±23:59 and years 1 to 9999; PostgreSQL's timestamptz takes
offsets up to ±15:59 only (a `DataError`, once a 500), and year 1 is stored as 1 BC. Whole
numbers in Python are unbounded; an `integer` column is not. These helpers refuse such values
in the serializer or filter, so the 400 names the field and the schema states the bound.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import fields as filter_fields
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# Dates the API takes (records and the filters over them): wide enough for any history and
# any "until far in the future" filter; every one converts to UTC within datetime's range
# and is stored as an AD date (year 1 with a positive offset would become 1 BC).
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(9999, 12, 30)
# Observed facts (competitor prices, orders) are recent: nothing before this date is real.
RECORD_MIN = date(1970, 1, 1)
# PostgreSQL refuses UTC offsets of 16 hours or more ("time zone displacement out of range").
MAX_UTC_OFFSET = timedelta(hours=15, minutes=59)
INT32_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1


def date_problem(value: date | datetime | None) -> str:
    """Why `value` cannot be stored or compared (an empty string when it can)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        offset = value.utcoffset()
        if offset is not None and abs(offset) > MAX_UTC_OFFSET:
            return str(_("The UTC offset must be within ±15:59."))
        try:
            day = (value.astimezone(UTC) if offset is not None else value).date()
        except OverflowError:  # 9999-12-31T23:59-15:00 is in year 10000 in UTC
            day = date.max
    else:
        day = value
    if not DATE_MIN <= day <= DATE_MAX:
        return str(
            _("The date must be between %(min)s and %(max)s.")
            % {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()}
        )
    return ""


def _check_bounds(value):
    problem = date_problem(value)
    if problem:
        raise serializers.ValidationError(problem)
    return value


class DateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time within DATE_MIN–DATE_MAX whose UTC offset PostgreSQL can store."""

    def to_internal_value(self, value):
        try:
            parsed = super().to_internal_value(value)
        except OverflowError as exc:  # make_aware at the edge of datetime's range
            raise serializers.ValidationError(str(_("The date is out of range."))) from exc
        return _check_bounds(parsed)


class DateField(serializers.DateField):
    """An ISO 8601 date within DATE_MIN–DATE_MAX."""

    def to_internal_value(self, value):
        return _check_bounds(super().to_internal_value(value))


@extend_schema_field({"type": "string", "maxLength": 64, "pattern": "^[-a-z0-9_]+$"})
class CodeRelatedField(serializers.SlugRelatedField):
    """A related row by its code (a marketplace's `amazon_de`); the schema states the bound."""


def IdField(**kwargs) -> serializers.IntegerField:  # reads like a field class
    """A row id: a positive bigint."""
    kwargs.setdefault("min_value", 1)
    kwargs.setdefault("max_value", BIGINT_MAX)
    return serializers.IntegerField(**kwargs)


# --- query filters --------------------------------------------------------------------------


class _BoundedFormMixin:
    def clean(self, value):
        cleaned = super().clean(value)
        items = (cleaned.start, cleaned.stop) if isinstance(cleaned, slice) else (cleaned,)
        for item in items:
            problem = date_problem(item)
            if problem:
                raise forms.ValidationError(problem, code="out_of_range")
        return cleaned


class _IsoDateTimeFormField(_BoundedFormMixin, filter_fields.IsoDateTimeField):
    def strptime(self, value, format):
        try:
            return super().strptime(value, format)
        except OverflowError as exc:
            raise ValueError(str(exc)) from exc


class _IsoDateTimeRangeFormField(_BoundedFormMixin, filter_fields.IsoDateTimeRangeField):
    pass


class _DateRangeFormField(_BoundedFormMixin, filter_fields.DateRangeField):
    pass


class IsoDateTimeFilter(filters.IsoDateTimeFilter):
    """`IsoDateTimeFilter` refusing offsets beyond ±15:59 and dates outside the window (400)."""

    field_class = _IsoDateTimeFormField


class IsoDateTimeFromToRangeFilter(filters.IsoDateTimeFromToRangeFilter):
    field_class = _IsoDateTimeRangeFormField


class DateFromToRangeFilter(filters.DateFromToRangeFilter):
    field_class = _DateRangeFormField


# --- free-form JSON objects ------------------------------------------------------------------

_SCALARS = (str, int, float, bool, type(None))


class JSONObjectField(serializers.DictField):
    """A free-form object (product attributes, policy options) with bounds the schema states:
    at most `max_keys` keys of at most 100 characters, and values that are scalars or lists
    of scalars (at most 100 items), texts of at most `max_text` characters."""

    def __init__(self, *, max_keys: int = 100, max_text: int = 1000, **kwargs):
        self.max_keys, self.max_text = max_keys, max_text
        kwargs.setdefault(
            "help_text",
            f"An object of at most {max_keys} keys; values are texts (at most {max_text} "
            "characters), numbers, booleans, null, or lists of those.",
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if len(data) > self.max_keys:
            raise serializers.ValidationError(f"At most {self.max_keys} keys.")
        for key, value in data.items():
            if len(key) > 100:
                raise serializers.ValidationError(
                    {key[:100]: ["Keys have at most 100 characters."]}
                )
            items = value if isinstance(value, list) else [value]
            if isinstance(value, list) and len(value) > 100:
                raise serializers.ValidationError({key: ["At most 100 items."]})
            for item in items:
                if not isinstance(item, _SCALARS):
                    raise serializers.ValidationError(
                        {key: ["Use a text, a number, a boolean or a list of those."]}
                    )
                if isinstance(item, str) and len(item) > self.max_text:
                    raise serializers.ValidationError(
                        {key: [f"At most {self.max_text} characters."]}
                    )
        return data
