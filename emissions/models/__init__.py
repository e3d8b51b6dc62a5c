"""Models of the emissions app: the factor catalogue, stored footprints and recompute jobs."""

from emissions.models.factors import SUBJECT_FIELDS, EmissionFactor, Source
from emissions.models.footprints import (
    FootprintRate,
    ModelFootprint,
    ModelFootprintVersion,
    TrainingFootprint,
    UsageRollup,
)
from emissions.models.jobs import RecomputeJob
from emissions.models.spend import SpendFactor

__all__ = [
    "SUBJECT_FIELDS",
    "EmissionFactor",
    "FootprintRate",
    "ModelFootprint",
    "ModelFootprintVersion",
    "RecomputeJob",
    "Source",
    "SpendFactor",
    "TrainingFootprint",
    "UsageRollup",
]
