"""Forward and backward propagation for one mini-batch, as an ordered list of steps in column notation
(one column per sample, as the lecture notes' forward/backward chapter writes it).

That notation writes one column per sample: ``X`` is ``(p, n)``, ``Z_l`` and ``A_l`` are ``(units_l, n)``. The core
stores one row per sample, so every per-sample matrix here is the transpose of the core's array; ``W_l``, ``b_l``,
``dW_l`` and ``db_l`` have the same shape in both. ``dM`` means ∂L/∂M. Every value is taken from
``Network.forward`` / ``Network.backward`` (``dA_{l-1} = W_lᵀ dZ_l`` is the same product the core forms), so
the steps match what training computes. Dropout is off, as in ``Network.loss_and_grads``.

Forward, for l = 1..L:  W_l, b_l, Z_l = W_l A_{l-1} + b_l, A_l = α_l(Z_l)        (A_0 = X first)
Backward, for l = L..1: dZ_l, dW_l = dZ_l A_{l-1}ᵀ, db_l = dZ_l 1, dA_{l-1} = W_lᵀ dZ_l (for l > 1)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.network import Network
from core.engine.validation import Interval, check

PHASES = ("forward", "backward")
MATRIX_NAMES = ("W", "b", "Z", "A", "dZ", "dW", "db", "dA")

# α(M) in LaTeX for each activation, with {m} standing for the matrix symbol.
_ACTIVATION_LATEX = {
    "linear": "{m}",
    "sigmoid": r"\sigma({m}) = \frac{{1}}{{1 + e^{{-{m}}}}}",
    "tanh": r"\tanh({m})",
    "relu": r"\max(0, {m})",
    "leaky_relu": r"\max(k\,{m}, {m})",
    "prelu": r"\max(\alpha\,{m}, {m})",
    "elu": r"\operatorname{{elu}}({m})",
    "softplus": r"\ln(1 + e^{{{m}}})",
    "gelu": r"{m}\,\Phi({m})",
    "swish": r"{m}\,\sigma({m})",
    "softmax": r"\operatorname{{softmax}}({m})",
}
# α'(Z_l) in LaTeX, written with the cached A_l where the core uses it; {z} and {a} are the symbols.
_DERIVATIVE_LATEX = {
    "linear": "1",
    "sigmoid": r"{a} \odot (1 - {a})",
    "tanh": r"(1 - {a} \odot {a})",
    "relu": r"\mathbb{{1}}[{z} > 0]",
    "leaky_relu": r"\begin{{cases}} 1 & {z} > 0 \\ k & {z} \le 0 \end{{cases}}",
    "prelu": r"\begin{{cases}} 1 & {z} > 0 \\ \alpha & {z} \le 0 \end{{cases}}",
    "elu": r"\begin{{cases}} 1 & {z} > 0 \\ {a} + 1 & {z} \le 0 \end{{cases}}",
    "softplus": r"\sigma({z})",
    "gelu": r"\Phi({z}) + {z}\,\varphi({z})",
    "swish": r"\sigma({z}) + {a} \odot (1 - \sigma({z}))",
    "softmax": r"{a} \odot (1 - {a})",
}
# ∂L/∂A_L for the losses that are not fused with their output activation (k outputs, n samples).
_LOSS_GRADIENT_LATEX = {
    "mse": r"\frac{{2}}{{n k}}({a} - Y)",
    "mae": r"\frac{{1}}{{n k}}\operatorname{{sign}}({a} - Y)",
    "huber": r"\frac{{1}}{{n k}}\operatorname{{clip}}({a} - Y, -\delta, \delta)",
}


@dataclass(frozen=True)
class Step:
    """One step: ``symbol`` (LaTeX, e.g. ``Z_{1}``) has ``value`` in column layout (one column per sample),
    computed by ``formula``.

    ``name`` is one of MATRIX_NAMES, ``layer`` the l in the symbol (0 for the input), ``phase`` forward/backward.
    """

    index: int
    phase: str
    name: str
    layer: int
    symbol: str
    formula: str
    value: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.value.shape)


@dataclass(frozen=True)
class StepThrough:
    """All steps of one forward and backward pass on a batch of ``n_samples``; ``loss`` includes the penalty."""

    steps: tuple[Step, ...]
    loss: float
    n_samples: int

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, index: int) -> Step:
        return self.steps[index]

    def find(self, name: str, layer: int) -> Step:
        """The step computing ``name`` of ``layer`` (e.g. ``find("dW", 1)``); ValueError if there is none."""
        for step in self.steps:
            if step.name == name and step.layer == layer:
                return step
        raise ValueError(f"there is no step {name!r} for layer {layer}")


def _symbol(name: str, layer: int) -> str:
    return f"{name}_{{{layer}}}"


def _output_delta_formula(network: Network, L: int, weighted: bool) -> str:
    z, a = _symbol("Z", L), _symbol("A", L)
    if network.loss in ("bce", "softmax_ce"):
        formula = rf"{_symbol('dZ', L)} = \frac{{1}}{{n}}({a} - Y)"  # fused: σ(z) − t and ŷ − y are exact
    else:
        dA = _LOSS_GRADIENT_LATEX[network.loss].format(a=a)
        derivative = _DERIVATIVE_LATEX[network.layers[-1].activation].format(z=z, a=a)
        formula = rf"{_symbol('dZ', L)} = {dA} \odot {derivative}"
    return formula + (r" \odot w" if weighted else "")


def _weight_gradient_formula(network: Network, layer: int) -> str:
    formula = rf"{_symbol('dW', layer)} = {_symbol('dZ', layer)}\,{_symbol('A', layer - 1)}^{{T}}"
    if network.l2:
        formula += rf" + \lambda_2 {_symbol('W', layer)}"
    if network.l1:
        formula += rf" + \lambda_1 \operatorname{{sign}}({_symbol('W', layer)})"
    return formula


def step_through(network: Network, X, y) -> StepThrough:
    """Forward then backward propagation of ``network`` on the batch ``(X, y)``, one step per matrix.

    X : ndarray of shape (n_samples, n_features); y : labels (n_samples,) or targets (n_samples, n_outputs).
    Returns the steps in the order they are computed; per-sample values are ``(units, n_samples)``.
    """
    fwd = network.forward(X)
    loss, grads, deltas = network.backward(fwd, y)
    weighted = network.sample_weights(y) is not None
    L = len(network.layers)
    steps: list[Step] = []

    def add(phase: str, name: str, layer: int, formula: str, value: np.ndarray) -> None:
        steps.append(Step(len(steps), phase, name, layer, _symbol(name, layer), formula, np.array(value)))

    add("forward", "A", 0, rf"{_symbol('A', 0)} = X", fwd.caches[0].a_prev.T)
    for layer, (spec, cache) in enumerate(zip(network.layers, fwd.caches, strict=True), start=1):
        W, b, Z, A = (_symbol(name, layer) for name in ("W", "b", "Z", "A"))
        A_prev = _symbol("A", layer - 1)
        units, fan_in = network.weights[layer - 1].shape
        add("forward", "W", layer, rf"{W} \in \mathbb{{R}}^{{{units} \times {fan_in}}}", network.weights[layer - 1])
        add("forward", "b", layer, rf"{b} \in \mathbb{{R}}^{{{units} \times 1}}", network.biases[layer - 1])
        add("forward", "Z", layer, rf"{Z} = {W}\,{A_prev} + {b}", cache.z.T)
        activation = _ACTIVATION_LATEX[spec.activation].format(m=Z)
        output = r"\hat Y = " if layer == L else ""
        add("forward", "A", layer, rf"{output}{A} = {activation}", cache.a.T)

    weight_grads = [g for g, name in zip(grads, network.parameter_names(), strict=True) if name[0] in "Wb"]
    for layer in range(L, 0, -1):
        dZ, W = _symbol("dZ", layer), _symbol("W", layer)
        if layer == L:
            delta_formula = _output_delta_formula(network, L, weighted)
        else:
            derivative = _DERIVATIVE_LATEX[network.layers[layer - 1].activation].format(
                z=_symbol("Z", layer), a=_symbol("A", layer)
            )
            delta_formula = rf"{dZ} = {_symbol('dA', layer)} \odot {derivative}"
        add("backward", "dZ", layer, delta_formula, deltas[layer - 1].T)
        add("backward", "dW", layer, _weight_gradient_formula(network, layer), weight_grads[2 * layer - 2])
        add("backward", "db", layer, rf"{_symbol('db', layer)} = {dZ}\,\mathbf{{1}}_{{n}}", weight_grads[2 * layer - 1])
        if layer > 1:
            dA = deltas[layer - 1] @ network.weights[layer - 1]  # the core's W_lᵀ·δ_l, one row per sample
            add("backward", "dA", layer - 1, rf"{_symbol('dA', layer - 1)} = {W}^{{T}}\,{dZ}", dA.T)
    return StepThrough(tuple(steps), float(loss), int(fwd.caches[0].a_prev.shape[0]))


def first_minibatch(X, y, batch_size: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``batch_size`` rows of ``(X, y)`` drawn without replacement with ``default_rng(seed)``, in drawn order."""
    X, y = np.asarray(X), np.asarray(y)
    batch_size = check("batch_size", batch_size, Interval(1, None, strict=True))
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
    size = min(int(batch_size), len(X))
    rows = np.random.default_rng(seed).choice(len(X), size=size, replace=False)
    return X[rows], y[rows]
