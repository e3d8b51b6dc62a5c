"""Filter sets of the factor and footprint lists (rankings use ``emissions.filters.RankingFilter``, the page's own;
labels use the catalogue's ``vendors.api.AIModelFilter``). Each bad parameter is a 400 that names it."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from emissions.api.common import StrictBooleanFilter, choice_messages, unknown
from emissions.factor_kinds import KIND_CHOICES, Subject
from emissions.models import SUBJECT_FIELDS, EmissionFactor, ModelFootprint, Source
from emissions.selectors import in_force_on
from vendors.models import Accelerator, AIModel, GridZone, Region, Task, Vendor

SUBJECT_TYPES = [(subject.value, subject.value.replace("_", " ")) for subject in Subject]


def _by_slug(model, noun: str, example: str, **kwargs) -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(queryset=model.objects.all(), to_field_name="slug",
                                     error_messages=unknown(noun, example), **kwargs)  # fmt: skip


class FactorFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=KIND_CHOICES, error_messages=choice_messages("kind", KIND_CHOICES))
    status = filters.ChoiceFilter(
        choices=EmissionFactor.Status.choices, error_messages=choice_messages("status", EmissionFactor.Status.choices)
    )
    subject_type = filters.ChoiceFilter(
        choices=SUBJECT_TYPES, method="_of_subject_type", error_messages=choice_messages("subject type", SUBJECT_TYPES)
    )
    zone = filters.ModelChoiceFilter(
        queryset=GridZone.objects.all(), to_field_name="code", help_text="Grid zone code, e.g. FRA.",
        error_messages=unknown("grid zone", "a zone code such as FRA or US-CAL-CISO"),
    )  # fmt: skip
    region = _by_slug(Region, "region", "a region slug such as gcp/us-east4", help_text="Region slug.")
    accelerator = _by_slug(Accelerator, "accelerator", "an accelerator slug", help_text="Accelerator slug.")
    model = _by_slug(AIModel, "model", "a model slug such as meta/llama-3.1-8b", field_name="ai_model",
                     help_text="Model slug, e.g. meta/llama-3.1-8b.")  # fmt: skip
    source = filters.ModelChoiceFilter(
        queryset=Source.objects.all(), to_field_name="key", help_text="Source key.",
        error_messages=unknown("source", "a key from /api/v1/sources/"),
    )  # fmt: skip
    in_force_on = filters.DateFilter(
        method="_in_force_on", help_text="Only the approved factors in force on this day (YYYY-MM-DD)."
    )

    class Meta:
        model = EmissionFactor
        fields: list[str] = []

    def _of_subject_type(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(**{f"{SUBJECT_FIELDS[Subject(value)]}__isnull": False})

    def _in_force_on(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(in_force_on(value))


class FootprintFilter(filters.FilterSet):
    model = _by_slug(AIModel, "model", "a model slug such as meta/llama-3.1-8b", field_name="ai_model",
                     help_text="Model slug.")  # fmt: skip
    vendor = _by_slug(Vendor, "vendor", "a vendor slug such as google", field_name="ai_model__vendor",
                      help_text="Vendor slug.")  # fmt: skip
    task = filters.ChoiceFilter(
        field_name="ai_model__task", choices=Task.choices, error_messages=choice_messages("task", Task.choices)
    )
    region = _by_slug(Region, "region", "a region slug such as gcp/us-east4", help_text="Region slug.")
    zone = filters.ModelChoiceFilter(
        field_name="region__zone", queryset=GridZone.objects.all(), to_field_name="code",
        help_text="Footprints in regions of this grid zone.",
        error_messages=unknown("grid zone", "a zone code such as FRA or US-CAL-CISO"),
    )  # fmt: skip
    open_weights = StrictBooleanFilter(field_name="ai_model__open_weights", help_text="true: open-weights models.")
    stale = StrictBooleanFilter(method="_stale", help_text="true: only footprints being recomputed.")

    class Meta:
        model = ModelFootprint
        fields: list[str] = []

    def _stale(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(rate__stale_since__isnull=not value)
