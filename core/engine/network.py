"""A dense feed-forward network in the lecture notes' matrix notation, forward and backward in matrix form.

Notation (written with one column per sample; we store one *row* per sample, which is the transpose and
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

import copy
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from core.engine.activations import (
    ACTIVATIONS,
    DEFAULT_LEAKY_SLOPE,
    DEFAULT_PRELU_SLOPE,
    ELU_ALPHA,
    OUTPUT_ONLY,
    expit,
    get_activation,
)
from core.engine.initializers import INITIALIZERS, initialize_weights
from core.engine.losses import LOSSES, check_loss, encode_targets, loss_and_output_grad
from core.engine.numbers import shown
from core.engine.validation import Interval, Nullable, Options, check, validate

_LAYER_KEYS = ("units", "activation", "dropout", "slope", "alpha")
DTYPES = ("float64", "float32")


@dataclass(frozen=True)
class LayerSpec:
    """One dense layer: ``units`` neurons with ``activation``; inverted ``dropout`` on its output while training.

    ``slope`` is leaky_relu's fixed negative slope, or prelu's starting slope; ``alpha`` is elu's α (None: 1).
    """

    units: int
    activation: str = "tanh"
    dropout: float = 0.0
    slope: float | None = None
    alpha: float | None = None

    def to_dict(self) -> dict:
        out: dict = {"units": self.units, "activation": self.activation}
        if self.dropout:
            out["dropout"] = self.dropout
        if self.slope is not None:
            out["slope"] = self.slope
        if self.alpha is not None:
            out["alpha"] = self.alpha
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


# What ``from_spec`` accepts, declared once (checked by core.engine.validation). Sizes have no upper bound here: how
# large a network a server will train is the host's business, checked where the app reads a network from outside
# (core.experiment.settings.check_network_caps), so a script or notebook may build a 128-unit layer.
WHOLE_POSITIVE = Interval(1, None, integer=True)
SPEC_CONSTRAINTS = {
    "input_dim": WHOLE_POSITIVE,
    "loss": Options(LOSSES),
    "init": Options(INITIALIZERS),
    "l1": Interval(0.0, 1e3),
    "l2": Interval(0.0, 1e3),
    "seed": Interval(0, 2**32, closed="left", integer=True, high_text="2**32"),
    "dtype": Options(DTYPES),
}
LAYER_CONSTRAINTS = {
    "units": WHOLE_POSITIVE,
    "activation": Options(ACTIVATIONS),
    "dropout": Interval(0.0, 1.0, closed="left"),  # inverted dropout divides by 1 − p
    "slope": Nullable(Interval(-10.0, 10.0)),
    "alpha": Nullable(Interval(0.0, 10.0)),
}
CLASS_WEIGHT = Interval(0.0, 1e6)


def check_allocatable(n_params: int, input_dim: int, dtype: str) -> None:
    """Not a cap (the host's caps live in core.experiment.settings), only what one NumPy array can hold at all: a
    network of 10**400 inputs fails with a short, named ValueError instead of NumPy's "maximum dimension exceeded"."""
    if n_params * np.dtype(dtype).itemsize >= sys.maxsize:
        raise ValueError(
            f"input_dim={shown(input_dim)} and these layers make {shown(n_params)} parameters; "
            "more than one array can hold"
        )


def check_training_spec(
    output: LayerSpec, input_dim: int, n_params: int, loss, init, l1, l2, seed, dtype, class_weight
) -> dict:
    """The arguments every network takes besides its layers, checked; keyword arguments for ``__init__``."""
    loss = check("loss", loss, SPEC_CONSTRAINTS["loss"])
    check_loss_matches_output(loss, output)
    rest = validate({"init": init, "l1": l1, "l2": l2, "seed": seed, "dtype": dtype}, SPEC_CONSTRAINTS)
    rest["class_weight"] = _check_class_weight(class_weight)
    check_allocatable(n_params, input_dim, rest["dtype"])
    return {"loss": loss, **rest}


def _check_class_weight(class_weight) -> dict[int, float] | None:
    if class_weight is None:
        return None
    if not isinstance(class_weight, Mapping):
        raise ValueError(
            f"class_weight={shown(class_weight)} is not valid; expected a dict such as {{0: 1.0, 1: 5.0}} or None"
        )
    checked = {}
    for label, weight in class_weight.items():
        if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or label < 0:
            raise ValueError(f"class_weight has label {shown(label)}; labels must be whole numbers ≥ 0")
        checked[int(label)] = check(f"class_weight[{label}]", weight, CLASS_WEIGHT)
    return checked


def parse_layers(layers: Sequence[Mapping | LayerSpec]) -> tuple[LayerSpec, ...]:
    """Validate layer dicts (``units``, ``activation``, optional ``dropout``, ``slope``) into LayerSpecs."""
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Sequence) or len(layers) == 0:
        raise ValueError("layers must be a non-empty list of layer dicts such as {'units': 4, 'activation': 'tanh'}")
    specs = []
    for i, layer in enumerate(layers):
        specs.append(parse_dense_layer(layer, f"layers[{i}]", is_output=i == len(layers) - 1))
    return tuple(specs)


