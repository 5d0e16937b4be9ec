"""The readiness score of a listing (0–100) and every missing item, by five parts:

- attributes (40): the category's expected attributes stated in the copy;
- numbers (20): specific numbers with units (three or more for full marks);
- use cases (10) and compatibility (10) stated;
- buyer questions (20): questions buyers ask (support inbox via `inputs.product_questions`,
  complaint and praise phrases mined from reviews) whose words the copy answers.

    result = listing_readiness(listing)   # Readiness(score, parts, missing, questions_source)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.catalog.content.grounding import quantities_in

# category -> expected attributes (fact kinds or attribute names)
EXPECTED: dict[str, tuple[str, ...]] = {
    "power_bank": ("capacity", "power", "ports", "weight", "dimensions"),
    "charger": ("power", "ports", "weight", "dimensions"),
    "cable": ("length", "ports", "power", "material"),
    "headphones": ("battery", "weight", "connectivity", "material"),
    "lamp": ("power", "dimensions", "material", "colour"),
    "bottle": ("capacity", "material", "dimensions", "weight"),
    "kitchen": ("material", "dimensions", "weight"),
}
DEFAULT_EXPECTED = ("material", "dimensions", "weight", "colour")
KIND_OF = {
    "capacity": ("charge", "volume", "energy"),
    "power": ("power",),
    "weight": ("mass",),
    "dimensions": ("length",),
    "length": ("length",),
    "battery": ("charge", "time"),
}
WORDS_OF = {
    "ports": ("usb", "type-c", "lightning", "port", "anschluss", "接口"),
    "material": (
        "steel",
        "aluminium",
        "aluminum",
        "plastic",
        "silicone",
        "glass",
        "cotton",
        "leather",
        "wood",
        "abs",
        "tpu",
        "nylon",
        "edelstahl",
        "材质",
        "不锈钢",
    ),
    "colour": (
        "black",
        "white",
        "blue",
        "red",
        "green",
        "grey",
        "gray",
        "silver",
        "pink",
        "schwarz",
        "weiß",
        "黑",
        "白",
        "蓝",
        "colour",
        "color",
        "farbe",
        "颜色",
    ),
    "connectivity": ("bluetooth", "wireless", "wired", "kabellos", "蓝牙"),
}
USE_CASE_RE = re.compile(
    r"ideal for|perfect for|great for|suitable for|designed for|use it|"
    r"for (?:travel|camping|home|office|outdoor|kitchen|gym|work)|"
    r"geeignet für|ideal für|perfekt für|适用于|适合|用于",
    re.I,
)
COMPAT_RE = re.compile(r"compatible with|works with|fits |kompatibel|passend für|兼容|适配", re.I)
STOP = {
    "the",
    "a",
    "an",
    "is",
    "it",
    "does",
    "do",
    "can",
    "i",
    "with",
    "for",
    "of",
    "to",
    "and",
    "or",
    "this",
    "that",
    "what",
    "how",
    "my",
    "in",
    "on",
    "be",
    "are",
    "there",
    "too",
    "very",
    "not",
    "no",
    "much",
    "long",
    "will",
    "you",
    "your",
}
WEIGHTS = {"attributes": 40, "numbers": 20, "use_cases": 10, "compatibility": 10, "questions": 20}


@dataclass
class Readiness:
    score: int
    parts: dict[str, int]
    missing: list[dict[str, str]] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)
    questions_source: dict[str, bool | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "parts": self.parts,
            "missing": [{k: str(v) for k, v in m.items()} for m in self.missing],
            "questions": self.questions,
            "questions_source": self.questions_source,
        }


def _label(attribute: str) -> str:
    """The attribute's name in the page's language (the listing studio's labels)."""
    from django.utils.translation import get_language

    from apps.catalog.content.labels import attribute_label

    return attribute_label(attribute, get_language() or "en").lower()


def copy_text(listing) -> str:
    return "\n".join(
        [listing.title or "", *map(str, listing.bullets or []), listing.description or ""]
    )


def _stated(attribute: str, text: str, kinds: set[str]) -> bool:
    if attribute in KIND_OF:
        return bool(kinds & set(KIND_OF[attribute]))
    low = text.lower()
    return any(w in low for w in WORDS_OF.get(attribute, (attribute,)))


def _content_words(question: str) -> list[str]:
    words = re.findall(r"[^\W\d_]{3,}|[\u4e00-\u9fff]{2,}", question.lower())
    return [w for w in words if w not in STOP]


def answered(question: str, text: str) -> bool:
    """The copy answers a question when it states most of the question's content words."""
    words = _content_words(question)
    if not words:
        return True
    low = text.lower()
    hits = sum(1 for w in words if w in low or (len(w) > 4 and w[:-1] in low))
    return hits >= max(1, (len(words) + 1) // 2)


def buyer_questions(listing, *, org=None) -> tuple[list[str], dict[str, bool | None]]:
    """Questions from the inbox (None: the support app is not available) and review phrases."""
    from apps.catalog.buyer_reviews.mining import review_insight_get, selling_points
    from apps.catalog.readiness.inputs import product_questions

    org = org or listing.organization
    inbox = product_questions(org=org, product_id=listing.product_id, limit=20)
    insight = review_insight_get(org=listing.organization_id, product_id=listing.product_id)
    phrases = selling_points(insight, limit=5)
    mined = [*phrases["complaints"], *phrases["praised"]]
    # Phrases in another language than the listing's cannot be matched against its copy.
    reviews_lang = (
        listing.product.reviews.exclude(language="").values_list("language", flat=True).first()
    )
    listing_lang = (listing.language or "").split("-")[0].lower()
    if reviews_lang and reviews_lang.split("-")[0].lower() != listing_lang:
        mined = []
    questions = list(dict.fromkeys([*(inbox or []), *mined]))[:25]
    return questions, {"inbox": None if inbox is None else bool(inbox), "reviews": bool(mined)}


def listing_readiness(
    listing, *, questions: list[str] | None = None, source: dict[str, bool | None] | None = None
) -> Readiness:
    text = copy_text(listing)
    lang = (listing.language or "en").split("-")[0]
    quantities = quantities_in(text, lang)
    kinds = {q.kind for q in quantities}
    missing: list[dict[str, str]] = []
    from apps.catalog.photos.extract import category_key

    expected = EXPECTED.get(category_key(listing.product.category), DEFAULT_EXPECTED)
    have = [a for a in expected if _stated(a, text, kinds)]
    for attribute in expected:
        if attribute not in have:
            missing.append(
                {
                    "part": "attributes",
                    "item": attribute,
                    "message": _("State the %(a)s.") % {"a": _label(attribute)},
                }
            )
    parts = {"attributes": round(WEIGHTS["attributes"] * len(have) / max(1, len(expected)))}
    numbers = len({(q.kind, q.value) for q in quantities})
    parts["numbers"] = round(WEIGHTS["numbers"] * min(3, numbers) / 3)
    if numbers < 3:
        missing.append(
            {
                "part": "numbers",
                "item": str(numbers),
                "message": _("Give specific numbers with units (%(n)d of 3).") % {"n": numbers},
            }
        )
    parts["use_cases"] = WEIGHTS["use_cases"] if USE_CASE_RE.search(text) else 0
    if not parts["use_cases"]:
        missing.append(
            {
                "part": "use_cases",
                "item": "",
                "message": _("Say what it is for: use cases and situations."),
            }
        )
    compat_fact = bool((listing.product.attributes or {}).get("compatibility"))
    parts["compatibility"] = WEIGHTS["compatibility"] if COMPAT_RE.search(text) else 0
    if not parts["compatibility"]:
        missing.append(
            {
                "part": "compatibility",
                "item": "",
                "message": _("State what it is compatible with.")
                if compat_fact
                else _("State compatibility (the product has no compatibility fact yet)."),
            }
        )
    if questions is None:
        questions, source = buyer_questions(listing)
    rows = [{"question": q, "answered": answered(q, text)} for q in questions]
    if rows:
        share = sum(r["answered"] for r in rows) / len(rows)
        parts["questions"] = round(WEIGHTS["questions"] * share)
        for r in rows:
            if not r["answered"]:
                missing.append(
                    {
                        "part": "questions",
                        "item": r["question"],
                        "message": _("Answer what buyers ask: “%(q)s”.") % {"q": r["question"]},
                    }
                )
    else:
        parts["questions"] = WEIGHTS["questions"]  # nothing asked: nothing unanswered
    return Readiness(sum(parts.values()), parts, missing, rows, source or {})


BUCKETS = ((0, 40), (40, 60), (60, 80), (80, 101))


def store_distribution(listings) -> dict[str, Any]:
    """Scores per store and their distribution in four bands."""
    stores: dict[int, dict[str, Any]] = {}
    for listing in listings:
        result = listing_readiness(listing)
        row = stores.setdefault(
            listing.store_id, {"store": listing.store, "scores": [], "bands": [0] * len(BUCKETS)}
        )
        row["scores"].append((listing, result))
        for i, (lo, hi) in enumerate(BUCKETS):
            if lo <= result.score < hi:
                row["bands"][i] += 1
    for row in stores.values():
        scores = [r.score for _l, r in row["scores"]]
        row["average"] = round(sum(scores) / len(scores)) if scores else None
        total = max(1, len(scores))
        row["band_shares"] = [round(100 * b / total) for b in row["bands"]]
    return {
        "stores": list(stores.values()),
        "bands": [f"{lo}–{min(hi, 100)}" for lo, hi in BUCKETS],
    }


def readiness_proposal(listing, result: Readiness) -> dict[str, Any] | None:
    """Improved copy for a content draft: bullets stating the product's own facts for missing
    attributes and compatibility (every number grounded in the fact sheet)."""
    from apps.catalog.content.labels import attribute_label

    lang = "zh" if (listing.language or "").startswith("zh") else "en"
    product = listing.product
    attributes = product.attributes or {}
    additions: list[str] = []
    wanted = {m["item"] for m in result.missing if m["part"] == "attributes"}
    for key, value in attributes.items():
        base = key.lower().split("_")[0]
        if base in wanted or any(base in KIND_OF.get(w, ()) for w in wanted):
            unit = key.rsplit("_", 1)[-1] if "_" in key else ""
            unit = {"mah": "mAh", "w": "W", "ml": "ml", "g": "g", "mm": "mm", "wh": "Wh"}.get(
                unit.lower(), ""
            )
            label = attribute_label(key, lang)
            additions.append(f"{label}: {value} {unit}".strip())
    if "dimensions" in wanted and product.length_mm and product.width_mm and product.height_mm:
        dims = " × ".join(_num(d) for d in (product.length_mm, product.width_mm, product.height_mm))
        additions.append(f"{attribute_label('dimensions', lang)}: {dims} mm")
    if "weight" in wanted and product.weight_g:
        additions.append(f"{attribute_label('weight_g', lang)}: {_num(product.weight_g)} g")
    if attributes.get("compatibility") and not result.parts.get("compatibility"):
        compat = attributes["compatibility"]
        compat = ", ".join(compat) if isinstance(compat, list) else str(compat)
        additions.append(("兼容：" if lang == "zh" else "Compatible with ") + compat)
    if not additions:
        return None
    bullets = [*(listing.bullets or []), *additions]
    limit = (listing.store.marketplace.limits or {}).get("bullets_max")
    if limit:
        bullets = bullets[: int(limit)]
    return {
        "title": listing.title,
        "bullets": bullets,
        "description": listing.description,
        "search_terms": listing.search_terms,
        "confirmed_claims": [],
    }


def _num(value) -> str:
    from decimal import Decimal

    return f"{Decimal(str(value)).normalize():f}"


def readiness_draft(*, org, actor, listing):
    """An improvement proposal for the listing as a listing_content draft (None: nothing the
    product's facts can add)."""
    from apps.review.services import draft_create

    result = listing_readiness(listing)
    proposed = readiness_proposal(listing, result)
    if proposed is None:
        return None
    return draft_create(
        org=org,
        kind="listing_content",
        target=listing,
        proposed=proposed,
        actor=actor,
        rationale=f"AI-search readiness {result.score}/100: bullets added from the product's "
        "facts for what the listing does not state yet.",
        evidence=[
            {"source": "readiness", "field": m["part"], "value": str(m["message"])}
            for m in result.missing
        ][:20],
    )
