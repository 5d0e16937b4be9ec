"""Read the rule files in `data/`: one per marketplace family, plus the shared terms and common
rules. Each file and each rule carries a `version`; a ruleset's version label names them all
(`amazon@1+terms@1+common@1`) and is recorded on every check it produces."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ImproperlyConfigured

DATA_DIR = Path(__file__).with_name("data")
CHECKS = {"required", "max_chars", "max_bytes", "max_items", "min_words", "forbidden_chars",
          "word_repeat", "placeholder", "protected_terms", "grounding"}  # fmt: skip
SEVERITIES = {"error", "warning"}
LANGUAGES = ("en", "de", "fr", "it", "es", "ja")


@dataclass(frozen=True)
class Rule:
    id: str
    version: int
    check: str
    severity: str
    message: dict[str, str]  # {"en": ..., "zh": ...}, str.format templates
    fields: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str, **values: Any) -> str:
        return self.message[lang].format(**values)

    def param(self, name: str, limits: dict | None = None) -> Any:
        """A number of the rule; a configurable one is taken from the marketplace's limits."""
        key = self.params.get("limit_key")
        if self.params.get("configurable") and limits and key and limits.get(key) is not None:
            return limits[key]
        return self.params.get(name)


@dataclass(frozen=True)
class TermSet:
    name: str
    version: int
    severity: str
    message: dict[str, str]
    terms: dict[str, tuple[str, ...]]  # language -> terms


@dataclass(frozen=True, eq=False)  # hashed by identity: compiled matchers are cached per ruleset
class Ruleset:
    family: str
    version: int
    marketplaces: tuple[str, ...]
    rules: tuple[Rule, ...]
    term_sets: tuple[TermSet, ...]
    function_words: dict[str, frozenset[str]]
    version_label: str


@dataclass(frozen=True)
class RuleData:
    rulesets: dict[str, Ruleset]  # family -> ruleset
    by_marketplace: dict[str, Ruleset]
    common: tuple[Rule, ...]
    term_sets: dict[str, TermSet]


def _fail(path: Path, where: str, problem: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"marketplace rules {path.name}: {where}: {problem}")


def _message(path: Path, where: str, raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict) or not {"en", "zh"} <= set(raw):
        raise _fail(path, where, "a message needs both 'en' and 'zh'")
    return {"en": str(raw["en"]), "zh": str(raw["zh"])}


def _rule(path: Path, raw: dict) -> Rule:
    rid = raw.get("id") or "?"
    if not re.fullmatch(r"[a-z_]+(\.[a-z_]+)*", rid):
        raise _fail(path, rid, "a rule id is lower-case words joined by dots")
    if not isinstance(raw.get("version"), int) or raw["version"] < 1:
        raise _fail(path, rid, "a rule needs a positive integer 'version'")
    if raw.get("check") not in CHECKS:
        raise _fail(path, rid, f"unknown check {raw.get('check')!r}; known: {sorted(CHECKS)}")
    if raw.get("severity") not in SEVERITIES:
        raise _fail(path, rid, "severity is 'error' or 'warning'")
    fields = raw.get("fields") or ([raw["field"]] if raw.get("field") else [])
    reserved = {"id", "version", "check", "severity", "message", "field", "fields"}
    params = {k: v for k, v in raw.items() if k not in reserved}
    if raw["check"] in {"max_chars", "max_bytes", "max_items", "word_repeat"} and not isinstance(
        params.get("max"), int
    ):
        raise _fail(path, rid, "this check needs an integer 'max'")
    return Rule(rid, raw["version"], raw["check"], raw["severity"],
                _message(path, rid, raw.get("message")), tuple(fields), params)  # fmt: skip


def _read(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(data, dict) or not isinstance(data.get("version"), int):
        raise _fail(path, "file", "a rule file is a mapping with an integer 'version'")
    return data


def _term_sets(path: Path, data: dict) -> dict[str, TermSet]:
    sets = {}
    for name, raw in (data.get("sets") or {}).items():
        if raw.get("severity") not in SEVERITIES or not isinstance(raw.get("version"), int):
            raise _fail(path, name, "a term set needs a severity and an integer version")
        terms = {lang: tuple(str(t).lower() for t in raw.get("terms", {}).get(lang) or ())
                 for lang in LANGUAGES}  # fmt: skip
        sets[name] = TermSet(name, raw["version"], raw["severity"],
                             _message(path, name, raw.get("message")), terms)  # fmt: skip
    return sets


def load(data_dir: Path = DATA_DIR) -> RuleData:
    terms_file, common_file = data_dir / "terms.yaml", data_dir / "common.yaml"
    terms_data, common_data = _read(terms_file), _read(common_file)
    term_sets = _term_sets(terms_file, terms_data)
    common = tuple(_rule(common_file, r) for r in common_data.get("rules") or [])
    words = {lang: frozenset(str(w).lower() for w in (common_data.get("function_words") or {})
                             .get(lang) or ()) for lang in LANGUAGES}  # fmt: skip
    rulesets: dict[str, Ruleset] = {}
    by_marketplace: dict[str, Ruleset] = {}
    for path in sorted(data_dir.glob("*.yaml")):
        if path in (terms_file, common_file):
            continue
        data = _read(path)
        family = data.get("family") or path.stem
        rules = tuple(_rule(path, r) for r in data.get("rules") or [])
        ids = [r.id for r in rules]
        if len(ids) != len(set(ids)):
            raise _fail(path, "rules", "rule ids must be unique")
        unknown = set(data.get("terms") or []) - set(term_sets)
        if unknown:
            raise _fail(path, "terms", f"unknown term sets {sorted(unknown)}")
        label = (f"{family}@{data['version']}+terms@{terms_data['version']}"
                 f"+common@{common_data['version']}")  # fmt: skip
        ruleset = Ruleset(
            family, data["version"], tuple(data.get("marketplaces") or ()), rules,
            tuple(term_sets[n] for n in data.get("terms") or []), words, label,
        )  # fmt: skip
        rulesets[family] = ruleset
        for code in ruleset.marketplaces:
            by_marketplace[code] = ruleset
    return RuleData(rulesets, by_marketplace, common, term_sets)


@functools.cache
def rule_data() -> RuleData:
    """The rules of this deploy, read once per process (rule changes ship as data + restart)."""
    return load()


def ruleset_for(*, code: str = "", channel: str = "") -> Ruleset | None:
    data = rule_data()
    return data.by_marketplace.get(code) or data.rulesets.get(channel)


def common_rule(rule_id: str) -> Rule:
    return next(r for r in rule_data().common if r.id == rule_id)
