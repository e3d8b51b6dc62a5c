"""The workload planner prices a year of a workload from the stored rates: figures equal a direct computation from
the rate columns, options are the models' serving places (within a region or zone when asked), the current choice
and its other regions are told apart, savings are current minus option, and it is two queries."""

from __future__ import annotations

import datetime as dt

import pytest

from emissions.models import FootprintRate
from emissions.models.footprints import RATE_COLUMNS
from emissions.planner import PLAN_METRICS, Workload, display_units, plan, plan_table, rates_month, usage_summary
from tests.vendors.dashboard_catalogue import load_dashboard_catalogue
from vendors.models import AIModel, GridZone, Region

pytestmark = pytest.mark.django_db

TEXT = "text-generation"


@pytest.fixture
def catalogue(catalogue_dir):
    load_dashboard_catalogue(catalogue_dir)


def workload(**changes) -> Workload:
    values = {"task": TEXT, "requests_per_month": 250_000, "input_tokens": 1_200.0, "output_tokens": 350.0}
    return Workload(**(values | changes))


def direct(rate: FootprintRate, metric: str, side: str, w: Workload) -> float:
    """A year of the workload from the rate's columns, written out by hand."""
    requests = 12 * w.requests_per_month
    total = 0.0
    for column in PLAN_METRICS[metric]:
        total += requests * w.input_tokens * getattr(rate, f"{column}_per_input_token{side}")
        total += requests * w.output_tokens * getattr(rate, f"{column}_per_output_token{side}")
        total += requests * getattr(rate, f"{column}_per_request{side}")
    return total


def places(result) -> list[tuple[str, str]]:
    return [(o.model.slug, o.region_label) for o in result.options]


def test_every_figure_is_a_year_of_usage_times_the_stored_rate_on_every_side(catalogue):
    w = workload()
    result = plan(w)
    assert len(result.options) == 4  # llama (us-east4), gemini (2 regions), gemini small (us-east4)
    for option in result.options:
        rate = FootprintRate.objects.get(ai_model=option.model, region=option.region, month=result.month)
        for metric in PLAN_METRICS:
            expected = tuple(direct(rate, metric, side, w) for side in ("_low", "", "_high"))
            assert option.figures[metric] == pytest.approx(expected, rel=1e-12)
            assert expected[0] <= expected[1] <= expected[2]


def test_options_are_ranked_by_the_chosen_metric_lowest_first(catalogue):
    for metric in PLAN_METRICS:
        centrals = [o.figures[metric][1] for o in plan(workload(), rank_by=metric).options]
        assert centrals == sorted(centrals)
    with pytest.raises(ValueError):
        plan(workload(), rank_by="vibes")


def test_only_the_tasks_models_in_their_serving_regions_are_options(catalogue):
    llama = AIModel.objects.get(slug="meta/llama-3.1-8b")
    rate = FootprintRate.objects.get(ai_model=llama)
    rate.pk, rate.region = None, Region.objects.get(slug="gcp/europe-west4")  # usage reported there: not an offer
    rate.save()
    assert sorted(places(plan(workload()))) == [
        ("google/gemini-small-test", "gcp/us-east4"), ("google/gemini-test", "gcp/europe-west4"),
        ("google/gemini-test", "gcp/us-east4"), ("meta/llama-3.1-8b", "gcp/us-east4"),
    ]  # fmt: skip
    images = plan(workload(task="image-generation", input_tokens=0.0, output_tokens=1.0))
    assert sorted(places(images)) == [("google/imagen-test", "gcp/europe-west4"),
                                      ("stability/sd-test", "world average")]  # fmt: skip


def test_a_region_or_zone_constraint_keeps_the_options_served_there(catalogue):
    in_region = plan(workload(region=Region.objects.get(slug="gcp/us-east4")))
    assert {region for _, region in places(in_region)} == {"gcp/us-east4"} and len(in_region.options) == 3
    in_zone = plan(workload(zone=GridZone.objects.get(code="NLD")))
    assert places(in_zone) == [("google/gemini-test", "gcp/europe-west4")]


def test_the_current_choice_defaults_to_its_first_serving_region_and_its_other_regions_are_their_own_kind(catalogue):
    gemini = AIModel.objects.get(slug="google/gemini-test")
    result = plan(workload(current_model=gemini))
    assert result.current.region_label == "gcp/europe-west4"
    kinds = {(o.model.slug, o.region_label): o.kind for o in result.options}
    assert kinds[("google/gemini-test", "gcp/europe-west4")] == "current"
    assert kinds[("google/gemini-test", "gcp/us-east4")] == "region"
    assert kinds[("meta/llama-3.1-8b", "gcp/us-east4")] == "model"
    assert result.best_region.region_label == "gcp/us-east4"


