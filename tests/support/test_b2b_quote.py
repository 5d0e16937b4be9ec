"""B2B quotation computation against hand-computed cases (tiers, freight, Incoterms, MOQ,
lead time), and the grounding of every number of the offline texts."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from apps.support.b2b import quote, texts

FREIGHT = {
    "sea": {"per_kg": D("0.80"), "minimum": D("120"), "transit_days": 35},
    "air": {"per_kg": D("4.50"), "minimum": D("80"), "transit_days": 10},
    "express": {"per_kg": D("7.00"), "minimum": D("25"), "transit_days": 6},
}


def inputs(**over) -> quote.Inputs:
    values = dict(
        currency="USD", quantity=1200, unit_cost=D("6.00"), unit_weight_kg=D("0.2"), moq=300,
        production_days=20, export_fee=D("150"), handling_per_unit=D("0.10"),
        insurance_pct=D("0.3"), duty_pct=D("2.7"), vat_pct=D("19"), last_mile_per_kg=D("0.25"),
        margins=[(300, D("32")), (1000, D("26")), (3000, D("21"))], freight=FREIGHT,
        country="DE", incoterm="CIF", validity_days=30,
    )  # fmt: skip
    values.update(over)
    return quote.Inputs(**values)


def tier(c, qty):
    return next(t for t in c["tiers"] if t["quantity"] == qty)


def test_tiers_are_the_margin_breaks_from_the_moq_and_the_requested_quantity():
    c = quote.compute(inputs())
    assert [t["quantity"] for t in c["tiers"]] == [300, 1000, 1200, 3000]
    # 6.00 / (1 - 32 %) = 8.8235… → 8.82; / (1 - 26 %) = 8.108… → 8.11; / 0.79 = 7.594… → 7.59
    assert [tier(c, q)["exw_unit"] for q in (300, 1000, 1200, 3000)] == [
        "8.82", "8.11", "8.11", "7.59"
    ]  # fmt: skip
    assert c["quoted_quantity"] == 1200 and not c["below_moq"] and c["problems"] == []


def test_incoterm_totals_of_the_requested_tier_by_hand():
    t = tier(quote.compute(inputs()), 1200)
    assert t["weight_kg"] == "240.00"
    sea = t["modes"]["sea"]
    # EXW 8.11 × 1200 = 9732.00; FOB = 9732 + 150 + 0.10 × 1200 = 10002.00
    assert sea["totals"]["EXW"] == "9732.00" and sea["totals"]["FOB"] == "10002.00"
    # freight 240 kg × 0.80 = 192.00; insurance (10002 + 192) × 1.1 × 0.3 % = 33.6402 → 33.64
    assert sea["freight"] == "192.00" and sea["insurance"] == "33.64"
    assert sea["totals"]["CIF"] == "10227.64"
    # duty 2.7 % of CIF = 276.146… → 276.15; VAT 19 % of (CIF + duty) = 1995.7201 → 1995.72
    assert sea["duty"] == "276.15" and sea["import_vat"] == "1995.72"
    # last mile 240 × 0.25 = 60.00; DDP = 10227.64 + 276.15 + 1995.72 + 60.00
    assert sea["last_mile"] == "60.00" and sea["totals"]["DDP"] == "12559.51"
    assert sea["unit"]["CIF"] == "8.52" and sea["unit"]["DDP"] == "10.47"
    assert sea["lead_time_days"] == 55  # 20 production + 35 transit
    air = t["modes"]["air"]
    # 240 × 4.50 = 1080.00; insurance (10002 + 1080) × 0.0033 = 36.5706 → 36.57
    assert air["freight"] == "1080.00" and air["insurance"] == "36.57"
    assert air["totals"]["CIF"] == "11118.57" and air["lead_time_days"] == 30


def test_the_minimum_freight_charge_applies_to_a_small_shipment():
    t = tier(quote.compute(inputs()), 300)
    # 60 kg × 0.80 = 48 < 120 minimum; FOB = 8.82 × 300 + 150 + 30 = 2826.00
    assert t["modes"]["sea"]["freight"] == "120.00"
    assert t["modes"]["sea"]["totals"]["FOB"] == "2826.00"


def test_a_quantity_below_the_moq_is_quoted_at_the_moq():
    c = quote.compute(inputs(quantity=120))
    assert c["below_moq"] and c["quoted_quantity"] == 300
    assert quote.requested_tier(c)["quantity"] == 300


def test_missing_cost_or_margin_rule_is_a_problem_not_an_exception():
    assert quote.compute(inputs(unit_cost=None))["problems"] == ["missing_cost"]
    c = quote.compute(inputs(margins=[(5000, D("20"))]))
    assert "no_margin_rule" in c["problems"]


@pytest.mark.parametrize("language", ["en", "de", "es", "fr", "zh"])
def test_every_number_of_the_offline_text_is_grounded(language):
    c = quote.compute(inputs())
    context = {"computation": c, "buyer": "Jonas Weber", "product": "KX-200",
               "destination": "Hamburg", "customisation": "Logo auf der Verpackung",
               "seller": "Kovexa", "language": language}  # fmt: skip
    text = texts.compose(context, language)
    assert "12559.51" in text.replace(",", ".") or "10227" in text.replace(",", ".")
    assert texts.ungrounded_numbers(text, context) == []


def test_an_invented_number_is_ungrounded():
    c = quote.compute(inputs())
    context = {"computation": c, "language": "en"}
    bad = "Special price 7.25 USD per unit for 1200 pcs, delivery in 12 days."
    assert texts.ungrounded_numbers(bad, context) == ["7.25 USD", "12"]


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_holds_the_same_figures_as_the_computation():
    from apps.support.b2b import pdf

    c = quote.compute(inputs())
    context = {"computation": c, "buyer": "Jonas", "product": "KX-200", "language": "de"}
    data = pdf.render(computation=c, text=texts.compose(context, "de"), language="de", title="Q-1")
    assert data.startswith(b"%PDF")
    shown = pdf_text(data)
    for figure in ("12559,51", "10227,64", "8,82", "7,59", "Seefracht", "Stückpreis"):
        assert figure in shown


def test_the_staff_pdf_renders_the_chinese_back_translation_and_cjk_names():
    from apps.support.b2b import pdf

    c = quote.compute(inputs())
    zh = texts.compose({"computation": c, "buyer": "王先生", "product": "KX-200"}, "zh")
    data = pdf.render(
        computation=c,
        text="Dear 王先生, price in € for 深圳 pickup.",
        language="en",
        title="Q-7",
        back_translation=zh,
    )
    shown = pdf_text(data)
    assert "王先生" in shown and "深圳" in shown and "€" in shown
    assert "中文回译" in shown
    for line in (ln for ln in zh.splitlines() if ln.strip()):
        assert line.replace(" ", "") in shown.replace(" ", "").replace("\n", "")
    # the font is embedded (a subset), so any reader shows the same glyphs
    assert b"/FontFile2" in data


def test_a_chinese_quotation_pdf_has_chinese_labels():
    from apps.support.b2b import pdf

    c = quote.compute(inputs())
    data = pdf.render(
        computation=c, text=texts.compose({"computation": c}, "zh"), language="zh", title="Q-8"
    )
    shown = pdf_text(data)
    assert "报价单" in shown and "海运" in shown and "12559.51" in shown


def test_a_missing_cjk_font_fails_clearly(settings, monkeypatch):
    from apps.support.b2b import pdf

    monkeypatch.setattr(pdf, "CJK_FONTS", (("/nonexistent/font.ttc", 0),))
    settings.CROSSBORDER_PDF_CJK_FONT = ""
    with pytest.raises(pdf.PdfFontMissing, match="fonts-wqy-microhei"):
        pdf.render(computation=quote.compute(inputs()), text="x", language="en", title="Q")
    settings.CROSSBORDER_PDF_CJK_FONT = "/nonexistent/other.ttf"
    with pytest.raises(pdf.PdfFontMissing, match=r"/nonexistent/other\.ttf"):
        pdf.cjk_font()
