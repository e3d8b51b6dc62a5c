"""Side-by-side comparison of 2 to 6 models (/compare/): their footprints per metric, in words, and against quality.

Each model stands for itself in its default place, the footprint ``model_rankings`` shows without a region filter
(first serving region by slug; world average when none is disclosed), so a comparison agrees with the rankings.
Everything is read from stored rows: the models, their footprints with rates, their quality scores. Three
queries whatever the selection.

The relative sentences compare central estimates, and say when two low–high ranges overlap, because then the
order of the two models is within the uncertainty of the estimate.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.db.models import F

from emissions.models import ModelFootprint
from emissions.rankings import METRICS, Triple, format_value, region_label, typical_request_label
from vendors.models import AIModel, QualityScore

MIN_MODELS, MAX_MODELS = 2, 6
SAME_WITHIN = 1.05  # a ratio below this is "about the same": well inside any estimate's uncertainty


# -- the selection ------------------------------------------------------------------------------------------------


def parse_slugs(values: list[str]) -> list[str]:
    """Slugs from the ``models`` parameters, comma-separated or repeated (what the form sends), in order."""
    return [slug.strip() for value in values for slug in value.split(",") if slug.strip()]


def model_choices() -> list[AIModel]:
    """Every model, for the form's select and to resolve slugs. One query."""
    return list(AIModel.objects.select_related("vendor").order_by("task", "name", "slug"))


def selection_problems(slugs: list[str], known: dict[str, AIModel]) -> list[str]:
    """Everything wrong with a selection, each message naming the parameter; empty when it can be compared."""
    problems = []
    if len(slugs) < MIN_MODELS:
        problems.append(f"models: choose at least {MIN_MODELS} models to compare (got {len(slugs)}).")
    elif len(slugs) > MAX_MODELS:
        problems.append(f"models: compare at most {MAX_MODELS} models at once (got {len(slugs)}).")
    repeated = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    if repeated:
        problems.append(f"models: each model only once; repeated: {', '.join(repeated)}.")
    for slug in dict.fromkeys(slugs[: MAX_MODELS * 4]):  # a pasted list of thousands gets no fuzzy search
        if slug not in known:
            close = difflib.get_close_matches(slug, list(known), n=3, cutoff=0.5)
            hint = f" Did you mean {' or '.join(close)}?" if close else " Use slugs such as meta/llama-3.1-8b."
            problems.append(f"models: unknown model “{slug[:140]}”.{hint}")
    return problems


def display_names(models: list[AIModel]) -> dict[int, str]:
    """Names for charts and sentences; a name two vendors share gets its vendor (Plotly would merge them)."""
    names = [m.name for m in models]
    return {m.pk: f"{m.name} ({m.vendor.name})" if names.count(m.name) > 1 else m.name for m in models}


# -- the figures ---------------------------------------------------------------------------------------------------


def default_footprints(models: list[AIModel]) -> dict[int, ModelFootprint]:
    """Each model's computed footprint in its default place, by model id (missing while not computed). One query."""
    found: dict[int, ModelFootprint] = {}
    rows = (
        ModelFootprint.objects.filter(ai_model__in=models, energy_kwh__isnull=False)
        .select_related("region", "rate")
        .order_by("ai_model_id", F("region__slug").asc(nulls_first=True))
    )
    for footprint in rows:
        found.setdefault(footprint.ai_model_id, footprint)
    return found


@dataclass(frozen=True)
class PanelSpec:
    metric: str  # a key of emissions.rankings.METRICS
    bases: tuple[str, ...]  # one series per basis
    verb: str  # "uses" / "emits"
    noun: str  # what the sentence compares


PANELS = (
    PanelSpec("co2e_per_request", ("location", "market"), "emits", "CO₂e per request"),
    PanelSpec("energy_per_request", ("location",), "uses", "energy per request"),
    PanelSpec("water_per_request", ("location",), "uses", "water per request"),
    PanelSpec("co2e_per_1k_output_tokens", ("location", "market"), "emits", "CO₂e per 1,000 output tokens"),
)
BASIS_NAMES = {"location": "location-based", "market": "market-based"}


