"""The catalog's generation kinds, listing_content and listing_translation: facts of a listing,
the JSON schema of the answer, the prompt variables, the marketplace rules an answer must pass
(the same checks the review queue shows), the draft's payload and evidence, the Chinese
back-translation, and the offline templates. The AI layer's one pipeline runs them; they are
registered in CatalogConfig.ready().
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.ai.backends.base import GenerationRequest
from apps.ai.generation import request_build
from apps.ai.registry import BackTranslation, Batch, GenerationKind, Item, Proposal, register
from apps.catalog.content.labels import attribute_label
from apps.catalog.content.offline import listing_copy, review_themes
from apps.catalog.content.quality.keywords import keywords_from
from apps.catalog.content.quality.listing import model_name
from apps.catalog.rules.checks import check_listing_content
from apps.review.selectors import few_shot_examples

KIND = "listing_content"
TRANSLATION_KIND = "listing_translation"
TRANSLATION_JOB = "catalog.translation"  # translation jobs keep their own job kind
IMPERIAL_COUNTRIES = {"US"}
PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
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
    model = model_name(product, listing.title or "")
    if model:
        facts["model"] = model
    if features:
        facts["features"] = features
    reviews = _review_points(product)
    if reviews:
        facts["customer_reviews"] = reviews
    return facts


def _review_points(product) -> dict[str, Any] | None:
    """Mined review phrases (apps/catalog/buyer_reviews/mining.py): what buyers praise, in the
    reviews' language, and complaints the copy should answer with facts."""
    from apps.catalog.buyer_reviews.mining import review_insight_get, selling_points

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


EXAMPLES_SOURCE = "approved_examples"


