"""The listing kinds' offline generator: deterministic listing copy from the product's facts and
templates (supplied to the AI layer's offline backend by the generation kinds in
apps/catalog/content/generation.py).

The default when no endpoint is configured, and what the demo seeds with. Same facts in, same
copy out (no randomness, attributes in a fixed order). It writes within the target marketplace's
limits: characters for titles and bullets, UTF-8 bytes for search terms (a Japanese character
takes three), and drops sentences rather than cutting words. Labelled provider "offline".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from apps.catalog.content.offline_lexicon import CATEGORIES, LABELS, PHRASES, SEARCH_WORDS, VALUES
from apps.catalog.rules.checks import BANNED_TERMS, TITLE_FORBIDDEN_CHARS
from apps.catalog.rules.engine import repeated_words

ORDER = ("power_w", "capacity_mah", "wireless_w", "ports", "connector", "data", "length_m",
         "material", "color", "style", "anc", "hours", "ip", "driver_mm", "voltage_v", "pack",
         "display", "magnetic")  # fmt: skip
SKIP = {"features", "selling_points", "reviews", "images"}
UNITS = {"power_w": "W", "wireless_w": "W", "capacity_mah": "mAh", "hours": "h",
         "driver_mm": "mm", "voltage_v": "V", "length_m": "m"}  # fmt: skip
COMPACT = {"ja", "zh"}  # no space between number and unit, no spaces between words
_BANNED = re.compile(
    "|".join(r"(?<!\w)" + re.escape(t) + r"(?!\w)" for t in BANNED_TERMS), re.IGNORECASE
)


def language_of(code: str) -> str:
    base = (code or "en").split("-")[0].lower()
    return base if base in PHRASES else "en"


def fmt_num(value: Any, lang: str) -> str:
    """10000 → 10,000 (en, ja, zh) / 10.000 (de, it, es) / 10 000 (fr); 22.5 → 22,5 in Europe."""
    number = Decimal(str(value))
    text = f"{number:,.1f}" if number % 1 else f"{int(number):,}"
    if lang in ("de", "it", "es"):
        return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    if lang == "fr":
        return text.replace(",", "\u202f").replace(".", ",")
    return text


def _clean(text: str) -> str:
    text = _BANNED.sub("", str(text))
    return re.sub(r"\s{2,}", " ", text).strip(" ,;")


def _value(key: str, value: Any, lang: str) -> str | None:
    if isinstance(value, bool):
        return PHRASES[lang]["yes"] if value else None
    if key == "ports" and isinstance(value, list):
        parts = [f"{p[0]}× {p[1]}" if isinstance(p, list | tuple) else str(p) for p in value]
        return PHRASES[lang]["list"].join(parts)
    if isinstance(value, int | float | Decimal):
        unit = UNITS.get(key, "")
        if key == "ip":
            return f"IPX{value}"
        gap = "" if lang in COMPACT else " "
        return f"{fmt_num(value, lang)}{gap}{unit}".strip()
    if isinstance(value, list):
        return PHRASES[lang]["list"].join(_value(key, v, lang) or "" for v in value) or None
    if isinstance(value, dict):
        return None
    text = str(value).strip()
    return VALUES.get(lang, {}).get(text.lower(), text) or None


def specs(attributes: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs: known keys in a fixed order, then the rest alphabetically."""
    normalised = {k.lower(): v for k, v in attributes.items() if k.lower() not in SKIP}
    keys = [k for k in ORDER if k in normalised] + sorted(set(normalised) - set(ORDER))
    pairs = []
    for key in keys:
        text = _value(key, normalised[key], lang)
        if text:
            label = LABELS[lang].get(key) or key.replace("_", " ").capitalize()
            pairs.append((label, _clean(text)))
    return pairs


def category_name(category: str, lang: str) -> str:
    return CATEGORIES[lang].get(category.lower(), category) or "Product"


