"""Dashboard forms of ads: report uploads, a campaign's target override."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

UPLOAD_MAX_BYTES = 200 * 1024 * 1024


class UploadForm(forms.Form):
    KINDS = (
        ("search_terms", _("Search-term report (XLSX or CSV)")),
        ("bulk", _("Bulk-operations file (XLSX)")),
    )
    kind = forms.ChoiceField(label=_("Report"), choices=KINDS)
    store = forms.TypedChoiceField(label=_("Store"), coerce=int)
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, stores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [(s.pk, s.name) for s in stores]

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 200 MB."))
        return f


class TargetOverrideForm(forms.Form):
    target_acos = forms.DecimalField(
        label=_("Target ACoS (%)"),
        required=False,
        min_value=0.5,
        max_value=200,
        max_digits=6,
        decimal_places=2,
        help_text=_("Empty: the target derived from the cost model and the profit goal."),
    )
