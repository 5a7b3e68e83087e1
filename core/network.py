"""A dense feed-forward network in the notes' notation, forward and backward in matrix form.

Notation (the notes write one column per sample; we store one *row* per sample, which is the transpose and
the same arithmetic):

    Z_l = W_l · A_{l-1} + b_l        W_l: (units_l, units_{l-1}),  b_l: (units_l, 1)
    A_l = α_l(Z_l)                   A_0 = X
    δ_L = ∂L/∂Z_L                    from the loss (ŷ − y for the fused pairs)
    ∂L/∂W_l = δ_l · A_{l-1}ᵀ,  ∂L/∂b_l = δ_l · 1
    δ_{l-1} = α'_{l-1}(Z_{l-1}) ⊙ W_lᵀ · δ_l

In code a batch ``X`` has shape ``(n_samples, n_features)`` and ``Z_l`` has shape ``(n_samples, units_l)``,
so ``Z = A_prev @ W.T + b.T``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from core.activations import (
    ACTIVATIONS,
    DEFAULT_LEAKY_SLOPE,
    DEFAULT_PRELU_SLOPE,
    OUTPUT_ONLY,
    get_activation,
)
from core.initializers import INITIALIZERS, initialize_weights
from core.losses import LOSSES, check_loss, encode_targets, loss_and_output_grad
from core.settings import LIMITS

_LAYER_KEYS = ("units", "activation", "dropout", "slope")
DTYPES = ("float64", "float32")


@dataclass(frozen=True)
class LayerSpec:
    """One dense layer: ``units`` neurons with ``activation``; inverted ``dropout`` on its output while training.

    ``slope`` is leaky_relu's fixed negative slope, or prelu's starting slope.
    """

    units: int
    activation: str = "tanh"
    dropout: float = 0.0
    slope: float | None = None

    def to_dict(self) -> dict:
        out: dict = {"units": self.units, "activation": self.activation}
        if self.dropout:
            out["dropout"] = self.dropout
        if self.slope is not None:
            out["slope"] = self.slope
        return out


@dataclass
class LayerCache:
    """What backward needs from one layer's forward pass (the deeplearning.ai ``cache``)."""

    a_prev: np.ndarray  # A_{l-1}, (n, units_{l-1})
    z: np.ndarray  # Z_l, (n, units_l)
    a: np.ndarray  # α(Z_l) before dropout, (n, units_l)
    mask: np.ndarray | None = None  # inverted-dropout mask (already divided by keep probability)

    @property
    def out(self) -> np.ndarray:
        return self.a if self.mask is None else self.a * self.mask


@dataclass
class ForwardPass:
    caches: list[LayerCache] = field(default_factory=list)

    @property
    def output(self) -> np.ndarray:
        return self.caches[-1].a


def _check_number(
    name: str, value, low: float, high: float, *, integer: bool = False, high_open: bool = False
):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name}={value!r} is not valid; expected a number")
    # Range first, in Python arithmetic: int(inf) or np.isfinite(10**30) would raise the wrong exception.
    if not math.isfinite(value) or value < low or (value >= high if high_open else value > high):
        bracket = ")" if high_open else "]"
        raise ValueError(f"{name}={value!r} is not valid; allowed range is [{low}, {high}{bracket}")
    if integer and int(value) != value:
        raise ValueError(f"{name}={value!r} is not valid; expected a whole number")
    return int(value) if integer else float(value)


def _check_class_weight(class_weight) -> dict[int, float] | None:
    if class_weight is None:
        return None
    if not isinstance(class_weight, Mapping):
        raise ValueError(
            f"class_weight={class_weight!r} is not valid; expected a dict such as {{0: 1.0, 1: 5.0}} or None"
        )
    checked = {}
    for label, weight in class_weight.items():
        if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or label < 0:
            raise ValueError(f"class_weight has label {label!r}; labels must be whole numbers ≥ 0")
        checked[int(label)] = _check_number(f"class_weight[{label}]", weight, 0.0, 1e6)
    return checked


