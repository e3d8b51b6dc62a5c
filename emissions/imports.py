"""CSV import and export of factors (django-import-export), with the product's validation rules.

The import only creates factors (drafts by default; ``approved`` rows for curators). Every cell is parsed
here with a message naming its column; the rules themselves come from ``emissions.services.factors``.
The admin shows the preview first, and a file with any bad row is rejected whole.
"""

from __future__ import annotations

import datetime as dt
import math

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, resources, widgets

from emissions.factor_kinds import KIND_SPECS, Subject
from emissions.models import SUBJECT_FIELDS, EmissionFactor, RecomputeJob, Source
from emissions.recompute.changes import FactorChange, FactorState
from emissions.services.factors import APPROVE_PERMISSION, FactorInput, approved_overlapping, factor_validate
from emissions.services.recompute import footprints_mark_stale
from reports.services.audit import audit_record
from vendors.models import Accelerator, AIModel, GridZone, Region

SUBJECT_LOOKUP = {
    Subject.ZONE: (GridZone, "code"),
    Subject.REGION: (Region, "slug"),
    Subject.ACCELERATOR: (Accelerator, "slug"),
    Subject.AI_MODEL: (AIModel, "slug"),
}
IMPORTABLE_STATUSES = (EmissionFactor.Status.DRAFT, EmissionFactor.Status.APPROVED)


def subject_key(factor: EmissionFactor) -> str:
    subject = factor.subject
    _model, field = SUBJECT_LOOKUP[factor.spec.subject]
    return getattr(subject, field) if subject is not None else ""


