"""The organization's B2B terms, edited on a settings page by owners and managers: margin by
quantity break, MOQ, production lead time, default Incoterm, the freight lanes (modes) quoted,
and the fees a quotation adds. Every value is bounded here (the form) and again in the service,
so neither a hand-made POST nor a future caller can store a quotation-breaking value."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from apps.core.errors import ValidationFailed
from apps.core.money import CURRENCIES

from . import rates
from .models import B2BMarginRule, B2BTerms

MAX_BREAKS = 6
BOUNDS = {
    "moq": (1, 1_000_000),
    "production_days": (0, 365),
    "validity_days": (1, 365),
    "min_quantity": (1, 10_000_000),
    "margin_pct": (Decimal("0"), Decimal("90")),
    "export_fee_per_shipment": (Decimal("0"), Decimal("100000")),
    "handling_per_unit": (Decimal("0"), Decimal("1000")),
    "insurance_pct": (Decimal("0"), Decimal("10")),
}
MODE_LABELS = {"sea": _("Sea freight"), "air": _("Air freight"), "express": _("Express")}


def _bounded(name: str, value):
    low, high = BOUNDS[name]
    if value is None or not low <= value <= high:
        raise ValidationFailed(f"{name} must be between {low} and {high}.", field=name)
    return value


@transaction.atomic
def terms_update(*, org, data: dict, margins: list[tuple[int, Decimal]]) -> B2BTerms:
    """Replace the terms and the margin breaks in one go (validated, bounded)."""
    for name in ("moq", "production_days", "validity_days", "export_fee_per_shipment",
                 "handling_per_unit", "insurance_pct"):  # fmt: skip
        _bounded(name, data.get(name))
    if data.get("currency") not in CURRENCIES:
        raise ValidationFailed("Unknown currency.", field="currency")
    if data.get("default_incoterm", "") not in ("", *rates.INCOTERMS):
        raise ValidationFailed("Unknown Incoterm.", field="default_incoterm")
    modes = [m for m in rates.MODES if m in (data.get("freight_modes") or [])]
    if not modes or len(modes) != len(list(data.get("freight_modes") or [])):
        raise ValidationFailed("Choose at least one of sea, air, express.", field="freight_modes")
    if not margins or len(margins) > MAX_BREAKS:
        raise ValidationFailed(f"Give 1 to {MAX_BREAKS} margin breaks.", field="margins")
    quantities = [q for q, _m in margins]
    if len(set(quantities)) != len(quantities):
        raise ValidationFailed("Each margin break needs its own quantity.", field="margins")
    for quantity, pct in margins:
        _bounded("min_quantity", quantity)
        _bounded("margin_pct", pct)
    if min(quantities) > data["moq"]:
        raise ValidationFailed(
            "The lowest margin break must be at or below the MOQ.", field="margins"
        )
    origin = str(data.get("origin_port") or "").strip()
    if not origin or len(origin) > 64:
        raise ValidationFailed("The origin port needs 1 to 64 characters.", field="origin_port")
    terms = B2BTerms.objects.for_org(org).select_for_update().first() or B2BTerms(organization=org)
    for name in ("currency", "moq", "production_days", "validity_days", "default_incoterm",
                 "export_fee_per_shipment", "handling_per_unit", "insurance_pct"):  # fmt: skip
        setattr(terms, name, data.get(name, getattr(terms, name)))
    terms.origin_port = origin
    terms.freight_modes = modes
    terms.save()
    B2BMarginRule.objects.for_org(org).delete()
    B2BMarginRule.objects.bulk_create(
        B2BMarginRule(organization=org, min_quantity=q, margin_pct=pct)
        for q, pct in sorted(margins)
    )
    return terms


class TermsForm(forms.Form):
    currency = forms.ChoiceField(label=_("Quotation currency"))
    moq = forms.IntegerField(
        label=_("Minimum order quantity (MOQ)"), min_value=1, max_value=1_000_000
    )
    production_days = forms.IntegerField(
        label=_("Production lead time (days)"), min_value=0, max_value=365
    )
    default_incoterm = forms.ChoiceField(
        label=_("Default Incoterm"),
        required=False,
        help_text=_("Quoted when the inquiry names none; blank: DDP."),
    )
    freight_modes = forms.MultipleChoiceField(
        label=_("Freight lanes quoted"),
        choices=[(m, MODE_LABELS[m]) for m in rates.MODES],
        widget=forms.CheckboxSelectMultiple,
    )
    validity_days = forms.IntegerField(
        label=_("Quotation valid for (days)"), min_value=1, max_value=365
    )
    export_fee_per_shipment = forms.DecimalField(
        label=_("Export fee per shipment (FOB)"), min_value=0, max_value=100000, decimal_places=2
    )
    handling_per_unit = forms.DecimalField(
        label=_("Origin handling per unit"), min_value=0, max_value=1000, decimal_places=4
    )
    insurance_pct = forms.DecimalField(
        label=_("Insurance (%)"), min_value=0, max_value=10, decimal_places=3
    )
    origin_port = forms.CharField(label=_("Origin port"), max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [(c, c) for c in sorted(CURRENCIES)]
        self.fields["default_incoterm"].choices = [("", "—")] + [(t, t) for t in rates.INCOTERMS]
        for i in range(MAX_BREAKS):
            self.fields[f"break_qty_{i}"] = forms.IntegerField(
                label=_("From quantity"), required=False, min_value=1, max_value=10_000_000
            )
            self.fields[f"break_margin_{i}"] = forms.DecimalField(
                label=_("Margin (%)"),
                required=False,
                min_value=0,
                max_value=90,
                decimal_places=2,
            )

    def breaks(self):
        return [(self[f"break_qty_{i}"], self[f"break_margin_{i}"]) for i in range(MAX_BREAKS)]

    def clean(self):
        data = super().clean()
        margins = []
        for i in range(MAX_BREAKS):
            qty, pct = data.get(f"break_qty_{i}"), data.get(f"break_margin_{i}")
            if qty is None and pct is None:
                continue
            if qty is None or pct is None:
                raise forms.ValidationError(_("Each margin break needs a quantity and a margin."))
            margins.append((qty, pct))
        if not margins:
            raise forms.ValidationError(_("Give at least one margin break."))
        data["margins"] = margins
        return data

    @classmethod
    def initial_for(cls, terms: B2BTerms, margins: list[tuple[int, Decimal]]) -> dict:
        initial = {
            "currency": terms.currency,
            "moq": terms.moq,
            "production_days": terms.production_days,
            "default_incoterm": terms.default_incoterm,
            "freight_modes": list(terms.freight_modes or rates.MODES),
            "validity_days": terms.validity_days,
            # shown with the places the form accepts (the columns keep 4)
            "export_fee_per_shipment": Decimal(terms.export_fee_per_shipment).quantize(
                Decimal("0.01")
            ),
            "handling_per_unit": Decimal(terms.handling_per_unit).quantize(Decimal("0.0001")),
            "insurance_pct": Decimal(terms.insurance_pct).quantize(Decimal("0.001")),
            "origin_port": terms.origin_port,
        }
        for i, (qty, pct) in enumerate(margins[:MAX_BREAKS]):
            initial[f"break_qty_{i}"], initial[f"break_margin_{i}"] = qty, pct
        return initial
