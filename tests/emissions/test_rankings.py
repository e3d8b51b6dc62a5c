"""Rankings read stored footprints: which footprint stands for a model, how each metric is derived from it, the
filters and their validation, and that a ranking is one query whatever the catalogue's size."""

from __future__ import annotations

import pytest
from django.db.models import F
from django.http import QueryDict

from emissions.filters import RankingFilter
from emissions.models import ModelFootprint
from emissions.rankings import METRICS, _competition_ranks, format_count, format_value, model_rankings, vendor_rankings
from tests.vendors.dashboard_catalogue import load_dashboard_catalogue
from vendors.models import AIModel, GridZone, Region

pytestmark = pytest.mark.django_db

TEXT = "text-generation"
IMAGE = "image-generation"


@pytest.fixture
def catalogue(catalogue_dir):
    load_dashboard_catalogue(catalogue_dir)


def footprint(slug: str, region: str | None) -> ModelFootprint:
    return ModelFootprint.objects.select_related("rate").get(ai_model__slug=slug, region__slug=region)


def triple(row) -> tuple[float, float, float]:
    return row.low, row.central, row.high


def test_the_registry_has_the_five_metrics_with_units_tooltips_and_their_tasks():
    assert set(METRICS) == {"co2e_per_request", "co2e_per_1k_output_tokens", "energy_per_request",
                            "water_per_request", "co2e_per_image"}  # fmt: skip
    assert METRICS["co2e_per_1k_output_tokens"].tasks == (TEXT,)
    assert METRICS["co2e_per_image"].tasks == (IMAGE,)
    assert {METRICS[key].unit for key in ("energy_per_request", "water_per_request")} == {"Wh", "mL"}
    assert all(spec.tooltip and spec.label and spec.unit for spec in METRICS.values())
    assert not METRICS["energy_per_request"].uses_basis and METRICS["co2e_per_request"].uses_basis


def test_each_model_is_represented_by_its_first_serving_region_by_slug(catalogue):
    rows = model_rankings(task=TEXT, metric="co2e_per_request")
    by_slug = {row.model.slug: row for row in rows}
    assert set(by_slug) == {"meta/llama-3.1-8b", "google/gemini-test", "google/gemini-small-test"}
    # Gemini Test serves gcp/europe-west4 and gcp/us-east4: the first by slug stands for it.
    assert by_slug["google/gemini-test"].region_label == "gcp/europe-west4"
    assert [row.central for row in rows] == sorted(row.central for row in rows)
    assert [row.rank for row in rows] == [1, 2, 3]
    assert rows[0].model.slug == "meta/llama-3.1-8b"


def test_a_model_with_no_disclosed_region_is_ranked_on_its_world_average_footprint(catalogue):
    rows = {row.model.slug: row for row in model_rankings(task=IMAGE, metric="co2e_per_image")}
    assert rows["stability/sd-test"].region is None
    assert rows["stability/sd-test"].region_label == "world average"
    assert rows["google/imagen-test"].region_label == "gcp/europe-west4"


@pytest.fixture
def market_halved(catalogue):
    """Market-based operational CO2e at half the location-based one everywhere, so reading the wrong column shows."""
    ModelFootprint.objects.update(**{f"operational_co2e_market_kg{side}": F(f"operational_co2e_kg{side}") * 0.5
                                     for side in ("_low", "", "_high")})  # fmt: skip


@pytest.mark.parametrize("basis, operational", [("location", "operational_co2e_kg"),
                                                ("market", "operational_co2e_market_kg")])  # fmt: skip
def test_co2e_per_request_is_operational_plus_embodied_in_grams_on_every_side(market_halved, basis, operational):
    row = next(r for r in model_rankings(task=TEXT, metric="co2e_per_request", basis=basis)
               if r.model.slug == "google/gemini-test")  # fmt: skip
    stored = footprint("google/gemini-test", "gcp/europe-west4")
    expected = [1000 * (getattr(stored, operational + side) + getattr(stored, "embodied_co2e_kg" + side))
                for side in ("_low", "", "_high")]  # fmt: skip
    assert triple(row) == pytest.approx(expected, rel=1e-12)
    assert row.low < row.central < row.high


