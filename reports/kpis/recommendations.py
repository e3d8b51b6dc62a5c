"""Which usages to price in the procurement planner, and which of its switches to recommend.

The planner (``emissions.planner.plan``) prices a year of one workload on every model of its task in each serving
region. The dashboard asks it about the organisation's largest usages: each distinct model and region in the
period, as a workload of its average month (requests) and average request (input and output tokens), with that
model and region as the current choice. Each workload's best acceptable option (the lowest CO2e that is not the
current choice) is a candidate switch; the largest savings are recommended.

Acceptable: the same model in another region always; another model only when its quality is comparable, so that a
saving never comes from a weaker model. Comparable means a score on every benchmark both models report (the
catalogue's MMLU figures) at most ``QUALITY_TOLERANCE_POINTS`` below the current model's; a model without a shared
benchmark is not recommended (its quality is unknown). This is our rule, stated on the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reports.footprint_rows import FootprintRow
from reports.kpis.totals import group_rows, totals
from reports.models import Tier

PLANNED_USAGES = 5  # the largest (model, region) usages priced: one planner call (2 queries) each, so bounded
RECOMMENDATIONS_SHOWN = 3  # the "three best recommendations"
TOKEN_DECIMALS = 2  # average tokens per request, rounded so the planner link gives exactly the same workload
QUALITY_TOLERANCE_POINTS = 2.0  # benchmark points (0-100 scale) a recommended model may score below the current one


@dataclass(frozen=True)
class Usage:
    """A (model, region) of the period as a planner workload: its average month and average request."""

    model_slug: str
    model: str
    vendor: str
    region_slug: str  # "" when no region is known (the model's world-average footprint)
    co2e_location_kg: float  # central, in the period
    requests_per_month: int
    input_tokens: float  # average per request
    output_tokens: float  # average per request (functional units for non-text models)


def planned_usages(rows: Iterable[FootprintRow], months: int, limit: int = PLANNED_USAGES) -> list[Usage]:
    """The ``limit`` usages with the largest location-based CO2e in the period (``months`` long).

    Spend-based rows carry no usage to move, so they are left out; so is a usage of under one request a month
    (the planner's smallest workload).
    """
    usages = []
    for (model_slug, region_slug), members in group_rows(
        (r for r in rows if r.tier != Tier.SPEND), lambda r: (r.model_slug, r.region_slug)
    ).items():
        summed = totals(members)
        per_month = round(summed.requests / months)
        if per_month < 1:
            continue
        usages.append(
            Usage(model_slug, members[0].model, members[0].vendor, region_slug, summed.co2e_location_kg[1], per_month,
                  round(summed.input_tokens / summed.requests, TOKEN_DECIMALS),
                  round(summed.output_tokens / summed.requests, TOKEN_DECIMALS))
        )  # fmt: skip
    usages.sort(key=lambda u: (-u.co2e_location_kg, u.model_slug, u.region_slug))
    return usages[:limit]


@dataclass(frozen=True)
class Recommendation:
    usage: Usage
    kind: str  # "region" (the same model elsewhere) or "model" (another model)
    to_model_slug: str
    to_model: str
    to_vendor: str
    to_region_slug: str  # "" for a world-average footprint
    current_kg_per_year: float  # central location-based CO2e of a year of the usage as it is
    saving_kg_per_year: float  # ... minus the same year on the recommended option
    quality: str = ""  # for a model switch: the scores compared, e.g. "MMLU 88.7 vs 88.0"

    @property
    def saving_percent(self) -> float:
        return self.saving_kg_per_year / self.current_kg_per_year * 100 if self.current_kg_per_year else 0.0


def best_recommendations(
    candidates: Iterable[Recommendation], limit: int = RECOMMENDATIONS_SHOWN
) -> list[Recommendation]:
    """The ``limit`` largest positive savings, largest first."""
    positive = [c for c in candidates if c.saving_kg_per_year > 0]
    positive.sort(key=lambda c: (-c.saving_kg_per_year, c.usage.model_slug, c.usage.region_slug, c.to_model_slug))
    return positive[:limit]


def quality_comparable(
    current: dict[str, float], candidate: dict[str, float], tolerance: float = QUALITY_TOLERANCE_POINTS
) -> bool:
    """True when the candidate reports a benchmark the current model reports, and is nowhere ``tolerance`` lower."""
    shared = current.keys() & candidate.keys()
    return bool(shared) and all(candidate[b] >= current[b] - tolerance for b in shared)


def quality_text(current: dict[str, float], candidate: dict[str, float], labels: dict[str, str]) -> str:
    """ "MMLU 85.2 vs 88.7": the candidate's score first, on each shared benchmark."""
    return "; ".join(
        f"{labels.get(b, b)} {candidate[b]:g} vs {current[b]:g}" for b in sorted(current.keys() & candidate.keys())
    )
