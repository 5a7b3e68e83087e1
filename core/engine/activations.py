"""Activation functions, each holding its value and its derivative together.

Every function takes ``z`` of any shape and works element-wise, except ``softmax`` which normalises over the
last axis (one row per sample). All are numerically stable for inputs of ±1000: no overflow warnings.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.engine.validation import Options, check

ACTIVATIONS = (
    "linear",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "prelu",
    "elu",
    "softplus",
    "gelu",
    "swish",
    "softmax",
)
OUTPUT_ONLY = ("softmax",)
DEFAULT_LEAKY_SLOPE = 0.1  # leaky ReLU is max(kz, z); k = 0.1, the lecture notes' value
DEFAULT_PRELU_SLOPE = 0.25  # He et al. 2015 start value for the learned slope
ELU_ALPHA = 1.0


@dataclass(frozen=True)
class Activation:
    """One activation: ``forward(z) -> a`` and ``derivative(z, a) -> da/dz`` (element-wise).

    ``derivative`` receives the already computed ``a`` so that sigmoid and tanh reuse it
    (σ' = a(1 − a), tanh' = 1 − a²) instead of evaluating the exponential twice.
    For ``softmax`` the derivative is the Jacobian's diagonal ŷ(1 − ŷ); backprop through softmax is only
    done fused with cross-entropy (gradient ŷ − y), which is exact.
    """

    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]
    formula: str  # LaTeX, for the gallery and the step-through
    value_range: tuple[float, float]


def expit(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The logistic function σ(z) = 1 / (1 + e^(−z)), element-wise, into ``out`` if given.

    The same formula as ``scipy.special.expit``, equal to it within two units in the last place (one rounding
    in e^(−z), one in 1/x), written in NumPy so that the Playground's first picture does not wait for SciPy to
    import. For z < −709, e^(−z) overflows to inf and σ(z) is exactly 0: the overflow is not worth a warning.
    """
    with np.errstate(over="ignore"):
        if out is None:
            return 1.0 / (1.0 + np.exp(-z))
        np.negative(z, out=out)
        np.exp(out, out=out)
        out += 1.0
        return np.reciprocal(out, out=out)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return expit(z)


def softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=-1, keepdims=True)  # e^(z − max) never overflows
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_jacobian(z: np.ndarray) -> np.ndarray:
    """∂ŷ_i/∂z_j of softmax for one score vector z (k,): its two cases (i = j and i ≠ j) in one (k, k) matrix.

    ŷ_i(1 − ŷ_i) on the diagonal (i = j) and −ŷ_i·ŷ_j off it, i.e. diag(ŷ) − ŷŷᵀ.
    """
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 1 or z.size < 2:
        raise ValueError(f"z must be one score vector of shape (k,) with k ≥ 2; got shape {z.shape}")
    p = softmax(z)
    return np.diag(p) - np.outer(p, p)


def softplus(z: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, z)


def _elu(alpha: float) -> tuple[Callable, Callable]:
    def forward(z: np.ndarray) -> np.ndarray:
        return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))

    def derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return np.where(z > 0, np.ones((), dtype=z.dtype), a + alpha)  # α(e^z − 1) + α = αe^z

    return forward, derivative


def _sign(z: np.ndarray) -> np.ndarray:
    return np.where(z >= 0, np.ones((), dtype=z.dtype), -np.ones((), dtype=z.dtype))


