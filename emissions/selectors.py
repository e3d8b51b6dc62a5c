"""Reads of factors: which approved factors were in force for a subject on a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Max, Q, QuerySet

from emissions.models import EmissionFactor, RecomputeJob


def in_force_on(on: dt.date) -> Q:
    return Q(status=EmissionFactor.Status.APPROVED, valid_from__lte=on) & (
        Q(valid_to__isnull=True) | Q(valid_to__gt=on)
    )


def factors_in_force(*, subject_field: str, subject_ids: Iterable[int], on: dt.date) -> QuerySet[EmissionFactor]:
    return EmissionFactor.objects.filter(in_force_on(on), **{f"{subject_field}__in": list(subject_ids)}).select_related(
        "source",
        "zone",
        "region",
        "accelerator",
        "ai_model",  # a factor's citation names its subject
    )


def factor_versions(factor_ids: Iterable[int]) -> dict[int, int]:
    """The latest history id of each factor: its version, which changes whenever the row changes."""
    rows = EmissionFactor.history.filter(id__in=list(factor_ids)).values("id").annotate(version=Max("history_id"))
    return {row["id"]: row["version"] for row in rows}


def recompute_in_progress() -> RecomputeJob | None:
    """The job pages mention in their notice: the running one, else the oldest waiting one; None when idle."""
    active = RecomputeJob.objects.filter(status__in=[RecomputeJob.Status.RUNNING, RecomputeJob.Status.PENDING])
    return active.order_by("-status", "pk").first()  # "running" sorts after "pending": descending puts it first
