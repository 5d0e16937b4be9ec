"""The `b2b_quotation` generation kind and draft kind.

Generation (apps.ai pipeline): the item carries the quotation's computation and the inquiry's
facts; the buyer's inquiry travels as untrusted data. Offline, the text comes from templates
per language (labelled "offline templates"), with a Chinese back-translation from the same
templates. The draft (apps.review registry) targets the Quotation; its checks: every number of
the text must be in the computation (an error: it blocks approval), a computation with
problems (no cost, no margin rule) blocks too, a target price under the quote warns.
Applying the approved draft queues the reply with the PDF attached through support's SMTP path
(for e-mail inquiries); nothing is ever sent without that approval.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.ai.registry import BackTranslation, GenerationKind, Item, Proposal
from apps.ai.registry import register as register_generation
from apps.review import fields as review_fields
from apps.review.fields import TargetDisplay
from apps.review.registry import Check, DraftKind
from apps.review.registry import register as register_draft

from . import quote, texts
from .models import Inquiry, Quotation

KIND = "b2b_quotation"
PROMPTS = Path(__file__).resolve().parent / "prompts"


def facts(quotation: Quotation) -> dict[str, Any]:
    """What the text may state: the computation and the inquiry's facts."""
    inquiry = quotation.inquiry
    product = inquiry.product
    org = quotation.organization
    return {
        "language": quotation.language,
        "computation": quotation.computation,
        "buyer": inquiry.buyer_name or inquiry.company or "",
        "product": (f"{product.sku} {product.brand}".strip() if product else "")
        or (inquiry.parsed.get("product_hints") or [""])[0],
        "destination": inquiry.destination_port or inquiry.destination_country,
        "customisation": inquiry.customisation,
        "seller": getattr(org, "name", ""),
    }


def load(batch, ids: list[int]) -> list[Quotation]:
    return list(
        Quotation.objects.for_org(batch.org)
        .filter(pk__in=ids)
        .select_related("organization", "inquiry", "inquiry__product")
    )


def item(batch, quotation: Quotation) -> Item:
    context = facts(quotation)
    return Item(
        target=quotation,
        variables={
            "language": context["language"],
            "facts": json.dumps(context, ensure_ascii=False, default=str),
        },
        untrusted={"buyer_inquiry": [quotation.inquiry.text[:8000]]},
        context=context,
    )


def schema(item: Item) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["text"],
        "additionalProperties": False,
        "properties": {
            "text": {"type": "string", "minLength": 1, "maxLength": 6000},
            "text_zh": {"type": "string", "maxLength": 8000},
        },
    }


def rules(item: Item, data: dict) -> list[str]:
    return [
        f"'{n}' is not a number of the computation"
        for n in texts.ungrounded_numbers(str(data.get("text") or ""), item.context)
    ]


def offline(request) -> dict[str, Any]:
    context = dict(request.context)
    return {"text": texts.compose(context, context.get("language", "en"))}


def offline_back(item: Item) -> dict[str, Any]:
    return {"text": texts.compose(item.context, "zh")}


def propose(item: Item, data: dict, provider: str) -> Proposal:
    method = "offline templates" if provider == "offline" else provider
    return Proposal(
        proposed={
            "text": str(data.get("text") or "").strip(),
            "language": item.context.get("language", "en"),
            "method": "offline_templates" if provider == "offline" else "llm",
        },
        rationale=f"B2B quotation ({method}).",
        evidence=[{"kind": "b2b_computation", "context": item.context}],
    )


GENERATION_KIND = GenerationKind(
    name=KIND,
    label=_("B2B quotation"),
    prompt=KIND,
    prompts_dir=PROMPTS,
    load=load,
    item=item,
    schema=schema,
    propose=propose,
    rules=rules,
    back_translation=BackTranslation(
        fields={"text": str}, in_answer="text_zh", offline=offline_back, untrusted_source="text"
    ),
    offline=offline,
    target_noun="quotations",
    temperature=0.2,
)


# --- review-queue draft kind ------------------------------------------------------------------


