"""The listing_content kind on the AI side: facts of a listing, the JSON schema of the answer,
the prompt, and the marketplace rules an answer must pass (the same checks the review queue
shows).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from apps.catalog.content_checks import check_listing_content

from .backends.base import GenerationRequest
from .prompts import prompt_get

KIND = "listing_content"
TRANSLATION_KIND = "listing_translation"
IMPERIAL_COUNTRIES = {"US"}


BACK_TRANSLATION_KEY = "zh_back_translation"


def schema_for(limits: dict[str, Any], *, back_translation: bool = False) -> dict[str, Any]:
    """The answer's shape with the marketplace's character limits (bytes are a rule check).

    With `back_translation`, the model may add a literal Chinese rendering of what it wrote
    under BACK_TRANSLATION_KEY, in the same response (one request per draft, not two); it is
    shown to the operator and never becomes part of the listing."""

    def text(max_key: str, min_length: int = 0) -> dict[str, Any]:
        spec: dict[str, Any] = {"type": "string"}
        if min_length:
            spec["minLength"] = min_length
        if limits.get(max_key):
            spec["maxLength"] = limits[max_key]
        return spec

    bullets: dict[str, Any] = {"type": "array", "items": text("bullet_max", 1)}
    if limits.get("bullets_max"):
        bullets["maxItems"] = limits["bullets_max"]
    properties: dict[str, Any] = {
        "title": text("title_max", 1), "bullets": bullets,
        "description": text("description_max"), "search_terms": {"type": "string"},
    }  # fmt: skip
    if back_translation:
        properties[BACK_TRANSLATION_KEY] = {
            "type": "object",
            "properties": {"title": {"type": "string"}, "description": {"type": "string"},
                           "bullets": {"type": "array", "items": {"type": "string"}}},
        }  # fmt: skip
    return {
        "type": "object",
        "properties": properties,
        "required": ["title", "bullets", "description", "search_terms"],
        "additionalProperties": False,
    }


def split_back_translation(data: dict) -> tuple[dict, dict | None]:
    """The listing fields, and the model's own Chinese back-translation if it gave one."""
    data = dict(data)
    back = data.pop(BACK_TRANSLATION_KEY, None)
    return data, back if isinstance(back, dict) else None


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def facts_of(listing) -> dict[str, Any]:
    """What the copy may be written from: the product's catalogue facts, nothing else."""
    product = listing.product
    dims = [_num(d) for d in (product.length_mm, product.width_mm, product.height_mm)]
    attributes = dict(product.attributes or {})
    features = attributes.pop("features", None) or attributes.pop("selling_points", None)
    facts: dict[str, Any] = {
        "sku": product.sku, "brand": product.brand, "category": product.category,
        "internal_name": product.name, "attributes": attributes,
        "dimensions_mm": dims if all(d is not None for d in dims) else None,
        "weight_g": _num(product.weight_g),
        "imperial": listing.store.marketplace.country in IMPERIAL_COUNTRIES,
    }  # fmt: skip
    if features:
        facts["features"] = features
    reviews = _review_points(product)
    if reviews:
        facts["customer_reviews"] = reviews
    return facts


def _review_points(product) -> dict[str, Any] | None:
    """Mined review phrases (apps/catalog/review_mining.py): what buyers praise, in the
    reviews' language, and complaints the copy should answer with facts."""
    from apps.catalog.review_mining import review_insight_get, selling_points

    insight = review_insight_get(org=product.organization_id, product_id=product.pk)
    points = selling_points(insight)
    if not (points["praised"] or points["complaints"]):
        return None
    language = product.reviews.exclude(language="").values_list("language", flat=True).first()
    return {**points, "language": language or "en"}


def rule_errors(limits: dict, channel: str, data: dict) -> list[str]:
    """Blocking marketplace-rule violations (warnings only flag the draft for the reviewer)."""
    listing_fields, _back = split_back_translation(data)
    checks = check_listing_content(limits, listing_fields, channel)
    return [f"{c.field or c.rule}: {c.message}" for c in checks if c.severity == "error"]


