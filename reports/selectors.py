"""Reads of reports: an organisation's reports, the periods it can report on, the factors a report cites, and
whether anything behind a report changed since it was generated.

Figures come from ``reports.footprint_rows.footprint_rows`` only; citations from the factor versions each rate
records (``FootprintRate.factor_versions``: factor id -> history id), read from the factors' history so a report
cites the value it used even after the factor was corrected.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from emissions.engine import METHODOLOGY_VERSION
from emissions.models import EmissionFactor, FootprintRate, Source, SpendFactor, UsageRollup
from emissions.models.factors import SUBJECT_FIELDS
from reports.footprint_rows import footprint_rows
from reports.models import Organisation, Report
from reports.snapshots import Period, fingerprints, periods_with_data, snapshot_difference, snapshot_figures
from reports.snapshots.build import GAP_RATE, row_gaps


def _superseding() -> Prefetch:
    """What replaced each report (at most one: ``report_regenerate`` refuses a second), without its figures."""
    return Prefetch("superseded_by", queryset=Report.objects.order_by("created_at", "id").defer("snapshot"))


def reports_of(organisation: Organisation) -> QuerySet[Report]:
    """The organisation's reports, newest period first, with who generated them and what superseded them."""
    return (
        Report.objects.filter(organisation=organisation)
        .select_related("created_by", "supersedes")
        .prefetch_related(_superseding())
        .defer("snapshot")
    )


def report_of(organisation: Organisation, report_id: int) -> Report | None:
    """One report of the organisation (None when it has no report with this id)."""
    return (
        Report.objects.filter(organisation=organisation, pk=report_id)
        .select_related("created_by", "supersedes")
        .prefetch_related(_superseding())
        .first()
    )


def superseding_report(report: Report) -> Report | None:
    """The report that replaced this one, if any (from the prefetched ``superseded_by``)."""
    replacements = list(report.superseded_by.all())
    return replacements[0] if replacements else None


def report_periods(organisation: Organisation) -> dict[str, list[Period]]:
    """Per kind, the periods in which the organisation has usage, newest first.

    Only which months hold rollups is read (one DISTINCT over the organisation's rollup index), no figure.
    """
    months = UsageRollup.objects.filter(organisation=organisation).dates("month", "month")
    return periods_with_data(months)


def _source(source: Source) -> dict:
    return {
        "key": source.key,
        "publisher": source.publisher,
        "title": source.title,
        "year": source.year,
        "url": source.url,
        "licence": source.licence,
    }


def _subject(factor) -> str:
    """What a factor is of, as the catalogue names it: a zone's code and name, a region or model slug, a card."""
    for field in SUBJECT_FIELDS.values():
        subject = getattr(factor, field, None) if getattr(factor, f"{field}_id", None) else None
        if subject is not None:
            return str(subject) if field != "zone" else f"{subject.code} — {subject.name}"
    return ""


def _citation(factor, factor_id: int, version: int | None) -> dict:
    return {
        "factor_id": factor_id,
        "version": version,
        "kind": factor.kind,
        "subject": _subject(factor),
        "value": factor.value,
        "value_low": factor.value_low,
        "value_high": factor.value_high,
        "unit": factor.unit,
        "valid_from": factor.valid_from.isoformat(),
        "valid_to": factor.valid_to.isoformat() if factor.valid_to else None,
        "note": factor.note,
        "source": _source(factor.source),
    }


SUBJECT_RELATIONS = ("zone", "region", "accelerator", "ai_model", "source")


def factor_citations(rate_ids: Iterable[int]) -> list[dict]:
    """The catalogue factors behind these rates, each at the version the rate was computed with.

    Engine defaults (no catalogue factor) are not listed: docs/methodology.md §8 gives them with their sources.
    Three queries whatever the number of rates.
    """
    pairs: set[tuple[int, int | None]] = set()
    for versions in FootprintRate.objects.filter(pk__in=set(rate_ids)).values_list("factor_versions", flat=True):
        pairs |= {(int(factor_id), version) for factor_id, version in (versions or {}).items()}
    by_version = {
        h.history_id: h
        for h in EmissionFactor.history.filter(history_id__in={v for _, v in pairs if v is not None}).select_related(
            *SUBJECT_RELATIONS
        )
    }
    unversioned = {f for f, v in pairs if v is None or v not in by_version}
    current = EmissionFactor.objects.filter(pk__in=unversioned).select_related(*SUBJECT_RELATIONS).in_bulk()
    citations = []
    for factor_id, version in pairs:
        factor = by_version.get(version) or current.get(factor_id)
        if factor is not None:
            citations.append(_citation(factor, factor_id, version if version in by_version else None))
    return sorted(
        citations, key=lambda c: (c["kind"], c["subject"], c["valid_from"], c["factor_id"], c["version"] or 0)
    )


def spend_factor_sources(factor_ids: Iterable[int]) -> dict[int, dict]:
    """Spend factor id -> its validity, note and source, for the report's table of spend factors."""
    factors = SpendFactor.objects.filter(pk__in=set(factor_ids)).select_related("source")
    return {
        f.pk: {"valid_to": f.valid_to.isoformat() if f.valid_to else None, "note": f.note, "source": _source(f.source)}
        for f in factors
    }


@dataclass(frozen=True)
class ReportChanges:
    """What changed behind a report since it was generated (all False and no difference when nothing did)."""

    usage_changed: bool = False
    factors_changed: bool = False
    computing: bool = False  # some footprints are not computed yet: no comparison until they are
    difference: dict | None = None

    @property
    def changed(self) -> bool:
        return self.usage_changed or self.factors_changed


def report_changes(report: Report) -> ReportChanges:
    """Compare a report's fingerprint with its period's rows now; when they differ, the figures now beside it.

    The comparison reads the rows (two queries); the figures are only summed when something changed.
    """
    period = Period(report.period_start, report.kind)
    rows = footprint_rows(report.organisation, period.start, period.end)
    now = fingerprints(rows, METHODOLOGY_VERSION)
    if now["combined"] == report.fingerprint:
        return ReportChanges()
    then = report.snapshot.get("inputs", {})
    usage_changed = now["usage"] != then.get("usage")
    factors_changed = now["factors"] != then.get("factors")
    if any(gap["reason"] == GAP_RATE for gap in row_gaps(rows)):
        return ReportChanges(usage_changed, factors_changed, computing=True)
    current = snapshot_figures(rows, period)
    return ReportChanges(usage_changed, factors_changed, difference=snapshot_difference(report.snapshot, current))
