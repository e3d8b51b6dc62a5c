"""Which usages the planner prices (the largest, as an average month and request) and which switches are shown."""

from __future__ import annotations

import datetime as dt

from reports.kpis.recommendations import Recommendation, Usage, best_recommendations, planned_usages
from tests.reports.kpis.rows import row, spend_row

JAN, FEB = dt.date(2025, 1, 1), dt.date(2025, 2, 1)


def test_a_usage_is_a_model_in_a_region_as_its_average_month_and_average_request():
    rows = [row(JAN, model="meta/llama", requests=100, input_tokens=1_000, output_tokens=300, location=(1, 2, 3)),
            row(FEB, model="meta/llama", requests=200, input_tokens=2_003, output_tokens=0, location=(1, 4, 9),
                tier="request"),
            spend_row(FEB, spend=1e6, model="google/gemini")]  # fmt: skip
    [usage] = planned_usages(rows, months=3)
    assert (usage.model_slug, usage.region_slug, usage.vendor) == ("meta/llama", "gcp/us-east4", "Meta")
    assert usage.co2e_location_kg == 6
    assert usage.requests_per_month == 100  # 300 requests over a period of 3 months
    assert usage.input_tokens == round(3_003 / 300, 2) and usage.output_tokens == 1.0


def test_the_largest_usages_come_first_up_to_the_limit_and_tiny_ones_are_left_out():
    rows = [row(JAN, model="meta/llama", region="gcp/us-east4", location=(1, 5, 9)),
            row(JAN, model="meta/llama", region="gcp/europe-west4", location=(1, 7, 9)),
            row(JAN, model="google/gemini", region="", location=(1, 6, 9)),
            row(JAN, model="google/imagen", location=(1, 90, 99), requests=5)]  # fmt: skip
    usages = planned_usages(rows, months=12, limit=2)  # imagen: 5 requests in 12 months, under 1 a month
    assert [(u.model_slug, u.region_slug) for u in usages] == [
        ("meta/llama", "gcp/europe-west4"),
        ("google/gemini", ""),
    ]


def _rec(saving: float, model: str = "meta/llama") -> Recommendation:
    usage = Usage(model, "M", "V", "gcp/us-east4", 1.0, 10, 1.0, 1.0)
    return Recommendation(usage, "model", "x/y", "Y", "X", "gcp/us-east4", 10.0, saving)


def test_only_positive_savings_are_recommended_largest_first_at_most_three():
    chosen = best_recommendations([_rec(1), _rec(-2), _rec(0), _rec(5), _rec(3), _rec(4)])
    assert [r.saving_kg_per_year for r in chosen] == [5, 4, 3]
    assert chosen[0].saving_percent == 50


def test_another_model_is_comparable_only_on_a_shared_benchmark_within_the_tolerance():
    from reports.kpis.recommendations import QUALITY_TOLERANCE_POINTS, quality_comparable

    current = {"mmlu": 80.0}
    assert quality_comparable(current, {"mmlu": 80.0 - QUALITY_TOLERANCE_POINTS})
    assert not quality_comparable(current, {"mmlu": 80.0 - QUALITY_TOLERANCE_POINTS - 0.1})
    assert not quality_comparable(current, {"gsm8k": 99.0}), "no shared benchmark: quality unknown"
    assert not quality_comparable({}, {"mmlu": 99.0})
    assert not quality_comparable({"mmlu": 80.0, "gpqa": 50.0}, {"mmlu": 85.0, "gpqa": 40.0}), "weaker on one"


def test_the_quality_text_names_each_shared_benchmark_candidate_first():
    from reports.kpis.recommendations import quality_text

    assert quality_text({"mmlu": 88.7, "x": 1.0}, {"mmlu": 90.0}, {"mmlu": "MMLU"}) == "MMLU 90 vs 88.7"
