"""Every default constant of the engine, named once, with unit, source and uncertainty.

Values here are DEFAULTS: the catalogue (per region, zone, accelerator, model) overrides them per
deployment. A default that is our own engineering assumption says so ("assumption"), and
docs/methodology.md explains how it was chosen. Ranges are ``Estimate(low, central, high)``.
"""

from __future__ import annotations

from .estimate import Estimate

METHODOLOGY_VERSION = "2026.11"

# ---------------------------------------------------------------------------------------------
# Reference accelerator of the inference calibration: NVIDIA H100 SXM 80GB
# ---------------------------------------------------------------------------------------------
REFERENCE_ACCELERATOR = "nvidia-h100-sxm-80gb"
H100_MEMORY_GB = 80.0  # GB, NVIDIA H100 datasheet (2022)
H100_TDP_W = 700.0  # W, NVIDIA H100 SXM datasheet (2022)
H100_MEMORY_BANDWIDTH_TB_S = 3.35  # TB/s HBM3, NVIDIA H100 SXM datasheet (2022)
H100_BF16_DENSE_TFLOPS = 989.0  # TFLOPS dense BF16, NVIDIA H100 SXM datasheet (2022)

# Average board power while serving, as a fraction of TDP (W/W). "Energy use of AI inference:
# efficiency pathways and test-time compute" (2025) models node power at 0.7 x P_max with a
# P5-P95 of 0.4-0.9 x P_max. Used only when an accelerator has no measured average power.
INFERENCE_POWER_FRACTION_OF_TDP = Estimate(0.4, 0.7, 0.9)

# Training: average power as a fraction of TDP (W/W) when neither a measured average nor a
# disclosed energy is given. Central 1.0 = Meta's model-card convention (GPU-hours x peak power,
# Touvron et al. 2023); high 1.1 = Patterson et al. 2021 (330 W measured per 300 W V100 incl.
# share of host); low 0.7 = the inference-node central above (assumption for under-utilised runs).
TRAINING_POWER_FRACTION_OF_TDP = Estimate(0.7, 1.0, 1.1)
# Training host power per accelerator (W) beyond the disclosed accelerator power: 0 by default,
# because published run figures (Patterson et al. 2021, Meta model cards) already define the
# power they count; set it when a disclosure covers accelerators only.
TRAINING_HOST_POWER_W = Estimate(0.0, 0.0, 0.0)

# ---------------------------------------------------------------------------------------------
# Text generation energy model (H100-reference, whole model replica, joules per token per
# billion parameters). Fitted by calibration.fit_decode_coefficients() on calibration.POINTS;
# the test suite refits and checks these values. See docs/methodology.md section 2.
# ---------------------------------------------------------------------------------------------
# Weight-streaming term of decoding at batch 1 (J per token per B params, BF16 weights): divided
# by the batch size, because one read of the weights serves every sequence of the batch.
DECODE_WEIGHT_J_PER_TOKEN_PER_BPARAM = 0.5321
# Per-token term of decoding that batching does not amortise (matrix maths, KV-cache reads).
DECODE_TOKEN_J_PER_TOKEN_PER_BPARAM = 0.009267
# Spread of the calibration points around the fit (measured / fitted, min and max): multiplies
# the token energy in the low and high scenarios. Refitted and checked by the tests.
DECODE_CALIBRATION_SPREAD = Estimate(0.85, 1.0, 1.417)

# Prefill (input tokens) is compute-bound: 2 FLOP per active parameter per token at a model FLOPs
# utilisation (MFU). J per input token per B params = 2e9 / (989e12 x MFU) x power(0.7 x 700 W).
# MFU 0.3-0.7 (assumption, bracketing prefill MFU reported for vLLM/TensorRT-LLM on Hopper).
PREFILL_MFU = Estimate(0.3, 0.5, 0.7)
REFERENCE_INFERENCE_POWER_W = H100_TDP_W * INFERENCE_POWER_FRACTION_OF_TDP.central  # 490 W

# Memory needed to serve a model = params x bytes x overhead (KV cache, activations): 1.2,
# EleutherAI "Transformer Math 101" (2023), as used by EcoLogits (2024).
MEMORY_OVERHEAD_FACTOR = 1.2
DEFAULT_PRECISION_BYTES = 2.0  # BF16/FP16 weights

# Concurrent sequences per replica while decoding (sequences). Central 64 = EcoLogits (2025);
# 16-256 = range of max_num_seqs at which ML.ENERGY v3 (2025) measured steady-state serving.
DEFAULT_BATCH_SIZE = Estimate(16.0, 64.0, 256.0)

# ---------------------------------------------------------------------------------------------
# Server (host) beyond accelerators
# ---------------------------------------------------------------------------------------------
# Host power per accelerator while serving (W): CPU, memory, NIC, fans. Central 150 W = EcoLogits
# (2025) 1.2 kW per 8-GPU server. Low 100 W / high 250 W bracket AI Energy Score's guidance that
# CPU+RAM add ~30 % to GPU energy (2025) and Google's Gemini split, host 25 % vs TPU 58 % = 43 %
# (Elsworth et al., Google, Aug 2025).
HOST_POWER_W_PER_ACCELERATOR = Estimate(100.0, 150.0, 250.0)
ACCELERATORS_PER_SERVER = 8  # accelerators per server, EcoLogits (2025) / DGX-class servers

# Idle / provisioned-but-unused capacity as a fraction of active IT energy (kWh/kWh). Google
# (Aug 2025): idle machines 10 % vs TPU 58 % + host 25 % of the median prompt -> 10/83 = 0.12.
# Low 0.05 / high 0.30: assumption (well-packed fleet / fleet sized for peaks).
IDLE_OVERHEAD_FACTOR = Estimate(0.05, 0.12, 0.30)

