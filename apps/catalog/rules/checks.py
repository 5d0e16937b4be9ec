"""Checks of listing text against its marketplace's rules: the one entry point for drafts,
the review screen (server side and, from the same numbers, live in the browser), the listing
page, the AI generator's repair round and the API's stateless validate endpoint.

The rules themselves are data (`apps/catalog/rules/data/*.yaml`, versioned); this module picks
the marketplace's ruleset, adds the organization's protected brand names and, given the
product's fact sheet, claim grounding (`apps.catalog.content.grounding`).
"""

from __future__ import annotations

import re

from apps.catalog.content.facts import FactSheet
from apps.catalog.content.grounding import ground
from apps.catalog.rules.engine import (
    RuleCheck,
    all_terms,
    forbidden_title_chars,
    limits_of,
    protected_matcher,
    validate_fields,
)
from apps.catalog.rules.loader import Ruleset, ruleset_for

# Every refused or risky term in every language (the offline generator strips them).
BANNED_TERMS = all_terms()
TITLE_FORBIDDEN_CHARS = set(forbidden_title_chars(ruleset_for(channel="amazon")))


def ruleset_of(marketplace) -> Ruleset | None:
    return ruleset_for(code=marketplace.code, channel=marketplace.channel)


def rules_version(marketplace) -> str:
    ruleset = ruleset_of(marketplace)
    return ruleset.version_label if ruleset else ""


def protected_terms_of(org) -> re.Pattern | None:
    from apps.catalog.models import ProtectedTerm

    if org is None:
        return None
    return protected_matcher(ProtectedTerm.objects.for_org(org).values_list("term", flat=True))


def validate_listing(
    *,
    marketplace,
    payload: dict,
    org=None,
    facts: FactSheet | None = None,
    language: str = "",
    protected: re.Pattern | None = None,
) -> list[RuleCheck]:
    """Every check of `payload` ({title, bullets, description, search_terms, confirmed_claims})
    on `marketplace`: its rules, banned and risky terms, the organization's protected names and,
    with `facts`, claim grounding. Each check records the rules version it was run against."""
    ruleset = ruleset_of(marketplace)
    if ruleset is None:
        return []
    language = language or marketplace.language
    if protected is None:
        protected = protected_terms_of(org)
    checks = validate_fields(ruleset, payload, language=language,
                             limits=marketplace.limits, protected=protected)  # fmt: skip
    if facts is not None:
        checks += ground(payload, facts, language=language, rules_version=ruleset.version_label)
    return checks


def check_listing_content(
    limits: dict, payload: dict, channel: str = "", *, language: str = "en"
) -> list[RuleCheck]:
    """The marketplace family's rules on `payload` (no organization, no grounding): kept for
    callers that know only a marketplace's limits and channel. `limits` feeds the rules marked
    configurable (Temu)."""
    ruleset = ruleset_for(channel=channel)
    if ruleset is None:
        return []
    return validate_fields(ruleset, payload, language=language, limits=limits)


def live_messages() -> dict[str, str]:
    """The wording of the listing live checks in static/js/review.js (the review screen and the
    listing editor), in the active language; merged over review's generic ones."""
    from django.utils.translation import gettext as _

    return {
        "required": _("The title is empty."),
        "banned": _("“{t}” is a claim marketplaces refuse."),
        "forbidden": _("Characters not allowed in titles: {c}"),
        "bullets_count": _("{n} bullets; the limit is {max}."),
        "price": _("The price must be a positive amount."),
        "mobile": _("Titles over {max} characters are cut on mobile."),
    }


def client_rules(marketplace, language: str = "") -> dict:
    """The numbers and word lists the review screen checks edits against live (the server's
    result stays authoritative)."""
    from apps.catalog.rules.engine import base_language, ui_language

    ruleset = ruleset_of(marketplace)
    if ruleset is None:
        return {"limits": dict(marketplace.limits or {}), "banned_terms": list(BANNED_TERMS),
                "title_forbidden_chars": "", "messages": live_messages()}  # fmt: skip
    lang = base_language(language or marketplace.language)
    ui = ui_language()
    by_check = {r.check: r for r in ruleset.rules}
    repeat, symbols = by_check.get("word_repeat"), None
    for rule in ruleset.rules:
        if rule.check == "forbidden_chars" and "bullets" in rule.fields:
            symbols = rule
    terms = sorted({t for s in ruleset.term_sets for code in dict.fromkeys((lang, "en"))
                    for t in s.terms.get(code, ())})  # fmt: skip
    return {
        "limits": limits_of(ruleset, marketplace.limits),
        "banned_terms": terms,
        "title_forbidden_chars": forbidden_title_chars(ruleset),
        "word_repeat_max": repeat.params["max"] if repeat else None,
        "function_words": sorted(ruleset.function_words.get(lang, ())),
        "bullet_forbidden_chars": symbols.params.get("chars", "") if symbols else "",
        "bullet_no_emoji": bool(symbols and symbols.params.get("emoji")),
        "rules_version": ruleset.version_label,
        "messages": live_messages(),
        "rule_messages": {
            "repeat": repeat.message[ui].replace("{word}", "{t}") if repeat else "",
            "symbols": symbols.message[ui] if symbols else "",
        },
    }
