"""What the review screen needs to say the catalog's drafts for people: labels of the keys the
listing drafts' evidence uses, and the rationales the catalog's generation code writes, in the
active language (registered with `apps.review.display` by `CatalogConfig.ready`)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

LABELS = {
    "brand": gettext_lazy("Brand"),
    "category": gettext_lazy("Category"),
    "dimensions_mm": gettext_lazy("Dimensions (mm)"),
    "dimensions": gettext_lazy("Dimensions"),
    "weight_g": gettext_lazy("Weight (g)"),
    "praised": gettext_lazy("Praised"),
    "complaints": gettext_lazy("Complaints"),
    "power_w": gettext_lazy("Output (W)"),
    "capacity_mah": gettext_lazy("Capacity (mAh)"),
    "wireless_w": gettext_lazy("Wireless charging (W)"),
    "ports": gettext_lazy("Ports"),
    "connector": gettext_lazy("Connector"),
    "length_m": gettext_lazy("Length (m)"),
    "color": gettext_lazy("Colour"),
    "material": gettext_lazy("Material"),
    "back_translation": gettext_lazy("Chinese back-translation"),
    "language": gettext_lazy("Language"),
    "store": gettext_lazy("Store"),
}

_CONTENT = re.compile(
    r"^Written from the product's catalogue facts \((?P<n>\d+) attributes(?P<more>[^)]*)\) for "
    r"(?P<marketplace>\S+) in (?P<language>\S+), within its limits, with (?P<examples>\d+) "
    r"reviewer-approved examples as a style guide\.$"
)
_TRANSLATION = re.compile(
    r"^Translated from the (?P<source>\S+) listing in (?P<store>.+) to (?P<target>\S+) for "
    r"(?P<marketplace>\S+): brand and model numbers kept, units per the marketplace's "
    r"convention\.$"
)


def rationale(draft: Any) -> str | None:
    """The listing drafts' generated rationales (apps/catalog/content/generation.py)."""
    if draft.kind not in ("listing_content", "listing_translation"):
        return None
    text = draft.rationale or ""
    match = _CONTENT.match(text)
    if match:
        more = [str(LABELS.get(k.strip(), k.strip())) for k in match["more"].split(",")]
        facts = _("%(n)s attributes") % {"n": match["n"]}
        return _(
            "Written from the product's catalogue facts (%(facts)s) for %(marketplace)s in "
            "%(language)s, within its limits, with %(examples)s reviewer-approved examples as "
            "a style guide."
        ) % {
            "facts": ", ".join([facts, *[m for m in more if m]]),
            "marketplace": match["marketplace"],
            "language": match["language"],
            "examples": match["examples"],
        }
    match = _TRANSLATION.match(text)
    if match:
        return (
            _(
                "Translated from the %(source)s listing in %(store)s to %(target)s for "
                "%(marketplace)s: brand and model numbers kept, units per the marketplace's "
                "convention."
            )
            % match.groupdict()
        )
    return None


def translation_job_title(job: Any) -> str:
    """ "Translate SKU to 3 stores" (studio.py stores it in English) in the reader's language."""
    from django.utils.translation import ngettext

    match = re.match(r"^Translate (?P<sku>.+) to (?P<n>\d+) stores$", job.label or "")
    if match is None:
        return ""
    n = int(match["n"])
    return ngettext(
        "Translate %(sku)s into %(n)d store", "Translate %(sku)s into %(n)d stores", n
    ) % {"sku": match["sku"], "n": n}
