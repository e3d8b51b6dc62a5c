"""An estimate as ``manage.py estimate`` and ``POST /api/v1/estimates/…`` ask for it, computed one way for both.

Both take the same inputs under the same names (the command's options, the API's fields): identifiers (a model,
an accelerator, a region or a zone), tokens per request and a number of requests, the training quantities. This
module turns them into ``emissions.estimation`` calls. The only difference is where identifiers and factors are
looked up: the command asks the database (``DATABASE_LOOKUPS``, ``DatabaseFactors``), the API this process's
in-memory indexes (``emissions.entity_index``, ``emissions.factor_index``), which answer the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from django.utils import timezone

from emissions import estimation
from emissions.catalogue_version import CatalogueMemo
from emissions.engine import FootprintResult, InferenceCoefficients
from emissions.estimation import DATABASE, Place
from emissions.factor_index import FactorSource
from vendors.models import Accelerator, AIModel, GridZone, Region


class CatalogueLookups(Protocol):
    """Finds catalogue entries by identifier (case-insensitive); an unknown one raises ``EstimateInputError``."""

    def model(self, slug: str) -> AIModel: ...

    def accelerator(self, slug: str) -> Accelerator: ...

    def region(self, slug: str) -> Region: ...

    def zone(self, code: str) -> GridZone: ...

    def default_place(self, model: AIModel) -> Place: ...


class DatabaseLookups:
    """Asks the database each time: right for one estimate."""

    def model(self, slug: str) -> AIModel:
        return estimation.find_model(slug)

    def accelerator(self, slug: str) -> Accelerator:
        return estimation.find_accelerator(slug)

    def region(self, slug: str) -> Region:
        return estimation.find_region(slug)

    def zone(self, code: str) -> GridZone:
        return estimation.find_zone(code)

    def default_place(self, model: AIModel) -> Place:
        return estimation.default_place(model)


DATABASE_LOOKUPS = DatabaseLookups()


def place_from(inputs: Mapping, lookups: CatalogueLookups) -> Place | None:
    """A region, else a zone, else a bare grid intensity; None when none is given."""
    if inputs.get("region"):
        return Place(region=lookups.region(inputs["region"]))
    if inputs.get("zone"):
        return Place(zone=lookups.zone(inputs["zone"]))
    if inputs.get("grid_intensity") is not None:
        return Place(grid_intensity=inputs["grid_intensity"])
    return None


def inference_from(
    inputs: Mapping,
    *,
    lookups: CatalogueLookups = DATABASE_LOOKUPS,
    source: FactorSource = DATABASE,
    coefficients_memo: CatalogueMemo | None = None,
) -> tuple[AIModel, FootprintResult]:
    """The model and the footprint of ``requests`` requests: tokens are per request, the model's accelerator and
    first serving region apply unless given.

    With ``coefficients_memo`` (the API's), the engine's coefficients for a model in a place are computed once per
    catalogue version: footprints are linear in the quantities, so only those differ between such estimates.
    """
    model = lookups.model(inputs["model"])
    accelerator = lookups.accelerator(inputs["accelerator"]) if inputs.get("accelerator") else None
    place = place_from(inputs, lookups) or lookups.default_place(model)
    batch_size, pue, on = inputs.get("batch_size"), inputs.get("pue"), timezone.now().date()

    def coefficients() -> InferenceCoefficients:
        return estimation.inference_coefficients(
            model=model, place=place, accelerator=accelerator, batch_size=batch_size, pue=pue, on=on, source=source
        )

    if coefficients_memo is None:
        found = coefficients()
    else:
        key = (model.pk, place, accelerator.pk if accelerator else None, batch_size, pue, on)
        found = coefficients_memo.get_or_compute(key, coefficients)
    requests = inputs["requests"]
    result = estimation.evaluate_inference(
        found, task=model.task, output_tokens=inputs["output_tokens"] * requests,
        input_tokens=inputs["input_tokens"] * requests, requests=requests,
    )  # fmt: skip
    return model, result


def training_from(
    inputs: Mapping, *, lookups: CatalogueLookups = DATABASE_LOOKUPS, source: FactorSource = DATABASE
) -> tuple[Accelerator, FootprintResult]:
    """The accelerator and the footprint of a training run on it (its place, if any, as for inference)."""
    accelerator = lookups.accelerator(inputs["accelerator"])
    result = estimation.estimate_training(
        accelerator=accelerator, accelerator_hours=inputs.get("accelerator_hours"),
        accelerator_count=inputs.get("accelerator_count"), hours=inputs.get("hours"),
        power_watts=inputs.get("power_watts"), pue=inputs.get("pue"), energy_kwh=inputs.get("energy_kwh"),
        place=place_from(inputs, lookups), source=source,
    )  # fmt: skip
    return accelerator, result