def test_savings_are_the_current_figure_minus_the_options_and_their_share(catalogue):
    gemini = AIModel.objects.get(slug="google/gemini-test")
    east = Region.objects.get(slug="gcp/us-east4")
    result = plan(workload(current_model=gemini, current_region=east), rank_by="energy")
    assert result.current.region_label == "gcp/us-east4"
    before = result.current.figures["energy"][1]
    for option in result.options:
        saving, share = result.saving(option)
        assert saving == pytest.approx(before - option.figures["energy"][1])
        assert share == pytest.approx(saving / before * 100)
    assert result.saving(result.current) == (0.0, 0.0)
    llama = next(o for o in result.options if o.model.slug == "meta/llama-3.1-8b")
    assert result.saving(llama)[0] > 0  # an 8B dense model uses less energy than the MoE test model


def test_the_current_choice_is_priced_even_outside_the_place_asked_for(catalogue):
    gemini = AIModel.objects.get(slug="google/gemini-test")
    result = plan(workload(current_model=gemini, zone=GridZone.objects.get(code="US-MIDA-PJM")))
    assert result.current is not None and result.current.region_label == "gcp/europe-west4"
    others = [o for o in result.options if o.kind != "current"]
    assert len(others) == 3 and all(o.region_label == "gcp/us-east4" for o in others)


def test_rates_not_computed_yet_are_left_out_and_counted(catalogue):
    FootprintRate.objects.filter(ai_model__slug="meta/llama-3.1-8b").update(energy_kwh_per_request=None)
    result = plan(workload())
    assert result.uncomputed == 1
    assert "meta/llama-3.1-8b" not in {slug for slug, _ in places(result)}


def test_a_current_model_without_a_computed_rate_gives_no_savings_and_says_so(catalogue):
    FootprintRate.objects.filter(ai_model__slug="meta/llama-3.1-8b").update(water_l_per_request_high=None)
    result = plan(workload(current_model=AIModel.objects.get(slug="meta/llama-3.1-8b")))
    assert result.current is None and result.saving(result.options[0]) is None
    assert "not computed yet" in result.notes[0]


def test_the_latest_month_up_to_today_is_read_so_the_first_of_a_month_still_works(catalogue):
    month = FootprintRate.objects.values_list("month", flat=True).first()
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    assert rates_month(next_month + dt.timedelta(days=3)) == month  # nothing computed for next month yet
    assert rates_month(month - dt.timedelta(days=1)) is None
    future = FootprintRate.objects.filter(ai_model__slug="meta/llama-3.1-8b").first()
    future.pk, future.month = None, next_month
    for column in RATE_COLUMNS:
        setattr(future, column, 1.0)
    future.save()
    assert len(plan(workload(), today=month).options) == 4  # next month's rate is not this month's option
    assert plan(workload(), today=next_month).options[0].figures["energy"][1] > 1e6


def test_an_empty_catalogue_plans_nothing(db):
    result = plan(workload())
    assert result.options == [] and result.month is None and result.current is None


def test_a_plan_is_two_queries_whatever_the_catalogue(catalogue, django_assert_num_queries):
    gemini = AIModel.objects.select_related("vendor").get(slug="google/gemini-test")
    usa = GridZone.objects.get(code="US-MIDA-PJM")
    with django_assert_num_queries(2):
        result = plan(workload(current_model=gemini, zone=usa))
        plan_table(result)
        usage_summary(result.workload)


def test_the_table_shows_units_savings_with_a_real_minus_and_percentages(catalogue):
    lowest = plan(workload(requests_per_month=1_000)).options[0]
    table = plan_table(plan(workload(requests_per_month=1_000, current_model=lowest.model)))
    labels = [c.label for c in table.columns]
    assert labels[5:9] == ["Energy, kWh/yr", "CO₂e location-based, t/yr", "CO₂e market-based, t/yr", "Water, m³/yr"]
    assert labels[-2:] == ["Saving, t CO₂e/yr", "Saving, %"]
    current, *others = table.rows
    assert [current[1].text, current[-2].text, current[-1].text] == ["Current choice", "—", "—"]
    assert others and all(row[-2].text.startswith("−") and row[-1].text.startswith("−") for row in others)
    assert all(row[-1].text.endswith(" %") for row in others)
    without_current = plan_table(plan(workload()))
    assert "Saving, %" not in [c.label for c in without_current.columns]
    assert {row[1].text for row in without_current.rows} == {"Option"}


def test_energy_switches_to_mwh_when_a_figure_reaches_a_thousand_kwh(catalogue):
    small = plan(workload(requests_per_month=10))
    big = plan(workload(requests_per_month=10**10))
    assert display_units(small.options)["energy"].label == "kWh"
    assert display_units(big.options)["energy"].label == "MWh"


def test_the_usage_summary_counts_a_year_in_words(catalogue):
    assert usage_summary(workload(requests_per_month=100_000, input_tokens=1000, output_tokens=400)) == (
        "1.2 million requests, 1.2 billion input tokens, 480 million output tokens a year"
    )
    images = workload(task="image-generation", requests_per_month=50, input_tokens=0, output_tokens=2)
    assert usage_summary(images) == "600 requests, 1,200 images a year"
