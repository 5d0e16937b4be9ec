"""Dashboard forms of pricing: strategies, assignments, competitor uploads, the simulator."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FulfilmentType, Strategy
from .strategy_services import EDITABLE

UPLOAD_MAX_BYTES = 20 * 1024 * 1024


class StrategyForm(forms.ModelForm):
    fulfilment_types = forms.MultipleChoiceField(
        label=_("Only competitors fulfilled by"),
        choices=FulfilmentType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every fulfilment type counts."),
    )

    class Meta:
        model = Strategy
        fields = list(EDITABLE)
        labels = {
            "name": _("Name"),
            "kind": _("Rule"),
            "priority": _("Priority"),
            "target_margin_pct": _("Target margin (%)"),
            "beat_amount": _("Beat by (amount)"),
            "beat_pct": _("Beat by (%)"),
            "hold_buy_box": _("Don't lower while holding the Buy Box"),
            "min_rating": _("Minimum competitor rating (%)"),
            "ignore_own_stores": _("Ignore our own stores"),
            "max_age_hours": _("Ignore observations older than (hours)"),
            "no_competitor": _("When there is no competitor"),
            "competitor_below_floor": _("When a competitor is below our floor"),
            "competitor_at_floor": _("When a competitor is at our floor"),
            "lead_time_days": _("Lead time (days)"),
            "low_cover_raise_pct": _("Raise when cover is below lead time (%)"),
            "ageing_days": _("Stock is ageing after (days)"),
            "ageing_lower_pct": _("Lower ageing stock by (%)"),
            "min_margin_pct": _("Minimum margin (%) — the floor"),
            "ceiling_margin_pct": _("Ceiling margin (%)"),
            "max_change_pct": _("Maximum change per run (%)"),
            "max_changes_per_day": _("Maximum changes per listing per day"),
            "price_ending": _("Price ending"),
        }

    GROUPS = (
        (_("Rule"), ("name", "kind", "priority", "target_margin_pct", "beat_amount", "beat_pct",
                     "hold_buy_box")),
        (_("Which competitors count"), ("fulfilment_types", "min_rating", "ignore_own_stores",
                                        "max_age_hours")),
        (_("Scenarios"), ("no_competitor", "competitor_below_floor", "competitor_at_floor")),
        (_("Stock"), ("lead_time_days", "low_cover_raise_pct", "ageing_days",
                      "ageing_lower_pct")),
        (_("Guardrails"), ("min_margin_pct", "ceiling_margin_pct", "max_change_pct",
                           "max_changes_per_day", "price_ending")),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Model help texts are English-only developer notes; the labels say enough here.
        for field in self.fields.values():
            field.help_text = (
                field.help_text if isinstance(field, forms.MultipleChoiceField) else ""
            )

    def groups(self):
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def validate_unique(self):
        """Name clashes are answered by the service with a clear message."""


class AssignForm(forms.Form):
    store = forms.TypedChoiceField(label=_("Store"), coerce=int)
    category = forms.CharField(label=_("Category (optional)"), required=False, max_length=100)
    listing = forms.IntegerField(label=_("Listing id (optional)"), required=False, min_value=1)

    def __init__(self, *args, stores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [(s.id, f"{s.name} ({s.marketplace.name})") for s in stores]


class CompetitorUploadForm(forms.Form):
    file = forms.FileField(label=_("File (CSV, TSV or XLSX)"))
    store = forms.TypedChoiceField(
        label=_("Only listings of store"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, stores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [("", _("Any store"))] + [(s.id, s.name) for s in stores]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB; split it."))
        return upload


class SimulatorForm(forms.Form):
    store = forms.TypedChoiceField(label=_("Store"), coerce=int)
    strategy = forms.TypedChoiceField(
        label=_("Strategy"), coerce=int, required=False, empty_value=None
    )
    kind = forms.ChoiceField(
        label=_("Rule"), choices=[("", _("As saved")), *Strategy.Kind.choices], required=False
    )
    min_margin_pct = forms.DecimalField(label=_("Minimum margin (%)"), required=False)
    max_change_pct = forms.DecimalField(label=_("Maximum change per run (%)"), required=False,
                                        min_value=0)  # fmt: skip
    beat_pct = forms.DecimalField(label=_("Beat by (%)"), required=False, min_value=0)
    target_margin_pct = forms.DecimalField(label=_("Target margin (%)"), required=False)

    OVERRIDES = ("kind", "min_margin_pct", "max_change_pct", "beat_pct", "target_margin_pct")

    def __init__(self, *args, stores=(), strategies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [(s.id, f"{s.name} ({s.marketplace.name})") for s in stores]
        self.fields["strategy"].choices = [("", _("The store's assigned strategies"))] + [
            (s.id, s.name) for s in strategies
        ]

    def overrides(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.OVERRIDES
            if self.cleaned_data.get(name) not in (None, "")
        }
