"""Writing factors: drafts, validation, approval and supersession.

Every path that changes a factor (admin actions, CSV import, API, catalogue loader) goes through here, so
the rules hold everywhere: only curators approve, approved periods never overlap, bad values never land.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from emissions.factor_kinds import KIND_SPECS
from emissions.models import SUBJECT_FIELDS, EmissionFactor, RecomputeJob, Source
from emissions.recompute.changes import FactorChange, FactorState
from emissions.services.recompute import footprints_mark_stale
from reports.services.audit import audit_record

APPROVE_PERMISSION = "emissions.approve_emissionfactor"


@dataclass(frozen=True)
class FactorInput:
    """The curatable fields of a factor, as plain values (subject given as a model instance)."""

    kind: str
    subject: object
    value: float
    unit: str
    valid_from: dt.date
    source: Source
    valid_to: dt.date | None = None
    value_low: float | None = None
    value_high: float | None = None
    note: str = ""


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def factor_validate(data: FactorInput) -> None:
    """Raise ``ValidationError`` whose message dict names each bad field."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    spec = KIND_SPECS.get(data.kind)
    if spec is None:
        add("kind", f"Unknown kind {data.kind!r}; expected one of: {', '.join(KIND_SPECS)}.")
        raise ValidationError(errors)
    if data.subject is None:
        add(SUBJECT_FIELDS[spec.subject], f"A {spec.subject.value.replace('_', ' ')} is required for {data.kind}.")
    if data.unit not in spec.units:
        add("unit", f"Unit {data.unit!r} is not valid for {data.kind}; use {' or '.join(spec.units)}.")
    for field in ("value", "value_low", "value_high"):
        number = getattr(data, field)
        if number is None and field != "value":
            continue
        if not _is_number(number):
            add(field, f"{field} must be a finite number, got {number!r}.")
            continue
        if number < spec.minimum:
            add(field, f"{field} must be at least {spec.minimum:g} {data.unit} for {data.kind}, got {number:g}.")
        if spec.maximum is not None and number > spec.maximum:
            add(field, f"{field} must be at most {spec.maximum:g} {data.unit} for {data.kind}, got {number:g}.")
    if not errors.get("value"):
        if _is_number(data.value_low) and data.value_low > data.value:
            add("value_low", f"value_low ({data.value_low:g}) is above value ({data.value:g}).")
        if _is_number(data.value_high) and data.value_high < data.value:
            add("value_high", f"value_high ({data.value_high:g}) is below value ({data.value:g}).")
    if not isinstance(data.valid_from, dt.date):
        add("valid_from", "valid_from must be a date (YYYY-MM-DD).")
    elif data.valid_to is not None and data.valid_to <= data.valid_from:
        add("valid_to", f"valid_to ({data.valid_to}) must be after valid_from ({data.valid_from}).")
    if data.source is None:
        add("source", "Every factor needs a source.")
    if errors:
        raise ValidationError(errors)


def _subject_filter(kind: str, subject) -> Q:
    field = SUBJECT_FIELDS[KIND_SPECS[kind].subject]
    return Q(kind=kind, **{field: subject})


def _overlap_filter(valid_from: dt.date, valid_to: dt.date | None) -> Q:
    """Periods [a, b) and [valid_from, valid_to) overlap; an empty end means open."""
    starts_before_end = Q() if valid_to is None else Q(valid_from__lt=valid_to)
    return starts_before_end & (Q(valid_to__isnull=True) | Q(valid_to__gt=valid_from))


def approved_overlapping(
    *, kind: str, subject, valid_from: dt.date, valid_to: dt.date | None, exclude_ids: Iterable[int] = ()
) -> QuerySet[EmissionFactor]:
    return (
        EmissionFactor.objects.filter(_subject_filter(kind, subject), status=EmissionFactor.Status.APPROVED)
        .filter(_overlap_filter(valid_from, valid_to))
        .exclude(id__in=list(exclude_ids))
    )


@transaction.atomic
def factor_create_draft(*, data: FactorInput, created_by=None, supersedes: EmissionFactor | None = None):
    factor_validate(data)
    if supersedes is not None and (
        supersedes.status != EmissionFactor.Status.APPROVED
        or supersedes.kind != data.kind
        or supersedes.subject != data.subject
    ):
        raise ValidationError(
            {"supersedes": "A draft can only supersede an approved factor of its own kind and subject."}
        )
    factor = EmissionFactor(
        kind=data.kind,
        value=data.value,
        value_low=data.value_low,
        value_high=data.value_high,
        unit=data.unit,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        source=data.source,
        note=data.note,
        status=EmissionFactor.Status.DRAFT,
        supersedes=supersedes,
        created_by=created_by,
        **{SUBJECT_FIELDS[KIND_SPECS[data.kind].subject]: data.subject},
    )
    factor.save()
    audit_record(actor=created_by, action="factor.draft", target=f"factor #{factor.pk}", summary=f"Draft: {factor}")
    return factor


