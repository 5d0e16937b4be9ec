"""Checks of listing text against a marketplace's limits, shared by drafts, the review screen
(live, in the browser, from the same numbers) and later the listing studio's rules engine.

This first version covers the hard limits stored on Marketplace.limits and a short list of
terms marketplaces refuse; the listing-studio issue replaces the term list with versioned rules.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from apps.review.registry import Check

# Terms Amazon and eBay refuse in listing copy (unsupported claims); case-insensitive, whole words.
BANNED_TERMS = (
    "best seller",
    "bestseller",
    "#1",
    "100% guaranteed",
    "guarantee",
    "free shipping",
    "cures",
    "fda approved",
    "antibacterial",
    "antiviral",
    "top rated",
    "hot sale",
)
TITLE_FORBIDDEN_CHARS = set("!$?_{}^¬¦")


def _banned_in(text: str) -> list[str]:
    lowered = text.lower()
    found = []
    for term in BANNED_TERMS:
        pattern = r"(?<!\w)" + re.escape(term) + r"(?!\w)"
        if re.search(pattern, lowered):
            found.append(term)
    return found


def check_listing_content(limits: dict, payload: dict, channel: str = "") -> list[Check]:
    checks: list[Check] = []
    title = payload.get("title") or ""
    bullets = payload.get("bullets") or []
    description = payload.get("description") or ""
    search_terms = payload.get("search_terms") or ""
    if not title.strip():
        checks.append(Check("title.required", "error", _("The title is empty."), "title"))
    if limits.get("title_max") and len(title) > limits["title_max"]:
        checks.append(
            Check(
                "title.max",
                "error",
                _("Title has %(n)d characters; the limit is %(max)d.")
                % {"n": len(title), "max": limits["title_max"]},
                "title",
            )
        )
    if limits.get("title_mobile_warn") and len(title) > limits["title_mobile_warn"]:
        checks.append(
            Check(
                "title.mobile",
                "warning",
                _("Titles over %(max)d characters are cut on mobile.")
                % {"max": limits["title_mobile_warn"]},
                "title",
            )
        )
    if channel == "amazon" and TITLE_FORBIDDEN_CHARS & set(title):
        chars = " ".join(sorted(TITLE_FORBIDDEN_CHARS & set(title)))
        checks.append(
            Check(
                "title.chars",
                "error",
                _("Characters not allowed in titles: %(c)s") % {"c": chars},
                "title",
            )
        )
    if limits.get("bullets_max") and len(bullets) > limits["bullets_max"]:
        checks.append(
            Check(
                "bullets.count",
                "error",
                _("%(n)d bullets; the limit is %(max)d.")
                % {"n": len(bullets), "max": limits["bullets_max"]},
                "bullets",
            )
        )
    for i, bullet in enumerate(bullets, start=1):
        if limits.get("bullet_max") and len(bullet) > limits["bullet_max"]:
            checks.append(
                Check(
                    "bullet.max",
                    "error",
                    _("Bullet %(i)d has %(n)d characters; the limit is %(max)d.")
                    % {"i": i, "n": len(bullet), "max": limits["bullet_max"]},
                    "bullets",
                )
            )
    if limits.get("description_max") and len(description) > limits["description_max"]:
        checks.append(
            Check(
                "description.max",
                "error",
                _("Description has %(n)d characters; the limit is %(max)d.")
                % {"n": len(description), "max": limits["description_max"]},
                "description",
            )
        )
    max_bytes = limits.get("search_terms_max_bytes")
    if max_bytes and len(search_terms.encode("utf-8")) > max_bytes:
        checks.append(
            Check(
                "search_terms.bytes",
                "error",
                _("Search terms take %(n)d bytes; the limit is %(max)d.")
                % {"n": len(search_terms.encode("utf-8")), "max": max_bytes},
                "search_terms",
            )
        )
    text = "\n".join([title, *bullets, description, search_terms])
    for term in _banned_in(text):
        checks.append(
            Check(
                "banned_term", "error", _("“%(t)s” is a claim marketplaces refuse.") % {"t": term}
            )
        )
    return checks
