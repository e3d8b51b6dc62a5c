"""Carbon labels: a grade A–G of a model from its g CO₂e per typical request, relative to its task.

The figure graded is the model's total CO₂e (location-based operational + embodied, central) per typical request
in its default place, the same footprint ``model_rankings`` shows without a region filter. It is compared with
the MEDIAN of the same figure over every model of the task (the model included), on a log scale, so that
halving and doubling the median are symmetric steps:

    ratio = model / task median:  A ≤ 0.25 < B ≤ 0.5 < C ≤ 0.8 < D ≤ 1.25 < E ≤ 2 < F ≤ 4 < G

A grade compares models that do the same job; an A image model and an A embedding model are not comparable.
Colours are Paul Tol's colour-blind-safe "sunset" diverging scheme (blue = lower, red = higher), and the letter
is always printed, so colour is never the only carrier of the grade. docs/methodology.md ("Carbon labels")
documents the same.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from django.db.models import F

from emissions.engine import Estimate
from emissions.engine.units import G_PER_KG
from emissions.models import ModelFootprint, ModelFootprintVersion, TrainingFootprint
from emissions.rankings import (
    WORLD_AVERAGE,
    ModelRow,
    format_value,
    model_rankings,
    sum_columns,
    typical_request_label,
)
from vendors.models import AIModel, TrainingRun

# (grade, upper bound of model / task median, inclusive)
THRESHOLDS = (("A", 0.25), ("B", 0.5), ("C", 0.8), ("D", 1.25), ("E", 2.0), ("F", 4.0), ("G", float("inf")))
GRADES = tuple(grade for grade, _ in THRESHOLDS)

# Paul Tol, "Colour schemes" (2021), sunset diverging scheme, 7 of its 11 colours; ink chosen for contrast.
COLOURS = {
    "A": ("#364B9A", "#ffffff"),
    "B": ("#4A7BB7", "#ffffff"),
    "C": ("#98CAE1", "#1d2327"),
    "D": ("#EAECCC", "#1d2327"),
    "E": ("#FDB366", "#1d2327"),
    "F": ("#F67E4B", "#1d2327"),
    "G": ("#A50026", "#ffffff"),
}
UNRATED_COLOURS = ("#d8dcd6", "#1d2327")
LABEL_WIDTH, LABEL_HEIGHT = 360, 176  # px, the size templates/emissions/label.svg is drawn at


def grade_for_ratio(ratio: float) -> str:
    """The grade of a model whose footprint is ``ratio`` times its task's median."""
    if ratio < 0:
        raise ValueError("a footprint ratio cannot be negative")
    return next(grade for grade, bound in THRESHOLDS if ratio <= bound)


@dataclass(frozen=True)
class Label:
    model_name: str
    model_slug: str
    task: str
    grade: str | None  # None: no computed footprint, so no grade
    low: float | None  # g CO2e per typical request
    central: float | None
    high: float | None
    ratio: float | None  # to the task median
    task_median: float | None
    task_models: int
    region_label: str
    typical_request: str

    @property
    def fill(self) -> str:
        return COLOURS[self.grade][0] if self.grade else UNRATED_COLOURS[0]

    @property
    def ink(self) -> str:
        return COLOURS[self.grade][1] if self.grade else UNRATED_COLOURS[1]

    @property
    def scale(self) -> list[dict]:
        """The A–G strip of the label, with the model's grade marked."""
        return [
            {"grade": grade, "fill": COLOURS[grade][0], "ink": COLOURS[grade][1], "current": grade == self.grade,
             "x": 16 + i * 41}
            for i, grade in enumerate(GRADES)
        ]  # fmt: skip

    @property
    def central_text(self) -> str:
        return format_value(self.central)

    @property
    def low_text(self) -> str:
        return format_value(self.low)

    @property
    def high_text(self) -> str:
        return format_value(self.high)

    @property
    def place_phrase(self) -> str:
        if self.region_label == WORLD_AVERAGE:
            return "on the world-average grid (no serving region disclosed)"
        return f"served from {self.region_label}"

    @property
    def median_text(self) -> str:
        return format_value(self.task_median)

    @property
    def ratio_text(self) -> str:
        return format_value(self.ratio, 2)

    @property
    def task_noun(self) -> str:
        return self.task.replace("-", " ") + (" model" if self.task_models == 1 else " models")

    @property
    def summary(self) -> str:
        """One sentence: the label's alt text and SVG description."""
        if self.grade is None:
            return f"{self.model_name}: no carbon label yet, its footprint has not been computed."
        return (
            f"{self.model_name}: carbon label {self.grade} on a scale from A (lowest) to G (highest). "
            f"{format_value(self.central)} g CO₂e per typical request ({self.typical_request}), "
            f"range {format_value(self.low)}–{format_value(self.high)} g, {self.place_phrase}; "
            f"{self.ratio_text} × the median of {self.task_models} {self.task_noun}."
        )


