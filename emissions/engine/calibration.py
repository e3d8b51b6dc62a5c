"""Measured inference energy used to calibrate the text-generation energy model.

Each point is a GPU-energy measurement per output token (whole model replica, all its GPUs) for an
open model with known parameters, batch size and GPU. The fit (``fit_decode_coefficients``) solves
for the two coefficients of

    J/token = s_acc x [ k_w x (bytes/2) x min(P_total / B, P_active) + k_t x P_active ]

minimising the squared RELATIVE error over all points, where s_acc converts the measuring GPU to the
H100 reference by its joules per byte of memory traffic (TDP / memory bandwidth; decoding is bound
by memory bandwidth). The fitted values are stored in constants.py; tests refit and compare.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import constants as C


@dataclass(frozen=True)
class GpuSpec:
    name: str
    tdp_w: float
    memory_bandwidth_tb_s: float
    memory_gb: float
    source: str


# A table: one row per entry reads better than one value per line.
# fmt: off
GPU_SPECS: dict[str, GpuSpec] = {
    "H100-SXM-80GB": GpuSpec("H100-SXM-80GB", C.H100_TDP_W, C.H100_MEMORY_BANDWIDTH_TB_S, 80.0,
                             "NVIDIA H100 Tensor Core GPU datasheet (2022)"),
    "A100-SXM4-40GB": GpuSpec("A100-SXM4-40GB", 400.0, 1.555, 40.0,
                              "NVIDIA A100 Tensor Core GPU datasheet (2020)"),
    "A100-SXM4-80GB": GpuSpec("A100-SXM4-80GB", 400.0, 2.039, 80.0,
                              "NVIDIA A100 Tensor Core GPU datasheet (2021)"),
    "H200-SXM-141GB": GpuSpec("H200-SXM-141GB", 700.0, 4.8, 141.0, "NVIDIA H200 datasheet (2024)"),
    "B200-SXM-180GB": GpuSpec("B200-SXM-180GB", 1000.0, 8.0, 180.0, "NVIDIA DGX B200 datasheet (2024)"),
    "V100-SXM2-32GB": GpuSpec("V100-SXM2-32GB", 300.0, 0.9, 32.0, "NVIDIA V100 datasheet (2018)"),
}
# fmt: on


def joules_per_byte_ratio(tdp_w: float, bandwidth_tb_s: float) -> float:
    """Energy of one byte of memory traffic relative to the H100 reference (dimensionless)."""
    reference = C.H100_TDP_W / C.H100_MEMORY_BANDWIDTH_TB_S
    return (tdp_w / bandwidth_tb_s) / reference


@dataclass(frozen=True)
class CalibrationPoint:
    model: str
    gpu: str
    total_params_b: float
    active_params_b: float
    batch_size: float
    precision_bytes: float
    measured_j_per_output_token: float
    software: str
    source: str
    note: str = ""

    @property
    def accelerator_scale(self) -> float:
        spec = GPU_SPECS[self.gpu]
        return joules_per_byte_ratio(spec.tdp_w, spec.memory_bandwidth_tb_s)

    def features(self) -> tuple[float, float]:
        """(weight-streaming feature, per-token feature), both already multiplied by s_acc."""
        s = self.accelerator_scale
        weight = (self.precision_bytes / 2.0) * min(self.total_params_b / self.batch_size, self.active_params_b)
        return (s * weight, s * self.active_params_b)


_MLE_LONGITUDINAL = (
    "ML.ENERGY, 'LLM Inference Energy: A Longitudinal Analysis' (2026), "
    "https://ml.energy/blog/measurement/energy/llm-inference-energy-a-longitudinal-analysis"
)
_MLE_V1 = (
    "ML.ENERGY Leaderboard v1 data, github.com/ml-energy/leaderboard data/A100_chat_benchmark.csv "
    "(2023): energy (J) per response / response_length (tokens)"
)

# A table: one row per entry reads better than one value per line.
# fmt: off
POINTS: tuple[CalibrationPoint, ...] = (
    CalibrationPoint("meta-llama/Llama-3.1-8B-Instruct", "H100-SXM-80GB", 8.03, 8.03, 64, 2.0, 0.12,
                     "vLLM 0.11.1 (ML.ENERGY v3, Dec 2025)", _MLE_LONGITUDINAL,
                     "lm-arena-chat, 1 GPU, max_num_seqs 64"),
    CalibrationPoint("meta-llama/Llama-3.1-8B-Instruct", "H100-SXM-80GB", 8.03, 8.03, 64, 2.0, 0.20,
                     "vLLM 0.5.4 (ML.ENERGY v2, Sep 2024)", _MLE_LONGITUDINAL,
                     "same model, GPU and batch; older serving software"),
    CalibrationPoint("meta-llama/Llama-2-7b-chat-hf", "A100-SXM4-40GB", 6.74, 6.74, 1, 2.0,
                     1828.7749 / 420.0662, "FastChat/HF transformers (2023)", _MLE_V1, "chat task, batch 1"),
    CalibrationPoint("meta-llama/Llama-2-13b-chat-hf", "A100-SXM4-40GB", 13.02, 13.02, 1, 2.0,
                     3050.1256 / 379.4936, "FastChat/HF transformers (2023)", _MLE_V1, "chat task, batch 1"),
    CalibrationPoint("metaai/llama-7B", "A100-SXM4-40GB", 6.74, 6.74, 1, 2.0,
                     345.3738 / 65.8469, "FastChat/HF transformers (2023)", _MLE_V1, "chat task, batch 1"),
    CalibrationPoint("metaai/llama-13B", "A100-SXM4-40GB", 13.02, 13.02, 1, 2.0,
                     638.2311 / 73.8529, "FastChat/HF transformers (2023)", _MLE_V1, "chat task, batch 1"),
)
# fmt: on


@dataclass(frozen=True)
class DecodeFit:
    weight_j_per_bparam: float
    token_j_per_bparam: float
    ratio_min: float  # min measured / fitted over the points
    ratio_max: float

    def predict(self, point: CalibrationPoint) -> float:
        fw, ft = point.features()
        return self.weight_j_per_bparam * fw + self.token_j_per_bparam * ft


def fit_decode_coefficients(points: tuple[CalibrationPoint, ...] = POINTS) -> DecodeFit:
    """Least squares on relative error: rows (features / measured), target 1."""
    features = np.array([p.features() for p in points], dtype=float)
    measured = np.array([p.measured_j_per_output_token for p in points], dtype=float)
    design = features / measured[:, None]
    coef, *_ = np.linalg.lstsq(design, np.ones(len(points)), rcond=None)
    k_w, k_t = (float(c) for c in coef)
    if k_w <= 0 or k_t <= 0:
        raise ValueError(f"calibration produced non-physical coefficients {k_w}, {k_t}")
    fitted = features @ coef
    ratios = measured / fitted
    return DecodeFit(k_w, k_t, float(ratios.min()), float(ratios.max()))


def ecologits_gpu_wh_per_token(active_params_b: float, batch_size: float = 64.0) -> float:
    """EcoLogits (2025) per-GPU Wh per output token, for comparison only (not used to estimate).

    alpha x exp(beta x B) x P_active + gamma, fitted by GenAI Impact on ML.ENERGY H100 data.
    """
    alpha, beta, gamma = 1.1665e-6, -0.011206, 4.0529e-5
    return float(alpha * np.exp(beta * batch_size) * active_params_b + gamma)
