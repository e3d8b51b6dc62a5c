"""AI Footprint methodology engine: pure functions over plain values and NumPy arrays (no Django).

Public API (see docs/methodology.md for formulas and sources):

- ranges and inputs: ``Estimate``, ``ModelProfile``, ``AcceleratorProfile``, ``Deployment``, ``ZoneFactors``
- inference: ``text_generation_coefficients``, ``task_coefficients``, ``evaluate``, ``evaluate_units``,
  ``estimate_text_inference``, ``estimate_task_inference``, ``accelerators_needed``
- training: ``TrainingRun``, ``estimate_training``, ``amortise_training``
- batch: ``FactorTables``, ``estimate_batch``, ``estimate_records``
- functional units: ``sci``, ``sci_of_result``, ``per_1k_output_tokens``, ``per_million_tokens``,
  ``per_image``, ``per_month``
- ``METHODOLOGY_VERSION``
"""

from .batch import BatchResult, FactorTables, estimate_batch, estimate_records
from .constants import METHODOLOGY_VERSION
from .estimate import Estimate
from .functional_units import (
    TYPICAL_REQUESTS,
    TypicalRequest,
    per_1k_output_tokens,
    per_image,
    per_million_tokens,
    per_month,
    per_unit,
    sci,
    sci_of_result,
)
from .inference import (
    InferenceCoefficients,
    ZoneFactors,
    accelerators_needed,
    estimate_task_inference,
    estimate_text_inference,
    evaluate,
    evaluate_units,
    task_coefficients,
    text_generation_coefficients,
    tts_units_from_characters,
)
from .profiles import TASKS, AcceleratorProfile, Deployment, ModelProfile
from .results import BREAKDOWN, METRICS, FootprintResult, Metrics
from .training import TrainingRun, amortise_training, estimate_training

__all__ = [
    "BREAKDOWN",
    "METHODOLOGY_VERSION",
    "METRICS",
    "TASKS",
    "TYPICAL_REQUESTS",
    "AcceleratorProfile",
    "BatchResult",
    "Deployment",
    "Estimate",
    "FactorTables",
    "FootprintResult",
    "InferenceCoefficients",
    "Metrics",
    "ModelProfile",
    "TrainingRun",
    "TypicalRequest",
    "ZoneFactors",
    "accelerators_needed",
    "amortise_training",
    "estimate_batch",
    "estimate_records",
    "estimate_task_inference",
    "estimate_text_inference",
    "estimate_training",
    "evaluate",
    "evaluate_units",
    "per_1k_output_tokens",
    "per_image",
    "per_million_tokens",
    "per_month",
    "per_unit",
    "sci",
    "sci_of_result",
    "task_coefficients",
    "text_generation_coefficients",
    "tts_units_from_characters",
]