# Fraction of provisioned accelerator-time that serves requests, used to allocate embodied
# emissions (a busy second must also carry the idle seconds). Assumption; Scope3's Node schema
# carries the same "utilisation" field but no public fleet figure exists.
FLEET_UTILISATION = Estimate(0.4, 0.6, 0.8)

# Fixed energy per request (Wh) beyond tokens (API gateway, safety filters, tokenisation).
# No published figure: zero by default, overridable per deployment.
REQUEST_OVERHEAD_WH = Estimate(0.0, 0.0, 0.0)

# ---------------------------------------------------------------------------------------------
# Data centre and grid defaults (used only when the catalogue has no factor for the deployment)
# ---------------------------------------------------------------------------------------------
# PUE (ratio). Low 1.08 = Meta fleet; central 1.15 = middle of hyperscaler fleet figures
# (Google 1.09-1.10, AWS 1.14-1.15, Microsoft 1.12-1.18; operators' 2023-2024 reports);
# high 1.56 = Uptime Institute Global Data Center Survey 2024 industry average.
DEFAULT_PUE = Estimate(1.08, 1.15, 1.56)
# On-site WUE (L per kWh of IT energy): operators publish roughly 0.15-0.5 L/kWh (AWS, Microsoft,
# Meta, 2023-2024 reports); central 0.30 is our midpoint (assumption).
DEFAULT_WUE_L_PER_KWH = Estimate(0.15, 0.30, 0.50)
# Off-site water consumed to generate electricity (L/kWh): world 3.908, WRI via EcoLogits
# 0.11.3 electricity_mixes (2025); low/high = 10th/90th percentile of its 215 zones (3.437, 4.729).
DEFAULT_ELECTRICITY_WATER_L_PER_KWH = Estimate(3.4368, 3.908, 4.7293)
# Grid intensity, world, location-based (gCO2e/kWh): central 472.94 = Ember world average via
# co2js 0.19.0 (2025, CC BY-SA 4.0); low 458.29 = Our World in Data world via EcoLogits 0.11.3;
# high 590.4 = ADEME Base Empreinte world via EcoLogits v1 docs (2024). Spread = source disagreement.
DEFAULT_GRID_INTENSITY_G_PER_KWH = Estimate(458.29, 472.94, 590.4)
# Market-based default: with no contractual instruments and no residual mix, GHG Protocol Scope 2
# Guidance (2015) falls back to the location-based figure.
DEFAULT_MARKET_INTENSITY_G_PER_KWH = DEFAULT_GRID_INTENSITY_G_PER_KWH

# ---------------------------------------------------------------------------------------------
# Embodied emissions
# ---------------------------------------------------------------------------------------------
# One H100 card, manufacturing (kgCO2e): 273, Boavizta estimate used by EcoLogits 0.11 (2025).
# Range assumption +-50 %: bottom-up die/HBM estimates disagree by that much.
H100_EMBODIED_KGCO2E = Estimate(136.5, 273.0, 409.5)
# Server without accelerators (kgCO2e per 8-accelerator server): 5,700, Boavizta via EcoLogits
# 0.11 (2025); +-50 % as above.
SERVER_EMBODIED_KGCO2E = Estimate(2850.0, 5700.0, 8550.0)
# Hardware lifetime (years): central 4 = Cloud Carbon Footprint (2021-2024); low 3 = EcoLogits
# (2025); high 6 = hyperscaler server depreciation schedules (Microsoft/Google, 2022-2023).
HARDWARE_LIFETIME_YEARS = Estimate(3.0, 4.0, 6.0)


# ---------------------------------------------------------------------------------------------
# Non-text tasks: ACCELERATOR-side default energy per functional unit when a model has no
# published measurement. Sources in TASK_DEFAULT_SOURCES; docs/methodology.md section 3.
# ---------------------------------------------------------------------------------------------
# Image generation (Wh per image): Luccioni, Jernite & Strubell, "Power Hungry Processing",
# FAccT 2024: mean 2.907 kWh per 1,000 images, most energy-hungry model 11.49 kWh per 1,000;
# low = mean / 5 (assumption: distilled few-step models). Measured with CodeCarbon (GPU+CPU+RAM).
IMAGE_WH_PER_IMAGE = Estimate(0.58, 2.907, 11.49)
# Embeddings (Wh per 1,000 input tokens). Central: Power Hungry Processing (2024) text
# classification, 0.002 kWh per 1,000 inferences, taken as one encoder pass over <= 1k tokens.
# Low: compute-bound prefill of a 0.3 B encoder on H100 (this engine's prefill model). High x5
# (assumption).
EMBEDDING_WH_PER_1K_TOKENS = Estimate(0.0004, 0.002, 0.01)
# Speech-to-text (Wh per second of audio): assumption derived from a 1.55 B-parameter encoder-
# decoder (Whisper large) at ~100x real time on one H100 at 490 W -> 490 W x 0.01 s = 4.9 J
# = 0.00136 Wh/s; range x1/4 .. x4. Replace with catalogue energy_per_unit when published.
STT_WH_PER_AUDIO_SECOND = Estimate(0.00034, 0.00136, 0.0054)
# Text-to-speech (Wh per second of generated audio): assumption, same derivation at ~50x real
# time (autoregressive acoustic tokens) -> 0.0027 Wh/s; range x1/4 .. x4.
TTS_WH_PER_AUDIO_SECOND = Estimate(0.00068, 0.0027, 0.0109)
# TTS per 1,000 characters: ~15 characters per second of speech (assumption, ~150 words/min).
TTS_CHARS_PER_AUDIO_SECOND = 15.0