def parse_dense_layer(layer: Mapping | LayerSpec, where: str, is_output: bool) -> LayerSpec:
    """One dense layer dict (``units``, ``activation``, optional ``dropout``, ``slope``) as a LayerSpec."""
    if isinstance(layer, LayerSpec):
        layer = layer.to_dict()
    if not isinstance(layer, Mapping):
        raise ValueError(f"{where}={shown(layer)} is not valid; expected a dict with 'units' and 'activation'")
    unknown = sorted(set(layer) - set(_LAYER_KEYS))
    if unknown:
        raise ValueError(f"{where} has unknown key(s) {unknown}; allowed keys: {', '.join(_LAYER_KEYS)}")
    if "units" not in layer:
        raise ValueError(f"{where} needs 'units'")
    given = {"units": layer["units"], "activation": layer.get("activation", "linear" if is_output else "tanh")}
    values = validate(given, LAYER_CONSTRAINTS, prefix=f"{where}.")
    activation = values["activation"]
    if activation in OUTPUT_ONLY and not is_output:
        raise ValueError(f"{where}.activation='softmax' is only valid on the output layer")
    values |= validate(
        {"dropout": layer.get("dropout", 0.0), "slope": layer.get("slope")}, LAYER_CONSTRAINTS, prefix=f"{where}."
    )
    if values["dropout"] and is_output:
        dropout = shown(values["dropout"])
        raise ValueError(f"{where}.dropout={dropout} is not valid; the output layer cannot use dropout")
    alpha = layer.get("alpha")
    if alpha is not None and activation != "elu":
        raise ValueError(f"{where}.alpha={shown(alpha)} is ELU's α; this layer's activation is {shown(activation)}")
    values |= validate({"alpha": alpha}, LAYER_CONSTRAINTS, prefix=f"{where}.")
    return LayerSpec(**values)


def _has_typed_layers(layers) -> bool:
    """True when some layer dict names a type other than dense (a plain dense list stays a plain Network)."""
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Sequence):
        return False
    return any(isinstance(layer, Mapping) and layer.get("type", "dense") != "dense" for layer in layers)


def _without_dense_type(layer):
    if isinstance(layer, Mapping) and "type" in layer:
        return {key: value for key, value in layer.items() if key != "type"}
    return layer


def check_loss_matches_output(loss: str, output: LayerSpec) -> None:
    """The fused pairs only make sense together; say which field to change when they do not match."""
    check_loss(loss)
    if loss == "bce" and output.activation != "sigmoid":
        raise ValueError(
            f"loss='bce' needs an output layer with activation 'sigmoid' (1 unit for two classes, N units for "
            f"N yes/no labels); got {output.units} unit(s) with {shown(output.activation)}"
        )
    if loss == "softmax_ce" and (output.activation != "softmax" or output.units < 2):
        raise ValueError(
            f"loss='softmax_ce' needs an output layer of at least 2 units with activation 'softmax'; "
            f"got {output.units} unit(s) with {shown(output.activation)}"
        )
    if output.activation == "softmax" and loss != "softmax_ce":
        raise ValueError(f"loss={shown(loss)} is not valid with a softmax output; use loss='softmax_ce'")


# ---- in-place kernels for the hot path ---------------------------------------------------------------------
# The common activations written with ``out=`` so that a training step allocates nothing. Every other
# activation goes through its Activation object (core.engine.activations), which allocates but computes the same.
def _softmax_into(z: np.ndarray, out: np.ndarray) -> None:
    np.subtract(z, z.max(axis=1, keepdims=True), out=out)  # e^(z − max) never overflows
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)


