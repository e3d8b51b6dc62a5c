"""Where estimates get their factors: straight from the database, or from an in-memory index.

A single estimate asks the database for the few factors it needs (``DatabaseFactors``). The recompute
pipeline resolves thousands of (subject, month) pairs, so it loads every approved factor once into a
``FactorIndex``; the impact preview uses the same index with a draft applied as if approved
(``FactorIndex.with_approved``). Both answer the same two questions, so the code that turns factors into
engine inputs (``emissions.estimation``) is shared.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from emissions import engine
from emissions.catalogue_version import CatalogueMemo
from emissions.models import EmissionFactor
from emissions.selectors import factor_versions, factors_in_force, in_force_on


def factor_ref(factor: EmissionFactor, version: int | None) -> dict:
    """How a result cites a factor: enough to find it, read it and check it was the version in force."""
    return {
        "id": factor.pk,
        "kind": factor.kind,
        "subject": str(factor.subject),
        "value": factor.value,
        "low": factor.value_low,
        "high": factor.value_high,
        "unit": factor.unit,
        "valid_from": factor.valid_from.isoformat(),
        "valid_to": factor.valid_to.isoformat() if factor.valid_to else None,
        "source": str(factor.source),
        "source_url": factor.source.url,
        "version": version,
    }


def factor_estimate(factor: EmissionFactor) -> engine.Estimate:
    """A factor's value and range as the engine takes them."""
    return engine.Estimate.from_catalogue(factor.value, factor.value_low, factor.value_high)


@dataclass
class FactorSet:
    """The approved factors in force for one subject on one date, by kind."""

    factors: dict[str, EmissionFactor] = field(default_factory=dict)
    versions: dict[int, int] = field(default_factory=dict)

    def estimate(self, kind: str) -> engine.Estimate | None:
        factor = self.factors.get(kind)
        return factor_estimate(factor) if factor else None

    def ref(self, kind: str) -> dict | None:
        factor = self.factors.get(kind)
        return factor_ref(factor, self.versions.get(factor.pk)) if factor else None


@dataclass
class IndexedFactorSet(FactorSet):
    """A ``FactorSet`` whose estimates and references its ``FactorIndex`` builds once per factor."""

    index: FactorIndex | None = None

    def estimate(self, kind: str) -> engine.Estimate | None:
        factor = self.factors.get(kind)
        return self.index.estimate_of(factor) if factor else None

    def ref(self, kind: str) -> dict | None:
        factor = self.factors.get(kind)
        return dict(self.index.ref_of(factor)) if factor else None  # a copy: callers own their references


class FactorSource(Protocol):
    def factor_set(self, subject_field: str, subject_id: int, on: dt.date) -> FactorSet: ...

    def closed_text_model_sizes(self, on: dt.date) -> list[EmissionFactor]:
        """Active-parameter factors in force of the closed-weights text models (for the size bracket)."""
        ...


def _closed_text_model_sizes_filter() -> dict:
    return {"kind": "active_params", "ai_model__task": "text-generation", "ai_model__open_weights": False}


class DatabaseFactors:
    """Asks the database each time: right for one estimate."""

    def factor_set(self, subject_field: str, subject_id: int, on: dt.date) -> FactorSet:
        factors = {f.kind: f for f in factors_in_force(subject_field=subject_field, subject_ids=[subject_id], on=on)}
        return FactorSet(factors, factor_versions(f.pk for f in factors.values()))

    def closed_text_model_sizes(self, on: dt.date) -> list[EmissionFactor]:
        return list(EmissionFactor.objects.filter(in_force_on(on), **_closed_text_model_sizes_filter()))


def _in_force(factor: EmissionFactor, on: dt.date) -> bool:
    """The in-memory twin of ``selectors.in_force_on`` (the index holds approved factors only)."""
    return factor.valid_from <= on and (factor.valid_to is None or on < factor.valid_to)


