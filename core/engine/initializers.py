"""Weight initialization schemes. Biases always start at zero.

``fan_in`` is units_{l-1} and ``fan_out`` is units_l; ``W_l`` has shape ``(fan_out, fan_in)``.
"""

from __future__ import annotations

import numpy as np

from core.engine.validation import Options, check

INITIALIZERS = (
    "zeros",
    "small_random",
    "normal",
    "large_random",
    "xavier",
    "xavier_uniform",
    "xavier_normal",
    "glorot_uniform",
    "glorot_normal",
    "he",
    "he_normal",
    "he_uniform",
    "lecun",
    "lecun_normal",
    "lecun_uniform",
)
LARGE_RANDOM_SCALE = 10.0  # big enough to saturate tanh/sigmoid and blow up ReLU nets within a few layers
SMALL_RANDOM_SCALE = 0.01  # the classic np.random.randn(...) * 0.01: small, so tanh/sigmoid start unsaturated


def init_scale(name: str, fan_in: int, fan_out: int) -> tuple[str, float]:
    """Return (distribution, scale): 'normal' → std, 'uniform' → half-width, 'zeros' → 0."""
    if name == "zeros":
        return "zeros", 0.0
    if name == "small_random":
        return "normal", SMALL_RANDOM_SCALE
    if name == "normal":
        return "normal", 1.0
    if name == "large_random":
        return "normal", LARGE_RANDOM_SCALE
    if name in ("xavier", "xavier_uniform", "glorot_uniform"):
        return "uniform", float(np.sqrt(6.0 / (fan_in + fan_out)))  # Var = 2/(fan_in+fan_out)
    if name in ("xavier_normal", "glorot_normal"):
        return "normal", float(np.sqrt(2.0 / (fan_in + fan_out)))
    if name in ("he", "he_normal"):
        return "normal", float(np.sqrt(2.0 / fan_in))  # Var = 2/fan_in keeps ReLU activations' scale
    if name == "he_uniform":
        return "uniform", float(np.sqrt(6.0 / fan_in))
    if name in ("lecun", "lecun_normal"):
        return "normal", float(np.sqrt(1.0 / fan_in))
    if name == "lecun_uniform":
        return "uniform", float(np.sqrt(3.0 / fan_in))
    check("init", name, Options(INITIALIZERS))
    raise AssertionError(f"init {name!r} is listed in INITIALIZERS but has no scale")


def initialize_weights(name: str, fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """A ``(fan_out, fan_in)`` weight matrix drawn by scheme ``name``."""
    distribution, scale = init_scale(name, fan_in, fan_out)
    if distribution == "zeros":
        return np.zeros((fan_out, fan_in))
    if distribution == "uniform":
        return rng.uniform(-scale, scale, size=(fan_out, fan_in))
    return rng.standard_normal((fan_out, fan_in)) * scale
