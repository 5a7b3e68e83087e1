"""Gradient check: compare backprop's gradients with central finite differences, one parameter tensor at a time.

For every parameter θ the numerical gradient is the central difference

    g_num = (L(θ + ε) − L(θ − ε)) / 2ε

and each tensor (W1, b1, W2, ...) gets the usual relative error of a gradient check,

    ‖g_num − g‖ / (‖g_num‖ + ‖g‖)        (0 when both are zero)

which is about 1e-9 in float64 when backprop is right and of order 1 when it is wrong. The check runs on a
float64 copy of the network (the caller's network is never changed), with dropout off, on a small batch. Large
tensors are checked on a seeded random subset of their entries so the check stays fast; the relative error is
then taken over those entries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.network import Network
from core.engine.validation import Interval, Nullable, validate

DEFAULT_EPS = 1e-6
PASS_BELOW = 1e-6  # float64 central differences of a correct gradient land far below this
FAIL_ABOVE = 1e-3  # a wrong backward rule gives errors of order 1; in between usually means a kink (ReLU at 0)
DEFAULT_MAX_ENTRIES = 200  # entries checked per tensor; each costs two forward passes
CONSTRAINTS = {"eps": Interval(0.0, 1.0, closed="right"), "max_entries": Nullable(Interval(1, None, integer=True))}
STATUSES = ("pass", "warning", "fail")


@dataclass(frozen=True)
class TensorCheck:
    """The check of one parameter tensor.

    ``analytic`` and ``numerical`` hold the checked entries only (flattened), ``checked`` of ``size``.
    """

    name: str
    shape: tuple[int, ...]
    relative_error: float
    max_abs_difference: float
    checked: int
    size: int
    analytic: np.ndarray
    numerical: np.ndarray

    @property
    def status(self) -> str:
        """One of STATUSES: pass below PASS_BELOW, fail above FAIL_ABOVE (or not finite), warning in between."""
        if not np.isfinite(self.relative_error) or self.relative_error > FAIL_ABOVE:
            return "fail"
        return "pass" if self.relative_error < PASS_BELOW else "warning"

    @property
    def passed(self) -> bool:
        return self.status == "pass"


@dataclass(frozen=True)
class GradientCheck:
    """Result of :func:`gradient_check`: one :class:`TensorCheck` per parameter tensor, in ``parameters()`` order."""

    tensors: tuple[TensorCheck, ...]
    eps: float
    n_samples: int

    @property
    def passed(self) -> bool:
        return all(tensor.passed for tensor in self.tensors)

    @property
    def worst(self) -> TensorCheck:
        return max(self.tensors, key=lambda c: c.relative_error if np.isfinite(c.relative_error) else np.inf)

    def relative_errors(self) -> dict[str, float]:
        return {tensor.name: tensor.relative_error for tensor in self.tensors}


def relative_error(numerical: np.ndarray, analytic: np.ndarray) -> float:
    """‖g_num − g‖ / (‖g_num‖ + ‖g‖), 0 when both are zero."""
    denominator = float(np.linalg.norm(numerical) + np.linalg.norm(analytic))
    if denominator == 0.0:
        return 0.0
    return float(np.linalg.norm(numerical - analytic) / denominator)


def _float64_copy(network: Network) -> Network:
    spec = network.spec()
    spec["dtype"] = "float64"
    clone = type(network).from_spec(**spec)  # keeps a subclass's own backward rule
    clone.set_parameters([p.astype(np.float64) for p in network.parameters()])
    return clone


def gradient_check(
    network: Network,
    X,
    y,
    *,
    eps: float = DEFAULT_EPS,
    max_entries: int | None = DEFAULT_MAX_ENTRIES,
    seed: int = 0,
) -> GradientCheck:
    """Check ``network.loss_and_grads(X, y)`` against central differences of ``network.loss_value``.

    X : ndarray of shape (n_samples, n_features); y : labels (n_samples,) or targets (n_samples, n_outputs).
    ``eps`` is the finite-difference step; ``max_entries`` caps the entries checked per tensor (None = all),
    chosen with ``numpy.random.default_rng(seed)``. The loss includes the L1/L2 penalty, as the gradients do.
    """
    eps, max_entries = validate({"eps": eps, "max_entries": max_entries}, CONSTRAINTS).values()
    net = _float64_copy(network)
    X = net.check_X(X)
    _, grads = net.loss_and_grads(X, y)
    rng = np.random.default_rng(seed)
    live = net.parameter_views()  # perturbed in place: this is our private copy
    checks = []
    for name, param, grad in zip(net.parameter_names(), live, grads, strict=True):
        flat = param.reshape(-1)
        if max_entries is None or flat.size <= max_entries:
            indices = np.arange(flat.size)
        else:
            indices = np.sort(rng.choice(flat.size, size=max_entries, replace=False))
        numerical = np.empty(indices.size)
        for k, i in enumerate(indices):
            saved = flat[i]
            flat[i] = saved + eps
            net.parameters_changed()
            plus = net.loss_value(X, y)
            flat[i] = saved - eps
            net.parameters_changed()
            minus = net.loss_value(X, y)
            flat[i] = saved
            numerical[k] = (plus - minus) / (2.0 * eps)
        net.parameters_changed()
        analytic = grad.reshape(-1)[indices]
        checks.append(
            TensorCheck(
                name=name,
                shape=tuple(param.shape),
                relative_error=relative_error(numerical, analytic),
                max_abs_difference=float(np.max(np.abs(numerical - analytic))) if indices.size else 0.0,
                checked=int(indices.size),
                size=int(flat.size),
                analytic=analytic.copy(),
                numerical=numerical,
            )
        )
    return GradientCheck(tuple(checks), eps, int(X.shape[0]))
