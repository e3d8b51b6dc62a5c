"""The ranking filters, validated once for the /rankings/ page and (later) the REST API.

``RankingFilter`` is a django-filter ``FilterSet`` over ``ModelFootprint``: bound to a query string it validates
every parameter with a message that names it, fills in defaults, and hands the selector its arguments
(``selection``). Used as a DRF ``filterset_class``, its ``qs`` is the footprint that stands for each model
(``emissions.rankings.ranking_footprints``).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet

from emissions.models import ModelFootprint
from emissions.rankings import BASES, METRICS, ranking_footprints
from vendors.models import GridZone, Region, Task

DEFAULTS = {"task": Task.TEXT_GENERATION, "metric": "co2e_per_request", "basis": "location", "group": "model",
            "sort": "rank"}  # fmt: skip
GROUPS = {"model": "Models", "vendor": "Vendors (median of their models)"}
MODEL_SORTS = ("rank", "model", "vendor", "region", "low", "central", "high")
VENDOR_SORTS = ("rank", "vendor", "models", "low", "central", "high")


def _unknown(noun: str, choices) -> dict:
    listed = ", ".join(str(choice) for choice in choices)
    return {"invalid_choice": f"Unknown {noun} “%(value)s”: use one of {listed}."}


def _sort_choices() -> list[tuple[str, str]]:
    keys = dict.fromkeys(MODEL_SORTS + VENDOR_SORTS)
    return [(f"{sign}{key}", f"{sign}{key}") for key in keys for sign in ("", "-")]


class CheckboxFilter(django_filters.BooleanFilter):
    """On when the parameter is present with any value but false/0 (what an HTML checkbox sends: "on")."""

    field_class = forms.BooleanField


class RankingForm(forms.Form):
    def clean(self):
        data = super().clean()
        task, metric = data.get("task"), data.get("metric")
        if task and metric and task not in METRICS[metric].tasks:
            usable = ", ".join(key for key, spec in METRICS.items() if task in spec.tasks)
            self.add_error("metric", f"The metric “{metric}” does not apply to the task “{task}”: use one of {usable}.")
        if data.get("region") and data.get("zone"):
            self.add_error("zone", "Give a region or a zone, not both.")
        sort, group = data.get("sort"), data.get("group")
        if sort and group and sort.lstrip("-") not in (VENDOR_SORTS if group == "vendor" else MODEL_SORTS):
            self.add_error("sort", f"Cannot sort {group} rankings by “{sort}”.")
        return data


class RankingFilter(django_filters.FilterSet):
    task = django_filters.ChoiceFilter(
        choices=Task.choices, method="_selects", error_messages=_unknown("task", Task.values)
    )
    metric = django_filters.ChoiceFilter(
        choices=[(key, spec.label) for key, spec in METRICS.items()], method="_selects",
        error_messages=_unknown("metric", METRICS),
    )  # fmt: skip
    basis = django_filters.ChoiceFilter(
        choices=list(BASES.items()), method="_selects", error_messages=_unknown("basis", BASES)
    )
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(), to_field_name="slug", method="_selects",
        error_messages={"invalid_choice": "Unknown region “%(value)s”: use a region slug such as gcp/us-east4."},
    )  # fmt: skip
    zone = django_filters.ModelChoiceFilter(
        queryset=GridZone.objects.all(), to_field_name="code", method="_selects",
        error_messages={"invalid_choice": "Unknown grid zone “%(value)s”: use a zone code such as FRA or US-CAL-CISO."},
    )  # fmt: skip
    open_weights = CheckboxFilter(method="_selects")
    group = django_filters.ChoiceFilter(
        choices=list(GROUPS.items()), method="_selects", error_messages=_unknown("grouping", GROUPS)
    )
    sort = django_filters.ChoiceFilter(
        choices=_sort_choices(), method="_selects",
        error_messages={"invalid_choice": "Unknown sort “%(value)s”: use a column name such as central or -central."},
    )  # fmt: skip

    class Meta:
        model = ModelFootprint
        fields: list[str] = []
        form = RankingForm

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if data is not None:
            data = data.copy()
            for key, value in DEFAULTS.items():
                if not data.get(key):
                    data[key] = value
        super().__init__(data, queryset, request=request, prefix=prefix)

    def _selects(self, queryset, name, value):
        """Each parameter chooses what ``filter_queryset`` selects as a whole, so none filters on its own."""
        return queryset

    def filter_queryset(self, queryset: QuerySet[ModelFootprint]) -> QuerySet[ModelFootprint]:
        represented = ranking_footprints(**{k: v for k, v in self.selection.items() if k not in ("metric", "basis")})
        return queryset.filter(pk__in=represented.values("pk"))

    @property
    def selection(self) -> dict:
        """The arguments of ``model_rankings`` / ``vendor_rankings``; call ``is_valid()`` first."""
        data = self.form.cleaned_data
        return {"task": data["task"], "metric": data["metric"], "basis": data["basis"], "region": data["region"],
                "zone": data["zone"], "open_weights_only": bool(data["open_weights"])}  # fmt: skip

    @property
    def presentation(self) -> dict:
        """How the page shows the selection: ``group`` (model or vendor) and ``sort`` (a column, - for descending)."""
        return {"group": self.form.cleaned_data["group"], "sort": self.form.cleaned_data["sort"]}

    def error_messages(self) -> list[str]:
        """Every problem with the query string, each naming its parameter."""
        return [f"{field}: {message}" for field, messages in self.errors.items() for message in messages]
