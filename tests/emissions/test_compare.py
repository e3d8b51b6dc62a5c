"""The comparison's pure parts: reading the selection, the problems named for a bad one (with the closest slugs),
the relative sentences, the Pareto frontier (a table and a property test against its definition) and the
benchmark most of the models share."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emissions.compare import (
    PANELS,
    pareto_frontier,
    parse_slugs,
    relative_sentence,
    selection_problems,
    shared_benchmark,
)

ENERGY = next(p for p in PANELS if p.metric == "energy_per_request")
CO2E = next(p for p in PANELS if p.metric == "co2e_per_request")
KNOWN = {slug: object() for slug in ("meta/llama-3.1-8b", "meta/llama-3.1-70b", "openai/gpt-4o", "openai/o3-mini",
                                      "google/gemini-2.0-flash", "mistral/mistral-7b", "microsoft/phi-4")}  # fmt: skip


def test_slugs_come_comma_separated_or_repeated_in_order_without_blanks():
    assert parse_slugs(["a/b,c/d", " e/f ", "", "g/h,,"]) == ["a/b", "c/d", "e/f", "g/h"]
    assert parse_slugs([]) == []


@pytest.mark.parametrize("slugs, words", [
    ([], "at least 2 models"),
    (["openai/gpt-4o"], "at least 2 models to compare (got 1)"),
    (list(KNOWN), "at most 6 models at once (got 7)"),
    (["openai/gpt-4o", "openai/gpt-4o"], "each model only once; repeated: openai/gpt-4o"),
    (["openai/gpt-4o", "meta/llama-3.1-8"], "unknown model “meta/llama-3.1-8”. Did you mean meta/llama-3.1-8b"),
    (["openai/gpt-4o", "zzzz"], "unknown model “zzzz”. Use slugs such as meta/llama-3.1-8b"),
])  # fmt: skip
def test_every_bad_selection_is_named_with_what_to_do(slugs, words):
    problems = selection_problems(slugs, KNOWN)
    assert any(words in problem for problem in problems), problems
    assert all(problem.startswith("models: ") for problem in problems)


def test_a_good_selection_has_no_problems():
    assert selection_problems(["openai/gpt-4o", "meta/llama-3.1-8b"], KNOWN) == []


def test_a_pasted_list_of_thousands_is_refused_without_a_fuzzy_search_per_slug():
    problems = selection_problems([f"x/{i}" for i in range(5000)], KNOWN)
    assert len(problems) <= 1 + 1 + 24


@pytest.mark.parametrize("low, other, expected", [
    ((0.01, 0.02, 0.03), (0.05, 0.068, 0.09), "A uses 3.4× less energy per request than B."),
    ((0.01, 0.02, 0.06), (0.05, 0.068, 0.09),
     "A uses 3.4× less energy per request than B (low–high ranges overlap)."),
    ((0.01, 0.02, 0.03), (0.01, 0.0205, 0.03), "A and B use about the same energy per request."),
    ((0.0, 0.0, 0.0), (0.1, 0.2, 0.3), "A uses no measurable energy per request, against 0.2 for B."),
])  # fmt: skip
def test_the_relative_sentence_divides_central_figures_and_flags_overlapping_ranges(low, other, expected):
    assert relative_sentence(ENERGY, ("A", low), ("B", other)) == expected


def test_a_co2e_sentence_says_emits_and_names_its_basis():
    sentence = relative_sentence(CO2E, ("A", (1, 2, 3)), ("B", (20, 30, 40)), "market-based")
    assert sentence == "A emits 15× less CO₂e per request (market-based) than B."


@pytest.mark.parametrize("points, frontier", [
    ([], []),
    ([(1.0, 50.0)], [0]),
    ([(1.0, 50.0), (2.0, 60.0), (3.0, 55.0)], [0, 1]),  # the third costs more and scores less than the second
    ([(2.0, 60.0), (1.0, 70.0)], [1]),  # cheaper and better dominates
    ([(1.0, 50.0), (1.0, 50.0)], [0, 1]),  # identical points do not dominate each other
    ([(1.0, 50.0), (1.0, 60.0)], [1]),  # same footprint, higher score wins
    ([(3.0, 90.0), (1.0, 40.0), (2.0, 70.0), (2.5, 65.0)], [1, 2, 0]),  # by increasing footprint
])  # fmt: skip
def test_the_pareto_frontier_keeps_exactly_the_undominated_points(points, frontier):
    assert pareto_frontier(points) == frontier


def dominates(a, b) -> bool:
    return a[0] <= b[0] and a[1] >= b[1] and a != b


values = st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda v: round(v, 1))


@given(st.lists(st.tuples(values, values), max_size=12))
def test_the_pareto_frontier_matches_its_definition(points):
    frontier = pareto_frontier(points)
    assert len(set(frontier)) == len(frontier)
    for i, point in enumerate(points):
        beaten = any(dominates(other, point) for other in points)
        assert (i in frontier) == (not beaten)
    if points:
        assert frontier  # a non-empty set always has an undominated point
    xs = [points[i][0] for i in frontier]
    assert xs == sorted(xs)


def score(model_id: int, benchmark: str):
    return SimpleNamespace(model_id=model_id, benchmark=benchmark)


def test_the_shared_benchmark_is_the_one_most_models_have_ties_going_to_the_name():
    scores = [score(1, "mmlu"), score(2, "mmlu"), score(3, "mmlu"), score(1, "gpqa"), score(2, "gpqa")]
    assert shared_benchmark(scores) == "mmlu"
    assert shared_benchmark([score(1, "mmlu"), score(2, "mmlu"), score(1, "arc"), score(2, "arc")]) == "arc"
    assert shared_benchmark([score(1, "mmlu"), score(2, "gpqa")]) is None  # no benchmark has two models
    assert shared_benchmark([]) is None