def parse_layers(layers: Sequence[Mapping | LayerSpec]) -> tuple[LayerSpec, ...]:
    """Validate layer dicts (``units``, ``activation``, optional ``dropout``, ``slope``) into LayerSpecs."""
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Sequence) or len(layers) == 0:
        raise ValueError(
            "layers must be a non-empty list of layer dicts such as {'units': 4, 'activation': 'tanh'}"
        )
    if len(layers) - 1 > LIMITS.max_hidden_layers:
        raise ValueError(
            f"layers has {len(layers) - 1} hidden layers; at most {LIMITS.max_hidden_layers} are allowed"
        )
    specs = []
    for i, layer in enumerate(layers):
        is_output = i == len(layers) - 1
        where = f"layers[{i}]"
        if isinstance(layer, LayerSpec):
            layer = layer.to_dict()
        if not isinstance(layer, Mapping):
            raise ValueError(f"{where}={layer!r} is not valid; expected a dict with 'units' and 'activation'")
        unknown = sorted(set(layer) - set(_LAYER_KEYS))
        if unknown:
            raise ValueError(f"{where} has unknown key(s) {unknown}; allowed keys: {', '.join(_LAYER_KEYS)}")
        if "units" not in layer:
            raise ValueError(f"{where} needs 'units'")
        cap = LIMITS.max_outputs if is_output else LIMITS.max_units
        units = _check_number(f"{where}.units", layer["units"], 1, cap, integer=True)
        activation = layer.get("activation", "linear" if is_output else "tanh")
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"{where}.activation={activation!r} is not valid; choose one of: {', '.join(ACTIVATIONS)}"
            )
        if activation in OUTPUT_ONLY and not is_output:
            raise ValueError(f"{where}.activation='softmax' is only valid on the output layer")
        dropout = _check_number(f"{where}.dropout", layer.get("dropout", 0.0), 0.0, 1.0, high_open=True)
        if dropout and is_output:
            raise ValueError(f"{where}.dropout={dropout!r} is not valid; the output layer cannot use dropout")
        slope = layer.get("slope")
        if slope is not None:
            slope = _check_number(f"{where}.slope", slope, -10.0, 10.0)
        specs.append(LayerSpec(units, activation, dropout, slope))
    return tuple(specs)


def check_loss_matches_output(loss: str, output: LayerSpec) -> None:
    """The fused pairs only make sense together; say which field to change when they do not match."""
    check_loss(loss)
    if loss == "bce" and (output.activation != "sigmoid" or output.units != 1):
        raise ValueError(
            f"loss='bce' needs an output layer of 1 unit with activation 'sigmoid'; "
            f"got {output.units} unit(s) with {output.activation!r}"
        )
    if loss == "softmax_ce" and (output.activation != "softmax" or output.units < 2):
        raise ValueError(
            f"loss='softmax_ce' needs an output layer of at least 2 units with activation 'softmax'; "
            f"got {output.units} unit(s) with {output.activation!r}"
        )
    if output.activation == "softmax" and loss != "softmax_ce":
        raise ValueError(f"loss={loss!r} is not valid with a softmax output; use loss='softmax_ce'")


