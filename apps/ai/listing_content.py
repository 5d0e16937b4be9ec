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
IMPERIAL_COUNTRIES = {"US"}


def schema_for(limits: dict[str, Any]) -> dict[str, Any]:
    """The answer's shape with the marketplace's character limits (bytes are a rule check)."""

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
    return {
        "type": "object",
        "properties": {"title": text("title_max", 1), "bullets": bullets,
                       "description": text("description_max"), "search_terms": {"type": "string"}},
        "required": ["title", "bullets", "description", "search_terms"],
        "additionalProperties": False,
    }  # fmt: skip


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
    return facts


def rule_errors(limits: dict, channel: str, data: dict) -> list[str]:
    """Blocking marketplace-rule violations (warnings only flag the draft for the reviewer)."""
    checks = check_listing_content(limits, data, channel)
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
    user = prompt.render_user(
        marketplace=marketplace.code, channel=marketplace.channel, language=listing.language,
        limits=json.dumps(limits), facts=json.dumps(facts, ensure_ascii=False, indent=1),
        examples=_examples_text(examples or []),
    )  # fmt: skip
    data = dict(untrusted or {})
    current = [t for t in (listing.title, *(listing.bullets or []), listing.description) if t]
    if current:
        data.setdefault("current_listing_copy", current)
    return GenerationRequest(
        kind=KIND, schema=schema_for(limits), system=prompt.system,
        messages=({"role": "user", "content": user},), untrusted=data, org_id=org_id,
        prompt_version=prompt.id,
        context={"facts": facts, "language": listing.language, "limits": limits,
                 "channel": marketplace.channel, "marketplace": marketplace.code},
    )  # fmt: skip


def evidence_of(facts: dict[str, Any], examples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    evidence = [{"source": "product", "field": f"attributes.{k}", "value": v}
                for k, v in sorted(facts.get("attributes", {}).items())]  # fmt: skip
    for name in ("brand", "category", "dimensions_mm", "weight_g"):
        if facts.get(name):
            evidence.append({"source": "product", "field": name, "value": facts[name]})
    evidence += [{"source": "few_shot", "draft_id": e["id"]} for e in examples]
    return evidence
