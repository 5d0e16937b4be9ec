"""Run a ruleset over a document's declared text fields (listing copy; buyer replies, ad
keywords and other documents are rule files of their own type, see loader).

Set up once per (ruleset, language) — the term lists compile to one regular expression each —
then each payload costs a handful of passes over its text, so 100,000 listings validate in
seconds (bench/listing_validate.py). Messages are rendered in both English and Chinese; the
check's `message` is the active language's.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import get_language

from apps.catalog.rules.loader import Rule, Ruleset, TermSet, common_rule
from apps.review.registry import Check

FIELDS = ("title", "bullets", "description", "search_terms")  # a listing's text fields
FIELD_LABELS = {"title": ("title", "标题"), "bullets": ("bullet {i}", "第 {i} 条要点"),
                "description": ("description", "描述"),
                "search_terms": ("search terms", "搜索关键词")}  # fmt: skip
# Emoji and pictographs (incl. flags, dingbats, variation selectors, keycaps).
EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f1e6-\U0001f1ff\U00002b00-\U00002bff"
    "\ufe0f\u20e3\u200d]"
)
WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
PLACEHOLDER_EDGE = re.compile(r"[\w/]")


@dataclass(frozen=True)
class RuleCheck(Check):
    """A Check with what the API and the review screen need besides: both languages, the
    versions it was checked against, and for claims the position in the text."""

    message_en: str = ""
    message_zh: str = ""
    rule_version: int = 0
    rules_version: str = ""
    item: int | None = None  # bullet index (0-based) when field is "bullets"
    start: int | None = None
    end: int | None = None
    claim: str = ""
    before: str = ""
    after: str = ""

    def as_dict(self) -> dict:
        data: dict = super().as_dict()
        data.update(message_en=self.message_en, message_zh=self.message_zh,
                    rule_version=self.rule_version, rules_version=self.rules_version)  # fmt: skip
        if self.start is not None:
            data.update(item=self.item, start=self.start, end=self.end, claim=self.claim,
                        before=self.before, after=self.after)  # fmt: skip
        return data


def ui_language() -> str:
    return "zh" if (get_language() or "en").lower().startswith("zh") else "en"


def base_language(code: str) -> str:
    return (code or "en").split("-")[0].split("_")[0].lower()


def field_label(name: str, item: int | None, lang: str) -> str:
    en, zh = FIELD_LABELS.get(name, (name, name))
    return (zh if lang == "zh" else en).format(i=(item or 0) + 1)


def make_check(rule: Rule, rules_version: str, ui: str, field: str = "", **values) -> RuleCheck:
    span = values.pop("_span", None) or {}
    en, zh = rule.text("en", **values), rule.text("zh", **values)
    return RuleCheck(rule.id, rule.severity, zh if ui == "zh" else en, field, en, zh,
                     rule.version, rules_version, **span)  # fmt: skip


def _bounded(text: str, start: int, end: int) -> bool:
    """Whole word: no letter/digit glued on a side whose edge is not CJK (Japanese has no
    spaces, so a Japanese term matches anywhere)."""
    if start > 0 and ord(text[start]) < 0x3000:
        prev = text[start - 1]
        if prev.isalnum() or prev == "_":
            return False
    if end < len(text) and ord(text[end - 1]) < 0x3000:
        nxt = text[end]
        if nxt.isalnum() or nxt == "_":
            return False
    return True


class TermMatcher:
    """Every term of a ruleset's sets for one language (and English) as one expression;
    longest terms first so "100% guaranteed" wins over "guaranteed"."""

    def __init__(self, sets: Iterable[TermSet], language: str):
        self.owner: dict[str, TermSet] = {}
        for term_set in sets:
            for lang in dict.fromkeys((language, "en")):
                for term in term_set.terms.get(lang, ()):
                    self.owner.setdefault(term, term_set)
        terms = sorted(self.owner, key=len, reverse=True)
        alternatives = "|".join(map(re.escape, terms))
        # Matching lower-cased text case-sensitively is several times faster than IGNORECASE
        # (the scanner can skip on the terms' first characters); IGNORECASE stays as the
        # fallback for the rare text whose lower-casing changes its length.
        self.regex = re.compile(alternatives) if terms else None
        self.regex_i = re.compile(alternatives, re.IGNORECASE) if terms else None

    def find(self, text: str) -> Iterator[tuple[str, TermSet, int, int]]:
        if self.regex is None or not text:
            return
        lowered = text.lower()
        matches = (self.regex.finditer(lowered) if len(lowered) == len(text)
                   else self.regex_i.finditer(text))  # fmt: skip
        for m in matches:
            owner = self.owner.get(m.group(0).lower())
            if owner is not None and _bounded(text, m.start(), m.end()):
                yield text[m.start() : m.end()], owner, m.start(), m.end()


@functools.lru_cache(maxsize=256)
def term_matcher(ruleset: Ruleset, language: str) -> TermMatcher:
    return TermMatcher(ruleset.term_sets, language)


def protected_matcher(terms: Iterable[str]) -> re.Pattern | None:
    """An organization's protected brand names as one case-insensitive expression."""
    cleaned = sorted({t.strip().lower() for t in terms if t and t.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    return re.compile("|".join(map(re.escape, cleaned)))  # run on lower-cased text


def texts(payload: dict, names: Iterable[str] = FIELDS) -> Iterator[tuple[str, int | None, str]]:
    """(field, bullet index or None, text) for each text in the payload."""
    for name in names:
        value = payload.get(name)
        if isinstance(value, list | tuple):
            for i, item in enumerate(value):
                yield name, i, str(item or "")
        elif value:
            yield name, None, str(value)


def _span(name: str, item: int | None, start: int, end: int, text: str) -> dict:
    return {"item": item, "start": start, "end": end, "claim": text[start:end],
            "before": text[max(0, start - 40) : start], "after": text[end : end + 40]}  # fmt: skip


class Run:
    """One payload's validation against one ruleset."""

    def __init__(self, ruleset: Ruleset, payload: dict, language: str, limits: dict | None, ui):
        self.ruleset, self.payload, self.limits, self.ui = ruleset, payload, limits or {}, ui
        self.language = base_language(language)
        self.checks: list[RuleCheck] = []

    def add(self, rule: Rule, field: str = "", **values) -> None:
        self.checks.append(make_check(rule, self.ruleset.version_label, self.ui, field, **values))

    def field_values(self, rule: Rule) -> Iterator[tuple[str, int | None, str]]:
        return texts(self.payload, rule.fields)

    def run_rule(self, rule: Rule) -> None:
        getattr(self, "check_" + rule.check)(rule)

    def check_required(self, rule: Rule) -> None:
        for name in rule.fields:
            if not str(self.payload.get(name) or "").strip():
                self.add(rule, name)

    def check_max_chars(self, rule: Rule) -> None:
        limit = rule.param("max", self.limits)
        for name, item, text in self.field_values(rule):
            if len(text) > limit:
                i = None if item is None else item + 1
                self.add(rule, name, n=len(text), max=limit, i=i)

    def check_max_bytes(self, rule: Rule) -> None:
        limit = rule.param("max", self.limits)
        for name, _item, text in self.field_values(rule):
            size = len(text.encode("utf-8"))
            if size > limit:
                self.add(rule, name, n=size, max=limit)

    def check_max_items(self, rule: Rule) -> None:
        limit = rule.param("max", self.limits)
        for name in rule.fields:
            items = [b for b in self.payload.get(name) or [] if str(b).strip()]
            if len(items) > limit:
                self.add(rule, name, n=len(items), max=limit)

    def check_min_words(self, rule: Rule) -> None:
        minimum = rule.param("min", self.limits)
        for name in rule.fields:
            n = len(WORD.findall(str(self.payload.get(name) or "")))
            if n < minimum:
                self.add(rule, name, n=n, min=minimum)

    def check_forbidden_chars(self, rule: Rule) -> None:
        chars = set(rule.params.get("chars") or "")
        for name, item, text in self.field_values(rule):
            found = chars.intersection(text)
            if rule.params.get("emoji"):
                found.update(EMOJI.findall(text))
            if found:
                i = None if item is None else item + 1
                self.add(rule, name, chars=" ".join(sorted(found)), i=i)

    def check_forbidden_pattern(self, rule: Rule) -> None:
        """A pattern the text may not contain (links, e-mail addresses, phone numbers, …); one
        check per field, naming the first match."""
        regex = _pattern(str(rule.params["pattern"]), bool(rule.params.get("ignore_case", True)))
        seen: set[str] = set()
        for name, item, text in self.field_values(rule):
            m = regex.search(text)
            if m and name not in seen:
                seen.add(name)
                i = None if item is None else item + 1
                self.add(rule, name, match=m.group(0), i=i)

    def check_word_repeat(self, rule: Rule) -> None:
        limit = rule.param("max", self.limits)
        skip = self.ruleset.function_words.get(self.language, frozenset())
        for name, _item, text in self.field_values(rule):
            for word, n in repeated_words(text, limit, skip).items():
                self.add(rule, name, word=word, n=n, max=limit)

    def check_placeholder(self, rule: Rule) -> None:
        terms = rule.params.get("terms") or []
        regex = _placeholder_regex(tuple(terms))
        seen: set[str] = set()
        for name, _item, text in self.field_values(rule):
            for m in regex.finditer(text):
                before = text[m.start() - 1] if m.start() else ""
                after = text[m.end()] if m.end() < len(text) else ""
                edge = PLACEHOLDER_EDGE.match(before or " ") or PLACEHOLDER_EDGE.match(after or " ")
                if not edge and m.group(0) not in seen:
                    seen.add(m.group(0))
                    self.add(rule, name, term=m.group(0))

    def run_terms(self) -> None:
        matcher = term_matcher(self.ruleset, self.language)
        seen: set[str] = set()
        for name, item, text in texts(self.payload, self.ruleset.fields):
            for found, term_set, start, end in matcher.find(text):
                key = found.lower()
                if key in seen:
                    continue
                seen.add(key)
                rid = "banned_term" if term_set.severity == "error" else "risky_term"
                rule = Rule(rid, term_set.version, "terms", term_set.severity, term_set.message)
                self.add(rule, name, term=key, _span=_span(name, item, start, end, text))

    def run_protected(self, regex: re.Pattern | None) -> None:
        if regex is None:
            return
        rule = common_rule("protected_term")
        seen: set[str] = set()
        for name, item, text in texts(self.payload, self.ruleset.fields):
            lowered = text.lower()
            if len(lowered) != len(text):
                lowered = text  # (rare) keep offsets; such text is matched case-sensitively
            for m in regex.finditer(lowered):
                found = text[m.start() : m.end()]
                if found.lower() in seen or not _bounded(text, m.start(), m.end()):
                    continue
                seen.add(found.lower())
                self.add(rule, name, term=found,
                         _span=_span(name, item, m.start(), m.end(), text))  # fmt: skip


def repeated_words(text: str, limit: int = 2, skip: frozenset[str] | None = None,
                   language: str = "en") -> dict[str, int]:  # fmt: skip
    """Words used more than `limit` times (case-insensitive; numbers, single letters and the
    language's articles, prepositions and conjunctions excepted)."""
    if skip is None:
        from apps.catalog.rules.loader import rule_data

        family = next(iter(rule_data().rulesets.values()))
        skip = family.function_words.get(base_language(language), frozenset())
    counts = Counter(w for w in WORD.findall(text.lower())
                     if len(w) > 1 and w not in skip and not w[0].isdigit())  # fmt: skip
    return {w: n for w, n in counts.items() if n > limit}


@functools.lru_cache(maxsize=64)
def _pattern(pattern: str, ignore_case: bool) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE if ignore_case else 0)


@functools.lru_cache(maxsize=32)
def _placeholder_regex(terms: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(map(re.escape, sorted(terms, key=len, reverse=True))))


def validate_fields(
    ruleset: Ruleset,
    payload: dict,
    *,
    language: str,
    limits: dict | None = None,
    protected: re.Pattern | None = None,
    ui: str | None = None,
) -> list[RuleCheck]:
    """The ruleset's checks on `payload` (the fields its document declares, e.g. a listing's
    {title, bullets, description, search_terms}; any subset): its own rules, then the banned
    and risky terms, then the protected names, both over the document's text fields."""
    run = Run(ruleset, payload, language, limits, ui or ui_language())
    for rule in ruleset.rules:
        run.run_rule(rule)
    run.run_terms()
    run.run_protected(protected)
    return run.checks


def limits_of(ruleset: Ruleset, limits: dict | None = None) -> dict:
    """The numbers of the ruleset's limit rules under their `limit_key`s (title_max, …), the
    shape Marketplace.limits, the generator's schema and the review screen's live checks use."""
    out: dict = {}
    for rule in ruleset.rules:
        key = rule.params.get("limit_key")
        if key:
            out[key] = rule.param("min" if rule.check == "min_words" else "max", limits)
    return out


def forbidden_title_chars(ruleset: Ruleset) -> str:
    rules = [r for r in ruleset.rules if r.check == "forbidden_chars" and "title" in r.fields]
    return "".join(sorted({c for r in rules for c in r.params.get("chars", "")}))


def all_terms() -> tuple[str, ...]:
    """Every refused or risky term in every language (the offline generator strips them)."""
    from apps.catalog.rules.loader import rule_data

    found: dict[str, None] = {}
    for term_set in rule_data().term_sets.values():
        for terms in term_set.terms.values():
            found.update(dict.fromkeys(terms))
    return tuple(found)
