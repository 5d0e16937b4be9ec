"""The Simplified Chinese catalogue is complete, and the compiled .mo matches the .po."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _entries():
    text = PO.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        lines = [ln for ln in block.strip().splitlines() if not ln.startswith("#~")]
        block = "\n".join(lines)
        if "msgid" not in block:
            continue
        msgid = "".join(
            re.findall(r'"((?:[^"\\]|\\.)*)"', block.split("msgid ", 1)[1].split("msg")[0])
        )
        if not msgid:
            continue  # the header
        strs = re.findall(r'msgstr(?:\[\d\])? ((?:"(?:[^"\\]|\\.)*"\s*)+)', block)
        values = ["".join(re.findall(r'"((?:[^"\\]|\\.)*)"', s)) for s in strs]
        context = re.search(r'^msgctxt "((?:[^"\\]|\\.)*)"', block, re.M)
        yield msgid, values, "#, fuzzy" in block or ", fuzzy" in block, context


def test_every_message_has_a_chinese_translation_and_none_is_fuzzy():
    entries = list(_entries())
    assert len(entries) > 200
    missing = [msgid for msgid, values, _, _ in entries if not all(values)]
    fuzzy = [msgid for msgid, _, is_fuzzy, _ in entries if is_fuzzy]
    assert missing == []
    assert fuzzy == []


def test_the_compiled_catalogue_answers_what_the_po_file_says():
    catalog = gettext.GNUTranslations(MO.open("rb"))
    for msgid, values, _, context in _entries():
        if len(values) != 1 or "\\" in msgid:
            continue
        if context:
            assert catalog.pgettext(context.group(1), msgid) == values[0], msgid
        else:
            assert catalog.gettext(msgid) == values[0], msgid
