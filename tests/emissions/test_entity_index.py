"""emissions.entity_index: the in-memory look-ups estimates over HTTP use answer as the database look-ups of
``manage.py estimate`` do, for every identifier of the catalogue, in any case, and fail with the same message."""

from __future__ import annotations

import pytest

from emissions import estimation
from emissions.entity_index import EntityIndex
from emissions.estimation import EstimateInputError
from tests.vendors.dashboard_catalogue import load_dashboard_catalogue
from vendors.models import Accelerator, AIModel, GridZone, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(catalogue_dir) -> EntityIndex:
    load_dashboard_catalogue(catalogue_dir)
    return EntityIndex.load()


def test_every_identifier_finds_what_the_database_finds_in_any_case(index):
    for model in AIModel.objects.all():
        assert index.model(model.slug.upper()) == estimation.find_model(model.slug.upper()) == model
        assert index.default_place(model) == estimation.default_place(model), model.slug
    for accelerator in Accelerator.objects.all():
        assert index.accelerator(accelerator.slug.title()) == estimation.find_accelerator(accelerator.slug)
    for region in Region.objects.all():
        assert index.region(region.slug.upper()) == estimation.find_region(region.slug)
    for zone in GridZone.objects.all():
        assert index.zone(zone.code.lower()) == estimation.find_zone(zone.code)


@pytest.mark.parametrize("kind, typed", [("model", "meta/llama"), ("accelerator", "nvidia"),
                                         ("region", "gcp/us"), ("zone", "fr")])  # fmt: skip
def test_an_unknown_identifier_fails_with_the_commands_message(index, kind, typed):
    with pytest.raises(EstimateInputError) as from_database:
        getattr(estimation, f"find_{kind}")(typed)
    with pytest.raises(EstimateInputError) as from_memory:
        getattr(index, kind)(typed)
    assert str(from_memory.value) == str(from_database.value)
    assert from_memory.value.option == f"--{kind}" and "closest matches" in str(from_memory.value)


def test_a_model_with_no_serving_region_is_placed_at_the_world_average(index):
    unplaced = AIModel.objects.filter(serving_regions__isnull=True).first()
    assert unplaced is not None and index.default_place(unplaced).region is None
