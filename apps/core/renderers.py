"""JSON rendering with orjson: the bytes of DRF's JSONRenderer (compact separators, UTF-8,
U+2028/U+2029 escaped) in a fraction of the time. Values orjson does not know natively
(Decimal, lazy translations, …) go through DRF's encoder; anything else unusual (an integer
beyond 64 bits, a float DRF prints differently) falls back to DRF's renderer itself."""

from __future__ import annotations

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_encoder = JSONEncoder()


def _default(value):
    return _encoder.default(value)


class FastJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type or "", renderer_context or {})
        if indent or not self.compact or self.ensure_ascii or _has_float(data):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=_default)
        except (TypeError, orjson.JSONEncodeError):
            return super().render(data, accepted_media_type, renderer_context)
        return body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")


def _has_float(data) -> bool:
    """Floats print differently (orjson: shortest round-trip, Python's repr: the same, but
    NaN/inf differ); a list page of plain values has none, so this is a cheap guard."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            return True
        if isinstance(item, dict):
            stack.extend(v for v in item.values() if isinstance(v, dict | list | float))
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, dict | list | float))
    return False
