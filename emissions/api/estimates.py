"""POST /api/v1/estimates/inference and /training: ``manage.py estimate`` over HTTP.

Same inputs (the command's options, ``--output-tokens`` as ``output_tokens``), same rules (tokens are per
request; a place is a region, a zone or a bare grid intensity, one at most; PUE at least 1; training needs hours
or a disclosed energy) and the same JSON as ``--format json``: both call ``emissions.estimation`` with the same
arguments (``emissions.estimate_requests``), and a test runs both on the same input and compares the output. The
one difference is where they read the catalogue: the command asks the database, the API asks this process's
in-memory indexes of the factors and of the models, accelerators, regions and zones (``emissions.factor_index``,
``emissions.entity_index``), kept while the catalogue version is unchanged, so an estimate reads nothing but that
version, at most once a second.
"""

from __future__ import annotations

import copy

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from emissions.api.common import FiniteFloatField, PublicReadMixin, error_responses
from emissions.api_serializers import EstimateResultSerializer
from emissions.catalogue_version import CatalogueMemo
from emissions.engine import FootprintResult
from emissions.entity_index import current_entity_index
from emissions.estimate_requests import inference_from, training_from
from emissions.estimation import EstimateInputError
from emissions.factor_index import current_factor_index

TAG = "estimates"
# A sanity ceiling on every number given, not a physical bound: no real workload comes near it, and products of a
# few such numbers stay far below float overflow (about 1.8e308). Above it the API answers 400 naming the field.
# The command has no ceiling: only the engine's refusal of a non-finite total (1e200 tokens x 1e200 requests)
# stops it.
MAX_QUANTITY = 1e15
PLACE_FIELDS = ("region", "zone", "grid_intensity")


def _number(*, positive: bool = False, **kwargs) -> FiniteFloatField:
    """Like the command's ``non_negative``: finite, 0 or more (or more than 0), here also at most MAX_QUANTITY."""
    too_large = {"max_value": f"Must be at most {MAX_QUANTITY:g}: no real workload is that large."}
    return FiniteFloatField(min_value=0, max_value=MAX_QUANTITY, error_messages=too_large,
                            validators=[_positive] if positive else [], **kwargs)  # fmt: skip


def _positive(value: float) -> None:
    if value == 0:
        raise serializers.ValidationError("Must be greater than 0.")


# A serializer of plain fields (no nested serializers) that copies its declared fields one level deep. DRF
# deep-copies every declared field for each serializer instance, rebuilding each field and its validators: that
# was three quarters of an estimate's own CPU time. A shallow copy is enough here: binding sets the name and parent
# on the copy, and nothing changes a field's validators or messages afterwards (the idea of DRF's pull request
# #4587). A comment, not a docstring: the schema would show a docstring as the inputs' description.
class FlatInputSerializer(serializers.Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}


class PlaceSerializer(FlatInputSerializer):
    region = serializers.CharField(required=False, help_text="Cloud region slug, e.g. aws/us-east-1.")
    zone = serializers.CharField(required=False, help_text="Grid zone code, e.g. FRA or US-CAL-CISO.")
    grid_intensity = _number(required=False, help_text="gCO₂e/kWh, instead of a region or zone.")
    pue = FiniteFloatField(required=False, min_value=1, max_value=MAX_QUANTITY, help_text="Facility PUE (≥ 1).")

    def validate(self, data: dict) -> dict:
        given = [field for field in PLACE_FIELDS if data.get(field) is not None]
        if len(given) > 1:
            raise serializers.ValidationError({given[1]: f"Give one of region, zone or grid_intensity, not both "
                                                         f"{given[0]} and {given[1]}."})  # fmt: skip
        return data


class InferenceInputSerializer(PlaceSerializer):
    model = serializers.CharField(help_text="Model slug, e.g. meta/llama-3.1-8b.")
    output_tokens = _number(help_text="Output tokens per request (images, 1k embedded tokens or audio seconds for "
                            "other tasks).")  # fmt: skip
    input_tokens = _number(required=False, default=0.0, help_text="Input tokens per request.")
    requests = _number(positive=True, required=False, default=1.0)
    accelerator = serializers.CharField(required=False, help_text="Serving accelerator slug (default: the model's).")
    batch_size = _number(positive=True, required=False, help_text="Concurrent sequences per accelerator.")


class TrainingInputSerializer(PlaceSerializer):
    accelerator = serializers.CharField(help_text="Accelerator slug, e.g. nvidia-a100-sxm-80gb.")
    accelerator_hours = _number(required=False)
    accelerator_count = serializers.IntegerField(required=False, min_value=0, max_value=int(MAX_QUANTITY))
    hours = _number(required=False, help_text="Wall-clock hours (with accelerator_count).")
    power_watts = _number(positive=True, required=False, help_text="Average power per accelerator, W.")
    energy_kwh = _number(required=False, help_text="Disclosed energy, kWh.")

    def validate(self, data: dict) -> dict:
        data = super().validate(data)
        pair = data.get("accelerator_count") is not None and data.get("hours") is not None
        if data.get("accelerator_hours") is None and not pair and data.get("energy_kwh") is None:
            raise serializers.ValidationError({"accelerator_hours": "Give accelerator_hours, or accelerator_count "
                                                                    "with hours, or energy_kwh."})  # fmt: skip
        return data