class _Cells:
    """Parse the cells of one import row, collecting errors keyed by column."""

    def __init__(self, row: dict):
        self.row = row
        self.errors: dict[str, list[str]] = {}

    def add(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(message)

    def text(self, column: str) -> str:
        value = self.row.get(column)
        return "" if value is None else str(value).strip()

    def number(self, column: str, *, required: bool) -> float | None:
        raw = self.text(column)
        if not raw:
            if required:
                self.add(column, "is required")
            return None
        try:
            value = float(raw)
        except ValueError:
            self.add(column, f"{raw!r} is not a number")
            return None
        if not math.isfinite(value):
            self.add(column, f"{raw!r} is not a finite number")
            return None
        if value < 0:
            self.add(column, f"{raw} is negative; values cannot be negative")
            return None
        return value

    def date(self, column: str, *, required: bool) -> dt.date | None:
        raw = self.text(column)
        if not raw:
            if required:
                self.add(column, "is required (YYYY-MM-DD)")
            return None
        try:
            return dt.date.fromisoformat(raw[:10])  # spreadsheets may append a time: 2026-01-01 00:00:00
        except ValueError:
            self.add(column, f"{raw!r} is not a date (YYYY-MM-DD)")
            return None


class EmissionFactorResource(resources.ModelResource):
    subject = fields.Field(column_name="subject", readonly=True)
    source = fields.Field(attribute="source", column_name="source", widget=widgets.ForeignKeyWidget(Source, "key"))

    class Meta:
        model = EmissionFactor
        fields = ("id", "kind", "subject", "value", "value_low", "value_high", "unit", "valid_from", "valid_to",
                  "source", "status", "note")  # fmt: skip
        export_order = fields
        clean_model_instances = False
        skip_unchanged = False
        report_skipped = False
        use_transactions = True

    def dehydrate_subject(self, factor: EmissionFactor) -> str:
        return subject_key(factor)

    def get_queryset(self):
        return EmissionFactor.objects.select_related("zone", "region", "accelerator", "ai_model", "source")

    def get_instance(self, instance_loader, row):
        """Imports only ever create factors; an exported ``id`` is reported, never used to edit."""
        return None

    def before_import(self, dataset, **kwargs):
        self._approved: list[EmissionFactor] = []

    def after_save_instance(self, instance, row, **kwargs):
        if instance.status == EmissionFactor.Status.APPROVED:
            self._approved.append(instance)

    def after_import(self, dataset, result, **kwargs):
        """Approved rows feed footprints: mark them stale in the import's own transaction."""
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors() or not self._approved:
            return
        user = kwargs.get("user")
        footprints_mark_stale(
            changes=[FactorChange.between(None, FactorState.of(f)) for f in self._approved],
            trigger=RecomputeJob.Trigger.FACTOR_IMPORT,
            user=user if getattr(user, "pk", None) else None,
            note=f"{len(self._approved)} approved factors imported",
        )
        audit_record(
            actor=user, action="factor.import", target=f"{len(self._approved)} factors",
            summary=f"CSV import of {len(self._approved)} approved factors: " +
            ", ".join(f"#{f.pk}" for f in self._approved[:20]) + ("…" if len(self._approved) > 20 else ""),
        )  # fmt: skip

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        kwargs["rollback_on_validation_errors"] = True  # one bad row rejects the whole file
        return super().import_data(dataset, dry_run, raise_errors, use_transactions, **kwargs)

    def import_instance(self, instance: EmissionFactor, row, **kwargs):
        cells = _Cells(row)
        user = kwargs.get("user")
        if cells.text("id") and EmissionFactor.objects.filter(pk=_int_or_none(cells.text("id"))).exists():
            cells.add("id", "an import never edits an existing factor; leave id empty to create a new draft")
        kind = cells.text("kind")
        spec = KIND_SPECS.get(kind)
        if spec is None:
            cells.add("kind", f"unknown kind {kind!r}; expected one of {', '.join(KIND_SPECS)}")
        subject = None
        if spec is not None:
            model, lookup = SUBJECT_LOOKUP[spec.subject]
            key = cells.text("subject")
            subject = model.objects.filter(**{lookup: key}).first() if key else None
            if subject is None:
                label = spec.subject.value.replace("_", " ")
                cells.add("subject", f"unknown {label} {key!r}" if key else f"a {label} is required")
        source_key = cells.text("source")
        source = Source.objects.filter(key=source_key).first() if source_key else None
        if source is None:
            cells.add("source", f"unknown source {source_key!r}" if source_key else "a source is required")
        status = cells.text("status") or EmissionFactor.Status.DRAFT
        if status not in IMPORTABLE_STATUSES:
            cells.add("status", f"{status!r} cannot be imported; use draft or approved")
        elif status == EmissionFactor.Status.APPROVED and not (user and user.has_perm(APPROVE_PERMISSION)):
            cells.add("status", "only curators may import approved factors")
        data = FactorInput(
            kind=kind,
            subject=subject,
            value=cells.number("value", required=True),
            value_low=cells.number("value_low", required=False),
            value_high=cells.number("value_high", required=False),
            unit=cells.text("unit"),
            valid_from=cells.date("valid_from", required=True),
            valid_to=cells.date("valid_to", required=False),
            source=source,
            note=cells.text("note"),
        )
        if not cells.errors:
            try:
                factor_validate(data)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    column = "subject" if field in SUBJECT_FIELDS.values() else field
                    for message in messages:
                        cells.add(column, message)
        if not cells.errors and status == EmissionFactor.Status.APPROVED:
            clash = approved_overlapping(
                kind=kind, subject=subject, valid_from=data.valid_from, valid_to=data.valid_to
            ).first()
            if clash is not None:
                cells.add("valid_from", f"overlaps approved factor #{clash.pk} ({clash.period_label})")
        if cells.errors:
            raise ValidationError({column: "; ".join(messages) for column, messages in cells.errors.items()})
        instance.kind = kind
        setattr(instance, SUBJECT_FIELDS[spec.subject], subject)
        for name in ("value", "value_low", "value_high", "unit", "valid_from", "valid_to", "note"):
            setattr(instance, name, getattr(data, name))
        instance.source = source
        instance.status = status
        instance.created_by = user if getattr(user, "pk", None) else None
        if status == EmissionFactor.Status.APPROVED:
            instance.approved_by = instance.created_by
            instance.approved_at = timezone.now()
        instance._change_reason = "CSV import"


def _int_or_none(raw: str) -> int | None:
    try:
        return int(float(raw))
    except ValueError:
        return None