def factor_as_input(factor: EmissionFactor) -> FactorInput:
    return FactorInput(
        kind=factor.kind,
        subject=factor.subject,
        value=factor.value,
        unit=factor.unit,
        valid_from=factor.valid_from,
        valid_to=factor.valid_to,
        source=factor.source,
        value_low=factor.value_low,
        value_high=factor.value_high,
        note=factor.note,
    )


def _require_curator(user) -> None:
    if user is None or not user.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied("Only curators may approve or supersede factors.")


@transaction.atomic
def factor_approve(*, factor: EmissionFactor, user) -> list[EmissionFactor]:
    """Approve a draft. Returns every factor whose state changed (the draft and what it displaced).

    - A draft that ``supersedes`` an approved factor retires it.
    - An approved factor whose open or later end runs past the draft's start, and that started before it,
      is closed at the draft's start (a new year's value takes over from the previous open-ended one).
    - Any other overlap with an approved period is refused, naming the conflicting factor.
    """
    _require_curator(user)
    factor = EmissionFactor.objects.select_for_update().get(pk=factor.pk)
    if factor.status != EmissionFactor.Status.DRAFT:
        raise ValidationError({"status": f"Only drafts can be approved; this factor is {factor.status}."})
    factor_validate(factor_as_input(factor))
    changed: list[EmissionFactor] = []
    before: dict[int, FactorState] = {}
    now = timezone.now()
    if factor.supersedes_id:
        old = EmissionFactor.objects.select_for_update().get(pk=factor.supersedes_id)
        if old.status == EmissionFactor.Status.APPROVED:
            before[old.pk] = FactorState.of(old)
            old.status = EmissionFactor.Status.SUPERSEDED
            old._change_reason = f"Superseded by factor #{factor.pk}"
            old.save(update_fields=["status", "updated_at"])
            changed.append(old)
    overlapping = list(
        approved_overlapping(
            kind=factor.kind, subject=factor.subject, valid_from=factor.valid_from, valid_to=factor.valid_to
        ).select_for_update()
    )
    for other in overlapping:
        closes_cleanly = other.valid_from < factor.valid_from and (
            factor.valid_to is None or other.valid_to is None or other.valid_to <= factor.valid_to
        )
        if not closes_cleanly:
            raise ValidationError(
                {
                    "valid_from": (
                        f"The period {factor.period_label} overlaps approved factor #{other.pk} "
                        f"({other.period_label}). Make this draft supersede it, or change the period."
                    )
                }
            )
        before[other.pk] = FactorState.of(other)
        other.valid_to = factor.valid_from
        other._change_reason = f"Closed at {factor.valid_from} by factor #{factor.pk}"
        other.save(update_fields=["valid_to", "updated_at"])
        changed.append(other)
    factor.status = EmissionFactor.Status.APPROVED
    factor.approved_by = user
    factor.approved_at = now
    factor._change_reason = "Approved"
    factor.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    changed.append(factor)
    footprints_mark_stale(
        changes=[FactorChange.between(before.get(f.pk), FactorState.of(f)) for f in changed],
        trigger=RecomputeJob.Trigger.FACTOR_APPROVED,
        user=user,
        note=f"Factor #{factor.pk} approved: {factor}",
    )
    closed = ", ".join(f"#{f.pk}" for f in changed if f.pk != factor.pk)
    audit_record(
        actor=user, action="factor.approve", target=f"factor #{factor.pk}",
        summary=f"Approved {factor}" + (f"; retired or closed {closed}" if closed else ""),
    )  # fmt: skip
    return changed


@transaction.atomic
def factor_supersede(*, factor: EmissionFactor, user) -> EmissionFactor:
    """Retire an approved factor: it stops feeding footprints, and stays in the history."""
    _require_curator(user)
    factor = EmissionFactor.objects.select_for_update().get(pk=factor.pk)
    if factor.status != EmissionFactor.Status.APPROVED:
        raise ValidationError({"status": f"Only approved factors can be superseded; this one is {factor.status}."})
    before = FactorState.of(factor)
    factor.status = EmissionFactor.Status.SUPERSEDED
    factor._change_reason = f"Superseded by {user}"
    factor.save(update_fields=["status", "updated_at"])
    footprints_mark_stale(
        changes=[FactorChange.between(before, FactorState.of(factor))],
        trigger=RecomputeJob.Trigger.FACTOR_SUPERSEDED,
        user=user,
        note=f"Factor #{factor.pk} superseded: {factor}",
    )
    audit_record(actor=user, action="factor.supersede", target=f"factor #{factor.pk}", summary=f"Superseded {factor}")
    return factor
