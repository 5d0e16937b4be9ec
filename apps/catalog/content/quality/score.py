"""The listing quality score: 0–100 from seven components (docs/listing-quality.md).

Pure functions over a payload ({title, bullets, description, search_terms}) and a
`QualityContext` (language, channel, limits, brand, model name, key facts, keywords): no
database, no model call, so the same numbers come out in the review screen, the bulk
generation screen, the offline generator's tests and the benchmarks.

Every component keeps human-readable notes (`Note`), rendered in the active language when
shown, so the review screen can say why a proposal scores lower than the copy it replaces.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.catalog.content.quality.keywords import Keyword, contains
from apps.catalog.content.quality.language import Foreign, base, foreign_fragments

WEIGHTS = {"rules": 20, "limits": 15, "facts": 20, "keywords": 15, "repetition": 10,
           "readability": 10, "language": 10}  # fmt: skip
LABELS = {
    "rules": _("Marketplace rules"), "limits": _("Use of the limits"),
    "facts": _("Key facts"), "keywords": _("Keywords"), "repetition": _("No repetition"),
    "readability": _("Readability"), "language": _("Language"),
}  # fmt: skip
MESSAGES = {
    "rule": "{message}",
    "rules_ok": _("No rule errors or warnings."),
    "title_use": _("Title uses %(n)d of %(max)d characters."),
    "title_over": _("Title is over the limit (%(n)d of %(max)d characters)."),
    "bullets_use": _("%(n)d of %(max)d bullet points, %(avg)d characters on average."),
    "search_use": _("Search terms use %(n)d of %(max)d bytes."),
    "search_over": _("Search terms are over the limit (%(n)d of %(max)d bytes)."),
    "description_use": _("Description has %(n)d characters."),
    "facts_covered": _("%(n)d of %(total)d key facts stated."),
    "facts_missing": _("Missing: %(facts)s."),
    "brand_missing": _("The brand is not in the title."),
    "model_missing": _("The model name “%(model)s” is not in the title."),
    "keywords_kept": _("%(n)d of %(total)d high-value keywords used."),
    "keywords_missing": _("Dropped keywords: %(words)s."),
    "keywords_none": _("No keywords to keep yet (no search terms, no title)."),
    "repeated": _("Repeated phrases: %(phrases)s."),
    "repetition_ok": _("No phrase is repeated."),
    "spec_dump": _("%(n)d of %(total)d bullets are lists of specifications, not benefits."),
    "sentence_long": _("Sentences average %(n)d words; over 25 is hard to read."),
    "sentence_short": _("Sentences average %(n)d words; fragments read like a spec sheet."),
    "shouting": _("%(n)d bullets are written in capitals."),
    "readability_ok": _("Reads as sentences of a comfortable length."),
    "foreign": _("%(field)s contains text in another language (%(lang)s): “%(text)s”."),
    "language_ok": _("Every field is in the listing's language."),
}


@dataclass(frozen=True)
class Fact:
    """A key fact of the product: what it is and the spellings that state it in the copy (a
    number matches in any of the language's number formats)."""

    key: str
    label: str
    number: Decimal | None = None
    spellings: tuple[str, ...] = ()


@dataclass(frozen=True)
class QualityContext:
    language: str
    channel: str = ""
    limits: Mapping[str, Any] = field(default_factory=dict)
    brand: str = ""
    model: str = ""
    facts: tuple[Fact, ...] = ()
    keywords: tuple[Keyword, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.brand, self.model) if n)


@dataclass(frozen=True)
class Note:
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.code == "rule":
            zh = (get_language() or "en").lower().startswith("zh")
            return str(self.params.get("zh" if zh else "en") or self.params.get("en", ""))
        return str(MESSAGES[self.code]) % dict(self.params)

    @property
    def text(self) -> str:
        return str(self)


@dataclass(frozen=True)
class Component:
    key: str
    score: float
    notes: tuple[Note, ...] = ()
    errors: int = 0

    @property
    def max(self) -> int:
        return WEIGHTS[self.key]

    @property
    def label(self) -> str:
        return str(LABELS[self.key])

    @property
    def points(self) -> int:
        return round(self.score)