def _examples(examples: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """The prompt's sentence about few-shot examples, and the examples themselves. Approved
    drafts hold text from outside (reviews, imported copy, a reviewer's edits): they travel as
    untrusted data like any other, never in the prompt's own words."""
    shown = [json.dumps(e["final"], ensure_ascii=False) for e in examples if e.get("final")]
    if not shown:
        return "", []
    return (f"Copy our reviewers approved for similar products is in the data blocks with "
            f'source="{EXAMPLES_SOURCE}": follow its style, not its facts.\n', shown)  # fmt: skip


def _trusted(facts: dict[str, Any]) -> str:
    # Review phrases are buyers' words: the model sees them only as untrusted data.
    trusted = {k: v for k, v in facts.items() if k != "customer_reviews"}
    return json.dumps(trusted, ensure_ascii=False, indent=1)


def _context(listing, facts: dict[str, Any]) -> dict[str, Any]:
    """What the offline generator and the rules read. `keywords` are the strongest words of the
    listing's current copy (search terms, then title), which a rewrite keeps."""
    marketplace = listing.store.marketplace
    names = [facts.get("brand") or "", *str(facts.get("model") or "").split(), facts.get("sku", "")]
    current = {"title": listing.title, "search_terms": listing.search_terms}
    keywords = [k for k, _w in keywords_from(current, skip=names)]
    return {"facts": facts, "language": listing.language, "limits": dict(marketplace.limits or {}),
            "channel": marketplace.channel, "marketplace": marketplace.code,
            "keywords": keywords}  # fmt: skip


# --- listing_content -------------------------------------------------------------------------


def _load_listings(batch: Batch, ids: list[int]) -> list:
    from apps.catalog.selectors import listing_list_by_ids

    return list(listing_list_by_ids(org=batch.org, listing_ids=ids))


def content_item(listing, *, examples: list[dict[str, Any]] | None = None,
                 untrusted: dict[str, Any] | None = None) -> Item:  # fmt: skip
    """One listing's input. Its current copy was imported from the marketplace, where anyone
    with access may have edited it: it travels as untrusted data."""
    facts = facts_of(listing)
    context = _context(listing, facts)
    examples_note, shown = _examples(examples or [])
    variables = {
        "marketplace": context["marketplace"], "channel": context["channel"],
        "language": listing.language, "limits": json.dumps(context["limits"]),
        "facts": _trusted(facts), "examples": examples_note,
    }  # fmt: skip
    data = dict(untrusted or {})
    if shown:
        data.setdefault(EXAMPLES_SOURCE, shown)
    reviews = facts.get("customer_reviews") or {}
    if reviews.get("praised"):
        data.setdefault("customer_reviews_praised_phrases", reviews["praised"])
    if reviews.get("complaints"):
        data.setdefault("customer_reviews_complaint_phrases", reviews["complaints"])
    current = [t for t in (listing.title, *(listing.bullets or []), listing.description) if t]
    if current:
        data.setdefault("current_listing_copy", current)
    return Item(target=listing, variables=variables, untrusted=data, context=context,
                examples=list(examples or []))  # fmt: skip


def _content_item(batch: Batch, listing) -> Item:
    """Few-shot examples are looked up once per (category, language) in a batch."""
    key = f"examples:{listing.product.category}:{listing.language}"
    if key not in batch.memo:
        batch.memo[key] = few_shot_examples(org=batch.org, kind=KIND,
                                            category=listing.product.category,
                                            text=listing.product.name, k=3)  # fmt: skip
    return content_item(listing, examples=batch.memo[key])


def request_for(listing, *, org_id: int, examples: list[dict[str, Any]] | None = None,
                untrusted: dict[str, Any] | None = None) -> GenerationRequest:  # fmt: skip
    """The listing_content request for one listing, as the pipeline sends it."""
    item = content_item(listing, examples=examples, untrusted=untrusted)
    return request_build(LISTING_CONTENT, item, org_id=org_id)


def _not_chinese(item: Item) -> bool:
    return not str(item.context.get("language", "")).lower().startswith("zh")


def _content_schema(item: Item) -> dict[str, Any]:
    return schema_for(item.context["limits"], back_translation=_not_chinese(item))


_WORD = re.compile(r"[^\W\d_]{2,}")
_KEY = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+", re.IGNORECASE)


def debris_errors(data: dict) -> list[str]:
    """Copy a weak model writes when it loses the thread: a field with no word in it ("{",
    "20,476"), or an attribute key instead of a sentence ("power_w"). Schema-valid and within
    every limit, yet nothing a reviewer should be offered."""
    errors = []
    texts = [("title", data.get("title")), ("description", data.get("description")),
             *((f"bullets/{i}", b) for i, b in enumerate(data.get("bullets") or []))]  # fmt: skip
    for name, value in texts:
        text = str(value or "").strip()
        if not text and name != "title":
            continue  # an empty description or bullet is the marketplace rules' business
        if not _WORD.search(text):
            errors.append(f"{name}: has no words; write copy for buyers, not symbols or numbers.")
        elif _KEY.fullmatch(text) or text.startswith(("{", "[")):
            errors.append(f"{name}: is a data key or JSON fragment ({text[:40]}), not copy.")
    return errors


def _rules(item: Item, data: dict) -> list[str]:
    listing_fields, _back = split_back_translation(data)
    return debris_errors(listing_fields) + rule_errors(
        item.context["limits"], item.context["channel"], data
    )


def _rationale(item: Item) -> str:
    facts = item.context["facts"]
    parts = [f"{len(facts.get('attributes') or {})} attributes"]
    parts += [name for name in ("dimensions_mm", "weight_g") if facts.get(name)]
    return (f"Written from the product's catalogue facts ({', '.join(parts)}) for "
            f"{item.context['marketplace']} in {item.context['language']}, within its limits, "
            f"with {len(item.examples)} reviewer-approved examples as a style guide.")  # fmt: skip


def _content_propose(item: Item, data: dict, provider: str) -> Proposal:
    # Reviewers confirm grounding claims by editing this list (apps/catalog/content/grounding).
    return Proposal(proposed={**data, "confirmed_claims": []}, rationale=_rationale(item),
                    evidence=evidence_of(item.context["facts"], item.examples))  # fmt: skip


def _offline_copy(request: GenerationRequest) -> dict[str, Any]:
    ctx = request.context
    return listing_copy(ctx.get("facts", {}), language=ctx.get("language", "en"),
                        limits=ctx.get("limits", {}), channel=ctx.get("channel", ""),
                        keywords=ctx.get("keywords") or ())  # fmt: skip


def _offline_back_translation(item: Item) -> dict[str, Any]:
    """The offline generator writes every language from the same facts through its templates,
    so the zh rendering of those facts says what the draft says."""
    ctx = item.context
    return listing_copy(ctx["facts"], language="zh", limits=ctx.get("limits", {}),
                        channel=ctx.get("channel", ""))  # fmt: skip


def evidence_of(facts: dict[str, Any], examples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The facts and few-shot drafts a listing draft was written from (the pipeline appends the
    back-translation)."""
    # Each fact carries its human label in English and Chinese: people never read `power_w`.
    evidence = [{"source": "product", "field": f"attributes.{k}", "value": v,
                 "label_en": attribute_label(k, "en"), "label_zh": attribute_label(k, "zh")}
                for k, v in sorted(facts.get("attributes", {}).items())]  # fmt: skip
    for name in ("brand", "model", "category", "dimensions_mm", "weight_g"):
        if facts.get(name):
            evidence.append({"source": "product", "field": name, "value": facts[name],
                             "label_en": attribute_label(name, "en"),
                             "label_zh": attribute_label(name, "zh")})  # fmt: skip
    # Buyers' words are data: the evidence names the themes found in them, never the phrases.
    themes = review_themes(facts.get("customer_reviews"), "en")
    if themes:
        evidence.append({"source": "reviews", "field": "customer_reviews",
                         "value": ", ".join(themes), "label_en": "What buyers praise",
                         "label_zh": "买家好评主题"})  # fmt: skip
    evidence += [{"source": "few_shot", "draft_id": e["id"]} for e in examples]
    return evidence


# A model writing listing copy adds its own literal zh rendering in the same answer (one
# request per draft); a translation is back-translated by a second call.
CONTENT_BACK_TRANSLATION = BackTranslation(
    wanted=_not_chinese, in_answer=BACK_TRANSLATION_KEY, prompts_dir=PROMPTS_DIR,
    untrusted_source="listing_copy", offline=_offline_back_translation,
)  # fmt: skip

LISTING_CONTENT = register(
    GenerationKind(
        name=KIND, label=_("Listing content"), prompt=KIND, prompts_dir=PROMPTS_DIR,
        load=_load_listings, item=_content_item, schema=_content_schema, rules=_rules,
        propose=_content_propose, back_translation=CONTENT_BACK_TRANSLATION,
        offline=_offline_copy, target_noun="listings",
    )
)  # fmt: skip


# --- listing_translation: options {"source_listing_id": id}; targets are the target listings


def _load_translation_targets(batch: Batch, ids: list[int]) -> list:
    """The target listings, once the source listing is known to be the organization's."""
    from apps.catalog.models import Listing

    source = (
        Listing.objects.for_org(batch.org)
        .select_related("product", "store__marketplace")
        .filter(pk=batch.options.get("source_listing_id"))
        .first()
    )
    if source is None:
        return []
    batch.memo["source"] = source
    return [t for t in _load_listings(batch, ids) if t.pk != source.pk]


def translation_item(source, target) -> Item:
    """Translate `source` into `target`'s marketplace language: facts from the product (units per
    the target's convention), the source copy as untrusted data."""
    facts = facts_of(target)
    context = {**_context(target, facts), "source_language": source.language,
               "source": {"listing_id": source.pk, "store": source.store.name,
                          "language": source.language}}  # fmt: skip
    variables = {
        "marketplace": context["marketplace"], "channel": context["channel"],
        "language": target.language, "source_language": source.language,
        "limits": json.dumps(context["limits"]), "facts": _trusted(facts),
    }  # fmt: skip
    copy = [t for t in (source.title, *(source.bullets or []), source.description) if t]
    return Item(target=target, variables=variables, untrusted={"source_listing_copy": copy},
                context=context)  # fmt: skip


def _translation_item(batch: Batch, target) -> Item:
    return translation_item(batch.memo["source"], target)


def translation_request_for(source, target, *, org_id: int) -> GenerationRequest:
    return request_build(LISTING_TRANSLATION, translation_item(source, target), org_id=org_id)


def _translation_schema(item: Item) -> dict[str, Any]:
    return schema_for(item.context["limits"])


def _translation_propose(item: Item, data: dict, provider: str) -> Proposal:
    source, target = item.context["source"], item.target
    origin = {"source": "listing", **source}
    return Proposal(
        proposed=data,
        rationale=(f"Translated from the {source['language']} listing in {source['store']} to "
                   f"{target.language} for {item.context['marketplace']}: brand and model numbers "
                   "kept, units per the marketplace's convention."),
        evidence=[origin, *evidence_of(item.context["facts"], [])],
    )  # fmt: skip


LISTING_TRANSLATION = register(
    GenerationKind(
        name=TRANSLATION_KIND, label=_("Listing translation"), prompt=TRANSLATION_KIND,
        prompts_dir=PROMPTS_DIR, load=_load_translation_targets, item=_translation_item,
        schema=_translation_schema, rules=_rules, propose=_translation_propose,
        back_translation=BackTranslation(
            wanted=_not_chinese, ask_model=True, prompts_dir=PROMPTS_DIR,
            untrusted_source="listing_copy", offline=_offline_back_translation,
        ),
        offline=_offline_copy, job_kind=TRANSLATION_JOB, target_noun="listings",
    )
)  # fmt: skip
