"""What a draft kind lets a reviewer edit, with typed limits, and how each field's diff renders.

A kind declares its payload fields (`DraftKind.fields`); review uses the declarations to
validate a reviewer's edits on approval (server side, whatever the form or the API sent), to
render the edit form, and to pick a diff renderer per field. Review knows the types, never the
domain: "a text of at most 2,000 characters", not "a listing title".

Hostile edits (a list of nulls, an object or a number where text belongs, a field the kind
does not let people edit) are refused with a ValidationFailed naming the field (HTTP 400).
Money is rounded to the currency first and must still be more than zero after rounding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise

from apps.core.errors import ValidationFailed
from apps.core.money import MAX_AMOUNT, quantize

TEXT, TEXT_LIST, MONEY, INTEGER, BOOLEAN, CHOICE, IMAGES = (
    "text",
    "text_list",
    "money",
    "integer",
    "boolean",
    "choice",
    "images",
)
# The renderer a field's diff gets unless its declaration names another (see diffing.RENDERERS).
DEFAULT_RENDERER = {
    TEXT: "words",
    TEXT_LIST: "items",
    MONEY: "value",
    INTEGER: "value",
    BOOLEAN: "value",
    CHOICE: "value",
    IMAGES: "images",
}


@dataclass(frozen=True)
class FieldSpec:
    """One payload field of a draft kind. Build it with the helpers below."""

    name: str
    label: str | Promise
    type: str
    editable: bool = True
    # text / text_list
    max_length: int | None = None  # text, or each item of a list
    max_items: int | None = None
    single_line: bool = False
    rows: int = 2
    # money: the payload key holding the ISO currency the amount is rounded to
    currency_field: str = "currency"
    # integer
    min_value: int | None = None
    max_value: int | None = None
    # choice
    choices: tuple[str, ...] = ()
    # images: path -> URL of a thumbnail (the owning app's tenant-checked view)
    image_url: Callable[[str], str] | None = None
    # diff renderer name (diffing.RENDERERS); "" takes the type's default
    renderer: str = ""
    # shown in the diff (and measured by the edit distance); False: a value kept out of sight
    diffed: bool = True
    # offered in the edit form (False: edited another way, e.g. confirmations of claims)
    form: bool = True
    # text_list: how one item is named where a check points at it ("Bullet %(n)d")
    item_label: str | Promise = ""
    # For the browser's live checks: the key of the kind's client limits to count against, and
    # whether the count is in UTF-8 bytes (the server's checks stay authoritative).
    limit_key: str = ""
    count_bytes: bool = False

    @property
    def renderer_name(self) -> str:
        return self.renderer or DEFAULT_RENDERER[self.type]


def text(name: str, label, *, max_length: int, single_line: bool = False, rows: int = 2,
         **extra: Any) -> FieldSpec:  # fmt: skip
    return FieldSpec(name, label, TEXT, max_length=max_length, single_line=single_line,
                     rows=rows, **extra)  # fmt: skip


def text_list(name: str, label, *, max_items: int, max_length: int, **extra: Any) -> FieldSpec:
    return FieldSpec(name, label, TEXT_LIST, max_items=max_items, max_length=max_length, **extra)


def money(name: str, label, *, currency_field: str = "currency", **extra: Any) -> FieldSpec:
    return FieldSpec(name, label, MONEY, currency_field=currency_field, **extra)


def integer(name: str, label, *, min_value: int, max_value: int, **extra: Any) -> FieldSpec:
    return FieldSpec(name, label, INTEGER, min_value=min_value, max_value=max_value, **extra)


def boolean(name: str, label, **extra: Any) -> FieldSpec:
    return FieldSpec(name, label, BOOLEAN, **extra)


def choice(name: str, label, *, choices: tuple[str, ...], **extra: Any) -> FieldSpec:
    return FieldSpec(name, label, CHOICE, choices=tuple(choices), **extra)


def images(name: str, label, *, image_url: Callable[[str], str], **extra: Any) -> FieldSpec:
    return FieldSpec(name, label, IMAGES, editable=False, image_url=image_url, **extra)


# --- validation of a reviewer's edits --------------------------------------------------------


def _refuse(spec: FieldSpec, message: str) -> ValidationFailed:
    return ValidationFailed(f"{spec.name}: {message}", field=spec.name, code="invalid_edit")


def _clean_text(spec: FieldSpec, value: Any) -> str:
    if not isinstance(value, str):
        raise _refuse(spec, "must be text.")
    if spec.single_line:
        value = " ".join(value.split())
    if spec.max_length is not None and len(value) > spec.max_length:
        raise _refuse(spec, f"at most {spec.max_length} characters.")
    return value


def _clean_text_list(spec: FieldSpec, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise _refuse(spec, "must be a list of texts.")
    if spec.max_items is not None and len(value) > spec.max_items:
        raise _refuse(spec, f"at most {spec.max_items} items.")
    for i, item in enumerate(value, start=1):
        if not isinstance(item, str):
            raise _refuse(spec, f"item {i} must be text.")
        if spec.max_length is not None and len(item) > spec.max_length:
            raise _refuse(spec, f"item {i} has more than {spec.max_length} characters.")
    return list(value)


def _clean_money(spec: FieldSpec, value: Any, payload: dict) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _refuse(spec, "must be an amount.")
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise _refuse(spec, "must be an amount.") from exc
    if not amount.is_finite():
        raise _refuse(spec, "must be an amount.")
    if abs(amount) >= MAX_AMOUNT:
        raise _refuse(spec, f"must be less than {MAX_AMOUNT:,}.")
    currency = str(payload.get(spec.currency_field) or "")
    if not currency:
        raise _refuse(spec, "has no currency to round to.")
    rounded = quantize(amount, currency)
    if rounded <= 0:
        raise _refuse(spec, f"must be more than zero {currency} after rounding ({rounded}).")
    return f"{rounded:f}"


def _clean_integer(spec: FieldSpec, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _refuse(spec, "must be a whole number.")
    try:
        number = int(value)
    except (ValueError, OverflowError) as exc:
        raise _refuse(spec, "must be a whole number.") from exc
    if spec.min_value is not None and number < spec.min_value:
        raise _refuse(spec, f"must be at least {spec.min_value}.")
    if spec.max_value is not None and number > spec.max_value:
        raise _refuse(spec, f"must be at most {spec.max_value}.")
    return number


def clean_value(spec: FieldSpec, value: Any, payload: dict) -> Any:
    """The edited value as the field's type, or a ValidationFailed naming the field."""
    if spec.type == TEXT:
        return _clean_text(spec, value)
    if spec.type == TEXT_LIST:
        return _clean_text_list(spec, value)
    if spec.type == MONEY:
        return _clean_money(spec, value, payload)
    if spec.type == INTEGER:
        return _clean_integer(spec, value)
    if spec.type == BOOLEAN:
        if not isinstance(value, bool):
            raise _refuse(spec, "must be true or false.")
        return value
    if spec.type == CHOICE:
        if not isinstance(value, str) or value not in spec.choices:
            raise _refuse(spec, f"must be one of {', '.join(spec.choices)}.")
        return value
    raise _refuse(spec, "cannot be edited.")


def clean_edits(specs: tuple[FieldSpec, ...], proposed: dict, edited: Any) -> dict:
    """A reviewer's edits checked against the kind's declarations: only declared, editable
    fields the draft proposes, each of its type and within its limits."""
    if not isinstance(edited, dict):
        raise ValidationFailed("The edit must be an object of fields.", code="invalid_edit")
    editable = {s.name: s for s in specs if s.editable}
    unknown = sorted(str(k) for k in edited if k not in editable or k not in proposed)
    if unknown:
        raise ValidationFailed(
            f"Unknown fields in the edit: {', '.join(unknown)}.",
            field=unknown[0],
            code="invalid_edit",
        )
    merged = {**proposed, **edited}
    return {name: clean_value(editable[name], value, merged) for name, value in edited.items()}


@dataclass(frozen=True)
class TargetDisplay:
    """What the queue shows of a draft's target: its label, its store (if it has one) and a
    link to the target's own page."""

    label: str
    store_id: int | None = None
    store_label: str = ""
    url: str = ""
    url_label: str = ""  # the link's text; "" for a generic "Open"