@dataclass(frozen=True)
class Quality:
    total: int
    components: tuple[Component, ...]
    foreign: tuple[tuple[str, Foreign], ...] = ()  # (field, fragment)
    rule_errors: int = 0  # copy with a rule error is never "good", whatever its total

    def component(self, key: str) -> Component:
        return next(c for c in self.components if c.key == key)

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "components": {
            c.key: {"score": round(c.score, 1), "max": c.max, "notes": [str(n) for n in c.notes]}
            for c in self.components}}  # fmt: skip


# --- helpers ---------------------------------------------------------------------------------

_NUMBER = re.compile(r"\d[\d.,\u202f\u00a0 ]*\d|\d")
_SENTENCE = re.compile(r"(?<=[.!?。！？])\s*")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_WORDS = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
DUMP_PAIR = re.compile(r"[^\W\d_][^:：·,，、]{0,40}[:：]\s*[^:：·]{1,40}(?:\s*[·,，、]\s*|$)")


def bullets_of(payload: Mapping[str, Any]) -> list[str]:
    value = payload.get("bullets") or []
    return [str(b) for b in value if str(b or "").strip()] if isinstance(value, list) else []


def text_of(payload: Mapping[str, Any], *, search_terms: bool = True) -> str:
    parts = [str(payload.get("title") or ""), *bullets_of(payload),
             str(payload.get("description") or "")]  # fmt: skip
    if search_terms:
        parts.append(str(payload.get("search_terms") or ""))
    return "\n".join(parts)


def numbers_in(text: str, language: str) -> set[Decimal]:
    """Every number of the text as a Decimal, read with the language's separators (10.000 is
    ten thousand in German, 22,5 is twenty-two and a half)."""
    european = base(language) in ("de", "fr", "it", "es")
    found = set()
    for match in _NUMBER.finditer(text):
        raw = re.sub(r"[\u202f\u00a0 ]", "", match.group(0)).strip(".,")
        raw = raw.replace(".", "").replace(",", ".") if european else raw.replace(",", "")
        try:
            found.add(Decimal(raw).normalize())
        except InvalidOperation:
            continue
    return found


def _is_cjk(language: str) -> bool:
    return base(language) in ("ja", "zh")


def _units(text: str, language: str) -> list[str]:
    """Words, or CJK characters, for lengths and repetition."""
    if _is_cjk(language):
        return [c for c in text if not c.isspace() and not re.match(r"[\W_]", c)]
    return [w.lower() for w in _WORDS.findall(text)]


# --- components ------------------------------------------------------------------------------


def _rules(payload, ctx: QualityContext) -> Component:
    from apps.catalog.rules.checks import check_listing_content

    fields = {k: payload.get(k) for k in ("title", "bullets", "description", "search_terms")}
    checks = check_listing_content(dict(ctx.limits), fields, ctx.channel,
                                   language=base(ctx.language))  # fmt: skip
    errors = [c for c in checks if c.severity == "error"]
    warnings = [c for c in checks if c.severity != "error"]
    score = max(0.0, WEIGHTS["rules"] - 10 * len(errors) - 3 * len(warnings))
    notes = tuple(Note("rule", {"en": c.message_en or str(c.message), "zh": c.message_zh})
                  for c in (*errors, *warnings)[:6])  # fmt: skip
    return Component("rules", score, notes or (Note("rules_ok"),), errors=len(errors))


def _fill(n: float, target: float) -> float:
    return 1.0 if target <= 0 else min(1.0, n / target)


