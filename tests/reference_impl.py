"""A tiny independent NumPy reference for the core tests: activation formulas and numerical gradients.

Written from the lecture notes and the literature, not from ``core``;
the tests compare ``core`` against these.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

LEAKY_SLOPE = 0.1  # the notes' k
ELU_ALPHA = 1.0

_erf = np.vectorize(math.erf, otypes=[float])


def sigmoid(z):
    """σ(z) = 1 / (1 + e^{−z}), evaluated without overflow on both sides."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax_rows(z):
    """Softmax over each row (one row per sample)."""
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_columns(z):
    """Softmax over each column (the notes' one-column-per-sample layout)."""
    return softmax_rows(np.asarray(z).T).T


def gelu(z):
    z = np.asarray(z, dtype=float)
    return 0.5 * z * (1.0 + _erf(z / math.sqrt(2.0)))


def elu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0.0)))


def softplus(z):
    return np.logaddexp(0.0, np.asarray(z, dtype=float))


REFERENCE_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": lambda z: np.asarray(z, dtype=float),
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
    "elu": elu,
    "softplus": softplus,
    "gelu": gelu,
    "swish": lambda z: np.asarray(z, dtype=float) * sigmoid(z),
}


def numerical_gradient(
    loss_of: Callable[[list[np.ndarray]], float], params: Sequence[np.ndarray], eps: float = 1e-6
) -> list[np.ndarray]:
    """Central differences (L(θ + ε) − L(θ − ε)) / 2ε for every entry of every array in ``params``."""
    params = [np.array(p, dtype=np.float64) for p in params]
    grads = []
    for p in params:
        g = np.zeros_like(p)
        flat, gflat = p.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            saved = flat[i]
            flat[i] = saved + eps
            plus = loss_of(params)
            flat[i] = saved - eps
            minus = loss_of(params)
            flat[i] = saved
            gflat[i] = (plus - minus) / (2.0 * eps)
        grads.append(g)
    return grads


def relative_error(analytic: Sequence[np.ndarray], numeric: Sequence[np.ndarray]) -> float:
    """‖a − n‖ / (‖a‖ + ‖n‖) over all arrays together (0 when both are zero)."""
    a = np.concatenate([np.ravel(g) for g in analytic])
    n = np.concatenate([np.ravel(g) for g in numeric])
    denominator = np.linalg.norm(a) + np.linalg.norm(n)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - n) / denominator)