_FORWARD_INTO = {
    "linear": lambda z, out: np.copyto(out, z),
    "sigmoid": lambda z, out: expit(z, out=out),
    "tanh": lambda z, out: np.tanh(z, out=out),
    "relu": lambda z, out: np.maximum(z, 0.0, out=out),
    "softmax": _softmax_into,
}


def _sigmoid_delta(d: np.ndarray, z: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
    np.subtract(1.0, a, out=tmp)  # σ' = a(1 − a), from the a the forward pass already computed
    tmp *= a
    d *= tmp


def _tanh_delta(d: np.ndarray, z: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
    np.multiply(a, a, out=tmp)  # tanh' = 1 − a²
    np.subtract(1.0, tmp, out=tmp)
    d *= tmp


def _relu_delta(d: np.ndarray, z: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
    np.greater(z, 0.0, out=tmp)  # 1 where z > 0, else 0
    d *= tmp


def _linear_delta(d: np.ndarray, z: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
    """α' = 1: nothing to do."""


# d ← d ⊙ α'(z) in place
_DELTA_INTO = {"linear": _linear_delta, "sigmoid": _sigmoid_delta, "tanh": _tanh_delta, "relu": _relu_delta}
_FUSED_LOSSES = ("bce", "softmax_ce")
_MAX_WORKSPACES = 8  # batch sizes kept; a trainer uses at most four (batch, last batch, train set, validation)


class _Workspace:
    """Arrays for one batch size, reused by every step of that size (the trainer's hot path).

    ``inputs[l]`` is A_{l-1} (``inputs[0]`` is the batch itself), ``z``/``a`` are Z_l and α(Z_l), ``delta`` is
    δ_l (it holds ∂L/∂A_l until α' is applied), ``tmp`` is scratch for α'. ``masks`` holds the dropout masks
    of the last pass (None where dropout was off), drawn into ``mask_buffers``; ``dropped`` is a ⊙ mask.
    All (n, units_l).
    """

    __slots__ = ("inputs", "z", "a", "masks", "mask_buffers", "dropped", "delta", "tmp")

    def __init__(self, n: int, units: list[int], dtype: np.dtype, dropout: list[bool], backward: bool = True):
        def arrays(where=None) -> list:
            return [np.empty((n, u), dtype) if where is None or where[i] else None for i, u in enumerate(units)]

        self.z, self.a = arrays(), arrays()
        self.delta, self.tmp = (arrays(), arrays()) if backward else ([], [])
        self.mask_buffers, self.dropped = arrays(dropout), arrays(dropout)
        self.masks: list[np.ndarray | None] = [None] * len(units)
        self.inputs: list[np.ndarray | None] = [None] * len(units)

    @classmethod
    def from_caches(cls, caches: list[LayerCache], dtype: np.dtype) -> _Workspace:
        """A workspace around a public :class:`ForwardPass`, with fresh δ arrays (they are handed out)."""
        units = [c.z.shape[1] for c in caches]
        ws = cls(caches[0].a_prev.shape[0], units, dtype, [False] * len(caches), backward=True)
        ws.inputs = [c.a_prev for c in caches]
        ws.z = [c.z for c in caches]
        ws.a = [c.a for c in caches]
        ws.masks = [c.mask for c in caches]
        return ws


@dataclass(frozen=True)
class _Slot:
    """Where one layer's parameters sit in the flat buffer."""

    weights: slice
    shape: tuple[int, int]
    bias: slice
    slope: slice | None


class Network:
    """A dense network: parameters, forward pass, loss and gradients. Training lives in ``core.engine.training``.

    Build one with :meth:`from_spec`. ``parameters()`` lists ``[W1, b1, W2, b2, ...]``; a ``prelu`` layer adds its
    learned slope (shape ``(1,)``) right after its bias: ``[W1, b1, alpha1, W2, b2]``.

    The arrays in ``weights``, ``biases`` and ``slopes`` are views into one flat buffer laid out in
    ``parameters()`` order, and training gradients are views into a second one, so an optimizer updates the
    whole network with a handful of vectorised operations however deep it is. Change parameters in place
    (``W[...] = ...``) or with :meth:`set_parameters`; rebinding a list entry would detach it from the buffer.

    What a training loop (``core.engine.training.Trainer``, ``core.engine.gradcheck``) uses, and nothing else:

    - ``parameter_buffer`` / ``gradient_buffer``: the two flat float arrays, ``(n_parameters,)``; an optimizer
      steps the first with the second. After writing parameters directly, call :meth:`parameters_changed`.
    - :meth:`parameter_views` (the live arrays, ``parameters()`` order), :meth:`weight_views` (each W_l inside
      any array laid out like the buffer), ``layer_gradients`` (per layer ``(dW, db, dα or None)``, views into
      ``gradient_buffer``).
    - :meth:`check_X`; :meth:`train_gradients` (one batch forward and backward, gradients into
      ``gradient_buffer``: the hot path); :meth:`evaluate` (a forward pass whose ``.a``/``.z`` lists hold each
      layer's A_l and Z_l), then :meth:`loss_of`, :meth:`data_loss_of` or :meth:`backward_layers` on it.
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
        rng = self._describe(input_dim, layers, loss, init, l1, l2, seed, class_weight, dtype)
        self._allocate(_layout(input_dim, layers))
        fan_in = input_dim
        for spec, W, slope in zip(layers, self.weights, self.slopes, strict=True):
            W[...] = initialize_weights(init, fan_in, spec.units, rng)
            if slope is not None:
                slope[0] = DEFAULT_PRELU_SLOPE if spec.slope is None else spec.slope
            fan_in = spec.units
        self._wT = [W.T for W in self.weights]  # Z = A·Wᵀ + bᵀ, one row per sample
        self._bT = [b.T for b in self.biases]
        self._activations = [
            get_activation(
                s.activation,
                DEFAULT_LEAKY_SLOPE if s.slope is None else s.slope,
                ELU_ALPHA if s.alpha is None else s.alpha,
            )
            for s in layers
        ]
        self._forward_into = [_FORWARD_INTO.get(s.activation) or self._generic_forward(i) for i, s in enumerate(layers)]
        self._delta_into = [_DELTA_INTO.get(s.activation) or self._generic_delta(i) for i, s in enumerate(layers)]
        # The output δ is written in place for the fused pairs (ŷ − y) and for mse (prelu needs ∂L/∂A too).
        self._fast_output = loss in _FUSED_LOSSES or (loss == "mse" and layers[-1].activation != "prelu")
        last = len(layers) - 1
        self._dropout = [spec.dropout if i != last else 0.0 for i, spec in enumerate(layers)]
        self._workspaces: dict[int, _Workspace] = {}
        self.parameters_changed()

    # ---- construction -------------------------------------------------------------------------------------
    def _describe(self, input_dim, layers, loss, init, l1, l2, seed, class_weight, dtype) -> np.random.Generator:
        """The description every network keeps (what :meth:`spec` returns); the Generator that initialises it."""
        self.input_dim = input_dim
        self.layers = layers
        self.loss = loss
        self.init = init
        self.l1 = l1
        self.l2 = l2
        self.seed = seed
        self.class_weight = dict(class_weight) if class_weight else None
        self.dtype = np.dtype(dtype)
        self._dropout_rng = np.random.default_rng([seed, 1])
        return np.random.default_rng(seed)

    def _allocate(self, slots: list[_Slot]) -> None:
        """The parameter and gradient buffers laid out by ``slots``, and every layer's views into them."""
        self._slots = slots
        size = slots[-1].slope.stop if slots[-1].slope else slots[-1].bias.stop
        flat = self.parameter_buffer = np.zeros(size, dtype=self.dtype)
        self.weights: list[np.ndarray] = [flat[s.weights].reshape(s.shape) for s in slots]
        self.biases: list[np.ndarray] = [flat[s.bias].reshape(-1, 1) for s in slots]
        self.slopes: list[np.ndarray | None] = [None if s.slope is None else flat[s.slope] for s in slots]
        self.gradient_buffer = np.zeros_like(flat)
        self.layer_gradients, self._grads = self._gradient_views(self.gradient_buffer)

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
        input_shape: Sequence[int] | None = None,
    ) -> Network:
        """Validate a plain description and build the network (the contract: README, "Using the engine directly").

        With ``input_shape`` (channels, height, width) or any layer dict with a ``"type"`` (conv2d, maxpool,
        avgpool, flatten, dense) the result is a :class:`core.engine.convnet.ConvNetwork`, which has the same API.
        """
        if input_shape is not None or _has_typed_layers(layers):
            from core.engine.convnet import ConvNetwork  # the image layers build on this module

            return ConvNetwork.build(
                input_dim, layers, loss, init, l1, l2, seed, class_weight, dtype, input_shape=input_shape
            )
        if not isinstance(layers, (str, bytes)) and isinstance(layers, Sequence):
            layers = [_without_dense_type(layer) for layer in layers]
        input_dim = check("input_dim", input_dim, SPEC_CONSTRAINTS["input_dim"])
        specs = parse_layers(layers)
        sizes = [input_dim] + [s.units for s in specs]
        n_params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
        rest = check_training_spec(specs[-1], input_dim, n_params, loss, init, l1, l2, seed, dtype, class_weight)
        return cls(input_dim, specs, **rest)

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

    def _constructor_arguments(self) -> dict:
        """What ``__init__`` needs to build this network again (its description, checked already)."""
        return {
            "input_dim": self.input_dim,
            "layers": self.layers,
            "loss": self.loss,
            "init": self.init,
            "l1": self.l1,
            "l2": self.l2,
            "seed": self.seed,
            "class_weight": self.class_weight,
            "dtype": self.dtype.name,
        }

    def copy(self) -> Network:
        """An independent network with the same description and parameters (its own buffers)."""
        clone = type(self)(**self._constructor_arguments())
        clone.set_parameters(self.parameters())
        return clone

    def __deepcopy__(self, memo) -> Network:
        # A generic deep copy would copy each view on its own and detach it from the flat buffer.
        clone = self.copy()
        clone._dropout_rng = copy.deepcopy(self._dropout_rng, memo)
        return clone

    # ---- parameters ---------------------------------------------------------------------------------------
    @property
    def n_outputs(self) -> int:
        return self.layers[-1].units

    @property
    def layer_sizes(self) -> list[int]:
        return [self.input_dim] + [s.units for s in self.layers]

    def parameter_views(self) -> list[np.ndarray]:
        """The network's own arrays in ``parameters()`` order (views into ``parameter_buffer``, not copies)."""
        out: list[np.ndarray] = []
        for w, b, s in zip(self.weights, self.biases, self.slopes, strict=True):
            out.append(w)
            out.append(b)
            if s is not None:
                out.append(s)
        return out

    def _gradient_views(self, flat: np.ndarray) -> tuple[list[tuple], list[np.ndarray]]:
        """Views into a flat gradient buffer: per layer ``(dW, db as (units,), dalpha or None)``, and the list
        aligned with ``parameters()``."""
        per_layer, aligned = [], []
        for slot in self._slots:
            dW, db = flat[slot.weights].reshape(slot.shape), flat[slot.bias]
            d_alpha = None if slot.slope is None else flat[slot.slope]
            per_layer.append((dW, db, d_alpha))
            aligned += [dW, db.reshape(-1, 1)] + ([] if d_alpha is None else [d_alpha])
        return per_layer, aligned

    def weight_views(self, buffer: np.ndarray) -> list[np.ndarray]:
        """Each layer's W_l, shape (units_l, units_{l-1}), as a view into ``buffer`` (laid out like
        ``parameter_buffer``): a trainer keeps a copy of the buffer and reads the weights before a step from it."""
        return [buffer[slot.weights].reshape(slot.shape) for slot in self._slots]

    def parameter_names(self) -> list[str]:
        names = []
        for i, s in enumerate(self.slopes, start=1):
            names += [f"W{i}", f"b{i}"] + ([f"alpha{i}"] if s is not None else [])
        return names

    def parameters(self) -> list[np.ndarray]:
        """Copies of ``[W1, b1, W2, b2, ...]`` (prelu slopes after their layer's bias)."""
        return [p.copy() for p in self.parameter_views()]

    @property
    def n_parameters(self) -> int:
        return int(self.parameter_buffer.size)

    def set_parameters(self, params: Sequence[np.ndarray]) -> None:
        """Copy values in; the list must match ``parameters()`` in length, order and shapes."""
        live = self.parameter_views()
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
        self.parameters_changed()

    def parameters_changed(self) -> None:
        """Call after writing ``parameter_buffer`` directly: activations that cache a parameter (prelu's slope)
        read it again."""
        for i, (spec, s) in enumerate(zip(self.layers, self.slopes, strict=True)):
            if s is not None:
                self._activations[i] = get_activation(spec.activation, float(s[0]))

    # ---- forward ------------------------------------------------------------------------------------------
    def check_X(self, X) -> np.ndarray:
        """``X`` as an array of the network's dtype, shape (n_samples, input_dim); a ValueError naming the shape."""
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim == 1 and self.input_dim == 1:
            X = X.reshape(-1, 1)
        if X.ndim != 2 or X.shape[1] != self.input_dim:
            raise ValueError(f"X must have shape (n_samples, {self.input_dim}); got {X.shape}")
        return X

    def _generic_forward(self, i: int) -> Callable[[np.ndarray, np.ndarray], None]:
        def forward_into(z: np.ndarray, out: np.ndarray) -> None:
            out[...] = self._activations[i].forward(z)  # looked up per call: prelu's slope changes

        return forward_into

    def _generic_delta(self, i: int) -> Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]:
        def delta_into(d: np.ndarray, z: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
            d *= self._activations[i].derivative(z, a)

        return delta_into

    def _forward_layers(self, X: np.ndarray, ws: _Workspace, training: bool, rng: np.random.Generator | None) -> None:
        """Fill ``ws`` for the batch ``X``: Z_l = W_l·A_{l-1} + b_l, A_l = α_l(Z_l), dropout when ``training``."""
        A = X
        layers = zip(self._wT, self._bT, self._forward_into, ws.z, ws.a, strict=True)
        for i, (wT, bT, activate, z, a) in enumerate(layers):
            ws.inputs[i] = A
            np.matmul(A, wT, out=z)
            z += bT
            activate(z, a)
            rate = self._dropout[i]
            if training and rate:
                keep = 1.0 - rate
                gen = rng if rng is not None else self._dropout_rng
                mask = ws.masks[i] = ws.mask_buffers[i]
                gen.random(dtype=mask.dtype, out=mask)
                np.less(mask, keep, out=mask)
                mask /= keep  # inverted dropout: E[mask] = 1
                A = np.multiply(a, mask, out=ws.dropped[i])
            else:
                ws.masks[i] = None
                A = a

    def _workspace(self, n: int) -> _Workspace:
        ws = self._workspaces.get(n)
        if ws is None:
            if len(self._workspaces) >= _MAX_WORKSPACES:
                self._workspaces.clear()
            units = [s.units for s in self.layers]
            ws = self._workspaces[n] = _Workspace(n, units, self.dtype, [bool(r) for r in self._dropout])
        return ws

    def forward(self, X, training: bool = False, rng: np.random.Generator | None = None) -> ForwardPass:
        """Run every layer and keep what backward needs. Dropout only when ``training``."""
        X = self.check_X(X)
        units = [s.units for s in self.layers]
        ws = _Workspace(X.shape[0], units, self.dtype, [bool(r) for r in self._dropout], backward=False)
        self._forward_layers(X, ws, training, rng)
        return ForwardPass(
            [LayerCache(A, z, a, mask) for A, z, a, mask in zip(ws.inputs, ws.z, ws.a, ws.masks, strict=True)]
        )

    def predict(self, X) -> np.ndarray:
        """Output after the output activation: ``(n_samples, n_outputs)``. Dropout is off."""
        A = self.check_X(X)
        for wT, bT, activate in zip(self._wT, self._bT, self._forward_into, strict=True):
            Z = A @ wT
            Z += bT
            activate(Z, Z)  # in place: one new array per layer
            A = Z
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
        """L1/L2 penalty on the weights only (not biases), the usual convention: λ₁Σ|W| + (λ₂/2)ΣW²."""
        total = 0.0
        if self.l1:
            total += self.l1 * sum(float(np.abs(W).sum()) for W in self.weights)
        if self.l2:
            total += 0.5 * self.l2 * sum(float((W * W).sum()) for W in self.weights)
        return total

    def loss_of(self, ws: _Workspace, targets: np.ndarray, sample_weight: np.ndarray | None) -> float:
        """Loss (with penalty) of the forward pass held in ``ws``."""
        result = loss_and_output_grad(self.loss, ws.z[-1], ws.a[-1], targets, self._activations[-1], sample_weight)
        return result.value + self.penalty()

    def data_loss_of(self, ws: _Workspace, targets: np.ndarray) -> float:
        """Plain loss of the forward pass held in ``ws``: no penalty, no class weights (see :meth:`data_loss`)."""
        return loss_and_output_grad(self.loss, ws.z[-1], ws.a[-1], targets, self._activations[-1], None).value

    def backward_layers(
        self,
        ws: _Workspace,
        targets: np.ndarray,
        sample_weight: np.ndarray | None,
        grads: list[tuple],
        need_loss: bool,
    ) -> float:
        """Write every gradient into ``grads`` (from :meth:`_gradient_views`) and every δ into ``ws.delta``.

        Returns the loss with penalty, or NaN when ``need_loss`` is false and the output δ has a closed form.
        """
        last = len(ws.z) - 1
        z_out, a_out, d = ws.z[last], ws.a[last], ws.delta[last]
        n = z_out.shape[0]
        loss = math.nan
        da_out = None
        if need_loss or not self._fast_output:
            result = loss_and_output_grad(self.loss, z_out, a_out, targets, self._activations[last], sample_weight)
            loss = result.value + self.penalty()
            np.copyto(d, result.dz)
            da_out = result.da
        elif self.loss in _FUSED_LOSSES:
            np.subtract(a_out, targets, out=d)  # σ(z) − t, or ŷ − y
            if sample_weight is not None:
                d *= sample_weight
            d /= n
            if self.loss == "bce" and d.shape[1] > 1:
                d /= d.shape[1]  # multi-label: the mean over the labels too
        else:  # mse: δ = (2/k)(a − t) ⊙ α'(z) / n
            np.subtract(a_out, targets, out=d)
            d *= 2.0
            d /= z_out.shape[1]
            self._delta_into[last](d, z_out, a_out, ws.tmp[last])
            if sample_weight is not None:
                d *= sample_weight
            d /= n
        for i in range(last, -1, -1):
            d, W = ws.delta[i], self.weights[i]
            dW, db, d_alpha = grads[i]
            np.matmul(d.T, ws.inputs[i], out=dW)  # ∂L/∂W_l = δ_l · A_{l-1}ᵀ
            if self.l2:
                dW += self.l2 * W
            if self.l1:
                dW += self.l1 * np.sign(W)
            np.add.reduce(d, axis=0, out=db)  # ∂L/∂b_l = δ_l · 1
            if i == last and d_alpha is not None:
                d_alpha[0] = (da_out * np.minimum(z_out, 0.0)).sum()
            if i == 0:
                break
            prev = ws.delta[i - 1]
            np.matmul(d, W, out=prev)  # ∂L/∂A_{l-1} = W_lᵀ · δ_l, one row per sample
            mask = ws.masks[i - 1]
            if mask is not None:
                prev *= mask
            d_alpha_prev = grads[i - 1][2]
            if d_alpha_prev is not None:
                # a = max(αz, z) for α < 1: the slope acts only where z ≤ 0, with ∂a/∂α = z there.
                d_alpha_prev[0] = (prev * np.minimum(ws.z[i - 1], 0.0)).sum()
            self._delta_into[i - 1](prev, ws.z[i - 1], ws.a[i - 1], ws.tmp[i - 1])  # δ_{l-1} = α'(Z) ⊙ Wᵀδ_l
        return loss

    def backward(self, fwd: ForwardPass, y, sample_weight: np.ndarray | None = None) -> tuple[float, list, list]:
        """Loss (with penalty) and the gradients, plus each layer's δ = ∂L/∂Z for inspection.

        Returns ``(loss, grads, deltas)``: ``grads`` is aligned with ``parameters()``; ``deltas[l]`` is
        ``(n, units_l)``.
        """
        targets = encode_targets(self.loss, y, self.n_outputs)
        if targets.shape[0] != fwd.caches[0].a_prev.shape[0]:
            raise ValueError(f"X has {fwd.caches[0].a_prev.shape[0]} rows but y has {targets.shape[0]}")
        if sample_weight is None:
            sample_weight = self.sample_weights(y)
        return self.backward_encoded(fwd, targets.astype(self.dtype, copy=False), sample_weight)

    def backward_encoded(
        self, fwd: ForwardPass, targets: np.ndarray, sample_weight: np.ndarray | None
    ) -> tuple[float, list, list]:
        """:meth:`backward` for targets already encoded by ``core.engine.losses.encode_targets``; fresh arrays out."""
        ws = _Workspace.from_caches(fwd.caches, self.dtype)
        per_layer, grads = self._gradient_views(np.empty_like(self.parameter_buffer))
        loss = self.backward_layers(ws, targets, sample_weight, per_layer, need_loss=True)
        return loss, grads, ws.delta

    def loss_and_grads(self, X, y, training: bool = False) -> tuple[float, list[np.ndarray]]:
        """Mean loss over the samples (plus the L1/L2 penalty) and its gradient for each parameter."""
        fwd = self.forward(X, training=training)
        loss, grads, _ = self.backward(fwd, y)
        return loss, grads

    def data_loss(self, X, y) -> float:
        """The plain loss on ``(X, y)``, dropout off: no penalty, no class weights (what a held-out loss reports).

        The training objective (:meth:`loss_value`) adds both; scored on held-out data they would make the
        "test loss" depend on the training setup rather than only on how well the network predicts.
        """
        out = self.forward(X).caches[-1]
        targets = encode_targets(self.loss, y, self.n_outputs)
        return loss_and_output_grad(self.loss, out.z, out.a, targets, self._activations[-1], None).value

    def loss_value(self, X, y) -> float:
        """The training objective without gradients: loss with class weights plus penalty, dropout off."""
        out = self.forward(X).caches[-1]
        targets = encode_targets(self.loss, y, self.n_outputs)
        result = loss_and_output_grad(self.loss, out.z, out.a, targets, self._activations[-1], self.sample_weights(y))
        return result.value + self.penalty()

    # ---- the trainer's hot path ---------------------------------------------------------------------------
    def train_gradients(
        self,
        X: np.ndarray,
        targets: np.ndarray,
        sample_weight: np.ndarray | None,
        training: bool,
        need_loss: bool,
    ) -> float:
        """Forward and backward for one batch in reused buffers; the gradients land in ``gradient_buffer``.

        X : (n, input_dim) of the network's dtype; targets : encoded, (n, n_outputs). Returns the loss when
        ``need_loss`` (NaN otherwise, which saves computing it).
        """
        ws = self._workspace(X.shape[0])
        self._forward_layers(X, ws, training, None)
        return self.backward_layers(ws, targets, sample_weight, self.layer_gradients, need_loss)

    def evaluate(self, X: np.ndarray, every_layer: bool = True, backward: bool = False) -> _Workspace:
        """Forward pass over ``X`` (dropout off); read ``ws.a[-1]`` for the output.

        ``every_layer=False`` promises that only the output layer's ``z``/``a`` will be read (image networks
        then evaluate in cache-sized chunks); the dense network fills every layer either way. Reuses the
        workspace training keeps for this many rows, if any. Otherwise the workspace is made for this call (with
        δ arrays only when ``backward`` asks for a backward pass over it) and dropped with the result: a session
        must not hold (training + validation rows) × Σ units × 4 arrays between epochs (82 MB for eight 64-unit
        layers on 5,000 points, issue 19) just to score them once an epoch.
        """
        n = X.shape[0]
        ws = self._workspaces.get(n)
        if ws is None:
            ws = _Workspace(n, [s.units for s in self.layers], self.dtype, [False] * len(self.layers), backward)
        self._forward_layers(X, ws, False, None)
        return ws


def _layout(input_dim: int, layers: tuple[LayerSpec, ...]) -> list[_Slot]:
    """Each layer's place in the flat buffer, in ``parameters()`` order: W_l, b_l, then α_l for prelu."""
    slots, offset, fan_in = [], 0, input_dim
    for spec in layers:
        weights = slice(offset, offset + spec.units * fan_in)
        bias = slice(weights.stop, weights.stop + spec.units)
        slope = slice(bias.stop, bias.stop + 1) if spec.activation == "prelu" else None
        slots.append(_Slot(weights, (spec.units, fan_in), bias, slope))
        offset = slope.stop if slope else bias.stop
        fan_in = spec.units
    return slots