# Python floats, not NumPy scalars: NumPy scalars would upcast float32 arrays to float64.
_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _erf(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf  # imported on first use: SciPy costs the first picture ~0.4 s otherwise

    return erf(x)


def _gelu(z: np.ndarray) -> np.ndarray:
    return 0.5 * z * (1.0 + _erf(z / _SQRT2))  # z·Φ(z), the exact form


def _gelu_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    pdf = _INV_SQRT_2PI * np.exp(-0.5 * np.minimum(z * z, 1e4))
    return 0.5 * (1.0 + _erf(z / _SQRT2)) + z * pdf  # Φ(z) + z·φ(z)


def _swish(z: np.ndarray) -> np.ndarray:
    return z * expit(z)


def _swish_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    s = expit(z)
    return s + a * (1.0 - s)  # σ + zσ(1 − σ)


def _leaky(slope: float) -> tuple[Callable, Callable]:
    def forward(z: np.ndarray) -> np.ndarray:
        return np.where(z > 0, z, z * slope)

    def derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
        one, k = np.ones((), dtype=z.dtype), np.asarray(slope, dtype=z.dtype)
        return np.where(z > 0, one, k)

    return forward, derivative


def get_activation(name: str, slope: float = DEFAULT_LEAKY_SLOPE, alpha: float = ELU_ALPHA) -> Activation:
    """Return the activation called ``name``.

    ``slope`` is the negative-side slope of ``leaky_relu`` and the *current* slope of ``prelu``
    (whose slope is a learned parameter that the network passes in); ``alpha`` is ELU's α (outputs down to −α).
    ``"sign"``, the perceptron's unit (+1 for z ≥ 0, else −1), is here for the gallery only: its slope is 0
    wherever it exists, so gradient descent cannot train it and it is not one of :data:`ACTIVATIONS`.
    """
    if name == "linear":
        return Activation(name, lambda z: z, lambda z, a: np.ones_like(z), r"a = z", (-np.inf, np.inf))
    if name == "sigmoid":
        return Activation(name, sigmoid, lambda z, a: a * (1.0 - a), r"\sigma(z) = \frac{1}{1 + e^{-z}}", (0.0, 1.0))
    if name == "tanh":
        return Activation(
            name,
            np.tanh,
            lambda z, a: 1.0 - a * a,
            r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}",
            (-1.0, 1.0),
        )
    if name == "relu":
        return Activation(
            name,
            lambda z: np.maximum(z, 0.0),
            lambda z, a: (z > 0).astype(z.dtype),
            r"\max(0, z)",
            (0.0, np.inf),
        )
    if name in ("leaky_relu", "prelu"):
        forward, derivative = _leaky(float(slope))
        # A case split, not max(kz, z): the two agree only for slopes in [0, 1], and a learned α can leave it.
        formula = (
            r"\begin{cases} z & z > 0 \\ kz & z \le 0 \end{cases}"
            if name == "leaky_relu"
            else r"\begin{cases} z & z > 0 \\ \alpha z & z \le 0 \end{cases},\ \alpha\ \text{learned}"
        )
        return Activation(name, forward, derivative, formula, (-np.inf, np.inf))
    if name == "elu":
        forward, derivative = _elu(float(alpha))
        return Activation(
            name,
            forward,
            derivative,
            r"\begin{cases} z & z > 0 \\ \alpha(e^{z} - 1) & z \le 0 \end{cases}",
            (-float(alpha), np.inf),
        )
    if name == "sign":
        return Activation(
            name,
            _sign,
            lambda z, a: np.zeros_like(z),  # flat on both sides; at z = 0 a jump, no derivative at all
            r"\operatorname{sign}(z) = \begin{cases} +1 & z \ge 0 \\ -1 & z < 0 \end{cases}",
            (-1.0, 1.0),
        )
    if name == "softplus":
        return Activation(name, softplus, lambda z, a: expit(z), r"\ln(1 + e^{z})", (0.0, np.inf))
    if name == "gelu":
        return Activation(name, _gelu, _gelu_derivative, r"z\,\Phi(z)", (-0.17, np.inf))
    if name == "swish":
        return Activation(name, _swish, _swish_derivative, r"z\,\sigma(z)", (-0.28, np.inf))
    if name == "softmax":
        return Activation(name, softmax, lambda z, a: a * (1.0 - a), r"\frac{e^{z_i}}{\sum_j e^{z_j}}", (0.0, 1.0))
    check("activation", name, Options(ACTIVATIONS))
    raise AssertionError(f"activation {name!r} is listed in ACTIVATIONS but has no definition")