def _limits(payload, ctx: QualityContext) -> Component:
    limits, parts, notes = ctx.limits, [], []
    title = str(payload.get("title") or "")
    title_max = limits.get("title_max") or 200
    # Marketplaces that cut titles on mobile (Amazon: 80) make that the length to fill.
    title_target = 0.9 * limits["title_mobile_warn"] if limits.get("title_mobile_warn") else (
        0.6 * title_max)  # fmt: skip
    if len(title) > title_max:
        parts.append(0.0)
        notes.append(Note("title_over", {"n": len(title), "max": title_max}))
    else:
        parts.append(_fill(len(title), title_target))
        notes.append(Note("title_use", {"n": len(title), "max": title_max}))
    bullets = bullets_of(payload)
    if limits.get("bullets_max"):
        target_len = min(150, 0.3 * (limits.get("bullet_max") or 500))
        avg = sum(len(b) for b in bullets) / len(bullets) if bullets else 0
        over = any(len(b) > (limits.get("bullet_max") or 10**6) for b in bullets)
        count = _fill(len(bullets), limits["bullets_max"])
        parts.append(0.0 if over else count * _fill(avg, target_len))
        notes.append(Note("bullets_use", {"n": len(bullets), "max": limits["bullets_max"],
                                          "avg": round(avg)}))  # fmt: skip
    if limits.get("search_terms_max_bytes"):
        size, cap = len(str(payload.get("search_terms") or "").encode()), limits[
            "search_terms_max_bytes"]  # fmt: skip
        parts.append(0.0 if size > cap else _fill(size, 0.8 * cap))
        notes.append(Note("search_over" if size > cap else "search_use", {"n": size, "max": cap}))
    if limits.get("description_max"):
        n = len(str(payload.get("description") or ""))
        parts.append(0.0 if n > limits["description_max"] else
                     _fill(n, min(500, 0.25 * limits["description_max"])))  # fmt: skip
        notes.append(Note("description_use", {"n": n}))
    return Component("limits", WEIGHTS["limits"] * sum(parts) / len(parts), tuple(notes))


def _facts(payload, ctx: QualityContext) -> Component:
    text = text_of(payload, search_terms=False)
    lower, title = text.lower(), str(payload.get("title") or "").lower()
    numbers = numbers_in(text, ctx.language)
    covered, missing = 0, []
    for fact in ctx.facts:
        hit = (fact.number is not None and fact.number.normalize() in numbers) or any(
            s and s.lower() in lower for s in fact.spellings)  # fmt: skip
        covered += hit
        if not hit:
            missing.append(fact.label)
    names, notes = [], []
    if ctx.brand:
        names.append(ctx.brand.lower() in title)
        if not names[-1]:
            notes.append(Note("brand_missing"))
    if ctx.model:
        names.append(ctx.model.lower() in title)
        if not names[-1]:
            notes.append(Note("model_missing", {"model": ctx.model}))
    fact_part = covered / len(ctx.facts) if ctx.facts else 1.0
    name_part = sum(names) / len(names) if names else 1.0
    notes.insert(0, Note("facts_covered", {"n": covered, "total": len(ctx.facts)}))
    if missing:
        notes.append(Note("facts_missing", {"facts": ", ".join(missing[:8])}))
    return Component("facts", WEIGHTS["facts"] * (0.6 * fact_part + 0.4 * name_part), tuple(notes))


def _keywords(payload, ctx: QualityContext) -> Component:
    if not ctx.keywords:
        return Component("keywords", WEIGHTS["keywords"], (Note("keywords_none"),))
    text = text_of(payload).lower()
    total = sum(w for _k, w in ctx.keywords)
    kept = [(k, w) for k, w in ctx.keywords if contains(text, k)]
    dropped = [k for k, _w in ctx.keywords if not contains(text, k)]
    notes = [Note("keywords_kept", {"n": len(kept), "total": len(ctx.keywords)})]
    if dropped:
        notes.append(Note("keywords_missing", {"words": ", ".join(dropped[:10])}))
    return Component("keywords", WEIGHTS["keywords"] * sum(w for _k, w in kept) / total,
                     tuple(notes))  # fmt: skip


def _ngrams(units: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(units[i : i + n]) for i in range(len(units) - n + 1)]


def _repetition(payload, ctx: QualityContext) -> Component:
    """Word 3-grams (CJK: 4 characters) seen more than once across bullets and description:
    the same specification list in every field is the classic template failure."""
    n = 4 if _is_cjk(ctx.language) else 3
    grams: list[tuple[str, ...]] = []
    for part in (*bullets_of(payload), *_SENTENCE.split(str(payload.get("description") or ""))):
        grams += set(_ngrams(_units(part, ctx.language), n))  # once per sentence or bullet
    if not grams:
        return Component("repetition", WEIGHTS["repetition"], (Note("repetition_ok"),))
    counts = Counter(grams)
    repeated = sum(c - 1 for c in counts.values() if c > 1)
    ratio = repeated / len(grams)
    score = WEIGHTS["repetition"] * max(0.0, 1 - 2.5 * ratio)
    joiner = "" if _is_cjk(ctx.language) else " "
    top = [joiner.join(g) for g, c in counts.most_common(4) if c > 1]
    notes = (Note("repeated", {"phrases": "; ".join(f"“{t}”" for t in top)}),) if top else (
        Note("repetition_ok"),)  # fmt: skip
    return Component("repetition", score, notes)


