"""The high-value keywords a rewrite must keep.

Today they come from the listing itself: its backend search terms (chosen by the seller for
search) weigh most, then the words of its current title. `KEYWORD_SOURCES` is the hook for
more: the ads issue adds a source returning the listing's converting ads search terms
(`(listing, language) -> [(keyword, weight)]`), and every score picks them up.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import Any

Keyword = tuple[str, float]  # (lower-cased keyword, weight)
MAX_KEYWORDS = 30
SEARCH_TERM_WEIGHT = 2.0
TITLE_WEIGHT = 1.0
_WORD = re.compile(r"[^\W_][\w'’-]*", re.UNICODE)
_NUMBER_UNIT = re.compile(r"^(\d+(?:[.,]\d+)?)([^\W\d_]+)$")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]{2,}")
STOP = frozenset(
    """a an the and or for with to of in on at by from your you our is are it this that its
    der die das den dem des ein eine und oder für mit von zu im in am auf ist sind ihr
    le la les un une des et ou pour avec de du en au aux sur votre
    il lo gli uno una e o per con di da del della in su
    el los las un una y o para con de del en al su""".split()  # noqa: SIM905
)

# Extra keyword sources: (listing, language) -> [(keyword, weight)]. Ads search terms plug in
# here once the ads issue lands (apps/ads registers its source in its AppConfig.ready()).
KEYWORD_SOURCES: list[Callable[[Any, str], Iterable[Keyword]]] = []


@functools.cache
def _banned() -> re.Pattern:
    from apps.catalog.rules.checks import BANNED_TERMS

    terms = sorted(BANNED_TERMS, key=len, reverse=True)
    # No look-arounds in the alternation (they make every position slow); edges checked below.
    return re.compile("|".join(re.escape(t.lower()) for t in terms))


def without_claims(text: str) -> str:
    """The text without refused claims ("Best Seller", "free shipping"): their words are not
    keywords to keep."""
    text = (text or "").lower()  # lower-cased: keywords are compared so
    out, last = [], 0
    for m in _banned().finditer(text):
        start, end = m.span()
        if (start and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
            continue  # part of a longer word
        out += [text[last:start], " "]
        last = end
    return "".join(out) + text[last:]


def words_of(text: str) -> list[str]:
    """Keyword candidates of a text: words of 3+ letters that are not function words, and in
    Japanese or Chinese the runs of 2+ characters."""
    text = (text or "").lower()
    words = [w.strip("'’-") for w in _WORD.findall(text)]
    words = [w for w in words if len(w) >= 3 and w not in STOP and not w.isdigit()]
    return words + _CJK_RUN.findall(text)


def _words(text) -> list[str]:
    return words_of(without_claims(str(text or "")))


def keywords_from(copy: dict[str, Any], extra: Iterable[Keyword] = (),
                  skip: Iterable[str] = ()) -> tuple[Keyword, ...]:  # fmt: skip
    """The current copy's keywords, strongest first: search terms, then title words, then any
    extra source's; the brand and words in `skip` are names, scored as facts instead."""
    skipped = {s.lower() for s in skip if s}
    weights: dict[str, float] = {}
    sources = (
        [(w, SEARCH_TERM_WEIGHT) for w in _words(copy.get("search_terms"))]
        + [(w, TITLE_WEIGHT) for w in _words(copy.get("title"))]
        + [(k.lower(), float(wt)) for k, wt in extra]
    )  # fmt: skip
    for word, weight in sources:
        if word in skipped or not word:
            continue
        weights[word] = max(weights.get(word, 0.0), weight)
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], list(weights).index(kv[0])))
    return tuple(ranked[:MAX_KEYWORDS])


def contains(haystack: str, keyword: str) -> bool:
    """Whole-word match (substring for Japanese and Chinese, which have no spaces)."""
    if _CJK_RUN.fullmatch(keyword):
        return keyword in haystack
    return _keyword_regex(keyword).search(haystack) is not None


@functools.lru_cache(maxsize=4096)
def _keyword_regex(keyword: str) -> re.Pattern:
    spaced = _NUMBER_UNIT.sub(r"\1 \2", keyword)  # "140w" is also written "140 w"
    spellings = "|".join(re.escape(k) for k in dict.fromkeys((keyword, spaced)))
    return re.compile(rf"(?<![\w])(?:{spellings})(?![\w])")