def validate(quotation: Quotation, payload: dict) -> list[Check]:
    text = str(payload.get("text") or "")
    context = facts(quotation)
    checks = [
        Check(
            rule="grounding.number",
            severity="error",
            field="text",
            message=str(
                _("“%(claim)s” is not a figure of the quotation's computation.") % {"claim": n}
            ),
        )
        for n in texts.ungrounded_numbers(text, context)
    ]
    computation = quotation.computation or {}
    for problem in computation.get("problems") or []:
        checks.append(
            Check(
                f"quotation.{problem}",
                "error",
                str(_("The quotation cannot be computed: %(problem)s.") % {"problem": problem}),
                "",
            )
        )
    if not computation.get("tiers"):
        checks.append(Check("quotation.no_tiers", "error", str(_("No price tier.")), ""))
    inquiry = quotation.inquiry
    tier = quote.requested_tier(computation)
    if (
        tier is not None
        and inquiry.target_price
        and inquiry.target_currency == computation.get("currency")
    ):
        try:
            term = computation.get("incoterm") or "EXW"
            cheapest = next(iter(tier["modes"].values()))  # sea first when it is quoted
            ours = Decimal(cheapest["unit"][term])
        except (KeyError, InvalidOperation, StopIteration):
            ours = None
        if ours is not None and inquiry.target_price < ours:
            checks.append(
                Check(
                    "quotation.above_target",
                    "warning",
                    str(
                        _("The buyer's target price %(target)s is below the quoted %(ours)s.")
                        % {"target": inquiry.target_price.normalize(), "ours": ours}
                    ),
                    "",
                )
            )
    return checks


def snapshot(quotation: Quotation) -> dict:
    return {"text": quotation.text, "language": quotation.language}


def apply(quotation: Quotation, payload: dict) -> None:
    """Record the approved text; for an e-mail inquiry queue the reply with the PDF attached
    through support's SMTP path (after commit)."""
    from ..models import Attachment, Mailbox, Message
    from ..services.channels import new_message_id, schedule_send
    from . import pdf

    text = str(payload.get("text") or "")
    org = quotation.organization
    inquiry = quotation.inquiry
    Quotation.objects.for_org(org).filter(pk=quotation.pk).update(
        text=text, status=Quotation.Status.APPROVED, version=F("version") + 1
    )
    conversation = inquiry.conversation
    if conversation is None:
        Inquiry.objects.for_org(org).filter(pk=inquiry.pk).update(status=Inquiry.Status.QUOTED)
        return
    mailbox = Mailbox.objects.for_org(org).filter(store_id=conversation.store_id).first()
    message = Message.objects.create(
        organization=org,
        conversation=conversation,
        direction=Message.Direction.OUTBOUND,
        sent_at=timezone.now(),
        text=text,
        language=quotation.language,
        message_id=new_message_id(mailbox.address if mailbox else ""),
        sender=mailbox.address if mailbox else "",
        send_status=Message.SendStatus.QUEUED,
    )
    data = pdf.render(
        computation=quotation.computation, text=text, language=quotation.language,
        title=f"Q-{quotation.pk}",
    )  # fmt: skip
    Attachment.objects.create(
        organization=org,
        message=message,
        filename=f"quotation-Q-{quotation.pk}.pdf",
        content_type="application/pdf",
        size=len(data),
        data=data,
    )
    Quotation.objects.for_org(org).filter(pk=quotation.pk).update(status=Quotation.Status.SENT)
    Inquiry.objects.for_org(org).filter(pk=inquiry.pk).update(status=Inquiry.Status.SENT)
    schedule_send(message.pk)


def display(quotation: Quotation) -> TargetDisplay:
    from django.urls import reverse

    inquiry = quotation.inquiry
    return TargetDisplay(
        label=f"Q-{quotation.pk} · {inquiry.buyer_name or inquiry.buyer_email or '-'}",
        store_id=inquiry.conversation.store_id if inquiry.conversation_id else None,
        url=reverse("support:b2b_inquiry", args=[inquiry.pk]),
    )


DRAFT_KIND = DraftKind(
    kind=KIND,
    label=_("B2B quotation"),
    target_model="support.Quotation",
    snapshot=snapshot,
    apply=apply,
    validate=validate,
    display=display,
    facets=lambda q: {"language": q.language or ""},
    fields=(review_fields.text("text", _("Quotation text"), max_length=6000, rows=14),),
    panels=("support/b2b/_quotation_panel.html",),
    auto_approve=None,  # a quotation always goes through a person
)


def register() -> None:
    from . import parse_kind

    register_generation(GENERATION_KIND)
    register_draft(DRAFT_KIND)
    parse_kind.register()  # b2b_inquiry_parse: the model's reading, with an endpoint