def _colons(text: str) -> int:
    return text.count(":") + text.count("：")


def _readability(payload, ctx: QualityContext) -> Component:
    bullets = bullets_of(payload)
    sentences = [s for part in (*bullets, str(payload.get("description") or ""))
                 for s in _SENTENCE.split(part) if s.strip()]  # fmt: skip
    lengths = [len(_units(s, ctx.language)) for s in sentences]
    notes = []
    low, high = (12, 70) if _is_cjk(ctx.language) else (6, 25)
    avg = sum(lengths) / len(lengths) if lengths else 0
    if not lengths:
        sentence_part = 0.0
    elif avg > high:
        sentence_part = max(0.0, 1 - (avg - high) / high)
        notes.append(Note("sentence_long", {"n": round(avg)}))
    elif avg < low:
        sentence_part = avg / low
        notes.append(Note("sentence_short", {"n": round(avg)}))
    else:
        sentence_part = 1.0
    dumps = sum(1 for b in bullets if _colons(b) >= 2 and len(DUMP_PAIR.findall(b)) >= 2)
    if dumps:
        notes.append(Note("spec_dump", {"n": dumps, "total": len(bullets)}))
    shouting = sum(1 for b in bullets if len(b) > 20 and b.upper() == b and b.lower() != b)
    if shouting:
        notes.append(Note("shouting", {"n": shouting}))
    dump_part = 1 - (dumps + shouting) / len(bullets) if bullets else 1.0
    score = WEIGHTS["readability"] * (0.5 * sentence_part + 0.5 * max(0.0, dump_part))
    return Component("readability", score, tuple(notes) or (Note("readability_ok"),))


FIELD_NAMES = {"title": _("Title"), "bullets": _("Bullet %(n)d"), "description": _("Description"),
               "search_terms": _("Search terms")}  # fmt: skip


def field_name(name: str, index: int | None) -> str:
    label = str(FIELD_NAMES[name])
    return label % {"n": index + 1} if index is not None else label


def _fields(payload) -> list[tuple[str, int | None, str]]:
    out: list[tuple[str, int | None, str]] = [("title", None, str(payload.get("title") or ""))]
    out += [("bullets", i, b) for i, b in enumerate(bullets_of(payload))]
    out += [(name, None, str(payload.get(name) or "")) for name in ("description", "search_terms")]
    return [f for f in out if f[2].strip()]


def _language(payload, ctx: QualityContext) -> tuple[Component, tuple]:
    fields = _fields(payload)
    found: list[tuple[str, int | None, Foreign]] = []
    for name, index, text in fields:
        found += [(name, index, f) for f in foreign_fragments(text, ctx.language, ctx.names)]
    bad = {(name, index) for name, index, _f in found}
    score = WEIGHTS["language"] * (1 - len(bad) / len(fields)) if fields else 0.0
    notes = tuple(Note("foreign", {"field": field_name(name, index), "lang": f.language,
                                   "text": f.text[:80]})
                  for name, index, f in found[:5])  # fmt: skip
    foreign = tuple((name if index is None else f"{name}.{index}", f) for name, index, f in found)
    return Component("language", score, notes or (Note("language_ok"),)), foreign


def quality_score(payload: Mapping[str, Any], ctx: QualityContext) -> Quality:
    """The score of one listing copy in its context: total 0–100 and the seven components."""
    language, foreign = _language(payload, ctx)
    components = (_rules(payload, ctx), _limits(payload, ctx), _facts(payload, ctx),
                  _keywords(payload, ctx), _repetition(payload, ctx),
                  _readability(payload, ctx), language)  # fmt: skip
    total = round(sum(c.score for c in components))
    return Quality(total=max(0, min(100, total)), components=components, foreign=foreign,
                   rule_errors=components[0].errors)  # fmt: skip