class FactorIndex:
    """Every approved factor in memory, by subject: right for thousands of look-ups."""

    def __init__(self, factors: Iterable[EmissionFactor], versions: dict[int, int], closed_text_model_ids: set[int]):
        self._by_subject: dict[tuple[str, int], list[EmissionFactor]] = defaultdict(list)
        for factor in factors:
            if factor.status == EmissionFactor.Status.APPROVED:
                field_name = factor.subject_field
                self._by_subject[(field_name, getattr(factor, f"{field_name}_id"))].append(factor)
        self.versions = versions
        self.closed_text_model_ids = closed_text_model_ids
        # An index never changes, so neither do a factor's engine estimate and reference: built on first use.
        self._estimates: dict[int, engine.Estimate] = {}
        self._refs: dict[int, dict] = {}

    @classmethod
    def load(cls) -> FactorIndex:
        from vendors.models import AIModel

        factors = list(
            EmissionFactor.objects.filter(status=EmissionFactor.Status.APPROVED).select_related(
                "source",
                "zone",
                "region",
                "accelerator",
                "ai_model",  # factor_ref() prints the subject
            )
        )
        closed = set(AIModel.objects.filter(task="text-generation", open_weights=False).values_list("pk", flat=True))
        return cls(factors, factor_versions(f.pk for f in factors), closed)

    def factors(self) -> list[EmissionFactor]:
        return [f for group in self._by_subject.values() for f in group]

    def factor_set(self, subject_field: str, subject_id: int, on: dt.date) -> FactorSet:
        found = {f.kind: f for f in self._by_subject.get((subject_field, subject_id), ()) if _in_force(f, on)}
        return IndexedFactorSet(found, {f.pk: self.versions.get(f.pk) for f in found.values()}, index=self)

    def estimate_of(self, factor: EmissionFactor) -> engine.Estimate:
        found = self._estimates.get(factor.pk)
        if found is None:
            found = self._estimates[factor.pk] = factor_estimate(factor)
        return found

    def ref_of(self, factor: EmissionFactor) -> dict:
        found = self._refs.get(factor.pk)
        if found is None:
            found = self._refs[factor.pk] = factor_ref(factor, self.versions.get(factor.pk))
        return found

    def closed_text_model_sizes(self, on: dt.date) -> list[EmissionFactor]:
        return [
            f
            for model_id in self.closed_text_model_ids
            for f in self._by_subject.get(("ai_model", model_id), ())
            if f.kind == "active_params" and _in_force(f, on)
        ]

    def with_approved(self, draft: EmissionFactor) -> FactorIndex:
        """The index as it would be once ``draft`` is approved (same rules as ``factor_approve``)."""
        kept = []
        for factor in self.factors():
            if factor.pk == draft.supersedes_id:
                continue
            same_subject = (
                factor.kind == draft.kind
                and factor.subject_field == draft.subject_field
                and getattr(factor, f"{factor.subject_field}_id") == getattr(draft, f"{draft.subject_field}_id")
            )
            if (
                same_subject
                and factor.valid_from < draft.valid_from
                and (factor.valid_to is None or factor.valid_to > draft.valid_from)
            ):
                factor = copy.copy(factor)
                factor.valid_to = draft.valid_from
            kept.append(factor)
        approved = copy.copy(draft)
        approved.status = EmissionFactor.Status.APPROVED
        return FactorIndex([*kept, approved], {**self.versions, draft.pk: None}, self.closed_text_model_ids)

    def without(self, factor: EmissionFactor) -> FactorIndex:
        """The index once ``factor`` is superseded."""
        return FactorIndex([f for f in self.factors() if f.pk != factor.pk], self.versions, self.closed_text_model_ids)


_LOADED = CatalogueMemo(maxsize=1)


def current_factor_index() -> FactorIndex:
    """This process's index of every approved factor, loaded again once the catalogue version moves on.

    An estimate over HTTP then costs no factor queries (about 16 ms of CPU down to 4 with the demo catalogue);
    the answer is the one ``DatabaseFactors`` gives, which the estimate parity tests check.
    """
    return _LOADED.get_or_compute("approved factors", FactorIndex.load)