def task_grades(task: str) -> tuple[dict[int, str], list[ModelRow], float | None]:
    """Grade of every model of a task by model id, the rows graded, and the task median (g). One query."""
    rows = model_rankings(task=task, metric="co2e_per_request", basis="location")
    median = statistics.median(row.central for row in rows) if rows else None
    if not median:
        return {}, rows, median
    return {row.model.pk: grade_for_ratio(row.central / median) for row in rows}, rows, median


def model_label(model: AIModel) -> Label:
    """The carbon label of one model (its vendor is not needed). One query."""
    grades, rows, median = task_grades(model.task)
    row = next((r for r in rows if r.model.pk == model.pk), None)
    graded = row is not None and model.pk in grades
    return Label(
        model_name=model.name,
        model_slug=model.slug,
        task=model.task,
        grade=grades.get(model.pk),
        low=row.low if row else None,
        central=row.central if row else None,
        high=row.high if row else None,
        ratio=row.central / median if graded else None,
        task_median=median,
        task_models=len(rows),
        region_label=row.region_label if row else "",
        typical_request=typical_request_label(model.task),
    )


# -- the model page: the label with the figures behind it ---------------------------------------------------------


def model_footprints(model: AIModel) -> list[ModelFootprint]:
    """The model's stored footprints, default place first (first serving region by slug, or world average)."""
    return list(
        ModelFootprint.objects.filter(ai_model=model)
        .select_related("region__zone", "rate")
        .order_by(F("region__slug").asc(nulls_first=True))
    )


def footprint_history(footprint: ModelFootprint) -> list[ModelFootprintVersion]:
    """How a footprint's per-request CO₂e moved across factor versions, oldest first."""
    return list(footprint.versions.order_by("computed_at", "pk"))


def training_runs_of(model: AIModel) -> list[TrainingRun]:
    """The model's disclosed training runs with our estimate of each (``footprint``) and their sources."""
    return list(
        TrainingRun.objects.filter(model=model).select_related("source", "footprint", "accelerator", "zone", "region")
    )


def grade_scale() -> list[dict]:
    """The grades with the ratios they cover and their colours, for legends."""
    out, lower = [], 0.0
    for grade, upper in THRESHOLDS:
        if lower == 0:
            text = f"≤ {upper:g} × median"
        elif upper == float("inf"):
            text = f"> {lower:g} × median"
        else:
            text = f"> {lower:g} and ≤ {upper:g} × median"
        out.append({"grade": grade, "text": text, "fill": COLOURS[grade][0], "ink": COLOURS[grade][1]})
        lower = upper
    return out


# Illustrations, not estimates: no maker discloses how many requests a model serves over its life, so the page
# shows the training share at three orders of magnitude and lets the reader place the model among them.
ILLUSTRATIVE_LIFETIME_REQUESTS = (1e9, 1e10, 1e11)


def _total_co2e_kg(row) -> Estimate | None:
    """Location-based CO2e with embodied, as a range, from a row with the stored metric columns."""
    total = sum_columns(row, ("operational_co2e_kg", "embodied_co2e_kg"), 1.0)
    return Estimate(*total) if total is not None else None


def training_share(training: TrainingFootprint | None, per_request: ModelFootprint | None) -> dict | None:
    """A training run spread over illustrative lifetime request counts, and how many typical requests' inference
    equals it (None when either footprint is missing)."""
    if training is None or per_request is None or not training.estimable:
        return None
    run, request = _total_co2e_kg(training), _total_co2e_kg(per_request)
    if run is None or request is None or request.central <= 0:
        return None
    return {
        "per_request_g": [(requests, run.scale(G_PER_KG / requests)) for requests in ILLUSTRATIVE_LIFETIME_REQUESTS],
        "break_even_requests": run.central / request.central,
    }
