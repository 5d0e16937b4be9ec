"""Which fragments of a listing are not in the listing's language.

A maintained detector (lingua) restricted to the languages listings are written in, plus a
few neighbours so that, say, Dutch is not forced into German. It is built once per process,
lazily (language models load on first use); each call costs well under a millisecond.

Names are not language: the brand, model names, tokens with digits (10K, USB-C, 22.5W) and
all-caps acronyms are removed before a fragment is judged, and a fragment of fewer than two
remaining words or eight letters is not judged at all (too short to tell).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from lingua import Language, LanguageDetectorBuilder

SUPPORTED = {"en": Language.ENGLISH, "de": Language.GERMAN, "fr": Language.FRENCH,
             "it": Language.ITALIAN, "es": Language.SPANISH, "ja": Language.JAPANESE,
             "zh": Language.CHINESE}  # fmt: skip
NEIGHBOURS = (Language.PORTUGUESE, Language.DUTCH)
CODE_OF = {v: k for k, v in SUPPORTED.items()} | {Language.PORTUGUESE: "pt", Language.DUTCH: "nl"}
MIN_CONFIDENCE = 0.5  # the other language must be this likely …
MAX_EXPECTED = 0.2  # … and the listing's language at most this likely
_SEGMENTS = re.compile(r"[.;:!?·•|()\[\]\n。、，！？：；（）「」【】]+|,\s|\s[-–—]\s")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u3400-\u9fff]")
# Product and standard names that read as English words but are names in every language.
_NAMES = re.compile(r"\b(lightning|magsafe|bluetooth|wi-?fi|qi|power delivery)\b", re.IGNORECASE)
_TECH = re.compile(r"\S*\d\S*|\b[A-Z]{2,}[a-z]?\b|\b\w*[a-z][A-Z]\w*\b")  # 10K, USB, GaN, iPhone


@functools.cache
def detector():
    """The one detector of the process (building it per call would cost seconds)."""
    languages = (*SUPPORTED.values(), *NEIGHBOURS)
    return LanguageDetectorBuilder.from_languages(*languages).build()


def base(code: str) -> str:
    return (code or "en").split("-")[0].split("_")[0].lower()


@dataclass(frozen=True)
class Foreign:
    """A fragment judged to be in another language than the listing's."""

    text: str
    language: str  # ISO 639-1 of what it looks like
    confidence: float


@functools.lru_cache(maxsize=1024)
def _names_regex(names: tuple[str, ...]) -> re.Pattern | None:
    names = tuple(sorted((n for n in names if n), key=len, reverse=True))
    return re.compile("|".join(map(re.escape, names)), re.IGNORECASE) if names else None


def _strip_names(text: str, names: tuple[str, ...]) -> str:
    regex = _names_regex(names)
    if regex is not None:
        text = regex.sub(" ", text)
    return _TECH.sub(" ", _NAMES.sub(" ", text))


def segments(text: str) -> list[str]:
    return [s.strip() for s in _SEGMENTS.split(text or "") if s and s.strip()]


@functools.lru_cache(maxsize=20000)
def judge(fragment: str, expected: str) -> Foreign | None:
    """The fragment's language when it is confidently not `expected` (cached: listings of one
    family repeat most of their sentences)."""
    expected = base(expected)
    if expected in ("ja", "zh") and (_KANA.search(fragment) or _HAN.search(fragment)):
        if expected == "zh" and _KANA.search(fragment):
            return Foreign(fragment, "ja", 1.0)
        return None  # Han characters alone are shared by Japanese and Chinese
    words = [w for w in _WORD.findall(fragment) if len(w) > 1]
    if len(words) < 2 or sum(len(w) for w in words) < 8:
        return None
    values = detector().compute_language_confidence_values(" ".join(words))
    if not values:
        return None
    top = values[0]
    code = CODE_OF.get(top.language, "")
    if code == expected or top.value < MIN_CONFIDENCE:
        return None
    mine = next((v.value for v in values if CODE_OF.get(v.language) == expected), 0.0)
    if mine > MAX_EXPECTED:
        return None
    return Foreign(fragment.strip(), code, round(top.value, 2))


def foreign_fragments(text: str, expected: str, names: Iterable[str] = ()) -> list[Foreign]:
    """Every fragment of `text` (split at punctuation) that reads as another language."""
    names = tuple(names)
    found = []
    for segment in segments(text):
        result = judge(_strip_names(segment, names).strip(), base(expected))
        if result is not None:
            found.append(Foreign(segment, result.language, result.confidence))
    return found