def test_the_market_basis_reads_the_market_based_column_for_every_co2e_metric(market_halved):
    for metric, task in (("co2e_per_request", TEXT), ("co2e_per_image", IMAGE)):
        location = {r.model.slug: r.central for r in model_rankings(task=task, metric=metric, basis="location")}
        market = {r.model.slug: r.central for r in model_rankings(task=task, metric=metric, basis="market")}
        for slug, central in market.items():
            assert central < location[slug], (metric, slug)


def test_co2e_per_1k_output_tokens_is_a_thousand_times_the_output_token_rate(catalogue):
    row = next(r for r in model_rankings(task=TEXT, metric="co2e_per_1k_output_tokens")
               if r.model.slug == "meta/llama-3.1-8b")  # fmt: skip
    rate = footprint("meta/llama-3.1-8b", "gcp/us-east4").rate
    expected = [1000 * 1000 * (getattr(rate, f"operational_co2e_kg_per_output_token{side}")
                               + getattr(rate, f"embodied_co2e_kg_per_output_token{side}"))
                for side in ("_low", "", "_high")]  # fmt: skip
    assert triple(row) == pytest.approx(expected, rel=1e-12)
    # It leaves out input tokens, so 400 output tokens cost less than the whole typical request.
    per_request = next(r for r in model_rankings(task=TEXT, metric="co2e_per_request") if r.model == row.model)
    assert 0.4 * row.central < per_request.central


@pytest.mark.parametrize("metric, column", [("energy_per_request", "energy_kwh"), ("water_per_request", "water_l")])
def test_energy_and_water_are_in_wh_and_ml_and_do_not_depend_on_the_basis(catalogue, metric, column):
    location = model_rankings(task=TEXT, metric=metric, basis="location")
    market = model_rankings(task=TEXT, metric=metric, basis="market")
    assert [triple(r) for r in location] == [triple(r) for r in market]
    row = next(r for r in location if r.model.slug == "meta/llama-3.1-8b")
    stored = footprint("meta/llama-3.1-8b", "gcp/us-east4")
    assert row.central == pytest.approx(1000 * getattr(stored, column))


def test_co2e_per_image_divides_the_request_by_the_images_in_it(catalogue):
    def figures(metric):
        return {r.model.slug: triple(r) for r in model_rankings(task=IMAGE, metric=metric)}

    assert footprint("stability/sd-test", None).output_tokens == 1  # a typical image request is one image
    assert figures("co2e_per_image") == figures("co2e_per_request")
    ModelFootprint.objects.filter(ai_model__slug="stability/sd-test").update(output_tokens=2)
    per_request = figures("co2e_per_request")["stability/sd-test"]
    assert figures("co2e_per_image")["stability/sd-test"] == pytest.approx([v / 2 for v in per_request])


def test_a_metric_that_does_not_apply_to_the_task_is_refused(catalogue):
    with pytest.raises(ValueError, match="does not apply"):
        model_rankings(task=TEXT, metric="co2e_per_image")


def test_a_region_filter_ranks_every_model_by_its_footprint_in_that_region(catalogue):
    east = Region.objects.get(slug="gcp/us-east4")
    rows = model_rankings(task=TEXT, metric="co2e_per_request", region=east)
    assert {row.region_label for row in rows} == {"gcp/us-east4"}
    gemini = next(row for row in rows if row.model.slug == "google/gemini-test")
    stored = footprint("google/gemini-test", "gcp/us-east4")
    assert gemini.central == pytest.approx(1000 * (stored.operational_co2e_kg + stored.embodied_co2e_kg))
    assert len(rows) == 3


