"""The catalogue loader: all-or-nothing, idempotent, and updating only what changed (through the history)."""

import csv
from pathlib import Path

import pytest

from emissions.catalogue.csvfiles import CatalogueError
from emissions.models import EmissionFactor, Source
from emissions.services.catalogue import catalogue_load
from vendors.models import AIModel, GridZone, Region, TrainingRun, Vendor

pytestmark = pytest.mark.django_db


def table_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Source, GridZone, Region, Vendor, AIModel,
                                                                  TrainingRun, EmissionFactor)}  # fmt: skip


def history_counts() -> dict[str, int]:
    return {model.__name__: model.history.count() for model in (Source, GridZone, Region, Vendor, AIModel,
                                                                  TrainingRun, EmissionFactor)}  # fmt: skip


def edit_cell(path: Path, match: dict[str, str], column: str, value: str) -> None:
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
        header = list(rows[0].keys())
    hits = [row for row in rows if all(row[k] == v for k, v in match.items())]
    assert len(hits) == 1, f"expected one row matching {match}"
    hits[0][column] = value
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)


def test_first_load_creates_everything_with_approved_factors(catalogue_dir):
    report = catalogue_load(data_dir=catalogue_dir)
    assert report.tables["factors"].created == 16
    assert EmissionFactor.objects.filter(status=EmissionFactor.Status.APPROVED).count() == 16
    model = AIModel.objects.get(slug="google/gemini-test")
    assert sorted(model.serving_regions.values_list("slug", flat=True)) == ["gcp/europe-west4", "gcp/us-east4"]


def test_second_load_changes_nothing(small_catalogue):
    before, history_before = table_counts(), history_counts()
    report = catalogue_load(data_dir=small_catalogue)
    assert not report.changed
    assert table_counts() == before
    assert history_counts() == history_before


def test_an_edited_value_updates_only_that_factor_through_the_history(small_catalogue):
    edit_cell(small_catalogue / "zone_factors.csv", {"zone": "USA"}, "value", "370")
    history_before = history_counts()
    report = catalogue_load(data_dir=small_catalogue)
    assert report.tables["factors"].updated == 1
    assert report.tables["factors"].unchanged == 15
    factor = EmissionFactor.objects.get(zone__code="USA", kind="grid_intensity_location")
    assert factor.value == 370
    assert [h.value for h in factor.history.all()] == [370, 369]
    assert factor.history.first().history_change_reason.startswith("catalogue: data/zone_factors.csv line")
    assert history_counts()["EmissionFactor"] == history_before["EmissionFactor"] + 1
    assert report.changed_factor_ids == [factor.pk]


def test_an_edited_serving_region_list_updates_the_model(small_catalogue):
    edit_cell(small_catalogue / "models.csv", {"slug": "google/gemini-test"}, "serving_regions", "gcp/us-east4")
    report = catalogue_load(data_dir=small_catalogue)
    assert report.tables["models"].updated == 1
    model = AIModel.objects.get(slug="google/gemini-test")
    assert list(model.serving_regions.values_list("slug", flat=True)) == ["gcp/us-east4"]


@pytest.mark.parametrize(
    ("file", "match", "column", "value", "expected"),
    [
        ("zone_factors.csv", {"zone": "USA"}, "value", "-5", "zone_factors.csv line 4, column value: -5 is negative"),
        ("zone_factors.csv", {"zone": "USA"}, "value", "lots", "column value: 'lots' is not a number"),
        ("zone_factors.csv", {"zone": "USA"}, "zone", "XXX", "column zone: unknown zone 'XXX'"),
        ("zone_factors.csv", {"zone": "USA"}, "unit", "kg/kWh", "Unit 'kg/kWh' is not valid"),
        ("zone_factors.csv", {"zone": "USA"}, "source", "", "column source: is required"),
        ("zone_factors.csv", {"zone": "USA"}, "valid_from", "2023-13-01", "is not a date"),
        ("zone_factors.csv", {"zone": "NLD"}, "zone", "FRA", "line 6, column valid_from: duplicates"),
        (
            "zone_factors.csv",
            {"valid_to": "2024-01-01"},
            "valid_to",
            "2024-06-01",
            "line 2, column valid_from: period 2023-01-01 → 2024-06-01 overlaps approved factor",
        ),
        ("region_factors.csv", {"region": "gcp/us-east4"}, "value", "0.9", "at least 1"),
        ("models.csv", {"slug": "meta/llama-3.1-8b"}, "slug", "Meta/Llama", "slug"),
        ("models.csv", {"slug": "meta/llama-3.1-8b"}, "serving_regions", "aws/nowhere", "unknown region"),
        ("vendors.csv", {"slug": "meta"}, "hq_country", "US", "ISO 3166-1 alpha-3"),
    ],
)
def test_any_bad_row_rejects_the_whole_load_naming_file_line_and_column(
    small_catalogue, file, match, column, value, expected
):
    edit_cell(small_catalogue / "zone_factors.csv", {"zone": "FRA", "kind": "electricity_water_intensity"},
              "value", "2.6")  # fmt: skip  # a valid change that must not land either
    edit_cell(small_catalogue / file, match, column, value)
    before, history_before = table_counts(), history_counts()
    with pytest.raises(CatalogueError) as excinfo:
        catalogue_load(data_dir=small_catalogue)
    assert expected in str(excinfo.value)
    assert table_counts() == before
    assert history_counts() == history_before
    assert EmissionFactor.objects.get(zone__code="FRA", kind="electricity_water_intensity").value == 2.5


def test_a_factor_a_curator_superseded_is_not_brought_back(small_catalogue, curator):
    from emissions.services.factors import factor_supersede

    factor = EmissionFactor.objects.get(zone__code="USA", kind="grid_intensity_location")
    factor_supersede(factor=factor, user=curator)
    catalogue_load(data_dir=small_catalogue)
    factor.refresh_from_db()
    assert factor.status == EmissionFactor.Status.SUPERSEDED


def test_a_conflicting_duplicate_source_is_an_error(small_catalogue):
    (small_catalogue / "sources" / "more.csv").write_text(
        "key,publisher,title,url,year,licence,note\nember-test,Somebody else,Other,,2020,CC0,\n"
    )
    with pytest.raises(CatalogueError, match="source 'ember-test' is defined differently"):
        catalogue_load(data_dir=small_catalogue)