def _fit_words(text: str, limit: int | None, lang: str) -> str:
    """Cut at a word (or, in ja/zh, a punctuation) boundary within `limit` characters."""
    if not limit or len(text) <= limit:
        return text
    cut = text[:limit]
    boundary = max(cut.rfind(" "), cut.rfind("、"), cut.rfind("，"), cut.rfind(","))
    return (cut[:boundary] if boundary > limit // 2 else cut).rstrip(" ,、，;:·")


def _size_weight(facts: Mapping[str, Any], lang: str) -> tuple[str, str]:
    p = PHRASES[lang]
    dims = facts.get("dimensions_mm") or []
    size = p["size"].format(**dict(zip("lwh", (fmt_num(d, lang) for d in dims), strict=True))) \
        if len(dims) == 3 else ""  # fmt: skip
    weight = p["weight"].format(g=fmt_num(facts["weight_g"], lang)) if facts.get("weight_g") else ""
    if lang == "en" and facts.get("imperial"):
        if len(dims) == 3:
            size += " ({} × {} × {} in)".format(*(f"{Decimal(str(d)) / Decimal('25.4'):.1f}"
                                                  for d in dims))  # fmt: skip
        if weight:
            weight += f" ({Decimal(str(facts['weight_g'])) / Decimal('28.3495'):.1f} oz)"
    return size, weight


def listing_copy(facts: Mapping[str, Any], *, language: str, limits: Mapping[str, Any],
                 channel: str = "") -> dict[str, Any]:  # fmt: skip
    lang = language_of(language)
    brand = _clean(facts.get("brand") or "")
    category = category_name(facts.get("category") or "", lang)
    pairs = specs(facts.get("attributes") or {}, lang)
    features = _features(facts.get("features"), lang) + _praise(facts.get("customer_reviews"), lang)
    size, weight = _size_weight(facts, lang)
    fill = {"brand": brand, "category": category, "size": size, "weight": weight}
    return {
        "title": _title(brand, category, pairs, limits, channel, lang),
        "bullets": _bullets(pairs, features, size, weight, fill, limits, lang),
        "description": _description(pairs, features, fill, limits, lang),
        "search_terms": _search_terms(facts, category, pairs, limits, lang),
    }


def _features(features: Any, lang: str) -> list[str]:
    """Mined selling points, as given per language ({"de": [...]}) or as a list in English."""
    if isinstance(features, dict):
        features = features.get(lang) or []
    elif lang != "en":
        features = []  # untranslated English points would be wrong in a German listing
    return [_clean(f) for f in features or [] if _clean(f)]


def _praise(reviews: Any, lang: str) -> list[str]:
    """What buyers praise (mined review phrases), in the reviews' own language only; the zh
    back-translation quotes them as written, since the templates cannot translate free text."""
    if not isinstance(reviews, dict) or not reviews.get("praised"):
        return []
    if lang != "zh" and language_of(reviews.get("language") or "en") != lang:
        return []
    phrases = [p for p in (_clean(x) for x in reviews["praised"][:3]) if p]
    phrases = [p for p in phrases if not re.search(r"\d", p)]  # numbers are claims, not praise
    if not phrases:
        return []
    return [PHRASES[lang]["praise"].format(points=PHRASES[lang]["list"].join(phrases))]


def _title(brand, category, pairs, limits, channel, lang) -> str:
    joiner = "" if lang in COMPACT else " "
    title = joiner.join(x for x in (brand, category) if x)
    limit = limits.get("title_max") or 200
    for _label, value in pairs[:4]:
        candidate = f"{title}{PHRASES[lang]['list'] if lang in COMPACT else ', '}{value}"
        if len(candidate) > limit:
            break
        if repeated_words(candidate, language=lang):
            continue  # Amazon: no word more than twice ("USB-C" in ports and connector)
        title = candidate
    if channel == "amazon":
        title = "".join(c for c in title if c not in TITLE_FORBIDDEN_CHARS)
    return _fit_words(title, limit, lang)


def _bullets(pairs, features, size, weight, fill, limits, lang) -> list[str]:
    if not limits.get("bullets_max"):
        return []  # marketplaces without bullet points (eBay, Shopify …) get it in the text
    p = PHRASES[lang]
    sep = "、" if lang in COMPACT else " · "
    candidates = list(features)
    for i in range(0, min(len(pairs), 6), 2):
        candidates.append(
            sep.join(f"{label}{p['colon']}{value}" for label, value in pairs[i : i + 2])
        )
    size_text = f"{LABELS[lang]['size']}{p['colon']}{size}" if size else ""
    weight_text = f"{LABELS[lang]['weight']}{p['colon']}{weight}" if weight else ""
    physical = sep.join(x for x in (size_text, weight_text) if x)
    candidates += [physical, p["box"].format(**fill), p["brand"].format(**fill)]
    bullets = [_fit_words(_clean(b), limits.get("bullet_max"), lang) for b in candidates if b]
    return bullets[: limits["bullets_max"]]


def _description(pairs, features, fill, limits, lang) -> str:
    p = PHRASES[lang]
    spec_text = p["list"].join(f"{label}{p['colon']}{value}" for label, value in pairs)
    sentences = [p["intro"].format(**fill)]
    if spec_text:
        sentences.append(p["specs"].format(specs=spec_text))
    if fill["size"] and fill["weight"]:
        sentences.append(p["body"].format(**fill))
    sentences += [f if f.endswith((".", "。")) else f + ("。" if lang in COMPACT else ".")
                  for f in features]  # fmt: skip
    sentences.append(p["close"])
    joiner = "" if lang in COMPACT else " "
    limit = limits.get("description_max")
    text = joiner.join(_clean(s) for s in sentences)
    while limit and len(text) > limit and len(sentences) > 1:
        sentences.pop(-2 if len(sentences) > 2 else -1)  # keep the intro and the closing line
        text = joiner.join(_clean(s) for s in sentences)
    return _fit_words(text, limit, lang)


def _search_terms(facts, category, pairs, limits, lang) -> str:
    max_bytes = limits.get("search_terms_max_bytes")
    if not max_bytes:
        return ""
    words: list[str] = [category.lower()]
    words += [w for _label, value in pairs for w in re.split(r"[\s,、，;/()]+", value.lower())]
    if lang == "en":
        words += SEARCH_WORDS.get((facts.get("category") or "").lower(), ())
    seen: set[str] = set()
    yes = PHRASES[lang]["yes"]
    out = ""
    for word in words:
        word = _clean(word)
        if len(word) < 2 or word in seen or word == yes or not re.search(r"[^\W\d_]", word):
            continue
        candidate = f"{out} {word}".strip()
        if len(candidate.encode("utf-8")) > max_bytes:
            continue  # a shorter later word may still fit
        seen.add(word)
        out = candidate
    return out
