"""The `b2b_inquiry_parse` generation kind and draft kind: with an LLM endpoint, the model reads
the inquiry into the structured request; the proposal is a review draft whose approval sets the
inquiry's fields and recomputes (and redrafts) its quotation. Offline, the generator is the
rule parser (apps.support.b2b.parsing), labelled `offline_rules`; inquiries are parsed by the
rules at creation either way, so this kind is queued only when an endpoint is configured.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.ai.registry import GenerationKind, Item, Proposal
from apps.ai.registry import register as register_generation
from apps.review import fields as review_fields
from apps.review.fields import TargetDisplay
from apps.review.registry import Check, DraftKind
from apps.review.registry import register as register_draft

from . import parsing
from .models import Inquiry

KIND = "b2b_inquiry_parse"
PROMPTS = Path(__file__).resolve().parent / "prompts"
FIELDS = ("quantity", "destination_country", "destination_port", "incoterm", "target_price",
          "target_currency", "deadline", "customisation")  # fmt: skip


def load(batch, ids: list[int]) -> list[Inquiry]:
    return list(Inquiry.objects.for_org(batch.org).filter(pk__in=ids))


def item(batch, inquiry: Inquiry) -> Item:
    return Item(
        target=inquiry,
        variables={"today": timezone.localdate().isoformat()},
        untrusted={"inquiry": [inquiry.text[:8000]]},
        context={"text": inquiry.text[:8000], "language": inquiry.language or "en"},
    )


TERMS = ["", "EXW", "FOB", "CIF", "DDP"]
HINT = {"type": "string", "maxLength": 64}


def schema(item: Item) -> dict[str, Any]:
    s = {"type": ["string", "null"], "maxLength": 500}
    return {
        "type": "object",
        "required": list(FIELDS),
        "additionalProperties": False,
        "properties": {
            "quantity": {"type": ["integer", "null"], "minimum": 1, "maximum": 10_000_000},
            "destination_country": {"type": ["string", "null"], "pattern": "^([A-Z]{2})?$"},
            "destination_port": {"type": ["string", "null"], "maxLength": 64},
            "incoterm": {"type": ["string", "null"], "enum": [*TERMS, None]},
            "target_price": {"type": ["number", "string", "null"]},
            "target_currency": {"type": ["string", "null"], "pattern": "^([A-Z]{3})?$"},
            "deadline": {"type": ["string", "null"], "pattern": r"^(\d{4}-\d{2}-\d{2})?$"},
            "customisation": s,
            "product_hints": {"type": "array", "maxItems": 10, "items": HINT},
        },
    }  # fmt: skip


def offline(request) -> dict[str, Any]:
    p = parsing.parse(request.context.get("text", ""))
    return {
        "quantity": p.quantity,
        "destination_country": p.destination_country,
        "destination_port": p.destination_port,
        "incoterm": p.incoterm if p.incoterm in ("EXW", "FOB", "CIF", "DDP") else "",
        "target_price": p.target_price or None,
        "target_currency": p.target_currency,
        "deadline": p.deadline,
        "customisation": p.customisation,
        "product_hints": p.product_hints[:10],
    }


def propose(item: Item, data: dict, provider: str) -> Proposal:
    proposed = {name: ("" if data.get(name) is None else data.get(name)) for name in FIELDS}
    proposed["quantity"] = data.get("quantity") or None
    proposed["target_price"] = str(data.get("target_price") or "")
    proposed["method"] = "offline_rules" if provider == "offline" else "llm"
    return Proposal(
        proposed=proposed,
        rationale=f"Inquiry read by {'offline rules' if provider == 'offline' else provider}.",
        evidence=[{"kind": "b2b_inquiry", "text": item.context.get("text", "")[:2000]}],
    )


GENERATION_KIND = GenerationKind(
    name=KIND,
    label=_("B2B inquiry reading"),
    prompt=KIND,
    prompts_dir=PROMPTS,
    load=load,
    item=item,
    schema=schema,
    propose=propose,
    offline=offline,
    target_noun="inquiries",
    temperature=0.0,
)


def _values(payload: dict) -> tuple[dict, list[Check]]:
    checks: list[Check] = []
    out: dict[str, Any] = {}
    qty = payload.get("quantity")
    try:
        out["quantity"] = int(qty) if qty not in (None, "") else None
    except (TypeError, ValueError):
        checks.append(Check("parse.quantity", "error", str(_("Not a quantity.")), "quantity"))
    country = str(payload.get("destination_country") or "").upper()
    out["destination_country"] = country if re.fullmatch(r"[A-Z]{2}", country) else ""
    out["destination_port"] = str(payload.get("destination_port") or "")[:64]
    term = str(payload.get("incoterm") or "").upper()
    out["incoterm"] = term if term in ("EXW", "FOB", "CIF", "DDP") else ""
    try:
        price = str(payload.get("target_price") or "")
        out["target_price"] = Decimal(price) if price else None
        if out["target_price"] is not None and not 0 < out["target_price"] < 10**8:
            raise InvalidOperation
    except InvalidOperation:
        out["target_price"] = None
        checks.append(Check("parse.price", "error", str(_("Not a price.")), "target_price"))
    currency = str(payload.get("target_currency") or "").upper()
    out["target_currency"] = currency if re.fullmatch(r"[A-Z]{3}", currency) else ""
    try:
        raw = str(payload.get("deadline") or "")
        out["deadline"] = date.fromisoformat(raw) if raw else None
    except ValueError:
        out["deadline"] = None
        checks.append(Check("parse.deadline", "error", str(_("Not a date.")), "deadline"))
    out["customisation"] = str(payload.get("customisation") or "")[:500]
    return out, checks


def validate(inquiry: Inquiry, payload: dict) -> list[Check]:
    return _values(payload)[1]


def apply(inquiry: Inquiry, payload: dict) -> None:
    from .services import inquiry_update

    values, _checks = _values(payload)
    inquiry.parse_method = str(payload.get("method") or "llm")[:32]
    inquiry.save(update_fields=["parse_method"])
    inquiry_update(org=inquiry.organization, inquiry=inquiry, **values)


def snapshot(inquiry: Inquiry) -> dict:
    return {
        "quantity": inquiry.quantity,
        "destination_country": inquiry.destination_country,
        "destination_port": inquiry.destination_port,
        "incoterm": inquiry.incoterm,
        "target_price": str(inquiry.target_price or ""),
        "target_currency": inquiry.target_currency,
        "deadline": inquiry.deadline.isoformat() if inquiry.deadline else "",
        "customisation": inquiry.customisation,
    }


def display(inquiry: Inquiry) -> TargetDisplay:
    from django.urls import reverse

    return TargetDisplay(
        label=f"{inquiry.buyer_name or inquiry.buyer_email or '-'} · {inquiry.quantity or '?'}",
        url=reverse("support:b2b_inquiry", args=[inquiry.pk]),
    )


DRAFT_KIND = DraftKind(
    kind=KIND,
    label=_("B2B inquiry reading"),
    target_model="support.Inquiry",
    snapshot=snapshot,
    apply=apply,
    validate=validate,
    display=display,
    version_of=lambda inquiry: None,
    fields=(
        review_fields.integer("quantity", _("Quantity"), min_value=1, max_value=10_000_000),
        review_fields.text("destination_country", _("Destination"), max_length=2, single_line=True),
        review_fields.text("incoterm", _("Incoterm"), max_length=3, single_line=True),
        review_fields.text("customisation", _("Customisation"), max_length=500),
    ),
    auto_approve=None,
)


def register() -> None:
    register_generation(GENERATION_KIND)
    register_draft(DRAFT_KIND)