class Network:
    """A dense network: parameters, forward pass, loss and gradients. Training lives in ``core.training``.

    Build one with :meth:`from_spec`. ``parameters()`` lists ``[W1, b1, W2, b2, ...]``; a ``prelu`` layer adds its
    learned slope (shape ``(1,)``) right after its bias: ``[W1, b1, alpha1, W2, b2]``.
    """

    def __init__(
        self,
        input_dim: int,
        layers: tuple[LayerSpec, ...],
        loss: str,
        init: str,
        l1: float,
        l2: float,
        seed: int,
        class_weight: Mapping[int, float] | None = None,
        dtype: str = "float64",
    ):
        self.input_dim = input_dim
        self.layers = layers
        self.loss = loss
        self.init = init
        self.l1 = l1
        self.l2 = l2
        self.seed = seed
        self.class_weight = dict(class_weight) if class_weight else None
        self.dtype = np.dtype(dtype)
        rng = np.random.default_rng(seed)
        self._dropout_rng = np.random.default_rng([seed, 1])
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        self.slopes: list[np.ndarray | None] = []
        fan_in = input_dim
        for spec in layers:
            self.weights.append(initialize_weights(init, fan_in, spec.units, rng).astype(self.dtype))
            self.biases.append(np.zeros((spec.units, 1), dtype=self.dtype))
            if spec.activation == "prelu":
                start = DEFAULT_PRELU_SLOPE if spec.slope is None else spec.slope
                self.slopes.append(np.array([start], dtype=self.dtype))
            else:
                self.slopes.append(None)
            fan_in = spec.units
        self._activations = [
            get_activation(s.activation, DEFAULT_LEAKY_SLOPE if s.slope is None else s.slope) for s in layers
        ]
        self._refresh_prelu()

    # ---- construction -------------------------------------------------------------------------------------
    @classmethod
    def from_spec(
        cls,
        input_dim: int,
        layers: Sequence[Mapping | LayerSpec],
        loss: str = "mse",
        init: str = "xavier",
        l1: float = 0.0,
        l2: float = 0.0,
        seed: int = 0,
        class_weight: Mapping[int, float] | None = None,
        dtype: str = "float64",
    ) -> Network:
        """Validate a plain description and build the network (see DESIGN.md for the contract)."""
        input_dim = _check_number("input_dim", input_dim, 1, LIMITS.max_input_dim, integer=True)
        specs = parse_layers(layers)
        if not isinstance(loss, str) or loss not in LOSSES:
            raise ValueError(f"loss={loss!r} is not valid; choose one of: {', '.join(LOSSES)}")
        check_loss_matches_output(loss, specs[-1])
        if init not in INITIALIZERS:
            raise ValueError(f"init={init!r} is not valid; choose one of: {', '.join(INITIALIZERS)}")
        l1 = _check_number("l1", l1, 0.0, 1e3)
        l2 = _check_number("l2", l2, 0.0, 1e3)
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
            raise ValueError(f"seed={seed!r} is not valid; expected a whole number in [0, 2**32)")
        if dtype not in DTYPES:
            raise ValueError(f"dtype={dtype!r} is not valid; choose one of: {', '.join(DTYPES)}")
        class_weight = _check_class_weight(class_weight)
        sizes = [input_dim] + [s.units for s in specs]
        n_params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
        if n_params > LIMITS.max_parameters:
            raise ValueError(
                f"the network has {n_params} parameters; at most {LIMITS.max_parameters} are allowed"
            )
        return cls(input_dim, specs, loss, init, l1, l2, int(seed), class_weight, dtype)

    def spec(self) -> dict:
        """The plain description that :meth:`from_spec` accepts (parameters not included)."""
        return {
            "input_dim": self.input_dim,
            "layers": [s.to_dict() for s in self.layers],
            "loss": self.loss,
            "init": self.init,
            "l1": self.l1,
            "l2": self.l2,
            "seed": self.seed,
            "class_weight": self.class_weight,
            "dtype": self.dtype.name,
        }

    def copy(self) -> Network:
        clone = Network(
            self.input_dim,
            self.layers,
            self.loss,
            self.init,
            self.l1,
            self.l2,
            self.seed,
            self.class_weight,
            self.dtype.name,
        )
        clone.set_parameters(self.parameters())
        return clone

    # ---- parameters ---------------------------------------------------------------------------------------
    @property
    def n_outputs(self) -> int:
        return self.layers[-1].units

    @property
    def layer_sizes(self) -> list[int]:
        return [self.input_dim] + [s.units for s in self.layers]

    def _live_parameters(self) -> list[np.ndarray]:
        """The network's own arrays in ``parameters()`` order (for optimizers, which update in place)."""
        out: list[np.ndarray] = []
        for w, b, s in zip(self.weights, self.biases, self.slopes, strict=True):
            out.append(w)
            out.append(b)
            if s is not None:
                out.append(s)
        return out

    def parameter_names(self) -> list[str]:
        names = []
        for i, s in enumerate(self.slopes, start=1):
            names += [f"W{i}", f"b{i}"] + ([f"alpha{i}"] if s is not None else [])
        return names

    def parameters(self) -> list[np.ndarray]:
        """Copies of ``[W1, b1, W2, b2, ...]`` (prelu slopes after their layer's bias)."""
        return [p.copy() for p in self._live_parameters()]

    @property
    def n_parameters(self) -> int:
        return int(sum(p.size for p in self._live_parameters()))

    def set_parameters(self, params: Sequence[np.ndarray]) -> None:
        """Copy values in; the list must match ``parameters()`` in length, order and shapes."""
        live = self._live_parameters()
        names = self.parameter_names()
        if isinstance(params, np.ndarray) or len(params) != len(live):
            got = "an array" if isinstance(params, np.ndarray) else f"{len(params)} arrays"
            raise ValueError(f"expected {len(live)} arrays ({', '.join(names)}); got {got}")
        checked = []
        for name, target, value in zip(names, live, params, strict=True):
            value = np.asarray(value)
            if value.shape != target.shape:
                raise ValueError(f"{name} must have shape {target.shape}; got {value.shape}")
            if not np.issubdtype(value.dtype, np.number) or not np.all(np.isfinite(value)):
                raise ValueError(f"{name} must contain finite numbers")
            checked.append(value)
        for target, value in zip(live, checked, strict=True):
            target[...] = value
        self._refresh_prelu()

    def _refresh_prelu(self) -> None:
        for i, (spec, s) in enumerate(zip(self.layers, self.slopes, strict=True)):
            if s is not None:
                self._activations[i] = get_activation(spec.activation, float(s[0]))

    # ---- forward ------------------------------------------------------------------------------------------
    def _check_X(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim == 1 and self.input_dim == 1:
            X = X.reshape(-1, 1)
        if X.ndim != 2 or X.shape[1] != self.input_dim:
            raise ValueError(f"X must have shape (n_samples, {self.input_dim}); got {X.shape}")
        return X

    def forward(self, X, training: bool = False, rng: np.random.Generator | None = None) -> ForwardPass:
        """Run every layer and keep what backward needs. Dropout only when ``training``."""
        A = self._check_X(X)
        result = ForwardPass()
        last = len(self.layers) - 1
        for i, (spec, W, b, act) in enumerate(
            zip(self.layers, self.weights, self.biases, self._activations, strict=True)
        ):
            Z = A @ W.T  # Z_l = W_l·A_{l-1} + b_l, one row per sample
            Z += b.T
            a = act.forward(Z)
            cache = LayerCache(A, Z, a)
            if training and spec.dropout and i != last:
                keep = 1.0 - spec.dropout
                gen = rng if rng is not None else self._dropout_rng
                cache.mask = (gen.random(a.shape) < keep) / keep  # inverted dropout: E[mask] = 1
            result.caches.append(cache)
            A = cache.out
        return result

    def predict(self, X) -> np.ndarray:
        """Output after the output activation: ``(n_samples, n_outputs)``. Dropout is off."""
        A = self._check_X(X)
        for W, b, act in zip(self.weights, self.biases, self._activations, strict=True):
            Z = A @ W.T
            Z += b.T
            A = act.forward(Z)
        return A

    def hidden_activations(self, X) -> list[np.ndarray]:
        """``[A_1, ..., A_L]`` for ``X`` without dropout, each ``(n_samples, units_l)``; the last is the output."""
        return [c.a for c in self.forward(X).caches]

    # ---- loss and backward --------------------------------------------------------------------------------
    def sample_weights(self, y: np.ndarray) -> np.ndarray | None:
        if not self.class_weight:
            return None
        labels = np.asarray(y)
        if labels.ndim != 1:
            return None
        weights = np.array([self.class_weight.get(int(v), 1.0) for v in labels], dtype=self.dtype)
        return weights.reshape(-1, 1)

    def penalty(self) -> float:
        """L1/L2 penalty on the weights only (not biases), as in the notes: λ₁Σ|W| + (λ₂/2)ΣW²."""
        total = 0.0
        if self.l1:
            total += self.l1 * sum(float(np.abs(W).sum()) for W in self.weights)
        if self.l2:
            total += 0.5 * self.l2 * sum(float((W * W).sum()) for W in self.weights)
        return total

    def backward(
        self, fwd: ForwardPass, y, sample_weight: np.ndarray | None = None
    ) -> tuple[float, list, list]:
        """Loss (with penalty) and the gradients, plus each layer's δ = ∂L/∂Z for inspection.

        Returns ``(loss, grads, deltas)``: ``grads`` is aligned with ``parameters()``; ``deltas[l]`` is
        ``(n, units_l)``.
        """
        targets = encode_targets(self.loss, y, self.n_outputs).astype(self.dtype, copy=False)
        if targets.shape[0] != fwd.caches[0].a_prev.shape[0]:
            raise ValueError(f"X has {fwd.caches[0].a_prev.shape[0]} rows but y has {targets.shape[0]}")
        if sample_weight is None:
            sample_weight = self.sample_weights(y)
        return self.backward_encoded(fwd, targets, sample_weight)

    def backward_encoded(
        self, fwd: ForwardPass, targets: np.ndarray, sample_weight: np.ndarray | None
    ) -> tuple[float, list, list]:
        """:meth:`backward` for targets already encoded by ``core.losses.encode_targets`` (the trainer's path)."""
        caches = fwd.caches
        out = caches[-1]
        result = loss_and_output_grad(self.loss, out.z, out.a, targets, self._activations[-1], sample_weight)
        loss = result.value + self.penalty()
        dZ = result.dz
        dA = result.da  # ∂L/∂A of the output layer (None for the fused sigmoid/softmax pairs)
        per_layer: list[list[np.ndarray]] = [[] for _ in caches]
        deltas: list[np.ndarray] = [dZ] * len(caches)
        for i in range(len(caches) - 1, -1, -1):
            cache, W = caches[i], self.weights[i]
            deltas[i] = dZ
            dW = dZ.T @ cache.a_prev  # ∂L/∂W_l = δ_l · A_{l-1}ᵀ
            if self.l2:
                dW += self.l2 * W
            if self.l1:
                dW += self.l1 * np.sign(W)
            db = dZ.sum(axis=0).reshape(-1, 1)  # ∂L/∂b_l = δ_l · 1
            per_layer[i] = [dW, db]
            if self.slopes[i] is not None:
                # a = max(αz, z) for α < 1: the slope acts only where z ≤ 0, with ∂a/∂α = z there.
                per_layer[i].append(np.array([(dA * np.minimum(cache.z, 0.0)).sum()], dtype=self.dtype))
            if i > 0:
                prev = caches[i - 1]
                dA = dZ @ W  # W_lᵀ · δ_l, one row per sample
                if prev.mask is not None:
                    dA *= prev.mask
                dZ = dA * self._activations[i - 1].derivative(prev.z, prev.a)  # δ_{l-1} = α'(Z) ⊙ Wᵀδ_l
        grads = [g for layer in per_layer for g in layer]
        return loss, grads, deltas

    def loss_and_grads(self, X, y, training: bool = False) -> tuple[float, list[np.ndarray]]:
        """Mean loss over the samples (plus the L1/L2 penalty) and its gradient for each parameter."""
        fwd = self.forward(X, training=training)
        loss, grads, _ = self.backward(fwd, y)
        return loss, grads

    def loss_value(self, X, y) -> float:
        """Loss without gradients (plus penalty), dropout off."""
        out = self.forward(X).caches[-1]
        targets = encode_targets(self.loss, y, self.n_outputs)
        result = loss_and_output_grad(
            self.loss, out.z, out.a, targets, self._activations[-1], self.sample_weights(y)
        )
        return result.value + self.penalty()
