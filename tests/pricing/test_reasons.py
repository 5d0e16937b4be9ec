"""The repricer's reason codes and rationales, said for people in English and Chinese."""

from __future__ import annotations

import pytest
from django.utils import translation

from apps.pricing.reasons import binding_label, job_title, rationale_label, reason_label


@pytest.mark.parametrize(
    ("code", "en", "zh"),
    [
        ("match_lowest", "Match the lowest competitor", "跟随最低价竞品"),
        ("competitor_below_floor:floor", "A competitor is below our floor → Go to the floor",
         "有竞品低于我们的底价 → 降至底价"),
        ("no_competitor:hold+low_cover",
         "No competitor offer counts → Hold the current price; raised: stock covers less than "
         "the lead time", "没有可参考的竞品报价"),
        ("something_new", "Something new", "Something new"),
        ("", "", ""),
    ],
)  # fmt: skip
def test_reason_codes_read_as_sentences(code, en, zh):
    with translation.override("en"):
        assert reason_label(code) == en
    with translation.override("zh-hans"):
        text = reason_label(code)
        assert text.startswith(zh)
        assert "_" not in text and (not code or ":" not in text.split("→")[0])


def test_the_engines_rationale_is_rendered_and_anything_else_is_left_alone():
    with translation.override("zh-hans"):
        text = rationale_label("Repricer: competitor_below_floor:floor (limited by floor)")
        assert text == "调价引擎：有竞品低于我们的底价 → 降至底价（受限于：底价）"
        assert binding_label("step_limit") == "每次运行的最大调价幅度"
    assert rationale_label("A person wrote this.") is None


def test_repricing_jobs_are_titled_in_the_readers_language():
    class Job:
        label = "Reprice Voltora US"

    with translation.override("zh-hans"):
        assert "Voltora US" in job_title(Job()) and "Reprice" not in job_title(Job())