def test_a_zone_filter_keeps_the_models_served_from_a_region_on_that_grid(catalogue):
    netherlands = GridZone.objects.get(code="NLD")
    rows = model_rankings(task=TEXT, metric="co2e_per_request", zone=netherlands)
    assert [(row.model.slug, row.region_label) for row in rows] == [("google/gemini-test", "gcp/europe-west4")]
    assert model_rankings(task=TEXT, metric="co2e_per_request", zone=GridZone.objects.get(code="FRA")) == []


def test_open_weights_only_keeps_open_weights_models(catalogue):
    rows = model_rankings(task=TEXT, metric="co2e_per_request", open_weights_only=True)
    assert [row.model.slug for row in rows] == ["meta/llama-3.1-8b"]


def test_a_model_whose_footprint_is_not_computed_yet_is_left_out(catalogue):
    ModelFootprint.objects.filter(ai_model__slug="google/gemini-small-test").update(
        operational_co2e_kg=None, operational_co2e_kg_low=None, operational_co2e_kg_high=None
    )
    rows = model_rankings(task=TEXT, metric="co2e_per_request")
    assert "google/gemini-small-test" not in {row.model.slug for row in rows}
    assert [row.rank for row in rows] == [1, 2]


def test_equal_figures_share_a_rank_and_the_next_rank_skips():
    assert _competition_ranks([1.0, 2.0, 2.0, 3.0]) == [1, 2, 2, 4]
    assert _competition_ranks([]) == []


def test_vendor_rankings_take_the_median_of_the_vendors_models_on_each_side(catalogue):
    models = model_rankings(task=TEXT, metric="co2e_per_request")
    vendors = {row.vendor.slug: row for row in vendor_rankings(task=TEXT, metric="co2e_per_request")}
    google = [row for row in models if row.vendor.slug == "google"]
    assert len(google) == 2 and vendors["google"].models == 2
    for side in ("low", "central", "high"):  # median of two = their mean
        assert getattr(vendors["google"], side) == pytest.approx(sum(getattr(r, side) for r in google) / 2)
    meta = next(row for row in models if row.vendor.slug == "meta")
    assert triple(vendors["meta"]) == triple(meta)
    assert [vendors["meta"].rank, vendors["google"].rank] == [1, 2]


def test_one_outlier_model_does_not_move_its_vendors_figure(catalogue):
    template = footprint("meta/llama-3.1-8b", "gcp/us-east4")
    source = AIModel.objects.get(slug="meta/llama-3.1-8b")
    for i, factor in enumerate((1.0, 100.0)):
        clone = AIModel.objects.create(vendor=source.vendor, slug=f"meta/clone-{i}", name=f"Clone {i}", task=TEXT,
                                       architecture="dense", source=source.source)  # fmt: skip
        template.pk, template.ai_model = None, clone
        for column in ("operational_co2e_kg", "embodied_co2e_kg"):
            for side in ("_low", "", "_high"):
                setattr(template, column + side, getattr(source.footprints.get(), column + side) * factor)
        template.save()
    meta = next(row for row in vendor_rankings(task=TEXT, metric="co2e_per_request") if row.vendor.slug == "meta")
    llama = next(row for row in model_rankings(task=TEXT, metric="co2e_per_request") if row.model == source)
    assert meta.models == 3
    assert triple(meta) == pytest.approx(triple(llama))  # the median; a mean would be 34 times higher


def test_a_ranking_is_one_query_whatever_the_size_of_the_catalogue(catalogue, django_assert_num_queries):
    def rank_and_read():
        rows = model_rankings(task=TEXT, metric="co2e_per_1k_output_tokens")
        return [(row.model.name, row.vendor.name, row.region_label, row.is_stale) for row in rows]

    with django_assert_num_queries(1):
        assert len(rank_and_read()) == 3
    template = footprint("meta/llama-3.1-8b", "gcp/us-east4")
    source = AIModel.objects.get(slug="meta/llama-3.1-8b")
    for i in range(5):
        clone = AIModel.objects.create(vendor=source.vendor, slug=f"meta/clone-{i}", name=f"Clone {i}", task=TEXT,
                                       architecture="dense", source=source.source)  # fmt: skip
        template.pk, template.ai_model = None, clone
        template.save()  # a copy of Llama's footprint for the clone
    with django_assert_num_queries(1):
        assert len(rank_and_read()) == 8