def _examples_text(examples: list[dict[str, Any]]) -> str:
    if not examples:
        return ""
    shown = [json.dumps(e["final"], ensure_ascii=False) for e in examples if e.get("final")]
    return ("Copy our reviewers approved for similar products (follow their style and "
            "corrections; do not copy their facts):\n" + "\n".join(shown) + "\n")  # fmt: skip


def request_for(listing, *, org_id: int, examples: list[dict[str, Any]] | None = None,
                untrusted: dict[str, Any] | None = None) -> GenerationRequest:  # fmt: skip
    """The generation request for one listing. The listing's current copy was imported from the
    marketplace, where anyone with access may have edited it: it travels as untrusted data."""
    marketplace = listing.store.marketplace
    limits = dict(marketplace.limits or {})
    prompt = prompt_get(KIND)
    facts = facts_of(listing)
    # Review phrases are buyers' words: the model sees them only as untrusted data.
    trusted = {k: v for k, v in facts.items() if k != "customer_reviews"}
    user = prompt.render_user(
        marketplace=marketplace.code, channel=marketplace.channel, language=listing.language,
        limits=json.dumps(limits), facts=json.dumps(trusted, ensure_ascii=False, indent=1),
        examples=_examples_text(examples or []),
    )  # fmt: skip
    data = dict(untrusted or {})
    reviews = facts.get("customer_reviews") or {}
    if reviews.get("praised"):
        data.setdefault("customer_reviews_praised_phrases", reviews["praised"])
    if reviews.get("complaints"):
        data.setdefault("customer_reviews_complaint_phrases", reviews["complaints"])
    current = [t for t in (listing.title, *(listing.bullets or []), listing.description) if t]
    if current:
        data.setdefault("current_listing_copy", current)
    return GenerationRequest(
        kind=KIND, system=prompt.system,
        schema=schema_for(limits, back_translation=not listing.language.lower().startswith("zh")),
        messages=({"role": "user", "content": user},), untrusted=data, org_id=org_id,
        prompt_version=prompt.id,
        context={"facts": facts, "language": listing.language, "limits": limits,
                 "channel": marketplace.channel, "marketplace": marketplace.code},
    )  # fmt: skip


def back_translation(facts: dict[str, Any], *, language: str, limits: dict[str, Any],
                     channel: str, provider: str, data: dict | None = None,
                     org_id: int | None = None, use_llm: bool = False,
                     same_response: dict | None = None) -> dict[str, Any] | None:  # fmt: skip
    """The Chinese back-translation shown to the operator of a non-Chinese draft.

    The offline generator writes every language from the same facts through its templates, so
    the zh rendering of those facts says what the draft says. A model's free text is
    back-translated by the model; with no endpoint, the draft says that one is needed."""
    from .backends.offline import listing_copy

    if language.lower().startswith("zh"):
        return None
    if provider == "offline":
        zh = listing_copy(facts, language="zh", limits=limits, channel=channel)
        return {"kind": "back_translation", "language": "zh-Hans", "method": "offline_templates",
                "title": zh["title"], "bullets": zh["bullets"],
                "description": zh["description"]}  # fmt: skip
    if same_response:
        return {"kind": "back_translation", "language": "zh-Hans", "method": "llm",
                "title": str(same_response.get("title", "")),
                "bullets": [str(b) for b in same_response.get("bullets") or []],
                "description": str(same_response.get("description", ""))}  # fmt: skip
    if not use_llm:
        return {"kind": "back_translation", "language": "zh-Hans", "method": "not_requested"}
    return back_translation_llm(data or {}, language=language, org_id=org_id)


