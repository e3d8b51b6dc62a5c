"""Forms of the organisation pages: they parse and check input; the services decide and write."""

from __future__ import annotations

from django import forms

from reports.models import Organisation, Role

YEAR = {"min_value": 2000, "max_value": 2100, "required": False}


class OrganisationCreateForm(forms.Form):
    name = forms.CharField(max_length=200, label="Organisation name")


class MemberAddForm(forms.Form):
    user = forms.CharField(max_length=254, label="Username or e-mail", help_text="The person needs an account.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class MemberRoleForm(forms.Form):
    membership = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(choices=Role.choices, required=False)


class OrganisationSettingsForm(forms.Form):
    name = forms.CharField(max_length=200)
    baseline_year = forms.IntegerField(**YEAR, help_text="The year your reduction is measured from.")
    target_year = forms.IntegerField(**YEAR, help_text="The year the reduction should be reached.")
    reduction_target_percent = forms.DecimalField(
        min_value=0, max_value=100, max_digits=5, decimal_places=2, required=False, label="Reduction target (%)",
        help_text="Cut in location-based tCO₂e from the baseline year to the target year.",
    )  # fmt: skip
    net_zero_year = forms.IntegerField(**YEAR, help_text="Or a net-zero year: a straight line from the baseline to 0.")
    low_carbon_threshold_g_per_kwh = forms.IntegerField(
        min_value=0, max_value=2000, label="Low-carbon threshold (gCO₂e/kWh)",
        help_text="A region counts as low-carbon when its grid intensity is at most this.",
    )  # fmt: skip

    @classmethod
    def for_organisation(cls, organisation: Organisation, data=None) -> OrganisationSettingsForm:
        fields = ("name", "baseline_year", "target_year", "reduction_target_percent", "net_zero_year",
                  "low_carbon_threshold_g_per_kwh")  # fmt: skip
        return cls(data=data, initial={field: getattr(organisation, field) for field in fields})
