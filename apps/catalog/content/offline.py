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
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from apps.catalog.content.labels import canonical_key
from apps.catalog.content.offline_lexicon import (
    BENEFITS,
    CATEGORIES,
    CONNECTOR_TO,
    DEVICES,
    LABELS,
    PHRASES,
    RELATED,
    REVIEW_THEMES,
    SEARCH_WORDS,
    VALUES,
)
from apps.catalog.content.quality.keywords import STOP
from apps.catalog.rules.checks import BANNED_TERMS, TITLE_FORBIDDEN_CHARS
from apps.catalog.rules.engine import repeated_words

ORDER = ("power_w", "capacity_mah", "wireless_w", "ports", "connector", "data", "length_m",
         "material", "color", "style", "anc", "hours", "ip", "driver_mm", "voltage_v", "pack",
         "display", "magnetic")  # fmt: skip
SKIP = {"features", "selling_points", "reviews", "images", "dimensions", "model", "model_name",
        "series"}  # fmt: skip
UNITS = {"power_w": "W", "wireless_w": "W", "capacity_mah": "mAh", "hours": "h", "capacity_l": "l",
         "driver_mm": "mm", "voltage_v": "V", "length_m": "m"}  # fmt: skip
PORTABLE_G = 600  # up to this weight, size and weight are sold as "fits in a bag"
HOURS = {"ja": "時間", "zh": "小时"}
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
        unit = HOURS.get(lang, "h") if key == "hours" else UNITS.get(key, "")
        if key == "ip":
            return f"IPX{value}"
        gap = "" if lang in COMPACT else " "
        return f"{fmt_num(value, lang)}{gap}{unit}".strip()
    if isinstance(value, list):
        return PHRASES[lang]["list"].join(_value(key, v, lang) or "" for v in value) or None
    if isinstance(value, dict):
        return None
    text = str(value).strip()
    if key == "connector":
        text = re.sub(r"\s+to\s+", CONNECTOR_TO.get(lang, " to "), text)
    return VALUES.get(lang, {}).get(text.lower(), text) or None


