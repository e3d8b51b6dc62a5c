"""Which stored footprints a set of factor changes affects. Reads only; marking is in the services.

A zone factor reaches rates through the region's zone, a region's PUE/WUE/renewable share through the region,
an accelerator factor through the models it serves, a model factor through the model (and a closed text
model's size through the models whose size is bracketed by it). Each only in the months its windows cover.
"""

from __future__ import annotations

from django.db.models import DateField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from emissions.models import EmissionFactor, FootprintRate, TrainingFootprint
from emissions.recompute.changes import FactorChange
from vendors.models import AIModel

# Region kinds the engine reads; a change to any other (carbon_free_share is informative) affects nothing.
REGION_KINDS = {"pue", "wue", "renewable_share"}


def _size_bracket_users() -> list[int]:
    """Text models with no size of their own: their size is bracketed by the closed models' sizes."""
    sized = EmissionFactor.objects.filter(
        ai_model=OuterRef("pk"), kind__in=["total_params", "active_params"], status=EmissionFactor.Status.APPROVED
    )
    return list(AIModel.objects.filter(task="text-generation").filter(~Exists(sized)).values_list("pk", flat=True))


# How each kind of subject reaches rates and training footprints (None: it does not).
RATE_PATHS = {"zone": "region__zone_id", "region": "region_id", "accelerator": "ai_model__serving_accelerator_id",
              "ai_model": "ai_model_id"}  # fmt: skip
TRAINING_PATHS = {
    "zone": ("training_run__zone_id", "training_run__region__zone_id"),
    "region": ("training_run__region_id",),
    "accelerator": ("training_run__accelerator_id",),
    "ai_model": (),  # a training estimate reads no model factor
}


def _feeds_footprints(change: FactorChange) -> bool:
    return change.subject_field != "region" or change.kind in REGION_KINDS


def _grouped(changes: list[FactorChange]) -> dict[tuple[str, tuple], set[int]]:
    """Subjects by (subject field, windows): a catalogue load of thousands of factors becomes a few clauses."""
    groups: dict[tuple[str, tuple], set[int]] = {}
    closed_text_models = set(
        AIModel.objects.filter(task="text-generation", open_weights=False).values_list("pk", flat=True)
    )
    bracket_users: list[int] | None = None
    for change in changes:
        if not _feeds_footprints(change):
            continue
        subjects = {change.subject_id}
        if change.kind == "active_params" and change.subject_id in closed_text_models:
            bracket_users = _size_bracket_users() if bracket_users is None else bracket_users
            subjects.update(bracket_users)
        groups.setdefault((change.subject_field, change.windows), set()).update(subjects)
    return groups


def _filter(groups: dict[tuple[str, tuple], set[int]], paths: dict, date_field: str) -> Q | None:
    condition = None
    for (subject_field, windows), subjects in groups.items():
        field_paths = paths[subject_field]
        for path in (field_paths,) if isinstance(field_paths, str) else field_paths:
            clause = Q(**{f"{path}__in": sorted(subjects)}) & _window_filter(windows, date_field)
            condition = clause if condition is None else condition | clause
    return condition


def _window_filter(windows: tuple, field: str) -> Q:
    condition = Q(pk__in=[])
    for start, end in windows:
        window = Q(**{f"{field}__gte": start})
        if end is not None:
            window &= Q(**{f"{field}__lt": end})
        condition |= window
    return condition


def _training_with_dates() -> QuerySet[TrainingFootprint]:
    """Training footprints with the date their factors are read on (as ``estimate_training_run``)."""
    return TrainingFootprint.objects.annotate(
        estimated_on=Coalesce(
            "training_run__period_end",
            "training_run__period_start",
            "training_run__model__release_date",
            Value(timezone.localdate()),
            output_field=DateField(),
        )
    )


def affected_rates(changes: list[FactorChange]) -> QuerySet[FootprintRate]:
    """The rates these factor changes affect (each only in the months its windows cover)."""
    condition = _filter(_grouped(changes), RATE_PATHS, "month")
    return FootprintRate.objects.none() if condition is None else FootprintRate.objects.filter(condition)


def affected_training(changes: list[FactorChange]) -> QuerySet[TrainingFootprint]:
    condition = _filter(_grouped(changes), TRAINING_PATHS, "estimated_on")
    return TrainingFootprint.objects.none() if condition is None else _training_with_dates().filter(condition)
