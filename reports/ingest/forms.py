"""Forms of the usage pages: they parse and check input; the services decide and write."""

from __future__ import annotations

from django import forms

from reports.models import UsageUpload


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Usage file", help_text="UTF-8, at most 50 MB and 1,000,000 rows.", allow_empty_file=True
    )
    format = forms.ChoiceField(choices=UsageUpload.Format.choices, initial=UsageUpload.Format.CSV, label="Format")
