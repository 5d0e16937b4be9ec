"""Read the rule files in `data/`: one per (document type, channel family), plus the shared terms
and common rules. Each file and each rule carries a `version`; a ruleset's version label names
them all (`amazon@1+terms@1+common@1`) and is recorded on every check it produces.

A rule file declares which document type it checks and that document's text fields:

    document: listing            # listing copy; buyer_reply, ad_keyword, … for the next modules
    fields: {title: text, bullets: list, description: text, search_terms: text}

Its rules may name only those fields, and the banned/risky terms and protected names run over
exactly those fields, so a customer-service linter or an ads validator is one more rule file
for the same engine, not a new engine."""

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
          "forbidden_pattern", "word_repeat", "placeholder", "protected_terms",
          "grounding"}  # fmt: skip
LISTING = "listing"
FIELD_TYPES = {"text", "list"}
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
    document: str = LISTING
    # The document's text fields, in the order checks report them; "list" fields hold items.
    fields: tuple[str, ...] = ("title", "bullets", "description", "search_terms")
    field_types: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleData:
    rulesets: dict[str, Ruleset]  # family -> listing ruleset
    by_marketplace: dict[str, Ruleset]  # marketplace code -> listing ruleset
    common: tuple[Rule, ...]
    term_sets: dict[str, TermSet]
    # document type -> family -> ruleset, and (document type, marketplace code) -> ruleset
    documents: dict[str, dict[str, Ruleset]] = field(default_factory=dict)
    by_document_marketplace: dict[tuple[str, str], Ruleset] = field(default_factory=dict)


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
    if raw["check"] == "forbidden_pattern":
        try:
            re.compile(str(params.get("pattern") or ""))
        except re.error as exc:
            raise _fail(path, rid, f"'pattern' is not a regular expression: {exc}") from exc
        if not params.get("pattern"):
            raise _fail(path, rid, "this check needs a 'pattern'")
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


@dataclass(frozen=True)
class _Shared:
    """What every rule file builds on: the term sets, the common rules, the function words."""

    terms_version: int
    common_version: int
    term_sets: dict[str, TermSet]
    common: tuple[Rule, ...]
    words: dict[str, frozenset[str]]


def _shared(data_dir: Path) -> _Shared:
    terms_file, common_file = data_dir / "terms.yaml", data_dir / "common.yaml"
    terms_data, common_data = _read(terms_file), _read(common_file)
    common = tuple(_rule(common_file, r) for r in common_data.get("rules") or [])
    words = {lang: frozenset(str(w).lower() for w in (common_data.get("function_words") or {})
                             .get(lang) or ()) for lang in LANGUAGES}  # fmt: skip
    return _Shared(terms_data["version"], common_data["version"],
                   _term_sets(terms_file, terms_data), common, words)  # fmt: skip


def _document_fields(path: Path, data: dict) -> tuple[str, dict[str, str]]:
    document = data.get("document")
    if not isinstance(document, str) or not re.fullmatch(r"[a-z_]+", document):
        raise _fail(path, "document", "a rule file names its document type (e.g. 'listing')")
    raw = data.get("fields")
    if not isinstance(raw, dict) or not raw:
        raise _fail(path, "fields", "a rule file declares its document's text fields")
    bad = {str(k): v for k, v in raw.items() if v not in FIELD_TYPES}
    if bad:
        raise _fail(path, "fields", f"field types are {sorted(FIELD_TYPES)}, not {bad}")
    return document, {str(k): str(v) for k, v in raw.items()}


def _ruleset(path: Path, shared: _Shared) -> Ruleset:
    data = _read(path)
    family = data.get("family") or path.stem
    document, field_types = _document_fields(path, data)
    rules = tuple(_rule(path, r) for r in data.get("rules") or [])
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise _fail(path, "rules", "rule ids must be unique")
    for rule in rules:
        undeclared = set(rule.fields) - set(field_types)
        if undeclared:
            raise _fail(path, rule.id, f"fields {sorted(undeclared)} are not the {document}'s")
    unknown = set(data.get("terms") or []) - set(shared.term_sets)
    if unknown:
        raise _fail(path, "terms", f"unknown term sets {sorted(unknown)}")
    label = (f"{family}@{data['version']}+terms@{shared.terms_version}"
             f"+common@{shared.common_version}")  # fmt: skip
    return Ruleset(
        family, data["version"], tuple(data.get("marketplaces") or ()), rules,
        tuple(shared.term_sets[n] for n in data.get("terms") or []), shared.words, label,
        document, tuple(field_types), field_types,
    )  # fmt: skip


def load_ruleset(path: Path, data_dir: Path = DATA_DIR) -> Ruleset:
    """One rule file read against the shared terms and common rules of `data_dir`: how an app
    (or a test) checks a document type of its own through the same engine."""
    return _ruleset(path, _shared(data_dir))


def load(data_dir: Path = DATA_DIR) -> RuleData:
    shared = _shared(data_dir)
    documents: dict[str, dict[str, Ruleset]] = {}
    by_document_marketplace: dict[tuple[str, str], Ruleset] = {}
    for path in sorted(data_dir.glob("*.yaml")):
        if path.name in ("terms.yaml", "common.yaml"):
            continue
        ruleset = _ruleset(path, shared)
        family_rulesets = documents.setdefault(ruleset.document, {})
        if ruleset.family in family_rulesets:
            raise _fail(path, "family", f"a second {ruleset.document} ruleset {ruleset.family!r}")
        family_rulesets[ruleset.family] = ruleset
        for code in ruleset.marketplaces:
            by_document_marketplace[(ruleset.document, code)] = ruleset
    listing = documents.get(LISTING, {})
    by_marketplace = {code: rs for (doc, code), rs in by_document_marketplace.items()
                      if doc == LISTING}  # fmt: skip
    return RuleData(dict(listing), by_marketplace, shared.common, shared.term_sets,
                    documents, by_document_marketplace)  # fmt: skip


@functools.cache
def rule_data() -> RuleData:
    """The rules of this deploy, read once per process (rule changes ship as data + restart)."""
    return load()


def ruleset_for(*, code: str = "", channel: str = "", document: str = LISTING) -> Ruleset | None:
    """The ruleset of a document type for a marketplace (by code), else for its channel."""
    data = rule_data()
    if document == LISTING:
        return data.by_marketplace.get(code) or data.rulesets.get(channel)
    return data.by_document_marketplace.get((document, code)) or data.documents.get(
        document, {}
    ).get(channel)


def common_rule(rule_id: str) -> Rule:
    return next(r for r in rule_data().common if r.id == rule_id)
