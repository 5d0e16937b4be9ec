"""The quotation PDF (fpdf2: pure Python, maintained, no system libraries).

The PDF is in the buyer's language only (en/de/es/fr, Latin-1 core fonts: no CJK font needed;
the Chinese back-translation stays on the review screen). It holds the same figures as the text:
the price tiers, the Incoterm table per freight mode of the quoted quantity, MOQ, lead times and
validity, then the approved (or drafted) text. Rendered on demand, never stored.
"""

from __future__ import annotations

from typing import Any

from fpdf import FPDF

from . import quote
from .rates import MODES
from .texts import MODE_NAMES, language_of, money_text

LABELS = {
    "en": ("Quotation", "Quantity", "Unit price EXW", "Mode", "Lead time (days)", "Terms"),
    "de": ("Angebot", "Menge", "Stückpreis EXW", "Versandart", "Lieferzeit (Tage)", "Bedingungen"),
    "es": ("Cotización", "Cantidad", "Precio unitario EXW", "Modo", "Plazo (días)", "Condiciones"),
    "fr": ("Devis", "Quantité", "Prix unitaire EXW", "Mode", "Délai (jours)", "Conditions"),
}


def _latin(text: str) -> str:
    return str(text).replace("€", "EUR").encode("latin-1", "replace").decode("latin-1")


def render(*, computation: dict[str, Any], text: str, language: str, title: str) -> bytes:
    lang = language_of(language)
    lang = lang if lang in LABELS else "en"
    head, qty_label, price_label, mode_label, lead_label, terms_label = LABELS[lang]
    cur = computation.get("currency", "")
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin(f"{head} - {title}")[:90], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.ln(2)
    with pdf.table(col_widths=(40, 60)) as table:
        table.row([_latin(qty_label), _latin(f"{price_label} ({cur})")])
        for tier in computation.get("tiers", []):
            table.row([str(tier["quantity"]), money_text(tier["exw_unit"], lang)])
    tier = quote.requested_tier(computation)
    if tier is not None:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(
            0, 8, _latin(f"{qty_label}: {tier['quantity']} ({cur})"), new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_font("Helvetica", "", 9)
        with pdf.table(col_widths=(30, 22, 22, 22, 22, 25)) as table:
            table.row([_latin(mode_label), "EXW", "FOB", "CIF", "DDP", _latin(lead_label)])
            for mode in (m for m in MODES if m in tier["modes"]):
                m = tier["modes"][mode]
                table.row(
                    [_latin(MODE_NAMES[lang][mode])]
                    + [money_text(m["totals"][t], lang) for t in ("EXW", "FOB", "CIF", "DDP")]
                    + [str(m["lead_time_days"])]
                )
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 8, _latin(terms_label), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, _latin(text or ""))
    return bytes(pdf.output())