@dataclass(frozen=True)
class Series:
    name: str  # "location-based", or the metric's label when it has no basis
    values: list[Triple]  # one per model of the panel


@dataclass(frozen=True)
class Panel:
    key: str
    label: str
    unit: str
    per: str
    tooltip: str
    names: list[str]  # the models that have this metric, in selection order
    series: list[Series]
    sentences: list[str]

    def chart(self) -> dict:
        """What static/js/compare.js draws: one group of bars per model, one bar per series."""
        return {"key": self.key, "names": self.names, "axis": f"{self.unit} {self.per}",
                "series": [{"name": s.name, "low": [v[0] for v in s.values], "central": [v[1] for v in s.values],
                            "high": [v[2] for v in s.values]} for s in self.series]}  # fmt: skip

    def rows(self) -> list[dict]:
        """The table beside the chart: per model, each series' central figure and range."""
        return [{"name": name, "cells": [{"central": format_value(s.values[i][1]),
                                          "range": f"{format_value(s.values[i][0])}–{format_value(s.values[i][2])}"}
                                         for s in self.series]}
                for i, name in enumerate(self.names)]  # fmt: skip


def relative_sentence(spec: PanelSpec, low: tuple[str, Triple], other: tuple[str, Triple], basis: str = "") -> str:
    """'A uses 3.4× less energy per request than B', from central figures; ``low`` is the lower of the two."""
    (a, first), (b, second) = low, other
    noun = spec.noun + (f" ({basis})" if basis else "")
    plural = spec.verb[:-1]  # uses -> use, emits -> emit
    if first[1] <= 0:
        return f"{a} {spec.verb} no measurable {noun}, against {format_value(second[1])} for {b}."
    ratio = second[1] / first[1]
    if ratio < SAME_WITHIN:
        sentence = f"{a} and {b} {plural} about the same {noun}"
    else:
        sentence = f"{a} {spec.verb} {format_value(ratio, 2)}× less {noun} than {b}"
    if first[2] >= second[0] and ratio >= SAME_WITHIN:
        sentence += " (low–high ranges overlap)"
    return sentence + "."


def build_panel(spec: PanelSpec, models: list[AIModel], footprints: dict[int, ModelFootprint],
                names: dict[int, str]) -> Panel | None:  # fmt: skip
    """One metric for the models it applies to and that have a footprint; None when none has it."""
    metric = METRICS[spec.metric]
    members = [m for m in models if m.task in metric.tasks and m.pk in footprints]
    if not members:
        return None
    series, sentences = [], []
    for basis in spec.bases:
        values = [metric.compute(footprints[m.pk], basis) for m in members]
        if any(v is None for v in values):
            return None
        basis_name = BASIS_NAMES[basis] if metric.uses_basis else ""
        series.append(Series(basis_name or metric.label, values))
        pairs = sorted(zip([names[m.pk] for m in members], values, strict=True), key=lambda p: (p[1][1], p[0]))
        # The first basis: the lowest model against each other one; a second basis: only against the highest.
        others = pairs[1:] if not series[1:] else pairs[-1:] if len(pairs) > 1 else []
        sentences += [relative_sentence(spec, pairs[0], pair, basis_name) for pair in others]
    return Panel(spec.metric, metric.label, metric.unit, metric.per, metric.tooltip, [names[m.pk] for m in members],
                 series, sentences)  # fmt: skip


# -- quality against footprint ------------------------------------------------------------------------------------


