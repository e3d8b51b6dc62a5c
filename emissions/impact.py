"""Impact preview: what approving a draft (or retiring a factor) would change, before anyone commits to it.

Reads only. The affected rates are found exactly as the pipeline would mark them; their new values are
computed with the factor index as it would be after the change; rollups and model footprints are priced
with both old and new rates; the differences are summed per vendor, model and organisation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from emissions.factor_index import FactorIndex
from emissions.models import EmissionFactor, ModelFootprint, UsageRollup
from emissions.models.footprints import RATE_COLUMNS, USAGE_FIELDS, rate_column
from emissions.recompute.changes import FactorChange, FactorState, merge_windows
from emissions.recompute.compute import Cell
from emissions.services.recompute import affected_rates, affected_training, rate_calculator

CENTRAL = 1
# Total CO2e (location-based, embodied included) per usage unit: operational + embodied, central side.
TOTAL_COLUMNS = [
    (rate_column("operational_co2e_kg", CENTRAL, unit), rate_column("embodied_co2e_kg", CENTRAL, unit))
    for unit in range(3)
]


@dataclass(frozen=True)
class ImpactLine:
    label: str
    before_kg: float
    after_kg: float

    @property
    def change_kg(self) -> float:
        return self.after_kg - self.before_kg

    @property
    def change_percent(self) -> float | None:
        return 100.0 * self.change_kg / self.before_kg if self.before_kg else None


@dataclass
class ImpactPreview:
    factor: EmissionFactor
    action: str  # "approve" or "supersede"
    rates: int = 0
    rollups: int = 0
    usage_records: int = 0
    model_footprints: int = 0
    training_footprints: int = 0
    total: ImpactLine = field(default_factory=lambda: ImpactLine("affected usage", 0.0, 0.0))
    vendors: list[ImpactLine] = field(default_factory=list)
    models: list[ImpactLine] = field(default_factory=list)
    organisations: list[ImpactLine] = field(default_factory=list)
    per_request: list[ImpactLine] = field(default_factory=list)  # model footprints, kg per typical request

    @property
    def footprints(self) -> int:
        """Stored rows that change: rates, rollups and training footprints (model footprints follow their rates)."""
        return self.rates + self.rollups + self.training_footprints


def _changes(factor: EmissionFactor, action: str) -> list[FactorChange]:
    state = FactorState.of(factor)
    windows = [state.window]
    if action == "approve" and factor.supersedes_id:
        windows.append(FactorState.of(factor.supersedes).window)
    return [FactorChange(state.factor_id, state.kind, state.subject_field, state.subject_id, merge_windows(windows))]


def _total_per_unit(values: np.ndarray) -> np.ndarray:
    """(n, 45) rate values in RATE_COLUMNS order -> (n, 3) total kg CO2e per input token, output token, request."""
    position = {column: i for i, column in enumerate(RATE_COLUMNS)}
    return np.stack([values[:, position[op]] + values[:, position[emb]] for op, emb in TOTAL_COLUMNS], axis=1)


def _top(totals: dict[str, list[float]], top: int) -> list[ImpactLine]:
    lines = [ImpactLine(label, before, after) for label, (before, after) in totals.items()]
    return sorted(lines, key=lambda line: abs(line.change_kg), reverse=True)[:top]


def factor_impact_preview(*, factor: EmissionFactor, action: str = "approve", top: int = 5) -> ImpactPreview:
    """What ``action`` ("approve" a draft, "supersede" an approved factor) would change."""
    if action not in ("approve", "supersede"):
        raise ValueError(f"unknown action {action!r}")
    preview = ImpactPreview(factor=factor, action=action)
    changes = _changes(factor, action)
    preview.training_footprints = affected_training(changes).count()
    rows = list(affected_rates(changes).values_list("pk", "ai_model_id", "region_id", "month", *RATE_COLUMNS))
    preview.rates = len(rows)
    if not rows:
        return preview
    index = FactorIndex.load()
    after_index = index.with_approved(factor) if action == "approve" else index.without(factor)
    cells = [Cell(pk, model_id, region_id, month) for pk, model_id, region_id, month, *_ in rows]
    after = _total_per_unit(rate_calculator(after_index).rates(cells).values)
    before = _total_per_unit(np.array([[np.nan if v is None else v for v in row[4:]] for row in rows], dtype=float))
    position = {cell.rate_id: i for i, cell in enumerate(cells)}

    by_vendor: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    by_model: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    by_org: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    rollups = UsageRollup.objects.filter(rate_id__in=position).values_list(
        "rate_id", "records", "organisation__name", "ai_model__slug", "ai_model__vendor__name", *USAGE_FIELDS
    )
    for rate_id, records, organisation, model, vendor, *usage in rollups.iterator(chunk_size=10_000):
        i = position[rate_id]
        old, new = float(np.nan_to_num(before[i]) @ usage), float(after[i] @ usage)
        for bucket, key in ((by_vendor, vendor), (by_model, model), (by_org, organisation)):
            bucket[key][0] += old
            bucket[key][1] += new
        preview.rollups += 1
        preview.usage_records += records
    preview.total = ImpactLine("affected usage", sum(v[0] for v in by_org.values()), sum(v[1] for v in by_org.values()))
    preview.vendors, preview.models, preview.organisations = (_top(b, top) for b in (by_vendor, by_model, by_org))

    per_request = {}
    for footprint in ModelFootprint.objects.filter(rate_id__in=position).select_related("ai_model", "region"):
        usage = np.array([footprint.input_tokens, footprint.output_tokens, footprint.requests], dtype=float)
        i = position[footprint.rate_id]
        label = f"{footprint.ai_model.slug} in {footprint.region.slug if footprint.region else 'world average'}"
        per_request[label] = [float(np.nan_to_num(before[i]) @ usage), float(after[i] @ usage)]
    preview.model_footprints = len(per_request)
    preview.per_request = _top(per_request, top)
    return preview