def back_translation_llm(data: dict, *, language: str, org_id: int | None) -> dict[str, Any]:
    """Ask the organization's endpoint for a literal Chinese translation of `data`."""
    from apps.accounts.models import Organization

    from .generation import generate_validated
    from .services import backend_for

    needs = {"kind": "back_translation", "language": "zh-Hans", "method": "needs_llm"}
    org = Organization.objects.filter(pk=org_id).first()
    backend = backend_for(org=org) if org is not None else None
    if backend is None or backend.provider == "offline" or not data:
        return needs
    prompt = prompt_get("back_translation")
    copy = [t for t in (data.get("title"), *(data.get("bullets") or []), data.get("description"))
            if t]  # fmt: skip
    request = GenerationRequest(
        kind="back_translation", system=prompt.system, org_id=org_id,
        schema={"type": "object", "required": ["title", "bullets", "description"],
                "properties": {"title": {"type": "string"}, "description": {"type": "string"},
                               "bullets": {"type": "array", "items": {"type": "string"}}}},
        messages=({"role": "user", "content": prompt.render_user(language=language)},),
        untrusted={"listing_copy": copy}, prompt_version=prompt.id, temperature=0,
    )  # fmt: skip
    outcome = generate_validated(backend, request)
    if not outcome.ok:
        return {**needs, "method": "failed", "error": outcome.error[:300]}
    return {"kind": "back_translation", "language": "zh-Hans", "method": "llm",
            **{k: outcome.data[k] for k in ("title", "bullets", "description")}}  # fmt: skip


def translation_request_for(source, target, *, org_id: int) -> GenerationRequest:
    """Translate `source` (a listing) into `target`'s marketplace language: facts from the
    product (units per the target's convention), the source copy as untrusted data."""
    marketplace = target.store.marketplace
    limits = dict(marketplace.limits or {})
    prompt = prompt_get(TRANSLATION_KIND)
    facts = facts_of(target)
    trusted = {k: v for k, v in facts.items() if k != "customer_reviews"}
    user = prompt.render_user(
        marketplace=marketplace.code, channel=marketplace.channel, language=target.language,
        source_language=source.language, limits=json.dumps(limits),
        facts=json.dumps(trusted, ensure_ascii=False, indent=1),
    )  # fmt: skip
    copy = [t for t in (source.title, *(source.bullets or []), source.description) if t]
    return GenerationRequest(
        kind=TRANSLATION_KIND, schema=schema_for(limits), system=prompt.system,
        messages=({"role": "user", "content": user},), untrusted={"source_listing_copy": copy},
        org_id=org_id, prompt_version=prompt.id,
        context={"facts": facts, "language": target.language, "limits": limits,
                 "channel": marketplace.channel, "marketplace": marketplace.code,
                 "source_language": source.language},
    )  # fmt: skip


def evidence_of(facts: dict[str, Any], examples: list[dict[str, Any]],
                request: GenerationRequest | None = None, provider: str = "offline",
                data: dict | None = None, back_translate_llm: bool = False,
                same_response: dict | None = None) -> list[dict[str, Any]]:  # fmt: skip
    evidence = [{"source": "product", "field": f"attributes.{k}", "value": v}
                for k, v in sorted(facts.get("attributes", {}).items())]  # fmt: skip
    for name in ("brand", "category", "dimensions_mm", "weight_g"):
        if facts.get(name):
            evidence.append({"source": "product", "field": name, "value": facts[name]})
    reviews = facts.get("customer_reviews")
    if reviews:
        evidence.append({"source": "reviews", "praised": ", ".join(reviews["praised"]),
                         "complaints": ", ".join(reviews["complaints"])})  # fmt: skip
    evidence += [{"source": "few_shot", "draft_id": e["id"]} for e in examples]
    if request is not None:
        ctx = request.context
        back = back_translation(
            facts,
            language=ctx.get("language", ""),
            provider=provider,
            limits=ctx.get("limits", {}),
            channel=ctx.get("channel", ""),
            data=data,
            org_id=request.org_id,
            use_llm=back_translate_llm,
            same_response=same_response,
        )
        if back:
            evidence.append(back)
    return evidence
