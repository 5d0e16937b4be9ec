"""The review screen says a draft's rationale, evidence, extra values and history for people, in
the reader's language: no stored-key dumps (`field: … · value: …`), no `confirmed_claims []`."""

from __future__ import annotations

from django.urls import reverse

from apps.review.display import evidence_rows, extra_values, label_for, value_text
from apps.review.registry import get_kind
from apps.review.services import Provenance, draft_create, draft_reject
from tests.factories import ListingFactory

EVIDENCE = [
    {"source": "product", "field": "attributes.power_w", "value": 15},
    {"source": "product", "field": "dimensions_mm", "value": [99.0, 63.0, 13.0]},
    {"source": "reviews", "praised": "fast charging", "complaints": "gets hot"},
    {"kind": "back_translation", "title": "无线充电器", "bullets": ["快充"]},
    {"source": "few_shot", "draft_id": 7},
]


def _draft(org, **kw):
    listing = ListingFactory(organization=org)
    return draft_create(
        org=org, kind="listing_content", target=listing,
        proposed={"title": "Voltora 15W Wireless Charger", "bullets": ["Fast"],
                  "description": "Fast.", "search_terms": "qi", "confirmed_claims": [],
                  "tone": ["warm", "short"]},
        rationale=("Written from the product's catalogue facts (2 attributes, dimensions_mm) "
                   "for amazon_us in en-US, within its limits, with 1 reviewer-approved "
                   "examples as a style guide."),
        evidence=EVIDENCE, provenance=Provenance(provider="offline"), **kw,
    )  # fmt: skip


def test_evidence_rows_are_labelled_and_the_back_translation_is_left_to_its_panel():
    rows = evidence_rows(get_kind("listing_content"), EVIDENCE)
    assert [r["label"] for r in rows] == ["Output (W)", "Dimensions (mm)", "", ""]
    assert rows[0]["value"] == "15" and rows[0]["source"] == "Product facts"
    assert rows[1]["value"] == "99, 63, 13"
    assert rows[2]["pairs"] == [("Praised", "fast charging"), ("Complaints", "gets hot")]
    assert rows[3]["pairs"] == [("Draft", "7")] and rows[3]["source"] == "Approved example"


def test_values_and_unknown_keys_never_show_python_reprs_or_snake_case():
    assert value_text([]) == "—" and value_text(None) == "—" and value_text(["a", 2.0]) == "a, 2"
    assert label_for("attributes.led_display") == "Led display"
    handler = get_kind("listing_content")
    extras = extra_values(handler, {"confirmed_claims": [], "tone": ["warm"]}, set())
    assert extras == [("Tone", "warm")], "empty values are left out, lists are joined"


def test_the_review_screen_in_chinese_shows_no_raw_keys(org, user, client_for):
    draft = _draft(org)
    draft_reject(org=org, actor=user, draft_id=draft.pk, reason="inaccurate")
    client = client_for(user)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("review:detail", args=[draft.pk])).content.decode()
    for raw in ("field:", "value:", "source:", "confirmed_claims", "[]", "dimensions_mm",
                "Written from", "pending → ", "rejected</strong>"):  # fmt: skip
        assert raw not in html, raw
    assert "根据商品目录资料" in html and "输出功率（W）" in html and "商品资料" in html
    assert "待处理 → <strong>已驳回</strong>" in html


def test_viewers_see_only_the_navigation_keys_reviewers_all(org, member_with_role, client_for):
    _draft(org)

    def keys_help(role: str) -> str:
        html = client_for(member_with_role(role)).get(reverse("review:index")).content.decode()
        return html.split('data-testid="keys-help">')[1].split("</p>")[0]

    viewer, reviewer = keys_help("viewer"), keys_help("reviewer")
    assert "next/previous" in viewer
    assert "approve" not in viewer and "edit" not in viewer and "reject" not in viewer
    assert "approve" in reviewer and "reject" in reviewer


def test_transition_notes_written_by_the_services_are_translated_and_peoples_are_not():
    from django.utils import translation

    from apps.review.display import note_text

    with translation.override("zh-hans"):
        assert note_text("The target changed (version 3 → 4).") == "目标已发生变化（版本 3 → 4）。"
        assert note_text("Replaced by a newer draft.") == "已被更新的草稿取代。"
        assert note_text("checked with the supplier") == "checked with the supplier"