# The engine's coefficients per (model, place, accelerator, batch size, PUE, day). One pickles to 3.5 kB with the
# demo catalogue, most of it factor references that the factor index holds anyway: 4,096 stay under 15 MB.
COEFFICIENTS = CatalogueMemo(maxsize=4096)


def inference_estimate(data: dict) -> FootprintResult:
    """The command's ``estimate inference``, from this process's indexes and coefficients already computed."""
    _, result = inference_from(
        data, lookups=current_entity_index(), source=current_factor_index(), coefficients_memo=COEFFICIENTS
    )
    return result


def training_estimate(data: dict) -> FootprintResult:
    """The command's ``estimate training``, from this process's indexes."""
    _, result = training_from(data, lookups=current_entity_index(), source=current_factor_index())
    return result


def _field_of(option: str) -> str:
    """``--output-tokens`` -> ``output_tokens``: the command's option names the API field."""
    return option.removeprefix("--").replace("-", "_")


class EstimateApi(PublicReadMixin, APIView):
    """Validates, estimates, answers with ``FootprintResult.to_dict()``: the command's JSON, key for key."""

    input_serializer: type[serializers.Serializer]

    def estimate(self, data: dict) -> FootprintResult:
        raise NotImplementedError

    def post(self, request):
        incoming = self.input_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            result = self.estimate(incoming.validated_data)
        except EstimateInputError as exc:
            message = str(exc).removeprefix(f"{exc.option}: ")
            raise exceptions.ValidationError({_field_of(exc.option): message}) from None
        except ValueError as exc:  # the engine refusing an input it cannot use, as the command reports it
            raise exceptions.ValidationError(str(exc)) from None
        return Response(result.to_dict())


RESULT_EXAMPLE = {
    "energy_kwh": 0.00098, "operational_co2e_kg": 0.00037, "operational_co2e_market_kg": 0.00035,
    "embodied_co2e_kg": 0.00002, "total_co2e_kg": 0.00039, "water_l": 0.0017,
    "ranges": {"energy_kwh": [0.00041, 0.0021], "operational_co2e_kg": [0.00015, 0.0008],
               "operational_co2e_market_kg": [0.00014, 0.00076], "embodied_co2e_kg": [0.00002, 0.00004],
               "total_co2e_kg": [0.00017, 0.00084], "water_l": [0.0007, 0.0036]},
    "breakdown": {"accelerator_kwh": 0.00071, "host_kwh": 0.00018, "facility_overhead_kwh": 0.00009},
    "factors": [{"id": 412, "kind": "grid_intensity_location", "subject": "US-MIDA-PJM — PJM Interconnection",
                 "value": 418.0, "low": None, "high": None, "unit": "gCO2e/kWh", "valid_from": "2025-01-01",
                 "valid_to": None, "source": "Electricity Maps: Yearly carbon intensity averages 2021-2025 (2026)",
                 "source_url": "https://www.electricitymaps.com/data-portal", "version": 1803}],
    "methodology_version": "1.4",
}  # fmt: skip
INFERENCE_EXAMPLE = {"model": "meta/llama-3.1-8b", "output_tokens": 400, "input_tokens": 1000, "requests": 1,
                     "region": "gcp/us-east4"}  # fmt: skip
TRAINING_EXAMPLE = {"accelerator": "nvidia-v100", "accelerator_count": 10000, "hours": 355.2, "power_watts": 330,
                    "pue": 1.1, "grid_intensity": 429}  # fmt: skip


def _estimate_schema(operation_id: str, summary: str, description: str, request, example: dict):
    return extend_schema(
        operation_id=operation_id, summary=summary, description=description, tags=[TAG], request=request,
        responses={200: EstimateResultSerializer, **error_responses(400)},
        examples=[OpenApiExample(summary, value=example, request_only=True),
                  OpenApiExample("Result", value=RESULT_EXAMPLE, response_only=True)],
    )  # fmt: skip


@extend_schema_view(post=_estimate_schema(
    "estimates_inference_create", "Estimate inference",
    "Energy, CO₂e and water of `requests` requests to a model, from the catalogue's approved factors in force "
    "today (the model's serving accelerator and first serving region unless given), with ranges, the energy "
    "breakdown, per-request figures and every factor used. `manage.py estimate inference --format json` gives the "
    "same JSON for the same input.", InferenceInputSerializer, INFERENCE_EXAMPLE))  # fmt: skip
class InferenceEstimateApi(EstimateApi):
    input_serializer = InferenceInputSerializer

    def estimate(self, data: dict) -> FootprintResult:
        return inference_estimate(data)


@extend_schema_view(post=_estimate_schema(
    "estimates_training_create", "Estimate a training run",
    "Energy, CO₂e and water of a training run on an accelerator: from accelerator-hours (or count × hours) with "
    "its power, or from a disclosed energy. `manage.py estimate training --format json` gives the same JSON for "
    "the same input.", TrainingInputSerializer, TRAINING_EXAMPLE))  # fmt: skip
class TrainingEstimateApi(EstimateApi):
    input_serializer = TrainingInputSerializer

    def estimate(self, data: dict) -> FootprintResult:
        return training_estimate(data)
