"""Carbon labels: the grade bands, grades relative to the task median, unrated models, and colours that stay
readable (the SVG and pages that show labels: tests/vendors/test_label_pages.py)."""

from __future__ import annotations

import statistics

import pytest

from emissions.labels import COLOURS, GRADES, THRESHOLDS, grade_for_ratio, grade_scale, model_label, task_grades
from emissions.models import ModelFootprint
from tests.vendors.dashboard_catalogue import load_dashboard_catalogue
from vendors.models import AIModel


@pytest.fixture
def catalogue(db, catalogue_dir):
    load_dashboard_catalogue(catalogue_dir)


@pytest.mark.parametrize("ratio, grade", [
    (0.0, "A"), (0.25, "A"), (0.2501, "B"), (0.5, "B"), (0.5001, "C"), (0.8, "C"), (0.8001, "D"), (1.0, "D"),
    (1.25, "D"), (1.2501, "E"), (2.0, "E"), (2.0001, "F"), (4.0, "F"), (4.0001, "G"), (1e6, "G"),
])  # fmt: skip
def test_each_band_includes_its_upper_bound_and_starts_just_above_the_previous_one(ratio, grade):
    assert grade_for_ratio(ratio) == grade


def test_the_bands_are_symmetric_around_the_median_on_a_log_scale():
    bounds = [bound for _, bound in THRESHOLDS[:-1]]
    assert bounds == [0.25, 0.5, 0.8, 1.25, 2.0, 4.0]
    for low, high in zip(bounds[:3], reversed(bounds[3:]), strict=True):
        assert low * high == pytest.approx(1.0)


def test_a_negative_ratio_is_refused():
    with pytest.raises(ValueError):
        grade_for_ratio(-0.1)


def test_grades_compare_a_model_with_the_median_of_its_own_task(catalogue):
    # Text: Llama 3.1 8B 0.0138 g, Gemini Small Test 0.0174 g (the median), Gemini Test 0.131 g per request.
    text_grades, text_rows, text_median = task_grades("text-generation")
    slugs = {row.model.pk: row.model.slug for row in text_rows}
    assert {slugs[pk]: grade for pk, grade in text_grades.items()} == {
        "meta/llama-3.1-8b": "C", "google/gemini-small-test": "D", "google/gemini-test": "G"}  # fmt: skip
    assert text_median == statistics.median(row.central for row in text_rows)
    # Image models are graded among image models only: two of them, either side of their median.
    image_grades, image_rows, _ = task_grades("image-generation")
    slugs = {row.model.pk: row.model.slug for row in image_rows}
    assert {slugs[pk]: grade for pk, grade in image_grades.items()} == {
        "google/imagen-test": "C", "stability/sd-test": "D"}  # fmt: skip


def test_a_label_carries_the_figure_its_range_place_and_ratio(catalogue):
    label = model_label(AIModel.objects.get(slug="google/gemini-test"))
    assert label.grade == "G"
    assert label.region_label == "gcp/europe-west4"
    assert label.low < label.central < label.high
    assert label.ratio == pytest.approx(label.central / label.task_median)
    assert label.task_models == 3
    assert "carbon label G" in label.summary and "served from gcp/europe-west4" in label.summary
    assert label.fill == COLOURS["G"][0]


def test_a_model_on_the_world_average_grid_says_so(catalogue):
    label = model_label(AIModel.objects.get(slug="stability/sd-test"))
    assert "world-average grid" in label.summary


def test_a_model_without_a_computed_footprint_is_not_rated(catalogue):
    ModelFootprint.objects.filter(ai_model__slug="meta/llama-3.1-8b").update(embodied_co2e_kg=None)
    label = model_label(AIModel.objects.get(slug="meta/llama-3.1-8b"))
    assert label.grade is None and label.central is None
    assert "no carbon label yet" in label.summary
    assert label.task_models == 2


def test_a_label_is_one_query(catalogue, django_assert_num_queries):
    model = AIModel.objects.get(slug="meta/llama-3.1-8b")
    with django_assert_num_queries(1):
        model_label(model)


def _contrast(first: str, second: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_grade_has_its_own_colour_and_a_letter_readable_on_it():
    assert list(COLOURS) == list(GRADES) == ["A", "B", "C", "D", "E", "F", "G"]
    assert len({fill for fill, _ in COLOURS.values()}) == 7
    for grade, (fill, ink) in COLOURS.items():
        assert _contrast(fill, ink) >= 4.3, grade  # the label's letters are large, bold text (WCAG: 3:1)


def test_the_scale_legend_lists_every_band_in_order():
    scale = grade_scale()
    assert [step["grade"] for step in scale] == list(GRADES)
    assert scale[0]["text"] == "≤ 0.25 × median" and scale[-1]["text"] == "> 4 × median"
