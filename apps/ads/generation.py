"""AI help for ads, as generation kinds of the one AI pipeline (apps.ai.registry):

- `ad_keyword_ideas`: keyword ideas for a campaign from its advertised listings' copy and the
  search terms that convert, each checked against Amazon's keyword limits and the campaign's
  existing keywords;
- `ad_headlines`: Sponsored Brands headlines (≤ 50 characters) per language.

Both produce drafts on the campaign that a person reviews; applying one only records it for the
next bulk file (keyword ideas become exact keywords there; headlines are kept for the Sponsored
Brands console, which the SP bulk sheet does not cover). The offline generator writes valid,
plainly labelled drafts from the same facts and says that a translation needs an endpoint.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from apps.ai.backends.base import GenerationRequest
from apps.ai.registry import BackTranslation, Batch, GenerationKind, Item, Proposal, register
from apps.review import fields as f
from apps.review.registry import Check, DraftKind
from apps.review.registry import register as review_register

from .models import AdChange, Campaign, ProductAd, SearchTermStat, Target
from .rules import keyword_problem

PROMPTS_DIR = Path(__file__).with_name("prompts")
KEYWORDS_KIND, HEADLINES_KIND = "ad_keyword_ideas", "ad_headlines"
HEADLINE_MAX = 50
MAX_KEYWORDS = 20
BANNED = re.compile(r"\b(best|#1|top rated|guarantee\w*|cheapest)\b|!", re.IGNORECASE)
OFFLINE_NOTE = "offline generator: no AI endpoint configured; translation needs an endpoint"


def _load(batch: Batch, ids: list[int]) -> list[Campaign]:
    return list(
        Campaign.objects.for_org(batch.org)
        .filter(pk__in=ids)
        .select_related("store__marketplace")
        .order_by("pk")
    )


def _copy(campaign: Campaign) -> tuple[list[str], str]:
    ads = ProductAd.objects.for_org(campaign.organization_id).filter(
        ad_group__campaign=campaign, listing__isnull=False
    )
    texts, brand = [], ""
    for ad in ads.select_related("listing__product")[:5]:
        listing = ad.listing
        texts.append(listing.title)
        texts.extend(listing.bullets or [])
        brand = brand or listing.product.brand
    return [t for t in texts if t], brand


def _item(batch: Batch, campaign: Campaign) -> Item:
    org = campaign.organization_id
    copy, brand = _copy(campaign)
    converting = list(
        SearchTermStat.objects.for_org(org)
        .filter(campaign=campaign)
        .values("search_term")
        .annotate(orders=Sum("orders"))
        .filter(orders__gt=0)
        .order_by("-orders")
        .values_list("search_term", flat=True)[:30]
    )
    existing = sorted(
        Target.objects.for_org(org)
        .filter(ad_group__campaign=campaign, kind="keyword")
        .values_list("text", flat=True)
    )
    language = batch.options.get("language") or campaign.store.marketplace.language
    context = {
        "language": language,
        "brand": brand,
        "copy": copy,
        "converting": converting,
        "existing": existing,
        "campaign": campaign.name,
    }
    return Item(
        target=campaign,
        variables={
            "marketplace": campaign.store.marketplace.name,
            "language": language,
            "campaign": campaign.name,
            "existing": ", ".join(existing) or "—",
            "brand": brand or "—",
        },
        untrusted={"listing_copy": copy, "search_terms": converting},
        context=context,
    )


# --- keyword ideas -----------------------------------------------------------------------------


def _keywords_schema(item: Item) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["keywords"],
        "additionalProperties": False,
        "properties": {
            "keywords": {
                "type": "array",
                "maxItems": MAX_KEYWORDS,
                "items": {"type": "string", "minLength": 2, "maxLength": 80},
            }
        },
    }


def keyword_rules(item: Item, data: dict) -> list[str]:
    errors, seen = [], set(item.context.get("existing", []))
    for n, keyword in enumerate(data.get("keywords", []), start=1):
        problem = keyword_problem(keyword, "exact")
        if problem:
            errors.append(f"keywords.{n}: {problem}")
        if keyword.lower() in seen:
            errors.append(f"keywords.{n}: {keyword!r} is a duplicate or an existing keyword")
        seen.add(keyword.lower())
    return errors


def offline_keywords(request: GenerationRequest) -> dict[str, Any]:
    ctx = request.context
    existing = set(ctx.get("existing", []))
    ideas: list[str] = []
    for term in ctx.get("converting", []):
        if term not in existing and not term.startswith("b0") and term not in ideas:
            ideas.append(term)
    words = [w.lower() for t in ctx.get("copy", [])[:1] for w in re.findall(r"[^\W\d_]{3,}", t)]
    for a, b in itertools.pairwise(words):
        idea = f"{a} {b}"
        if idea not in existing and idea not in ideas:
            ideas.append(idea)
    return {"keywords": [i for i in ideas if not keyword_problem(i, "exact")][:MAX_KEYWORDS]}


def _keywords_propose(item: Item, data: dict, provider: str) -> Proposal:
    offline = provider == "offline"
    return Proposal(
        proposed={**data, "action": "keyword_ideas", "key": "keyword_ideas"},
        rationale=(
            f"{'Offline generator: ' if offline else ''}keyword ideas for {item.target.name} "
            "from its listing copy and converting search terms"
        ),
        evidence=[
            {"field": "search_term", "value": ", ".join(item.context["converting"][:10])},
            {"field": "existing_keywords", "value": len(item.context["existing"])},
            *([{"field": "translation", "value": None, "note": OFFLINE_NOTE}] if offline else []),
        ],
    )


# --- Sponsored Brands headlines ----------------------------------------------------------------


def _headlines_schema(item: Item) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["headlines"],
        "additionalProperties": False,
        "properties": {
            "headlines": {
                "type": "array",
                "minItems": 1,
                "maxItems": 3,
                "items": {"type": "string", "minLength": 5, "maxLength": HEADLINE_MAX},
            }
        },
    }


def headline_rules(item: Item, data: dict) -> list[str]:
    errors = []
    for n, text in enumerate(data.get("headlines", []), start=1):
        if len(text) > HEADLINE_MAX:
            errors.append(f"headlines.{n}: longer than {HEADLINE_MAX} characters")
        if BANNED.search(text):
            errors.append(f"headlines.{n}: no superlatives, guarantees or exclamation marks")
    return errors


def offline_headlines(request: GenerationRequest) -> dict[str, Any]:
    ctx = request.context
    brand = ctx.get("brand") or ""
    title = (ctx.get("copy") or [ctx.get("campaign", "")])[0]
    words = re.sub(r"[!#]", "", title).split()
    out = []
    for n in (4, 6, 8):
        text = " ".join(words[:n])
        if brand and not text.lower().startswith(brand.lower()):
            text = f"{brand} {text}"
        text = text[:HEADLINE_MAX].rsplit(" ", 1)[0] if len(text) > HEADLINE_MAX else text
        if len(text) >= 5 and text not in out and not BANNED.search(text):
            out.append(text)
    return {"headlines": out or [f"{brand or 'Our'} products"[:HEADLINE_MAX]]}


def _headlines_propose(item: Item, data: dict, provider: str) -> Proposal:
    offline = provider == "offline"
    return Proposal(
        proposed={
            **data,
            "language": item.context["language"],
            "action": "headlines",
            "key": f"headlines:{item.context['language']}",
        },
        rationale=(
            f"{'Offline generator: ' if offline else ''}Sponsored Brands headlines "
            f"(≤ {HEADLINE_MAX} characters) in {item.context['language']} from the listing copy"
        ),
        evidence=[{"field": "brand", "value": item.context["brand"]}],
    )


def _offline_back(item: Item) -> dict[str, Any]:
    return {"headlines": [f"({OFFLINE_NOTE})"]}


# --- review kinds of the drafts ------------------------------------------------------------------


def _snapshot(campaign: Campaign) -> dict:
    return {"campaign": campaign.name}


def _record(campaign: Campaign, payload: dict) -> None:
    AdChange.objects.create(
        organization=campaign.organization,
        campaign=campaign,
        action=payload.get("action", ""),
        payload=payload,
    )


def _keywords_validate(campaign: Campaign, payload: dict) -> list[Check]:
    return [
        Check("ads.keyword_limits", "error", problem, "keywords")
        for keyword in payload.get("keywords", [])
        if (problem := keyword_problem(str(keyword), "exact"))
    ]


def _headlines_validate(campaign: Campaign, payload: dict) -> list[Check]:
    return [
        Check(
            "ads.headline",
            "error",
            f"{text!r}: at most {HEADLINE_MAX} characters, no superlatives",
            "headlines",
        )
        for text in payload.get("headlines", [])
        if len(str(text)) > HEADLINE_MAX or BANNED.search(str(text))
    ]


def _display(campaign: Campaign):
    from .drafts import _display as display

    return display(campaign)


def register_kinds() -> None:
    review_register(
        DraftKind(
            kind=KEYWORDS_KIND,
            label=_("Keyword ideas"),
            target_model="ads.Campaign",
            snapshot=_snapshot,
            apply=_record,
            version_of=lambda c: None,
            display=_display,
            fields=(f.text_list("keywords", _("Keywords"), max_items=MAX_KEYWORDS, max_length=80),),
            validate=_keywords_validate,
        )
    )
    review_register(
        DraftKind(
            kind=HEADLINES_KIND,
            label=_("Sponsored Brands headlines"),
            target_model="ads.Campaign",
            snapshot=_snapshot,
            apply=_record,
            version_of=lambda c: None,
            display=_display,
            unique_key=lambda c, payload: str(payload.get("language", ""))[:20],
            fields=(
                f.text_list("headlines", _("Headlines"), max_items=3, max_length=HEADLINE_MAX),
            ),
            validate=_headlines_validate,
        )
    )
    register(
        GenerationKind(
            name=KEYWORDS_KIND,
            label=_("Keyword ideas"),
            prompt=KEYWORDS_KIND,
            prompts_dir=PROMPTS_DIR,
            load=_load,
            item=_item,
            schema=_keywords_schema,
            rules=keyword_rules,
            propose=_keywords_propose,
            offline=offline_keywords,
            target_noun="campaigns",
        )
    )
    register(
        GenerationKind(
            name=HEADLINES_KIND,
            label=_("Sponsored Brands headlines"),
            prompt=HEADLINES_KIND,
            prompts_dir=PROMPTS_DIR,
            load=_load,
            item=_item,
            schema=_headlines_schema,
            rules=headline_rules,
            propose=_headlines_propose,
            offline=offline_headlines,
            back_translation=BackTranslation(
                fields={"headlines": list},
                wanted=lambda item: not str(item.context["language"]).startswith("zh"),
                ask_model=False,
                offline=_offline_back,
            ),
            target_noun="campaigns",
        )
    )
