"""The API's JSON parser: a body is parsed, then bounded, before any serializer sees it.

Python's json module recurses once per nesting level, so `[[[[…]]]]` ten thousand deep raised
RecursionError (a 500) and anything a little shallower reached serializers and JSONB columns.
PostgreSQL refuses NUL characters in text and JSONB (a DataError, another 500 when it was a
free-form object such as product attributes), and `1e999` parses to an infinite float. One walk
over the parsed body refuses all three with a 400 that names the path of the bad value
(`rows.3.price`), so every endpoint gets the same bounds whatever its serializer declares.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

# Deep enough for every document the API takes (a listing, a bulk row, a policy's options);
# far below the interpreter's recursion limit.
MAX_DEPTH = 32


def _path(parts: list[str]) -> str:
    return ".".join(parts) or "non_field_errors"


def check_json_value(value: Any, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise a ValidationError naming the first value nested deeper than `max_depth`, a string
    (or key) holding a NUL character, or a number that is not finite. Iterative, so depth
    itself cannot exhaust the stack."""
    stack: list[tuple[Any, list[str], int]] = [(value, [], 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= max_depth:
                raise exceptions.ValidationError(
                    {_path(path): [f"Nested deeper than {max_depth} levels."]}
                )
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                name = str(key)
                if "\x00" in name:
                    raise exceptions.ValidationError(
                        {_path(path): ["A key contains a NUL character."]}
                    )
                stack.append((child, [*path, name], depth + 1))
        elif isinstance(item, str):
            if "\x00" in item:
                raise exceptions.ValidationError(
                    {_path(path): ["Null characters are not allowed."]}
                )
        elif isinstance(item, float) and not math.isfinite(item):
            raise exceptions.ValidationError({_path(path): ["The number is out of range."]})


class BoundedJSONParser(JSONParser):
    """JSONParser plus `check_json_value`; deep nesting is a 400, never a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.") from exc
        check_json_value(data, max_depth=getattr(settings, "API_MAX_JSON_DEPTH", MAX_DEPTH))
        return data
