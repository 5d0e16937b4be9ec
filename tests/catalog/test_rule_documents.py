"""The rules engine checks any declared document, not only listing copy: a rule file names its
document type and text fields, and the same loader and `validate_fields` check it. Proved with a
test rule file for buyer replies (no links, a maximum length, medical claims, protected names).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from apps.catalog.rules.engine import protected_matcher, validate_fields
from apps.catalog.rules.loader import DATA_DIR, load, load_ruleset, rule_data, ruleset_for

REPLY_RULES = Path(__file__).with_name("data") / "buyer_reply.yaml"


@pytest.fixture(scope="module")
def replies():
    return load_ruleset(REPLY_RULES)


def _rules(ruleset, body, **kwargs) -> list[str]:
    return [c.rule for c in validate_fields(ruleset, {"body": body}, language="en", **kwargs)]


def test_a_rule_file_declares_its_document_and_fields(replies):
    assert replies.document == "buyer_reply"
    assert replies.fields == ("body",)
    assert replies.version_label == "amazon@1+terms@1+common@1"


@pytest.mark.parametrize(
    "body, fired",
    [
        ("Thank you for your order; a replacement ships tomorrow.", []),
        ("", ["reply.required"]),
        ("x" * 500, []),
        ("x" * 501, ["reply.max"]),
        ("See https://voltora.example/refund for details.", ["reply.no_links"]),
        ("Visit www.voltora-shop.com today.", ["reply.no_links"]),
        ("Write to help@voltora.cn and we will refund you.", ["reply.no_links"]),
        ("Our shop voltora.com has spare cables.", ["reply.no_links"]),
        ("Version 2.5 of the charger fixes it.", []),
        ("This charger cures insomnia.", ["banned_term"]),
    ],
)
def test_buyer_replies_are_checked_by_their_own_rules(replies, body, fired):
    assert _rules(replies, body) == fired


def test_a_reply_check_names_the_field_the_match_and_both_languages(replies):
    (check,) = validate_fields(replies, {"body": "See https://x.example/a"}, language="en")
    assert (check.field, check.severity) == ("body", "error")
    assert check.message_en.endswith("https://x.example/a")
    assert check.message_zh.startswith("回复中不得包含链接")
    with translation.override("zh-hans"):
        (zh,) = validate_fields(replies, {"body": "www.x.com"}, language="en")
    assert zh.message == zh.message_zh


def test_protected_names_run_over_the_documents_own_fields(replies):
    protected = protected_matcher(["Anker"])
    assert _rules(replies, "Unlike Anker, we answer fast.", protected=protected) == [
        "protected_term"
    ]


def test_listing_fields_in_a_reply_payload_are_not_checked(replies):
    checks = validate_fields(replies, {"body": "Thanks!", "title": "best seller!!!"}, language="en")
    assert checks == []


def test_a_rule_naming_a_field_its_document_does_not_declare_fails_loudly(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        REPLY_RULES.read_text(encoding="utf-8").replace(
            "field: body\n    max: 500", "field: title\n    max: 500"
        ),
        encoding="utf-8",
    )
    with pytest.raises(ImproperlyConfigured, match=r"bad\.yaml: reply\.max"):
        load_ruleset(bad)


def test_a_rule_file_without_a_document_type_fails_loudly(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        REPLY_RULES.read_text(encoding="utf-8").replace("document: buyer_reply\n", ""),
        encoding="utf-8",
    )
    with pytest.raises(ImproperlyConfigured, match="document"):
        load_ruleset(bad)


def test_documents_of_several_types_load_side_by_side(tmp_path):
    for path in DATA_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    shutil.copy(REPLY_RULES, tmp_path / "amazon_buyer_reply.yaml")
    data = load(tmp_path)
    assert data.documents["buyer_reply"]["amazon"].fields == ("body",)
    assert data.by_document_marketplace[("buyer_reply", "amazon_uk")].document == "buyer_reply"
    # Listings are untouched: same families, same rulesets per marketplace.
    assert data.by_marketplace["amazon_us"].document == "listing"
    assert set(data.rulesets) == set(rule_data().rulesets)


def test_the_shipped_rule_files_are_listing_documents():
    data = rule_data()
    assert set(data.documents) == {"listing"}
    for ruleset in data.rulesets.values():
        assert ruleset.fields == ("title", "bullets", "description", "search_terms")
    assert ruleset_for(code="amazon_us", document="buyer_reply") is None
    assert ruleset_for(code="amazon_us").family == "amazon"
