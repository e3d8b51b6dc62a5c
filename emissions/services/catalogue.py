"""Loading the catalogue in ``data/`` into the database: all-or-nothing, idempotent, through the history.

A first run creates everything; a second run changes nothing; after an edit of a data file only the rows
that changed are updated, each update recorded in the object's history with the file and line as reason.
Catalogue factors land approved (they are published, sourced figures); a factor a curator has since
superseded is left alone, and a catalogue row that would overlap a curator's approved factor is an error.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from emissions.catalogue.csvfiles import CatalogueError, Row, RowError, read_rows
from emissions.factor_kinds import KIND_SPECS, Subject
from emissions.models import SUBJECT_FIELDS, EmissionFactor, RecomputeJob, Source
from emissions.recompute.changes import FactorChange, FactorState
from emissions.services.factors import FactorInput, factor_validate
from emissions.services.footprints import footprints_ensure_catalogue
from emissions.services.recompute import footprints_mark_stale
from vendors.models import Accelerator, AIModel, GridZone, QualityScore, Region, TrainingRun, Vendor

DEFAULT_DATA_DIR = Path(settings.BASE_DIR) / "data"

COLUMNS = {
    "sources": ["key", "publisher", "title", "url", "year", "licence", "note"],
    "vendors": [
        "slug", "name", "website", "hq_country", "net_zero_year", "renewable_claim_pct", "commitment_note", "source",
    ],
    "zones": ["code", "name", "kind", "country", "latitude", "longitude", "source"],
    "regions": ["slug", "operator", "code", "name", "city", "country", "zone", "latitude", "longitude", "source"],
    "accelerators": ["slug", "name", "maker", "kind", "memory_gb", "release_year", "source"],
    "models": [
        "slug", "vendor", "name", "family", "task", "release_date", "open_weights", "architecture",
        "serving_accelerator", "serving_regions", "source", "note",
    ],
    "model_quality": ["model", "benchmark", "value", "source"],
    "training_runs": [
        "model", "accelerator", "accelerator_count", "accelerator_hours", "power_w", "pue", "zone", "region",
        "period_start", "period_end", "reported_energy_mwh", "reported_co2e_t_location", "reported_co2e_t_market",
        "source", "note",
    ],
}  # fmt: skip
FACTOR_FILES = {
    Subject.ZONE: "zone_factors",
    Subject.REGION: "region_factors",
    Subject.ACCELERATOR: "accelerator_factors",
    Subject.AI_MODEL: "model_factors",
}
FACTOR_SUBJECT_COLUMN = {Subject.ZONE: "zone", Subject.REGION: "region", Subject.ACCELERATOR: "accelerator",
                         Subject.AI_MODEL: "model"}  # fmt: skip
FACTOR_VALUE_COLUMNS = ["kind", "value", "value_low", "value_high", "unit", "valid_from", "valid_to", "source", "note"]
FACTOR_COMPARED_FIELDS = ["value", "value_low", "value_high", "unit", "valid_to", "source_id", "note"]


@dataclass
class TableReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class LoadReport:
    tables: dict[str, TableReport] = field(default_factory=lambda: defaultdict(TableReport))
    changed_factor_ids: list[int] = field(default_factory=list)
    factor_changes: list[FactorState] = field(default_factory=list)  # states before the update

    @property
    def changed(self) -> bool:
        return any(table.created or table.updated for table in self.tables.values())

    def lines(self) -> list[str]:
        return [
            f"{name:<20} created {t.created:>5}  updated {t.updated:>5}  unchanged {t.unchanged:>5}"
            for name, t in self.tables.items()
        ]


class _Loader:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.errors: list[RowError] = []
        self.report = LoadReport()
        self.sources: dict[str, Source] = {}
        self.zones: dict[str, GridZone] = {}
        self.regions: dict[str, Region] = {}
        self.vendors: dict[str, Vendor] = {}
        self.accelerators: dict[str, Accelerator] = {}
        self.models: dict[str, AIModel] = {}

    # -- helpers ---------------------------------------------------------------------------------
    def rows(self, name: str, columns: list[str] | None = None) -> list[Row]:
        return read_rows(self.data_dir / f"{name}.csv", columns or COLUMNS[name], self.errors, self.data_dir)

    @staticmethod
    def finish(row: Row) -> bool:
        """True when the row parsed cleanly (its errors are already in the load's list)."""
        return not row.errors

    def ref(self, row: Row, column: str, table: dict, *, required: bool = True):
        key = row.text(column, required=required)
        if not key:
            return None
        found = table.get(key)
        if found is None:
            row.error(column, f"unknown {column} {key!r}")
        return found

    def upsert(
        self, table: str, model: type[models.Model], lookup: dict, values: dict, row: Row, *, also_changed=False
    ):
        """Create or update one object; save (and so write history) only when a value changed."""
        report = self.report.tables[table]
        obj = model.objects.filter(**lookup).first()
        reason = f"catalogue: {row.file} line {row.line}"
        if obj is None:
            obj = model(**lookup, **values)
            changed = True
            report.created += 1
        else:
            changed_fields = [name for name, value in values.items() if getattr(obj, name) != value]
            for name in changed_fields:
                setattr(obj, name, values[name])
            changed = bool(changed_fields) or also_changed
            if changed:
                report.updated += 1
            else:
                report.unchanged += 1
        if changed:
            try:
                obj.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                for column, messages in exc.message_dict.items():
                    row.error(column, "; ".join(messages))
                return None
            obj._change_reason = reason
            obj.save()
        return obj

    # -- tables ----------------------------------------------------------------------------------
    def load_sources(self) -> None:
        seen: dict[str, tuple[dict, Row]] = {}
        files = sorted((self.data_dir / "sources").glob("*.csv"))
        if not files:
            self.errors.append(RowError("data/sources", 0, "", "no source files (data/sources/*.csv)"))
        for path in files:
            for row in read_rows(path, COLUMNS["sources"], self.errors, self.data_dir):
                key = row.text("key")
                values = {
                    "publisher": row.text("publisher"),
                    "title": row.text("title"),
                    "url": row.text("url", required=False),
                    "year": row.integer("year", required=False),
                    "licence": row.text("licence"),
                    "note": row.text("note", required=False),
                }
                if key in seen and seen[key][0] != values:
                    first = seen[key][1]
                    row.error("key", f"source {key!r} is defined differently in {first.file} line {first.line}")
                if not self.finish(row) or key in seen:
                    continue
                seen[key] = (values, row)
                source = self.upsert("sources", Source, {"key": key}, values, row)
                if source:
                    self.sources[key] = source

    def load_zones(self) -> None:
        for row in self.rows("zones"):
            values = {
                "name": row.text("name"),
                "kind": row.text("kind"),
                "country": row.text("country"),
                "latitude": _coordinate(row, "latitude"),
                "longitude": _coordinate(row, "longitude"),
                "source_id": getattr(self.ref(row, "source", self.sources), "pk", None),
            }
            code = row.text("code")
            if self.finish(row) and (zone := self.upsert("zones", GridZone, {"code": code}, values, row)):
                self.zones[code] = zone

    def load_regions(self) -> None:
        for row in self.rows("regions"):
            slug = row.text("slug")
            values = {
                "operator": row.text("operator"),
                "code": row.text("code"),
                "name": row.text("name"),
                "city": row.text("city", required=False),
                "country": row.text("country"),
                "zone_id": getattr(self.ref(row, "zone", self.zones), "pk", None),
                "latitude": _coordinate(row, "latitude"),
                "longitude": _coordinate(row, "longitude"),
                "source_id": getattr(self.ref(row, "source", self.sources), "pk", None),
            }
            if slug and values["operator"] and slug != f"{values['operator']}/{values['code']}":
                row.error("slug", f"{slug!r} must be <operator>/<code>")
            if self.finish(row) and (region := self.upsert("regions", Region, {"slug": slug}, values, row)):
                self.regions[slug] = region

    def load_vendors(self) -> None:
        for row in self.rows("vendors"):
            slug = row.text("slug")
            values = {
                "name": row.text("name"),
                "website": row.text("website", required=False),
                "hq_country": row.text("hq_country"),
                "net_zero_year": row.integer("net_zero_year", required=False),
                "renewable_claim_pct": row.number("renewable_claim_pct", required=False),
                "commitment_note": row.text("commitment_note", required=False),
                "source_id": getattr(self.ref(row, "source", self.sources), "pk", None),
            }
            if self.finish(row) and (vendor := self.upsert("vendors", Vendor, {"slug": slug}, values, row)):
                self.vendors[slug] = vendor

    def load_accelerators(self) -> None:
        for row in self.rows("accelerators"):
            slug = row.text("slug")
            values = {
                "name": row.text("name"),
                "maker": row.text("maker"),
                "kind": row.text("kind"),
                "memory_gb": row.number("memory_gb"),
                "release_year": row.integer("release_year", required=False),
                "source_id": getattr(self.ref(row, "source", self.sources), "pk", None),
            }
            if self.finish(row) and (acc := self.upsert("accelerators", Accelerator, {"slug": slug}, values, row)):
                self.accelerators[slug] = acc

    def load_models(self) -> None:
        for row in self.rows("models"):
            slug = row.text("slug")
            vendor = self.ref(row, "vendor", self.vendors)
            if vendor and slug and not slug.startswith(f"{vendor.slug}/"):
                row.error("slug", f"{slug!r} must start with its vendor, {vendor.slug}/")
            values = {
                "vendor_id": getattr(vendor, "pk", None),
                "name": row.text("name"),
                "family": row.text("family", required=False),
                "task": row.text("task"),
                "release_date": row.date("release_date", required=False),
                "open_weights": row.boolean("open_weights"),
                "architecture": row.text("architecture"),
                "serving_accelerator_id": getattr(
                    self.ref(row, "serving_accelerator", self.accelerators, required=False), "pk", None
                ),
                "source_id": getattr(self.ref(row, "source", self.sources), "pk", None),
                "note": row.text("note", required=False),
            }
            regions = []
            for region_slug in row.text("serving_regions", required=False).split():
                if region_slug in self.regions:
                    regions.append(self.regions[region_slug])
                else:
                    row.error("serving_regions", f"unknown region {region_slug!r}")
            if not self.finish(row):
                continue
            wanted = {region.pk for region in regions}
            current = AIModel.objects.filter(slug=slug).first()
            regions_changed = (
                current is not None and set(current.serving_regions.values_list("pk", flat=True)) != wanted
            )
            model = self.upsert("models", AIModel, {"slug": slug}, values, row, also_changed=regions_changed)
            if model is None:
                continue
            if current is None or regions_changed:
                model.serving_regions.set(wanted)
            self.models[slug] = model

    def load_quality(self) -> None:
        for row in self.rows("model_quality"):
            model = self.ref(row, "model", self.models)
            benchmark = row.text("benchmark")
            values = {
                "value": row.number("value"),
                "source_id": getattr(self.ref(row, "source", self.sources), "pk", None),
            }
            if self.finish(row):
                lookup = {"model_id": model.pk, "benchmark": benchmark}
                self.upsert("quality scores", QualityScore, lookup, values, row)

    def load_training_runs(self) -> None:
        for row in self.rows("training_runs"):
            model = self.ref(row, "model", self.models)
            source = self.ref(row, "source", self.sources)
            values = {
                "accelerator_id": getattr(self.ref(row, "accelerator", self.accelerators, required=False), "pk", None),
                "accelerator_count": row.integer("accelerator_count", required=False),
                "accelerator_hours": row.number("accelerator_hours", required=False),
                "power_w": row.number("power_w", required=False),
                "pue": row.number("pue", required=False),
                "zone_id": getattr(self.ref(row, "zone", self.zones, required=False), "pk", None),
                "region_id": getattr(self.ref(row, "region", self.regions, required=False), "pk", None),
                "period_start": row.date("period_start", required=False),
                "period_end": row.date("period_end", required=False),
                "reported_energy_mwh": row.number("reported_energy_mwh", required=False),
                "reported_co2e_t_location": row.number("reported_co2e_t_location", required=False),
                "reported_co2e_t_market": row.number("reported_co2e_t_market", required=False),
                "note": row.text("note", required=False),
            }
            if self.finish(row):
                lookup = {"model_id": model.pk, "source_id": source.pk}
                self.upsert("training runs", TrainingRun, lookup, values, row)

    def load_factors(self) -> None:
        subjects = {Subject.ZONE: self.zones, Subject.REGION: self.regions,
                    Subject.ACCELERATOR: self.accelerators, Subject.AI_MODEL: self.models}  # fmt: skip
        incoming: list[tuple[Row, EmissionFactor]] = []
        for subject, file_name in FACTOR_FILES.items():
            subject_column = FACTOR_SUBJECT_COLUMN[subject]
            for row in self.rows(file_name, [subject_column, *FACTOR_VALUE_COLUMNS]):
                factor = self._factor_from_row(row, subject, subject_column, subjects[subject])
                if self.finish(row) and factor is not None:
                    incoming.append((row, factor))
        self._save_factors(incoming)

    def _factor_from_row(self, row: Row, subject: Subject, column: str, table: dict) -> EmissionFactor | None:
        kind = row.text("kind")
        spec = KIND_SPECS.get(kind)
        if spec is None or spec.subject != subject:
            row.error("kind", f"{kind!r} is not a kind of {subject.value.replace('_', ' ')} factor")
            return None
        target = self.ref(row, column, table)
        data = FactorInput(
            kind=kind,
            subject=target,
            value=row.number("value"),
            value_low=row.number("value_low", required=False),
            value_high=row.number("value_high", required=False),
            unit=row.text("unit"),
            valid_from=row.date("valid_from"),
            valid_to=row.date("valid_to", required=False),
            source=self.ref(row, "source", self.sources),
            note=row.text("note", required=False),
        )
        if row.errors:
            return None
        try:
            factor_validate(data)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                row.error(name, "; ".join(messages))
            return None
        return EmissionFactor(
            kind=kind,
            value=data.value,
            value_low=data.value_low,
            value_high=data.value_high,
            unit=data.unit,
            valid_from=data.valid_from,
            valid_to=data.valid_to,
            source=data.source,
            note=data.note,
            status=EmissionFactor.Status.APPROVED,
            **{SUBJECT_FIELDS[subject]: target},
        )

    def _save_factors(self, incoming: list[tuple[Row, EmissionFactor]]) -> None:
        report = self.report.tables["factors"]
        existing: dict[tuple, EmissionFactor] = {}
        approved_by_subject: dict[tuple, list[EmissionFactor]] = defaultdict(list)
        for factor in EmissionFactor.objects.exclude(status=EmissionFactor.Status.DRAFT):
            existing[_factor_key(factor)] = factor
            if factor.status == EmissionFactor.Status.APPROVED:
                approved_by_subject[_factor_key(factor)[:2]].append(factor)
        now = timezone.now()
        to_create, to_update = [], []
        claimed: dict[tuple, Row] = {}
        for row, factor in incoming:
            key = _factor_key(factor)
            if key in claimed:
                first = claimed[key]
                row.error("valid_from", f"duplicates {first.file} line {first.line}")
                continue
            claimed[key] = row
            current = existing.get(key)
            if current is not None and current.status == EmissionFactor.Status.SUPERSEDED:
                report.unchanged += 1  # a curator retired it; the catalogue does not bring it back
                continue
            if current is not None:
                changed = [name for name in FACTOR_COMPARED_FIELDS if getattr(current, name) != getattr(factor, name)]
                if not changed:
                    report.unchanged += 1
                    continue
                self.report.factor_changes.append(FactorState.of(current))
                for name in changed:
                    setattr(current, name, getattr(factor, name))
                current._change_reason = f"catalogue: {row.file} line {row.line}"
                to_update.append((row, current))
                continue
            factor.approved_at = now
            to_create.append((row, factor))
        # Overlap check over the final state: updated + created + untouched approved factors.
        final: dict[tuple, list[tuple[Row | None, EmissionFactor]]] = defaultdict(list)
        touched = {id(f) for _, f in to_update}
        for group, factors in approved_by_subject.items():
            final[group].extend((None, f) for f in factors if id(f) not in touched)
        for row, factor in [*to_update, *to_create]:
            final[_factor_key(factor)[:2]].append((row, factor))
        for entries in final.values():
            _report_overlaps(entries, self.errors)
        if self.errors:
            return
        for _row, factor in to_update:
            factor.save()
            report.updated += 1
            self.report.changed_factor_ids.append(factor.pk)
        created = bulk_create_with_history(
            [factor for _, factor in to_create], EmissionFactor, default_change_reason="catalogue: initial load"
        )
        report.created += len(created)
        self.report.changed_factor_ids.extend(f.pk for f in created if f.pk)

    def run(self) -> LoadReport:
        for step in (
            self.load_sources, self.load_zones, self.load_regions, self.load_vendors, self.load_accelerators,
            self.load_models, self.load_quality, self.load_training_runs, self.load_factors,
        ):  # fmt: skip
            step()
        if self.errors:
            raise CatalogueError(_unique(self.errors))
        return self.report


def _unique(errors: list[RowError]) -> list[RowError]:
    seen, result = set(), []
    for error in errors:
        key = (error.file, error.line, error.column, error.message)
        if key not in seen:
            seen.add(key)
            result.append(error)
    return result


def _coordinate(row: Row, column: str) -> float | None:
    raw = row.text(column, required=False)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        row.error(column, f"{raw!r} is not a number")
        return None
    limit = 90 if column == "latitude" else 180
    if not -limit <= value <= limit:
        row.error(column, f"{value:g} is outside ±{limit}")
        return None
    return value


def _factor_key(factor: EmissionFactor) -> tuple:
    subject_field = SUBJECT_FIELDS[KIND_SPECS[factor.kind].subject]
    return (factor.kind, getattr(factor, f"{subject_field}_id"), factor.valid_from)


def _report_overlaps(entries: list[tuple[Row | None, EmissionFactor]], errors: list[RowError]) -> None:
    """Name each overlap once, on the catalogue row involved, with the period it collides with."""
    entries = sorted(entries, key=lambda entry: entry[1].valid_from)
    for (earlier_row, earlier), (later_row, later) in itertools.pairwise(entries):
        if earlier.valid_to is not None and earlier.valid_to <= later.valid_from:
            continue
        row, factor, other_row, other = (
            (later_row, later, earlier_row, earlier) if later_row else (earlier_row, earlier, later_row, later)
        )
        if row is None:
            continue  # two existing approved factors: the database already forbids this
        where = f"line {other_row.line}" if other_row else f"approved factor #{other.pk}"
        message = f"period {factor.period_label} overlaps {where} ({other.period_label})"
        errors.append(RowError(row.file, row.line, "valid_from", message))


@transaction.atomic
def catalogue_load(*, data_dir: Path = DEFAULT_DATA_DIR) -> LoadReport:
    """Load ``data_dir`` into the database. Raises ``CatalogueError`` (and writes nothing) on any bad row.

    In the same transaction, footprints that the changed factors affect are marked stale, and footprint rows
    are created for new models, serving regions and training runs; one recompute job covers both.
    """
    report = _Loader(Path(data_dir)).run()
    before = {state.factor_id: state for state in report.factor_changes}
    changed = EmissionFactor.objects.filter(pk__in=report.changed_factor_ids)
    footprints_mark_stale(
        changes=[FactorChange.between(before.get(f.pk), FactorState.of(f)) for f in changed],
        trigger=RecomputeJob.Trigger.CATALOGUE_LOAD,
        note=f"{len(report.changed_factor_ids)} factors changed",
    )
    footprints_ensure_catalogue(trigger=RecomputeJob.Trigger.CATALOGUE_LOAD)
    return report
