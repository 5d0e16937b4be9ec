"""B2B inquiries and quotations: create an inquiry (from a support mail or the API), parse it,
compute its quotation and draft the text through the ai pipeline into the review queue.

Cross-app reads only through services/selectors: apps.pricing.cost (cost_breakdown, vat_rate),
apps.orders.fx.rate_on, apps.logistics.selectors.freight_rate_by_mode and the planner's default
transit days. Nothing here writes pricing or logistics rows, and nothing sends mail: approval in
the review queue does (apps.support.b2b.generation.apply).
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.core.errors import NotFound, ValidationFailed
from apps.core.money import CURRENCIES

from . import parsing, quote, rates
from .models import B2BMarginRule, B2BTerms, Inquiry, Quotation

logger = logging.getLogger(__name__)

DEFAULT_MARGINS = [(1, Decimal("35")), (500, Decimal("30")), (1000, Decimal("25")),
                   (5000, Decimal("20"))]  # fmt: skip


def terms_get(*, org) -> B2BTerms:
    return B2BTerms.objects.for_org(org).first() or B2BTerms(organization=org)


def margins_get(*, org) -> list[tuple[int, Decimal]]:
    rows = list(B2BMarginRule.objects.for_org(org).values_list("min_quantity", "margin_pct"))
    return sorted(rows) or list(DEFAULT_MARGINS)


def _convert(org, amount: Decimal, base: str, quote_cur: str, on_date: date) -> Decimal | None:
    if base == quote_cur:
        return Decimal(amount)
    from apps.orders.fx import rate_on

    try:
        return Decimal(amount) * rate_on(org=org, base=base, quote=quote_cur, on_date=on_date)
    except NotFound:
        return None


def _unit_cost(org, product, currency: str, on_date: date, problems: list[str]) -> Decimal | None:
    """The pricing cost model's unit + other costs of the product's first listing (converted
    there into the listing's currency), else the product's own unit cost."""
    if product is None:
        problems.append("no_product")
        return None
    from apps.catalog.models import Listing
    from apps.pricing.cost import cost_breakdown

    listing = (
        Listing.objects.for_org(org)
        .filter(product=product, currency=currency)
        .select_related("store__marketplace", "product")
        .first()
    )
    if listing is not None:
        b = cost_breakdown(org=org, listing=listing, on_date=on_date)
        if b.unit_cost is not None:
            return (b.unit_cost + b.other).quantize(Decimal("0.0001"))
    if product.unit_cost is None:
        return None
    value = _convert(org, product.unit_cost, product.cost_currency, currency, on_date)
    if value is None:
        problems.append("missing_exchange_rate")
        return None
    return value.quantize(Decimal("0.0001"))


def freight_modes_of(terms: B2BTerms) -> tuple[str, ...]:
    """The modes the organization quotes (all three when none is chosen)."""
    chosen = [m for m in rates.MODES if m in (terms.freight_modes or [])]
    return tuple(chosen) or rates.MODES


def _freight(
    org, country: str, currency: str, on_date: date, modes: tuple[str, ...] = rates.MODES
) -> dict[str, dict]:
    from apps.logistics.planner import DEFAULT_TRANSIT
    from apps.logistics.selectors import freight_rate_by_mode

    out = {}
    for mode in modes:
        transit = int(DEFAULT_TRANSIT[mode][0])
        per_kg = _convert(org, rates.FREIGHT_PER_KG_USD[mode], "USD", currency, on_date)
        minimum = _convert(org, rates.FREIGHT_MIN_USD[mode], "USD", currency, on_date)
        source = "rates"
        lane = freight_rate_by_mode(org=org, country=country, mode=mode) if country else None
        if lane is not None:
            lane_rate = _convert(org, lane["per_kg"], lane["currency"], currency, on_date)
            if lane_rate is not None:
                per_kg, source = lane_rate, f"logistics ({lane['samples']} shipments)"
            if lane["transit_days"]:
                transit = int(lane["transit_days"])
        out[mode] = {
            "per_kg": (per_kg or rates.FREIGHT_PER_KG_USD[mode]).quantize(Decimal("0.0001")),
            "minimum": (minimum or rates.FREIGHT_MIN_USD[mode]).quantize(Decimal("0.01")),
            "transit_days": transit,
            "source": source,
        }
    return out


def inputs_for(*, org, inquiry: Inquiry, on_date: date | None = None) -> quote.Inputs:
    from apps.pricing.cost import vat_rate

    on_date = on_date or timezone.localdate()
    terms = terms_get(org=org)
    currency = terms.currency
    problems: list[str] = []
    product = inquiry.product
    country = inquiry.destination_country
    if not country:
        problems.append("no_destination")
    weight = (
        (Decimal(product.weight_g) / 1000).quantize(Decimal("0.001"))
        if product is not None and product.weight_g
        else rates.DEFAULT_UNIT_WEIGHT_KG
    )
    duty = Decimal(
        str(terms.duty_pct.get(country, rates.DUTY_PCT.get(country, rates.DUTY_DEFAULT)))
    )
    last_mile_usd = rates.LAST_MILE_PER_KG_USD.get(country, rates.LAST_MILE_DEFAULT_USD)
    return quote.Inputs(
        currency=currency,
        quantity=inquiry.quantity,
        unit_cost=_unit_cost(org, product, currency, on_date, problems),
        unit_weight_kg=weight,
        moq=terms.moq,
        production_days=terms.production_days,
        export_fee=terms.export_fee_per_shipment,
        handling_per_unit=terms.handling_per_unit,
        insurance_pct=terms.insurance_pct,
        duty_pct=duty,
        vat_pct=vat_rate(org=org, country=country) if country else Decimal(0),
        last_mile_per_kg=(
            _convert(org, last_mile_usd, "USD", currency, on_date) or last_mile_usd
        ).quantize(Decimal("0.0001")),
        margins=margins_get(org=org),
        freight=_freight(org, country, currency, on_date, freight_modes_of(terms)),
        country=country,
        incoterm=inquiry.incoterm or terms.default_incoterm,
        validity_days=terms.validity_days,
        on_date=on_date,
        problems=problems,
    )


def _apply_parsed(org, inquiry: Inquiry, parsed: parsing.Parsed) -> None:
    inquiry.parsed = parsed.as_dict()
    inquiry.parse_method = parsed.method
    inquiry.quantity = parsed.quantity
    inquiry.destination_country = parsed.destination_country
    inquiry.destination_port = parsed.destination_port[:64]
    inquiry.incoterm = parsed.incoterm
    inquiry.target_price = Decimal(parsed.target_price) if parsed.target_price else None
    inquiry.target_currency = parsed.target_currency if parsed.target_currency in CURRENCIES else ""
    inquiry.deadline = date.fromisoformat(parsed.deadline) if parsed.deadline else None
    inquiry.customisation = parsed.customisation[:500]
    product, how = parsing.product_match(org=org, text=inquiry.text, hints=parsed.product_hints)
    inquiry.product, inquiry.product_match = product, how


@transaction.atomic
def inquiry_create(
    *,
    org,
    text: str,
    source: str = Inquiry.Source.API,
    buyer_name: str = "",
    buyer_email: str = "",
    company: str = "",
    subject: str = "",
    conversation=None,
    message=None,
    draft: bool = True,
) -> Inquiry:
    """Store, parse and quote an inquiry; with `draft` the quotation text is drafted offline at
    once (or queued for the configured endpoint)."""
    from ..understanding import detect_language

    text = (text or "").strip()
    if not text:
        raise ValidationFailed("An inquiry needs text.", field="text")
    if len(text) > parsing.TEXT_MAX:
        raise ValidationFailed("The inquiry is longer than 20000 characters.", field="text")
    inquiry = Inquiry(
        organization=org,
        source=source,
        conversation=conversation,
        message=message,
        buyer_name=buyer_name[:200],
        buyer_email=buyer_email[:255],
        company=company[:200],
        subject=subject[:500],
        text=text,
        language=(detect_language(text) or "en")[:10],
    )
    _apply_parsed(org, inquiry, parsing.parse(text, today=timezone.localdate()))
    inquiry.save()
    quotation = quotation_build(org=org, inquiry=inquiry)
    if draft:  # offline: at once; with an endpoint generation_start enqueues after commit
        quotation_draft_generate(org=org, quotation=quotation)
        inquiry_llm_parse(org=org, inquiry=inquiry)
    return inquiry


@transaction.atomic
def inquiry_update(*, org, inquiry: Inquiry, **fields) -> Inquiry:
    """A person completes or corrects the parsed request; the quotation is recomputed."""
    allowed = {"quantity", "destination_country", "destination_port", "incoterm", "product",
               "target_price", "target_currency", "deadline", "customisation"}  # fmt: skip
    for name, value in fields.items():
        if name in allowed:
            setattr(inquiry, name, value)
    inquiry.save()
    from . import selectors

    latest = selectors.quotation_latest(org=org, inquiry=inquiry)
    if latest is not None and latest.status == Quotation.Status.DRAFT:
        # Recomputed in place: the new draft supersedes the open one of the same quotation.
        latest.computation = quote.compute(inputs_for(org=org, inquiry=inquiry))
        latest.currency = latest.computation["currency"]
        latest.version += 1
        latest.save(update_fields=["computation", "currency", "version"])
    else:
        latest = quotation_build(org=org, inquiry=inquiry)
    quotation_draft_generate(org=org, quotation=latest)
    return inquiry


def quotation_build(*, org, inquiry: Inquiry) -> Quotation:
    if inquiry.organization_id != org.pk:
        raise NotFound("No such inquiry.")
    computation = quote.compute(inputs_for(org=org, inquiry=inquiry))
    quotation = Quotation.objects.create(
        organization=org,
        inquiry=inquiry,
        currency=computation["currency"],
        language=inquiry.language if inquiry.language in ("en", "de", "es", "fr") else "en",
        computation=computation,
    )
    if inquiry.status == Inquiry.Status.NEW and computation["tiers"]:
        Inquiry.objects.for_org(org).filter(pk=inquiry.pk).update(status=Inquiry.Status.QUOTED)
    return quotation


def quotation_draft_generate(*, org, quotation: Quotation, offline: bool | None = None):
    """The text draft through the ai pipeline: offline at once, else a job for the workers."""
    from apps.ai.backends.offline import OfflineBackend
    from apps.ai.services import JOB_KIND, backend_for, generation_batch_run, generation_start
    from apps.core import services as jobs

    from .generation import KIND

    use_offline = offline if offline is not None else backend_for(org=org).provider == "offline"
    if not use_offline:
        return generation_start(org=org, actor=None, kind=KIND, target_ids=[quotation.pk])
    job = jobs.job_create(
        org=org, kind=JOB_KIND, actor=None, total=1, label="B2B quotation for 1 quotations"
    )
    job.result = {"kind": KIND, "provider": "offline", "refused_ids": []}
    job.save(update_fields=["result"])
    generation_batch_run(
        org=org, job_id=job.pk, kind=KIND, target_ids=[quotation.pk], backend=OfflineBackend()
    )
    return job


def inquiry_llm_parse(*, org, inquiry: Inquiry, offline: bool | None = None):
    """With an LLM endpoint, queue the model's reading of the inquiry (a `b2b_inquiry_parse`
    review draft: approving it corrects the request and recomputes the quotation). Offline the
    rules already parsed it; `offline=True` runs the rule generator through the pipeline."""
    from apps.ai.backends.offline import OfflineBackend
    from apps.ai.services import JOB_KIND, backend_for, generation_batch_run, generation_start
    from apps.core import services as jobs

    from .parse_kind import KIND

    use_offline = offline if offline is not None else backend_for(org=org).provider == "offline"
    if not use_offline:
        return generation_start(org=org, actor=None, kind=KIND, target_ids=[inquiry.pk])
    if offline is None:
        return None
    job = jobs.job_create(org=org, kind=JOB_KIND, actor=None, total=1, label="B2B inquiry reading")
    job.result = {"kind": KIND, "provider": "offline", "refused_ids": []}
    job.save(update_fields=["result"])
    generation_batch_run(
        org=org, job_id=job.pk, kind=KIND, target_ids=[inquiry.pk], backend=OfflineBackend()
    )
    return job


def inquiry_from_message(*, org, store, conversation, message, parsed_mail) -> Inquiry | None:
    """Support ingest hook: a mail of a non-marketplace channel becomes an inquiry when its
    store is flagged B2B, its sender's domain is a known B2B buyer, or its text reads as a
    wholesale inquiry. Never raises into the ingest (logged instead)."""
    if parsed_mail.channel in ("amazon", "ebay"):
        return None
    terms = terms_get(org=org)
    sender = (parsed_mail.sender or "").lower()
    domain = sender.rsplit("@", 1)[-1] if "@" in sender else ""
    flagged = store.pk in (terms.inbox_store_ids or []) or domain in [
        str(d).lower() for d in terms.buyer_domains or []
    ]
    text = "\n\n".join(x for x in (parsed_mail.subject, message.text) if x).strip()
    if not (flagged or parsing.looks_b2b(text)):
        return None
    try:
        with transaction.atomic():
            return inquiry_create(
                org=org,
                text=text[: parsing.TEXT_MAX] or "-",
                source=Inquiry.Source.EMAIL,
                buyer_name=parsed_mail.buyer_name or "",
                buyer_email=parsed_mail.sender or "",
                subject=parsed_mail.subject or "",
                conversation=conversation,
                message=message,
            )
    except Exception:  # the mail is stored either way; the inquiry can be created by hand
        logger.exception("B2B inquiry from message %s failed", message.pk)
        return None
