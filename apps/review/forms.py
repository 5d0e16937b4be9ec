"""The review screen's per-draft forms and labels, built from the kind's field declarations.

The edit form gets one widget per editable field by its declared type; a posted form becomes
the edited payload (the service checks it against the same declarations); diff rows and claim
checks are labelled with the declarations' labels. Nothing here knows a domain's fields.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.http import QueryDict

from .diffing import RENDERERS
from .fields import BOOLEAN, CHOICE, INTEGER, MONEY, TEXT, TEXT_LIST, FieldSpec
from .models import Draft
from .registry import DraftKind, get_kind


def field_label(handler: DraftKind, name: str) -> str:
    spec = handler.field_spec(name)
    return str(spec.label) if spec is not None else name.replace("_", " ")


def labelled(handler: DraftKind, row: dict) -> dict:
    return {**row, "label": field_label(handler, row["field"])}


def with_template(row: dict) -> dict:
    return {**row, "template": RENDERERS[row["renderer"]].template}


def claim_checks(handler: DraftKind, checks: list[dict]) -> list[dict]:
    """Error checks that point at a claim in the text, with where the claim is."""
    if not handler.claims_field:
        return []
    claims = []
    for check in checks:
        if not (check.get("claim") and check.get("severity") == "error"):
            continue
        spec = handler.field_spec(check.get("field", ""))
        where = field_label(handler, check.get("field", ""))
        if spec is not None and spec.item_label and check.get("item") is not None:
            where = str(spec.item_label) % {"n": check["item"] + 1}
        claims.append({**check, "where": where})
    return claims


WIDGETS = {TEXT_LIST: "list", MONEY: "number", INTEGER: "number", BOOLEAN: "checkbox",
           CHOICE: "select"}  # fmt: skip


def _widget_value(spec: FieldSpec, value):
    if spec.type == TEXT_LIST:
        return [str(v) for v in (value or [])]
    if spec.type == BOOLEAN:
        return bool(value)
    return "" if value is None else str(value)


def edit_fields(draft: Draft, handler: DraftKind, edited: dict | None) -> list[dict]:
    """One form field per editable field the draft proposes, by its declared type."""
    values = {**draft.proposed, **(edited or {})}
    fields = []
    for spec in handler.fields:
        if not (spec.editable and spec.form) or spec.name not in draft.proposed:
            continue
        widget = WIDGETS.get(spec.type, "line" if spec.single_line else "text")
        fields.append(
            {
                "name": spec.name,
                "label": spec.label,
                "widget": widget,
                "value": _widget_value(spec, values.get(spec.name)),
                "rows": spec.rows,
                "choices": spec.choices,
                "limit_key": spec.limit_key,
                "bytes": spec.count_bytes,
                "type": spec.type,
            }
        )
    return fields


def _posted_value(spec: FieldSpec, post: QueryDict):
    """A field's value as the form posted it, in the payload's type where the form can tell;
    the service checks it against the declaration (type, limits, currency rounding)."""
    if spec.type == TEXT_LIST:
        return [v.strip() for v in post.getlist(spec.name) if v.strip()]
    if spec.type == BOOLEAN:
        return spec.name in post
    value = post.get(spec.name, "").strip()
    if spec.type == TEXT and spec.single_line:  # one line, whatever the textarea let through
        value = " ".join(value.split())
    if spec.type == MONEY:
        value = amount_text(value)
    if spec.type == INTEGER:
        try:
            return int(value)
        except ValueError:
            return value  # refused, naming the field, by the service
    return value


def edited_from(request, draft: Draft) -> dict:
    """The fields the reviewer changed."""
    handler = get_kind(draft.kind)
    edited: dict = {}
    for spec in handler.fields:
        if not (spec.editable and spec.form) or spec.name not in draft.proposed:
            continue
        present = spec.name in request.POST or f"{spec.name}__shown" in request.POST
        if not present:
            continue
        value = _posted_value(spec, request.POST)
        if value != draft.proposed[spec.name]:
            edited[spec.name] = value
    claims_field = handler.claims_field
    if claims_field in draft.proposed and request.POST.getlist(claims_field):
        # Claims the reviewer checked by hand: they stop blocking approval.
        already = list(draft.proposed.get(claims_field) or [])
        claims = list(dict.fromkeys([*already, *request.POST.getlist(claims_field)]))
        if claims != already:
            edited[claims_field] = claims
    return edited


def amount_text(value: str) -> str:
    try:
        return f"{Decimal(value.replace(',', '.')):f}"
    except InvalidOperation:
        return value