@pytest.mark.parametrize("value, text", [
    (0.17818, "0.178"), (12.345, "12.3"), (0.000812345, "0.000812"), (9.996, "10"), (1234.5, "1230"), (0.1, "0.1"),
    (0, "0"), (None, "—"),
])  # fmt: skip
def test_figures_are_shown_to_three_significant_figures(value, text):
    assert format_value(value) == text


# -- the filters ------------------------------------------------------------------------------------------------


def bound(query: str) -> RankingFilter:
    filters = RankingFilter(QueryDict(query))
    filters.is_valid()
    return filters


def test_an_empty_query_string_means_the_default_ranking(catalogue):
    filters = bound("")
    assert filters.is_valid()
    assert filters.selection == {"task": TEXT, "metric": "co2e_per_request", "basis": "location", "region": None,
                                 "zone": None, "open_weights_only": False}  # fmt: skip
    assert filters.presentation == {"group": "model", "sort": "rank"}


def test_the_filters_turn_the_query_string_into_the_selectors_arguments(catalogue):
    filters = bound("task=image-generation&metric=co2e_per_image&basis=market&region=gcp/europe-west4&open_weights=on")
    assert filters.is_valid(), filters.errors
    assert filters.selection["region"] == Region.objects.get(slug="gcp/europe-west4")
    assert filters.selection["open_weights_only"] is True
    assert filters.selection["basis"] == "market"


@pytest.mark.parametrize("query, parameter, words", [
    ("task=poetry", "task", "Unknown task “poetry”"),
    ("metric=vibes", "metric", "Unknown metric “vibes”"),
    ("basis=hope", "basis", "Unknown basis “hope”"),
    ("region=gcp/mars-1", "region", "Unknown region “gcp/mars-1”"),
    ("zone=ATLANTIS", "zone", "Unknown grid zone “ATLANTIS”"),
    ("group=family", "group", "Unknown grouping “family”"),
    ("sort=colour", "sort", "Unknown sort “colour”"),
    ("metric=co2e_per_image", "metric", "does not apply to the task “text-generation”"),
    ("region=gcp/us-east4&zone=USA", "zone", "not both"),
    ("group=vendor&sort=region", "sort", "Cannot sort vendor rankings"),
])  # fmt: skip
def test_each_bad_parameter_gets_a_message_that_names_it(catalogue, query, parameter, words):
    filters = bound(query)
    assert not filters.is_valid()
    assert any(message.startswith(f"{parameter}: ") and words in message for message in filters.error_messages())


def test_as_a_filterset_its_queryset_is_the_footprint_that_stands_for_each_model(catalogue):
    filters = RankingFilter(QueryDict("task=text-generation"), queryset=ModelFootprint.objects.all())
    chosen = {(f.ai_model.slug, f.region.slug) for f in filters.qs.select_related("ai_model", "region")}
    assert chosen == {("meta/llama-3.1-8b", "gcp/us-east4"), ("google/gemini-test", "gcp/europe-west4"),
                      ("google/gemini-small-test", "gcp/us-east4")}  # fmt: skip


@pytest.mark.parametrize(
    ("value", "text"),
    [(26_712_000_000, "26.7 billion"), (1e9, "1 billion"), (4_210_000, "4.21 million"), (12_345, "12,300"),
     (2.5e12, "2.5 trillion"), (0.5, "0.5")],
)  # fmt: skip
def test_large_counts_read_in_words(value, text):
    assert format_count(value) == text
