"""The catalogue shipped in data/: the coverage the product promises, and a source for every number."""

import csv
import re
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "data"


@cache
def rows(name: str) -> list[dict[str, str]]:
    with (DATA / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@cache
def source_keys() -> set[str]:
    keys = set()
    for path in (DATA / "sources").glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            keys |= {row["key"] for row in csv.DictReader(handle)}
    return keys


def test_ten_named_vendors():
    slugs = {row["slug"] for row in rows("vendors")}
    expected = {"openai", "anthropic", "google", "meta", "mistral", "cohere", "deepseek", "alibaba", "microsoft",
                "amazon"}  # fmt: skip
    assert expected <= slugs


def test_forty_models_over_at_least_four_tasks():
    models = rows("models")
    assert len(models) >= 40
    tasks = Counter(row["task"] for row in models)
    assert len(tasks) >= 4, tasks


def test_open_weight_models_have_exact_parameters_and_closed_ones_say_whose_estimate():
    factors = defaultdict(dict)
    for row in rows("model_factors"):
        factors[row["model"]][row["kind"]] = row
    for model in rows("models"):
        params = factors[model["slug"]].get("total_params")
        if params is None:
            continue
        if model["open_weights"] == "true":
            assert not params["value_low"] and not params["value_high"], model["slug"]
        else:  # closed: the maker's published size, or a third party's estimate that says whose it is
            note = params["note"].lower()
            assert "published" in note or ("estimate by" in note), model["slug"]


def test_the_accelerators_past_and_present():
    slugs = {row["slug"] for row in rows("accelerators")}
    required = {"nvidia-p100", "nvidia-v100", "nvidia-a100-sxm-40gb", "nvidia-a100-sxm-80gb", "nvidia-h100-sxm",
                "nvidia-h100-pcie", "nvidia-h200", "nvidia-b200", "nvidia-l4", "google-tpu-v2", "google-tpu-v3",
                "google-tpu-v4", "google-tpu-v5e", "google-tpu-v5p", "aws-trainium", "aws-inferentia2",
                "amd-mi300x"}  # fmt: skip
    assert required <= slugs
    assert len(slugs) >= 14


def test_sixty_cloud_regions_across_three_clouds_with_pue():
    regions = rows("regions")
    operators = Counter(row["operator"] for row in regions)
    assert sum(operators[op] for op in ("aws", "gcp", "azure")) >= 60
    assert all(operators[op] >= 10 for op in ("aws", "gcp", "azure")), operators
    with_pue = {row["region"] for row in rows("region_factors") if row["kind"] == "pue"}
    assert {row["slug"] for row in regions} <= with_pue
    with_wue = {row["region"] for row in rows("region_factors") if row["kind"] == "wue"}
    cloud = {row["slug"] for row in regions if row["operator"] in ("aws", "gcp", "azure")}
    assert cloud <= with_wue


def test_grid_intensity_for_150_countries_and_30_subnational_zones():
    kinds = {row["code"]: row["kind"] for row in rows("zones")}
    with_intensity = {row["zone"] for row in rows("zone_factors") if row["kind"] == "grid_intensity_location"}
    assert sum(1 for code in with_intensity if kinds[code] == "country") >= 150
    assert sum(1 for code in with_intensity if kinds[code] == "subnational") >= 30


def test_thirty_zones_have_a_series_of_several_years():
    years = defaultdict(set)
    for row in rows("zone_factors"):
        if row["kind"] == "grid_intensity_location":
            years[row["zone"]].add(row["valid_from"][:4])
    assert sum(1 for zone_years in years.values() if len(zone_years) >= 3) >= 30


def test_disclosed_training_runs_are_present():
    runs = {row["model"]: row for row in rows("training_runs")}
    assert {"openai/gpt-3", "meta/llama-2-70b", "meta/llama-3.1-405b"} <= set(runs)
    assert float(runs["meta/llama-2-70b"]["reported_co2e_t_location"]) == pytest.approx(291.42)


SOURCED_FILES = ["vendors", "zones", "regions", "accelerators", "models", "model_quality", "training_runs",
                 "zone_factors", "region_factors", "accelerator_factors", "model_factors"]  # fmt: skip


@pytest.mark.parametrize("name", SOURCED_FILES)
def test_every_row_names_a_defined_source(name):
    missing = [(i, row["source"]) for i, row in enumerate(rows(name), start=2) if row["source"] not in source_keys()]
    assert not missing, f"data/{name}.csv rows without a defined source: {missing[:10]}"


def test_every_source_has_publisher_title_and_licence_and_is_listed_in_sources_md():
    listing = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    for path in (DATA / "sources").glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                assert row["publisher"] and row["title"] and row["licence"], row["key"]
                assert row["key"] in listing, f"{row['key']} is not listed in data/SOURCES.md"


def test_slug_formats():
    assert all(re.fullmatch(r"[a-z0-9-]+/[a-z0-9][a-z0-9.-]*", row["slug"]) for row in rows("models"))
    assert all(row["slug"].startswith(row["vendor"] + "/") for row in rows("models"))
    assert all(re.fullmatch(r"[a-z0-9-]+/[a-z0-9-]+", row["slug"]) for row in rows("regions"))
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9.-]*", row["slug"]) for row in rows("accelerators"))
    assert all(re.fullmatch(r"[A-Z]{3}", row["code"]) for row in rows("zones") if row["kind"] == "country")


@pytest.mark.django_db
def test_the_shipped_catalogue_loads_and_a_second_load_changes_nothing():
    from emissions.models import EmissionFactor
    from emissions.services.catalogue import catalogue_load

    first = catalogue_load(data_dir=DATA)
    assert first.tables["factors"].created > 2000
    history = EmissionFactor.history.count()
    second = catalogue_load(data_dir=DATA)
    assert not second.changed
    assert EmissionFactor.history.count() == history
    assert not EmissionFactor.objects.filter(source__isnull=True).exists()
