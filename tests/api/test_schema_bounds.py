"""Every input the API takes is bounded in its published schema, as the serializers bound it:
strings have a maximum length (or an enum, a pattern, a date format), integers a maximum,
arrays a maximum number of items. A new unbounded field fails here, before a client or a
fuzzer sends it a megabyte."""

from __future__ import annotations

import json

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

BOUNDED_FORMATS = {"date", "date-time", "uri", "binary", "email", "uuid"}


def _schema() -> dict:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


def _unbounded(schema: dict, components: dict, path: str, found: list[str], seen: set) -> None:
    while "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        if (name, path) in seen:
            return
        seen.add((name, path))
        schema = components[name]
    for key in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(key, []):
            _unbounded(part, components, path, found, seen)
    kind = schema.get("type")
    if kind == "string" and not (
        {"maxLength", "enum", "pattern"} & set(schema) or schema.get("format") in BOUNDED_FORMATS
    ):
        found.append(f"{path}: string without maxLength")
    if kind == "integer" and "maximum" not in schema:
        found.append(f"{path}: integer without maximum")
    if kind == "array":
        if "maxItems" not in schema:
            found.append(f"{path}: array without maxItems")
        _unbounded(schema.get("items", {}), components, f"{path}[]", found, seen)
    for name, child in schema.get("properties", {}).items():
        _unbounded(child, components, f"{path}.{name}", found, seen)


def test_every_request_body_field_is_bounded_in_the_schema(db):
    schema = _schema()
    components = schema["components"]["schemas"]
    found: list[str] = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                _unbounded(content["application/json"]["schema"], components,
                           f"{method.upper()} {path}", found, set())  # fmt: skip
    assert found == []


def test_money_inputs_state_their_digits(db):
    components = _schema()["components"]["schemas"]
    listing = components["PatchedListingUpdateRequest"]["properties"]["price"]
    assert listing["pattern"].startswith("^-?\\d{0,10}")  # 14 digits, 4 of them decimals
    assert components["PatchedListingUpdateRequest"]["properties"]["stock"]["maximum"] == (
        2**31 - 1
    )