def specs(attributes: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs: known keys in a fixed order, then the rest alphabetically."""
    normalised = {canonical_key(k): v for k, v in attributes.items()
                  if canonical_key(k) not in SKIP}  # fmt: skip
    keys = [k for k in ORDER if k in normalised] + sorted(set(normalised) - set(ORDER))
    pairs = []
    for key in keys:
        text = _value(key, normalised[key], lang)
        fallback = key.replace("_", " ").capitalize() if lang == "en" else ""
        label = LABELS[lang].get(key) or fallback
        if text and label and in_language(text, lang):
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


# Words a free-text value may keep in any language: units, standards and connector names.
_NEUTRAL = re.compile(
    r"^(usb|usb-[ac]|usb4|lightning|micro|micro-usb|mbps|gbps|pd|pps|gan|led|abs|pc|tpu|tpe|"
    r"e-marker|mfi|ipx?\d*|[a-z]?\d[\w.,-]*|\W+|mah|w|v|mm|cm|m|g|kg|h|l|ml|wh|in|oz)$",
    re.IGNORECASE,
)
_LATIN = re.compile(r"[A-Za-zÀ-ÿ][\w'’.-]*")


def in_language(text: str, lang: str) -> bool:
    """Whether a seller's free-text value may appear in `lang` copy: in English anything; in
    another language only names, units and numbers (untranslated English words would be a
    foreign fragment: "PC + ABS fire-retardant shell" in a German listing)."""
    if lang == "en":
        return True
    words = _LATIN.findall(text)
    return all(_NEUTRAL.match(w) or w in VALUES.get(lang, {}).values() for w in words)


def _facts_of(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {canonical_key(k): v for k, v in (attributes or {}).items()
            if canonical_key(k) not in SKIP and v not in (None, "", [], {})}  # fmt: skip


def listing_copy(facts: Mapping[str, Any], *, language: str, limits: Mapping[str, Any],
                 channel: str = "", keywords: Sequence[str] = ()) -> dict[str, Any]:  # fmt: skip
    """Listing copy from the product's facts: brand and model name first, one benefit-led
    bullet per fact, review themes in the listing's language, the strongest existing
    keywords (`keywords`, from the copy it replaces) kept in the search terms."""
    lang = language_of(language)
    brand = _clean(facts.get("brand") or "")
    model = _clean(facts.get("model") or "")
    category = category_name(facts.get("category") or "", lang)
    attributes = _facts_of(facts.get("attributes") or {})
    pairs = specs(attributes, lang)
    size, weight = _size_weight(facts, lang)
    name = " ".join(x for x in (brand, model) if x)
    themes = review_themes(facts.get("customer_reviews"), lang)
    features = _features(facts.get("features"), lang)
    fill = {"brand": name or brand, "category": category, "size": size, "weight": weight,
            "model": model or category,
            "portable": 0 < float(facts.get("weight_g") or 0) <= PORTABLE_G}  # fmt: skip
    title = _title(name, category, attributes, pairs, limits, channel, lang)
    return {
        "title": title,
        "bullets": _bullets(attributes, features, themes, fill, limits, lang),
        "description": _description(
            attributes, themes, fill, limits, lang, _uncovered(keywords, title, limits, facts)
        ),
        "search_terms": _search_terms(facts, title, category, pairs, keywords, limits, lang),
    }


def _features(features: Any, lang: str) -> list[str]:
    """The seller's own selling points, as given per language ({"de": [...]}) or as a list in
    English (never put into another language's listing)."""
    if isinstance(features, dict):
        features = features.get(lang) or []
    elif lang != "en":
        features = []
    if not isinstance(features, list):
        return []
    return [_clean(f) for f in features if isinstance(f, str) and _clean(f)][:2]


def review_themes(reviews: Any, lang: str) -> list[str]:
    """What buyers praise, as themes named by our own vocabulary in the listing's language:
    a mined phrase is never pasted (it may be in another language, or an instruction someone
    planted in a five-star review); one that matches no known theme is dropped."""
    if not isinstance(reviews, dict):
        return []
    found: list[str] = []
    for phrase in reviews.get("praised") or []:
        lower = str(phrase).lower()
        for theme, (patterns, _names) in REVIEW_THEMES.items():
            if theme not in found and any(p in lower for p in patterns):
                found.append(theme)
                break
    return [REVIEW_THEMES[t][1][lang] for t in found[:3]]


def _join(items: list[str], lang: str) -> str:
    p = PHRASES[lang]
    if len(items) < 2:
        return "".join(items)
    return p["list"].join(items[:-1]) + p["and"] + items[-1]


def _title(name, category, attributes, pairs, limits, channel, lang) -> str:
    """Brand and model, the category, the strongest specs, the colour: within the limit,
    no word more than twice."""
    compact = lang in COMPACT
    joiner = " "
    title = joiner.join(x for x in (name, category) if x)
    limit = limits.get("title_mobile_warn") or limits.get("title_max") or 200
    color = next((v for label, v in pairs if label == LABELS[lang].get("color")), "")
    sep = PHRASES[lang]["list"] if compact else ", "
    for label, value in pairs[:5]:
        if value == PHRASES[lang]["yes"]:
            value = label  # a feature: "Active noise cancelling", not "yes"
        if value == color or label in (LABELS[lang].get("material"), LABELS[lang].get("data")):
            continue
        candidate = f"{title}{sep}{value}"
        if len(candidate) > limit - (len(color) + 3 if color else 0):
            break
        if repeated_words(candidate, language=lang):
            continue  # Amazon: no word more than twice ("USB-C" in ports and connector)
        title = candidate
    if (
        color
        and len(title) + len(color) + 3 <= limit
        and not repeated_words(f"{title} {color}", language=lang)
    ):
        title = f"{title}{'、' if compact else ' – '}{color}"
    if channel == "amazon":
        title = "".join(c for c in title if c not in TITLE_FORBIDDEN_CHARS)
    return _fit_words(title, limit, lang)


def _v(key: str, attributes: Mapping[str, Any], lang: str) -> str:
    value = attributes.get(key)
    if value is None:
        return ""
    text = _value(key, value, lang) or ""
    return _clean(text) if text and in_language(text, lang) else ""


def _benefits(attributes, lang) -> list[str]:
    """One benefit-led sentence per fact the product has, strongest first."""
    b, out = BENEFITS[lang], []
    power = attributes.get("power_w")
    if _v("power_w", attributes, lang):
        try:
            level = "laptop" if Decimal(str(power)) >= 60 else "phone"
        except (ArithmeticError, ValueError):
            level = "phone"
        out.append(b["power"].format(v=_v("power_w", attributes, lang),
                                     devices=DEVICES[lang][level]))  # fmt: skip
    for key, template in (("capacity_mah", "capacity"), ("wireless_w", "wireless"),
                          ("hours", "hours"), ("ip", "ip"), ("driver_mm", "driver"),
                          ("pieces", "pieces"), ("compartments", "compartments")):  # fmt: skip
        if _v(key, attributes, lang):
            out.append(b[template].format(v=_v(key, attributes, lang)))
    ports = _v("ports", attributes, lang)
    if ports:
        count = sum(int(n) for n in re.findall(r"(\d+)\s*×", ports)) or 1
        out.append(b["ports_multi" if count > 1 else "ports_single"].format(v=ports))
    connector = _v("connector", attributes, lang)
    if connector:
        length = _v("length_m", attributes, lang)
        out.append(b["cable"].format(v=f"{connector}{PHRASES[lang]['list']}{length}"
                                       if length else connector))  # fmt: skip
    if _v("data", attributes, lang):
        out.append(b["data"].format(v=_v("data", attributes, lang)))
    for flag in ("anc", "magnetic", "display"):
        if attributes.get(flag) is True:
            out.append(b[flag])
    if _v("pack", attributes, lang):
        out.append(b["pack"].format(v=_v("pack", attributes, lang)))
    if _v("material", attributes, lang):
        out.append(b["material"].format(v=_v("material", attributes, lang)))
    return out


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _bullets(attributes, features, themes, fill, limits, lang) -> list[str]:
    if not limits.get("bullets_max"):
        return []  # marketplaces without bullet points (eBay, Shopify …) get it in the text
    b, p = BENEFITS[lang], PHRASES[lang]
    candidates = [*features, *_benefits(attributes, lang)]
    physical = p["list"].join(x for x in (fill["size"], fill["weight"]) if x)
    extra = []
    if physical and fill.get("portable"):
        extra.append(b["size"].format(v=physical))
    elif physical:  # a 4 kg glass set is not "light enough for a pocket"
        extra.append(f"{LABELS[lang]['size']}{p['colon']}{physical}")
    if themes:
        extra.append(b["themes"].format(themes=_join(themes, lang)))
    extra.append(b["box"].format(brand=fill["brand"], model=fill["category"]))
    room = limits["bullets_max"] - len(extra)
    chosen = candidates[: max(room, 1)] + extra
    bullets = [_fit_words(_capital(_clean(x)), limits.get("bullet_max"), lang) for x in chosen]
    return [x for x in bullets if x][: limits["bullets_max"]]


def _uncovered(keywords, title, limits, facts) -> list[str]:
    """Keywords of the old copy that a marketplace without search terms (eBay, Shopify …) would
    lose: the description names them once."""
    if limits.get("search_terms_max_bytes"):
        return []
    lower = title.lower()
    return [k for k in keywords if k.lower() not in lower and not _claim(k, facts)][:8]


def _description(attributes, themes, fill, limits, lang, related=()) -> str:
    """A short story, not the bullets again: what it is, what it does for the buyer, size and
    weight, what buyers say, the closing promise."""
    with_bullets = bool(limits.get("bullets_max"))
    p, b = PHRASES[lang], BENEFITS[lang]
    benefits = _benefits(attributes, lang)
    sentences = [p["intro"].format(**fill)]
    if with_bullets:  # the bullets tell the benefits: name the values once, no size again
        values = [v for v in (_v(k, attributes, lang) for k in ORDER[:6]) if v]
        if values:
            sentences.append(p["specs"].format(specs=_join(values[:4], lang)))
    else:
        highlights = [x.split(p["colon"].strip())[0].strip() for x in benefits[:3]]
        if highlights:
            sentences.append(_capital(p["specs"].format(specs=_join(highlights, lang))))
        if fill["size"] and fill["weight"]:
            sentences.append(p["body"].format(**fill))
    if themes and not with_bullets:  # with bullets, one of them already names the themes
        sentences.append(b["themes"].format(themes=_join(themes, lang)) + _stop(lang))
    if related:
        sentences.append(RELATED[lang].format(words=PHRASES[lang]["list"].join(related)))
    sentences.append(p["close"])
    joiner = "" if lang in COMPACT else " "
    limit = limits.get("description_max")
    text = joiner.join(_clean(s) for s in sentences)
    while limit and len(text) > limit and len(sentences) > 1:
        sentences.pop(-2 if len(sentences) > 2 else -1)  # keep the intro and the closing line
        text = joiner.join(_clean(s) for s in sentences)
    return _fit_words(text, limit, lang)


def _stop(lang: str) -> str:
    return "。" if lang in COMPACT else "."


def _claim(keyword: str, facts: Mapping[str, Any]) -> bool:
    """A carried keyword that states a number ("15w"), a material or a certification the facts
    do not: the old copy may have claimed it, the new one must not repeat it unproven."""
    from apps.catalog.content.facts import certifications_in, materials_in

    if re.search(r"\d", keyword):
        return True
    stated = str(facts.get("attributes") or {}).lower()
    named = materials_in(keyword) or certifications_in(keyword.upper())
    return bool(named) and keyword.lower() not in stated


_UNIT_WORDS = frozenset({"mah", "mm", "cm", "kg", "wh", "mbps", "gbps"})
_BANNED_WORDS = frozenset(w for term in BANNED_TERMS for w in term.lower().split())


def _search_terms(facts, title, category, pairs, keywords, limits, lang) -> str:
    """The strongest existing keywords first (the copy's own search terms, then its title's
    words), then the category and the values; words already in the title are not repeated."""
    max_bytes = limits.get("search_terms_max_bytes")
    if not max_bytes:
        return ""
    in_title = set(re.split(r"[\s,、，;/()–-]+", title.lower()))
    names = {w.lower() for w in (facts.get("brand") or "", *str(facts.get("model") or "").split())}
    words: list[str] = [str(k).lower() for k in keywords if not _claim(str(k), facts)]
    words += [category.lower()]
    words += [w for _label, value in pairs for w in re.split(r"[\s,、，;/()]+", value.lower())]
    if lang == "en":
        words += SEARCH_WORDS.get((facts.get("category") or "").lower(), ())
    seen: set[str] = set()
    yes = PHRASES[lang]["yes"]
    out = ""
    for word in words:
        word = _clean(word)
        skip = (
            len(word) < 3
            or word in seen
            or word in STOP
            or word in _UNIT_WORDS
            or word == yes
            or word in in_title
            or word in names
            or word in _BANNED_WORDS
        )
        if skip or not re.search(r"[^\W\d_]", word):
            continue
        candidate = f"{out} {word}".strip()
        if len(candidate.encode("utf-8")) > max_bytes:
            continue  # a shorter later word may still fit
        seen.add(word)
        out = candidate
    return out
