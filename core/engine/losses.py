"""Loss functions: the mean over samples, and their gradient with respect to the output layer's Z.

Conventions: ``z`` and ``a`` are the output layer's pre-activation and activation, shape ``(n, k)``;
``t`` is the encoded target, shape ``(n, k)``; ``w`` is a per-sample weight, shape ``(n, 1)`` (ones unless
class weights are used). Every loss returns ``Σ_i w_i·ℓ_i / n``.

Two pairs are fused because that is both exact and stable (the derivative of the loss through the output
activation simplifies to ŷ − y):
- sigmoid + bce, computed from the logit: ℓ = softplus(z) − t·z, and ∂L/∂z = σ(z) − t; with k sigmoid outputs
  (multi-label, one yes/no label per unit) ℓ is the mean over the k labels, so ∂L/∂z = (σ(z) − t)/k;
- softmax + softmax_ce: ℓ = logsumexp(z) − z_y, and ∂L/∂z = ŷ − y.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.activations import Activation
from core.engine.validation import Options, check

LOSSES = ("mse", "mae", "huber", "bce", "softmax_ce")
CLASSIFICATION_LOSSES = ("bce", "softmax_ce")
HUBER_DELTA = 1.0
# Braces group what must stay on one line: an inline formula in a narrow column (the sidebar) may then break only
# at the top-level "+" between groups, never inside "(1 − y)" or "I(y = j)".
LATEX = {
    "mse": r"L = \frac{1}{n}\sum_i (\hat y_i - y_i)^2",
    "mae": r"L = \frac{1}{n}\sum_i |\hat y_i - y_i|",
    "huber": r"L = \frac{1}{n}\sum_i \begin{cases}\tfrac12 r_i^2 & |r_i| \le \delta \\"
    r" \delta(|r_i| - \tfrac12\delta) & \text{otherwise}\end{cases},\ r_i = \hat y_i - y_i",
    "bce": r"{L = -\frac{1}{n}\sum_i \big(y_i \ln \hat y_i} + {(1 - y_i)\ln(1 - \hat y_i)\big)}",
    "softmax_ce": r"{L = -\frac{1}{n}\sum_i \sum_j I(y_i = j)\ln \hat y_{ij}}",
}


def check_loss(name: str) -> str:
    check("loss", name, Options(LOSSES))
    return name


def encode_targets(loss: str, y: np.ndarray, n_outputs: int) -> np.ndarray:
    """Turn ``y`` into a float target of shape ``(n, n_outputs)``.

    Class labels ``(n,)`` become a column (``bce``, or one regression output) or one-hot rows
    (``softmax_ce``, or several regression outputs fitted to labels).
    """
    y = np.asarray(y)
    if y.ndim == 2:
        if y.shape[1] != n_outputs:
            raise ValueError(f"y has {y.shape[1]} columns but the network has {n_outputs} outputs")
        # softmax_ce: already one-hot or soft targets; regression: one column per output
        if loss == "bce" and n_outputs > 1 and not np.all((y == 0) | (y == 1)):
            raise ValueError(
                f"loss='bce' with {n_outputs} outputs needs y of 0s and 1s (one column per label, a multi-label "
                f"indicator matrix); got values {np.unique(y)[:5].tolist()}"
            )
        return y.astype(np.float64, copy=False)
    if y.ndim != 1:
        raise ValueError(f"y must have shape (n_samples,) or (n_samples, n_outputs); got {y.shape}")
    if loss == "bce" and n_outputs > 1:
        raise ValueError(
            f"loss='bce' with {n_outputs} sigmoid outputs is multi-label: y must have shape (n_samples, "
            f"{n_outputs}) with 0/1 entries; got shape {y.shape}"
        )
    if n_outputs == 1:
        if loss == "bce" and not np.all((y == 0) | (y == 1)):
            raise ValueError("loss='bce' needs labels 0 or 1")
        return y.astype(np.float64).reshape(-1, 1)
    labels = y.astype(np.int64)
    if not np.array_equal(labels, y) or labels.min(initial=0) < 0 or labels.max(initial=0) >= n_outputs:
        raise ValueError(f"labels must be integers in 0..{n_outputs - 1} for {n_outputs} outputs")
    one_hot = np.zeros((y.shape[0], n_outputs))
    one_hot[np.arange(y.shape[0]), labels] = 1.0
    return one_hot


@dataclass(frozen=True)
class LossResult:
    value: float
    dz: np.ndarray  # ∂L/∂Z of the output layer, (n, k), already divided by n
    da: np.ndarray | None  # ∂L/∂A of the output layer, (n, k); None for the fused pairs


def loss_and_output_grad(
    loss: str, z: np.ndarray, a: np.ndarray, t: np.ndarray, output: Activation, w: np.ndarray | None = None
) -> LossResult:
    """Loss value and ∂L/∂Z for the output layer (see the module docstring for shapes)."""
    n = z.shape[0]
    if loss == "bce":
        per_sample = (np.logaddexp(0.0, z) - t * z).sum(axis=1, keepdims=True)
        dz = a - t  # σ(z) − t
        da = None
        k = z.shape[1]
        if k > 1:  # multi-label: the mean over the k yes/no labels as well as over the samples
            per_sample = per_sample / k
            dz = dz / k
    elif loss == "softmax_ce":
        z_max = z.max(axis=1, keepdims=True)
        log_sum = z_max + np.log(np.exp(z - z_max).sum(axis=1, keepdims=True))
        per_sample = log_sum - (t * z).sum(axis=1, keepdims=True)
        dz = a - t  # ŷ − y
        da = None
    else:
        k = z.shape[1]
        r = a - t
        if loss == "mse":
            per_sample = (r * r).sum(axis=1, keepdims=True) / k
            da = 2.0 * r / k
        elif loss == "mae":
            per_sample = np.abs(r).sum(axis=1, keepdims=True) / k
            da = np.sign(r) / k
        else:  # huber
            abs_r = np.abs(r)
            quadratic = abs_r <= HUBER_DELTA
            per_sample = (
                np.where(quadratic, 0.5 * r * r, HUBER_DELTA * (abs_r - 0.5 * HUBER_DELTA)).sum(axis=1, keepdims=True)
                / k
            )
            da = np.clip(r, -HUBER_DELTA, HUBER_DELTA) / k
        dz = da * output.derivative(z, a)
    if w is not None:
        per_sample = per_sample * w
        dz = dz * w
        da = None if da is None else da * w
    return LossResult(float(per_sample.sum() / n), dz / n, None if da is None else da / n)
