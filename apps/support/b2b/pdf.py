"""The quotation PDF (fpdf2: pure Python, maintained) with an embedded CJK font.

Every line is set in one Unicode TrueType font that has Chinese and Latin glyphs, so the
buyer's language (en/de/es/fr/zh), Chinese product or buyer names, "€" and the Chinese
back-translation all render as written (fpdf2 embeds only the glyphs used). The font comes
from Debian's `fonts-wqy-microhei` (TrueType outlines: fast to subset; `.ci/run` installs it),
else `fonts-noto-cjk` (CFF outlines, the Simplified Chinese face of the collection: correct but
several times slower to subset), or the file named by the CROSSBORDER_PDF_CJK_FONT setting
(a TTF/OTF, or a TTC with `#index`). Without any of them rendering fails with a message that
says which package to install: never a PDF with missing characters.

The PDF holds the same figures as the text: the price tiers, the Incoterm table per freight
mode of the quoted quantity, MOQ, lead times and validity, then the approved (or drafted) text.
The copy for the seller's staff (`back_translation=`) adds the Chinese back-translation at the
end, marked as internal; the copy attached to the buyer's mail never has it. Rendered on
demand, never stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from fpdf import FPDF
from fpdf.fonts import FontFace

from apps.core.errors import DomainError

from . import quote
from .rates import MODES
from .texts import MODE_NAMES, language_of, money_text

LABELS = {
    "en": ("Quotation", "Quantity", "Unit price EXW", "Mode", "Lead time (days)", "Terms"),
    "de": ("Angebot", "Menge", "Stückpreis EXW", "Versandart", "Lieferzeit (Tage)", "Bedingungen"),
    "es": ("Cotización", "Cantidad", "Precio unitario EXW", "Modo", "Plazo (días)", "Condiciones"),
    "fr": ("Devis", "Quantité", "Prix unitaire EXW", "Mode", "Délai (jours)", "Conditions"),
    "zh": ("报价单", "数量", "EXW 单价", "运输方式", "交货期（天）", "条款"),
}
BACK_TRANSLATION_TITLE = "中文回译（内部参考，不发送给买家） · Chinese back-translation (internal)"
# (path, index in the collection), in order of preference.
CJK_FONTS = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),  # fonts-wqy-microhei
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # fonts-noto-cjk: SC face
)
FAMILY = "cjk"
# The font has one weight: headings are shaded, not bold.
HEADINGS = FontFace(emphasis="", fill_color=(232, 232, 232))


class PdfFontMissing(DomainError):
    status = 503
    title = "PDF font missing"


def cjk_font() -> tuple[str, int]:
    """(file, collection index) of the CJK font, or PdfFontMissing saying what to install."""
    configured = str(getattr(settings, "CROSSBORDER_PDF_CJK_FONT", "") or "")
    if configured:
        path, _sep, index = configured.partition("#")
        if not Path(path).is_file():
            raise PdfFontMissing(
                f"CROSSBORDER_PDF_CJK_FONT names {path}, which does not exist.",
                code="pdf_font_missing",
            )
        return path, int(index or 0)
    for path, index in CJK_FONTS:
        if Path(path).is_file():
            return path, index
    raise PdfFontMissing(
        "The quotation PDF needs a Chinese (CJK) font and none is installed: install Debian's "
        "fonts-wqy-microhei (apt-get install fonts-wqy-microhei) or fonts-noto-cjk, or set "
        "CROSSBORDER_PDF_CJK_FONT to a TTF/OTF file.",
        code="pdf_font_missing",
    )


def _pdf() -> FPDF:
    path, index = cjk_font()
    pdf = FPDF(format="A4")
    pdf.add_font(FAMILY, fname=path, collection_font_number=index)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    return pdf


def _heading(pdf: FPDF, text: str, size: int = 11) -> None:
    pdf.set_font(FAMILY, "", size)
    pdf.multi_cell(0, size * 0.65, text, new_x="LMARGIN", new_y="NEXT")


def render(
    *,
    computation: dict[str, Any],
    text: str,
    language: str,
    title: str,
    back_translation: str = "",
) -> bytes:
    lang = language_of(language)
    lang = lang if lang in LABELS else "en"
    head, qty_label, price_label, mode_label, lead_label, terms_label = LABELS[lang]
    cur = computation.get("currency", "")
    pdf = _pdf()
    _heading(pdf, f"{head} - {title}"[:90], 16)
    pdf.set_font(FAMILY, "", 10)
    pdf.ln(2)
    with pdf.table(col_widths=(40, 60), headings_style=HEADINGS) as table:
        table.row([qty_label, f"{price_label} ({cur})"])
        for tier in computation.get("tiers", []):
            table.row([str(tier["quantity"]), money_text(tier["exw_unit"], lang)])
    tier = quote.requested_tier(computation)
    if tier is not None:
        pdf.ln(4)
        _heading(pdf, f"{qty_label}: {tier['quantity']} ({cur})")
        pdf.set_font(FAMILY, "", 9)
        with pdf.table(col_widths=(30, 22, 22, 22, 22, 25), headings_style=HEADINGS) as table:
            table.row([mode_label, "EXW", "FOB", "CIF", "DDP", lead_label])
            for mode in (m for m in MODES if m in tier["modes"]):
                m = tier["modes"][mode]
                table.row(
                    [MODE_NAMES[lang][mode]]
                    + [money_text(m["totals"][t], lang) for t in ("EXW", "FOB", "CIF", "DDP")]
                    + [str(m["lead_time_days"])]
                )
    pdf.ln(4)
    _heading(pdf, terms_label)
    pdf.set_font(FAMILY, "", 10)
    pdf.multi_cell(0, 5, text or "", new_x="LMARGIN", new_y="NEXT")
    if back_translation:
        pdf.ln(6)
        _heading(pdf, BACK_TRANSLATION_TITLE)
        pdf.set_font(FAMILY, "", 10)
        pdf.multi_cell(0, 5, back_translation, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
