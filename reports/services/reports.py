"""Generating reports: freeze a period's footprint, with the factor versions behind it, into a ``Report``.

A report is never updated: regenerating creates a new report that ``supersedes`` the old one, which stays.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from emissions.engine import METHODOLOGY_VERSION
from reports.footprint_rows import footprint_rows
from reports.models import Organisation, Report
from reports.selectors import factor_citations, spend_factor_sources
from reports.snapshots import Period, fingerprints, row_gaps, snapshot_build
from reports.snapshots.build import GAP_RATE
from reports.snapshots.periods import KIND_NOUNS, period_containing


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def report_period(*, kind: str, period_start: dt.date) -> Period:
    """The period of a report of this kind starting on this day; ``ValidationError`` naming the bad field."""
    if kind not in Report.Kind.values:
        raise ValidationError({"kind": f"Unknown report kind “{kind}”: choose monthly, quarterly or yearly."})
    period = period_containing(kind, period_start)
    if period.start != period_start:
        raise ValidationError(
            {
                "period": f"A {kind} report starts on the first day of a calendar {KIND_NOUNS[kind]} "
                f"({_day(period.start)}, not {_day(period_start)})."
            }
        )
    return period


def _frozen(organisation: Organisation, period: Period) -> tuple[dict, str]:
    """The snapshot of a period's footprint now, and its fingerprint; refused when there is nothing to freeze."""
    rows = footprint_rows(organisation, period.start, period.end)
    if not rows:
        raise ValidationError({"period": f"{organisation.name} has no usage in {period.long_label}."})
    if any(gap["reason"] == GAP_RATE for gap in row_gaps(rows)):
        raise ValidationError(
            {
                "period": f"Footprints for {period.long_label} are still being computed; "
                "generate the report again in a minute."
            }
        )
    prints = fingerprints(rows, METHODOLOGY_VERSION)
    snapshot = snapshot_build(
        rows,
        organisation={"name": organisation.name, "slug": organisation.slug},
        period=period,
        methodology_version=METHODOLOGY_VERSION,
        inputs={"usage": prints["usage"], "factors": prints["factors"]},
        citations=factor_citations({row.rate_id for row in rows}),
        spend_sources=spend_factor_sources({row.spend_factor.id for row in rows if row.spend_factor}),
        generated_at=timezone.now(),
    )
    return snapshot, prints["combined"]


def _create(organisation: Organisation, period: Period, frozen: tuple[dict, str], user, supersedes=None) -> Report:
    snapshot, fingerprint = frozen
    return Report.objects.create(
        organisation=organisation,
        kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        created_by=user,
        methodology_version=snapshot["methodology_version"],
        fingerprint=fingerprint,
        snapshot=snapshot,
        supersedes=supersedes,
    )


@transaction.atomic
def report_generate(*, organisation: Organisation, kind: str, period_start: dt.date, user=None) -> Report:
    """A new report of the organisation's usage in the period of this kind starting on ``period_start``."""
    period = report_period(kind=kind, period_start=period_start)
    return _create(organisation, period, _frozen(organisation, period), user)


@transaction.atomic
def report_regenerate(*, report: Report, user=None) -> Report:
    """A new report of the same period with today's usage and factors, superseding ``report`` (which stays).

    Refused when the report was already superseded (the newer one is the one to regenerate), or when nothing
    behind it changed. The old report is locked, so two analysts clicking at once make one new report.
    """
    report = Report.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=report.pk)
    newer = Report.objects.filter(supersedes=report).order_by("created_at", "id").first()
    if newer is not None:
        raise ValidationError({"report": f"Report #{report.pk} was already superseded by report #{newer.pk}."})
    period = Period(report.period_start, report.kind)
    frozen = _frozen(report.organisation, period)
    if frozen[1] == report.fingerprint:
        raise ValidationError({"report": f"Nothing changed since report #{report.pk} was generated."})
    return _create(report.organisation, period, frozen, user, supersedes=report)