def pareto_frontier(points: list[tuple[float, float]]) -> list[int]:
    """Indices of the points no other point beats: (footprint, quality), lower footprint and higher quality better.

    A point is dominated when another has a footprint no higher AND a quality no lower, and is strictly better in
    one of them; identical points do not dominate each other. Returned by increasing footprint (then quality).
    """
    frontier = [
        i for i, (x, y) in enumerate(points) if not any(ox <= x and oy >= y and (ox < x or oy > y) for ox, oy in points)
    ]
    return sorted(frontier, key=lambda i: (points[i][0], -points[i][1]))


def shared_benchmark(scores: list[QualityScore]) -> str | None:
    """The benchmark most of the models are scored on (at least two of them); ties go to the name first A–Z."""
    counts: dict[str, set[int]] = {}
    for score in scores:
        counts.setdefault(score.benchmark, set()).add(score.model_id)
    ranked = sorted(counts.items(), key=lambda item: (-len(item[1]), item[0].lower()))
    return ranked[0][0] if ranked and len(ranked[0][1]) >= MIN_MODELS else None


@dataclass(frozen=True)
class QualityPoint:
    name: str
    score: float
    low: float  # g CO2e per request, location-based
    central: float
    high: float
    on_frontier: bool


@dataclass(frozen=True)
class QualityView:
    benchmark: str | None
    points: list[QualityPoint]  # by footprint
    left_out: list[str]  # models without a score on the benchmark or without a footprint

    def chart(self) -> dict:
        frontier = sorted((p for p in self.points if p.on_frontier), key=lambda p: p.central)
        return {"benchmark": self.benchmark, "axis": "g CO₂e per typical request (location-based)",
                "names": [p.name for p in self.points], "score": [p.score for p in self.points],
                "low": [p.low for p in self.points], "central": [p.central for p in self.points],
                "high": [p.high for p in self.points], "frontier": [p.on_frontier for p in self.points],
                "frontier_x": [p.central for p in frontier], "frontier_y": [p.score for p in frontier]}  # fmt: skip


def quality_view(models: list[AIModel], footprints: dict[int, ModelFootprint], names: dict[int, str]) -> QualityView:
    """Quality on the most shared benchmark against CO₂e per request, with the Pareto frontier. One query."""
    scores = list(QualityScore.objects.filter(model__in=models))
    benchmark = shared_benchmark(scores)
    if benchmark is None:
        return QualityView(None, [], [])
    by_model = {s.model_id: s.value for s in scores if s.benchmark == benchmark}
    found, co2e = [], METRICS["co2e_per_request"].compute
    for model in models:
        figure = co2e(footprints[model.pk], "location") if model.pk in footprints else None
        if model.pk in by_model and figure is not None:
            found.append((model, by_model[model.pk], figure))
    frontier = set(pareto_frontier([(figure[1], score) for _, score, figure in found]))
    points = [QualityPoint(names[m.pk], score, *figure, on_frontier=i in frontier)
              for i, (m, score, figure) in enumerate(found)]  # fmt: skip
    points.sort(key=lambda p: (p.central, -p.score))
    scored = {m.pk for m, _, _ in found}
    return QualityView(benchmark, points, [names[m.pk] for m in models if m.pk not in scored])


# -- the whole comparison -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    model: AIModel
    name: str
    region_label: str | None  # None: no footprint computed yet
    typical_request: str


@dataclass(frozen=True)
class Comparison:
    entries: list[Entry]
    panels: list[Panel]
    quality: QualityView

    @property
    def missing(self) -> list[str]:
        return [e.name for e in self.entries if e.region_label is None]


def compare(models: list[AIModel]) -> Comparison:
    """The comparison of already validated models (2 to 6, distinct), in the order given. Two queries."""
    footprints = default_footprints(models)
    names = display_names(models)
    entries = [Entry(m, names[m.pk], region_label(footprints[m.pk].region) if m.pk in footprints else None,
                     typical_request_label(m.task)) for m in models]  # fmt: skip
    panels = [panel for spec in PANELS if (panel := build_panel(spec, models, footprints, names)) is not None]
    return Comparison(entries, panels, quality_view(models, footprints, names))
