"""Quality of real listings: their context from the database, the review check that flags a
proposal scoring lower than the copy it replaces, and the bulk-generation screen that leaves
listings whose copy is already good alone (unless asked)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from apps.catalog.content.facts import finite_decimal
from apps.catalog.content.labels import attribute_label, canonical_key
from apps.catalog.content.offline_lexicon import VALUES
from apps.catalog.content.quality.compare import Comparison, quality_compare
from apps.catalog.content.quality.keywords import KEYWORD_SOURCES, keywords_from
from apps.catalog.content.quality.language import base
from apps.catalog.content.quality.score import Fact, Quality, QualityContext, quality_score
from apps.review.registry import Check

if TYPE_CHECKING:
    from apps.catalog.models import Listing

COPY_FIELDS = ("title", "bullets", "description", "search_terms")
# Facts that are names or free text, not claims a buyer compares on.
NOT_KEY = {"features", "selling_points", "reviews", "images", "material", "dimensions", "style",
           "ports", "connector", "data", "model", "series", "model_name"}  # fmt: skip
QUALITY_RULE = "quality.lower"
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"^[A-Za-z0-9][\w.+°-]*$")


def good_threshold() -> int:
    """Copy scoring at least this is left alone by bulk generation unless asked."""
    return int(getattr(settings, "CROSSBORDER_QUALITY_GOOD", 80))


def _number(value: Any) -> Decimal | None:
    """A positive attribute value (a fact worth naming), normalised: 5000.0 → 5E+3."""
    number = finite_decimal(value)
    return number.normalize() if number is not None and number > 0 else None


def key_facts(attributes: dict[str, Any], language: str, weight_g: Any = None) -> tuple[Fact, ...]:
    """The facts a buyer compares on: numeric attributes (any number format), the colour (as
    written or translated), an IP rating, and the weight."""
    lang = base(language)
    facts = []
    for key, value in sorted((attributes or {}).items()):
        canon = canonical_key(key)
        if canon in NOT_KEY or isinstance(value, dict | list | bool):
            continue
        label = attribute_label(key, "en")
        number = _number(value)
        if number is not None:
            facts.append(Fact(canon, label, number=number))
        elif canon in ("color", "ip") and str(value).strip():
            text = str(value).strip()
            translated = VALUES.get(lang, {}).get(text.lower(), "")
            spellings = tuple(s for s in (text, translated, *text.split()[-1:]) if s)
            facts.append(Fact(canon, label, spellings=spellings))
    if _number(weight_g) is not None:
        facts.append(Fact("weight_g", attribute_label("weight_g", "en"), number=_number(weight_g)))
    return tuple(facts)


def model_name(product, title: str = "") -> str:
    """The model or series name: an explicit attribute, else the Latin words after the brand in
    the internal name (before the first Chinese character) that the current title repeats."""
    attributes = product.attributes or {}
    for key in ("model", "model_name", "series"):
        if isinstance(attributes.get(key), str) and attributes[key].strip():
            return attributes[key].strip()
    name, brand = str(product.name or ""), str(product.brand or "")
    if brand and name.lower().startswith(brand.lower()):
        name = name[len(brand) :]
    words = []
    for word in name.split():
        if _CJK.search(word) or not _LATIN_WORD.match(word):
            break
        words.append(word)
    words = words[:3]
    if title:
        lower = title.lower()
        while words and " ".join(words).lower() not in lower:
            words.pop()
    return " ".join(words)


def copy_of(listing: Listing) -> dict[str, Any]:
    return {name: getattr(listing, name) for name in COPY_FIELDS}


def context_for(listing: Listing, copy: dict[str, Any] | None = None) -> QualityContext:
    """The listing's quality context; keywords come from `copy` (the copy a proposal would
    replace; the listing's own by default) and every registered keyword source."""
    copy = copy_of(listing) if copy is None else copy
    product, marketplace = listing.product, listing.store.marketplace
    model = model_name(product, str(copy.get("title") or ""))
    extra = [kw for source in KEYWORD_SOURCES for kw in source(listing, listing.language)]
    skip = {*str(product.brand or "").lower().split(), *model.lower().split(), product.sku.lower()}
    return QualityContext(
        language=listing.language or marketplace.language, channel=marketplace.channel,
        limits=dict(marketplace.limits or {}), brand=str(product.brand or ""), model=model,
        facts=key_facts(product.attributes or {}, listing.language, product.weight_g),
        keywords=keywords_from(copy, extra, skip=skip),
    )  # fmt: skip


def listing_quality(listing: Listing) -> Quality:
    return quality_score(copy_of(listing), context_for(listing))


def _has_copy(copy: dict[str, Any]) -> bool:
    return bool(str(copy.get("title") or "").strip())


def draft_comparison(listing: Listing, current: dict[str, Any], proposed: dict[str, Any]
                     ) -> Comparison | None:  # fmt: skip
    """Score of the copy a draft replaces and of its proposal, in one context (keywords from
    the replaced copy); None when there is no copy to compare with."""
    if not _has_copy(current):
        return None
    ctx = context_for(listing, current)
    fields = {k: proposed.get(k) for k in COPY_FIELDS}
    return quality_compare(quality_score(current, ctx), quality_score(fields, ctx))


@dataclass(frozen=True)
class QualityCheck(Check):
    """A review check that flags the draft (queue badge and filter; bulk and policy approval
    leave it to a person)."""

    def as_dict(self) -> dict:
        return {**super().as_dict(), "flag": True}


def quality_checks(listing: Listing, payload: dict[str, Any]) -> list[Check]:
    """The flag when a proposal scores lower than the listing's current copy."""
    comparison = draft_comparison(listing, copy_of(listing), payload)
    if comparison is None or not comparison.lower:
        return []
    worse = ", ".join(d.label for d in comparison.worse) or "—"
    message = _("The proposal scores %(new)d/100, lower than the current copy (%(old)d/100): "
                "worse on %(worse)s.") % {"new": comparison.proposed.total,
                                          "old": comparison.current.total,
                                          "worse": worse}  # fmt: skip
    return [QualityCheck(QUALITY_RULE, "warning", message)]


def _good(quality: Quality, threshold: int) -> bool:
    return quality.rule_errors == 0 and quality.total >= threshold


def listings_split_by_quality(
    *, org, listing_ids: list[int], include_good: bool = False, threshold: int | None = None
) -> tuple[list[int], list[int]]:
    """(ids to generate, ids skipped because their copy already scores ≥ threshold)."""
    from apps.catalog.selectors import listing_list_by_ids

    if include_good or not listing_ids:
        return list(listing_ids), []
    threshold = good_threshold() if threshold is None else threshold
    listings = listing_list_by_ids(org=org, listing_ids=listing_ids)
    good = {
        listing.pk
        for listing in listings
        if _has_copy(copy_of(listing)) and _good(listing_quality(listing), threshold)
    }
    return [i for i in listing_ids if i not in good], [i for i in listing_ids if i in good]
