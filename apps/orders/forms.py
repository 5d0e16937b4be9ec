"""Forms of the orders pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

UPLOAD_MAX_BYTES = 100 * 1024 * 1024

FORMAT_CHOICES = [
    ("amazon", _("Amazon All Orders report (TSV)")),
    ("shopify", _("Shopify order export (CSV)")),
    ("lines", _("Order lines (CSV, TSV or XLSX)")),
]


class OrderUploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES)
    store = forms.TypedChoiceField(label=_("Store"), coerce=int)

    def __init__(self, *args, stores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [(s.id, s.name) for s in stores]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 100 MB; split it."))
        return upload
