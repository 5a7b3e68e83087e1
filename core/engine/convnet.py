"""A network with image layers: conv2d, max/average pooling and flatten before the dense layers.

Built by :meth:`core.engine.network.Network.from_spec` whenever a layer dict has a ``"type"`` or ``input_shape`` is
given, with the same API as the dense :class:`~core.engine.network.Network` (``parameters``, ``set_parameters``,
``predict``, ``loss_and_grads``, ``forward``/``backward``, and the trainer's hot path)::

    net = Network.from_spec(
        input_dim=64, input_shape=(1, 8, 8),          # channels, height, width; rows of X are images, C-order
        layers=[{"type": "conv2d", "filters": 8, "kernel": 3, "stride": 1, "padding": "valid", "activation": "relu"},
                {"type": "maxpool", "size": 2},       # or "avgpool"; stride = size unless given
                {"type": "flatten"},                  # (channel, row, column) order
                {"units": 10, "activation": "softmax"}],
        loss="softmax_ce", seed=0)

A conv2d layer's parameters are ``W`` (filters, channels, kernel, kernel) and ``b`` (filters, 1); pooling and
flatten have none, so ``parameters()`` is ``[W1, b1, W2, b2]`` for the network above (conv, then dense).
The maths of each layer is in :mod:`core.engine.layers`; this module strings the layers together and backpropagates
δ = ∂L/∂Z through them exactly as the dense network does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from core.engine.activations import (
    ACTIVATIONS,
    DEFAULT_LEAKY_SLOPE,
    DEFAULT_PRELU_SLOPE,
    ELU_ALPHA,
    OUTPUT_ONLY,
    get_activation,
)
from core.engine.initializers import init_scale, initialize_weights
from core.engine.layers import (
    PADDINGS,
    avgpool_backward,
    avgpool_forward,
    conv2d_backward,
    conv2d_forward,
    conv_output_size,
    im2col,
    maxpool_backward,
    maxpool_forward,
    pad_images,
    pool_output_size,
)
from core.engine.losses import loss_and_output_grad
from core.engine.network import (
    LAYER_CONSTRAINTS,
    SPEC_CONSTRAINTS,
    WHOLE_POSITIVE,
    ForwardPass,
    LayerCache,
    LayerSpec,
    Network,
    _Slot,
    check_training_spec,
    parse_dense_layer,
)
from core.engine.numbers import shown
from core.engine.validation import Interval, Options, check, validate

LAYER_TYPES = ("dense", "conv2d", "maxpool", "avgpool", "flatten")
STRIDES = (1, 2)
_CONV_KEYS = ("type", "filters", "kernel", "stride", "padding", "activation", "dropout", "slope")
_POOL_KEYS = ("type", "size", "stride")
KERNEL_SIZE = Interval(1, 99, integer=True)  # also a pooling window
CONV_ACTIVATIONS = tuple(a for a in ACTIVATIONS if a not in OUTPUT_ONLY)
EVALUATION_CHUNK = 256  # rows per forward pass when only the output is needed (keeps feature maps in cache)


@dataclass(frozen=True)
class ConvSpec:
    """``filters`` k×k kernels over every channel of the input, moved ``stride`` pixels at a time."""

    filters: int
    kernel: int
    stride: int = 1
    padding: str = "valid"
    activation: str = "relu"
    dropout: float = 0.0
    slope: float | None = None
    type: str = "conv2d"

    def to_dict(self) -> dict:
        out: dict = {
            "type": "conv2d",
            "filters": self.filters,
            "kernel": self.kernel,
            "stride": self.stride,
            "padding": self.padding,
            "activation": self.activation,
        }
        if self.dropout:
            out["dropout"] = self.dropout
        if self.slope is not None:
            out["slope"] = self.slope
        return out


@dataclass(frozen=True)
class PoolSpec:
    """The max (``maxpool``) or mean (``avgpool``) of each size×size window; no parameters."""

    type: str
    size: int
    stride: int
    activation: str = "linear"  # pooling has no activation; the trainer's statistics read this field
    dropout: float = 0.0

    def to_dict(self) -> dict:
        return {"type": self.type, "size": self.size, "stride": self.stride}


@dataclass(frozen=True)
class FlattenSpec:
    """(channels, rows, columns) maps to one row per sample, in C order."""

    type: str = "flatten"
    activation: str = "linear"
    dropout: float = 0.0

    def to_dict(self) -> dict:
        return {"type": "flatten"}


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(s) for s in shape)


def check_input_shape(input_shape, input_dim: int) -> tuple[int, int, int]:
    """(channels, height, width) of positive whole numbers whose product is ``input_dim``."""
    if (
        isinstance(input_shape, (str, bytes))
        or not isinstance(input_shape, Sequence)
        or len(input_shape) != 3
        or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1 for v in input_shape)
    ):
        raise ValueError(
            f"input_shape={shown(input_shape)} is not valid; expected (channels, height, width) of whole numbers ≥ 1, "
            "e.g. (1, 8, 8)"
        )
    shape = tuple(int(v) for v in input_shape)
    if math.prod(shape) != input_dim:
        raise ValueError(
            f"input_shape={shown(shape)} holds {math.prod(shape)} values but input_dim={input_dim}; "
            "they must match (each row of X is one image, flattened)"
        )
    return shape  # type: ignore[return-value]


def parse_image_layers(
    layers: Sequence[Mapping], input_shape: tuple[int, ...] | None, input_dim: int
) -> tuple[tuple, list[tuple[int, ...]]]:
    """Validate a mixed layer list; returns the specs and each layer's output shape.

    Shapes are (C, H, W) for image layers and (units,) after flatten or a dense layer.
    """
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Sequence) or len(layers) == 0:
        raise ValueError("layers must be a non-empty list of layer dicts such as {'type': 'conv2d', 'filters': 8, ...}")
    shape: tuple[int, ...] = input_shape if input_shape is not None else (input_dim,)
    specs, shapes = [], []
    for i, layer in enumerate(layers):
        where = f"layers[{i}]"
        is_output = i == len(layers) - 1
        kind = layer.get("type", "dense") if isinstance(layer, Mapping) else "dense"
        check(f"{where}.type", kind, Options(LAYER_TYPES))
        if is_output and kind != "dense":
            raise ValueError(
                f"{where} is a {kind} layer; the last layer must be a dense output layer such as "
                "{'units': 10, 'activation': 'softmax'}"
            )
        if kind == "dense":
            if len(shape) != 1:
                raise ValueError(
                    f"{where} is dense but receives images of shape {_shape_text(shape)}; "
                    "add {'type': 'flatten'} before it"
                )
            plain = {k: v for k, v in layer.items() if k != "type"} if isinstance(layer, Mapping) else layer
            spec = parse_dense_layer(plain, where, is_output)
            shape = (spec.units,)
        else:
            if len(shape) != 3:
                hint = (
                    "give input_shape=(channels, height, width) for image inputs"
                    if i == 0
                    else "image layers (conv2d, maxpool, avgpool, flatten) must come before flatten and dense layers"
                )
                raise ValueError(f"{where} is a {kind} layer but its input is flat ({shape[0]} values); {hint}")
            if kind == "conv2d":
                spec, shape = _parse_conv(layer, where, shape)
            elif kind == "flatten":
                unknown = sorted(set(layer) - {"type"})
                if unknown:
                    raise ValueError(f"{where} has unknown key(s) {unknown}; a flatten layer takes only 'type'")
                spec, shape = FlattenSpec(), (math.prod(shape),)
            else:
                spec, shape = _parse_pool(layer, kind, where, shape)
        specs.append(spec)
        shapes.append(shape)
    return tuple(specs), shapes


def _parse_conv(layer: Mapping, where: str, shape: tuple[int, ...]) -> tuple[ConvSpec, tuple[int, int, int]]:
    unknown = sorted(set(layer) - set(_CONV_KEYS))
    if unknown:
        raise ValueError(f"{where} has unknown key(s) {unknown}; allowed keys: {', '.join(_CONV_KEYS)}")
    for required in ("filters", "kernel"):
        if required not in layer:
            raise ValueError(f"{where} (conv2d) needs {required!r}")
    _, height, width = shape
    filters = check(f"{where}.filters", layer["filters"], WHOLE_POSITIVE)
    kernel = check(f"{where}.kernel", layer["kernel"], KERNEL_SIZE)
    stride = check(f"{where}.stride", layer.get("stride", 1), Options(STRIDES))
    padding = check(f"{where}.padding", layer.get("padding", "valid"), Options(PADDINGS))
    if kernel > min(height, width):
        raise ValueError(
            f"{where}.kernel={kernel} is larger than its input ({height}×{width}); "
            f"choose a kernel from 1 to {min(height, width)}"
        )
    activation = check(f"{where}.activation", layer.get("activation", "relu"), Options(CONV_ACTIVATIONS))
    rest = validate(
        {"dropout": layer.get("dropout", 0.0), "slope": layer.get("slope")}, LAYER_CONSTRAINTS, prefix=f"{where}."
    )
    dropout, slope = rest["dropout"], rest["slope"]
    out = (
        filters,
        conv_output_size(height, kernel, stride, padding),
        conv_output_size(width, kernel, stride, padding),
    )
    return ConvSpec(filters, kernel, int(stride), padding, activation, dropout, slope), out


def _parse_pool(layer: Mapping, kind: str, where: str, shape: tuple[int, ...]) -> tuple[PoolSpec, tuple[int, ...]]:
    unknown = sorted(set(layer) - set(_POOL_KEYS))
    if unknown:
        raise ValueError(f"{where} has unknown key(s) {unknown}; allowed keys: {', '.join(_POOL_KEYS)}")
    channels, height, width = shape
    size = check(f"{where}.size", layer.get("size", 2), KERNEL_SIZE)
    if size > min(height, width):
        raise ValueError(
            f"{where}.size={size} is larger than its input ({height}×{width}); "
            f"choose a size from 1 to {min(height, width)}"
        )
    stride = check(f"{where}.stride", layer.get("stride", size), Interval(1, size, integer=True))
    out = (channels, pool_output_size(height, size, stride), pool_output_size(width, size, stride))
    return PoolSpec(kind, size, stride), out


class _ImageWorkspace:
    """One pass over a batch: per layer its input, Z, A, dropout mask, δ, and what backward reuses (``cache``:
    the conv patch matrix or the max-pool winners). Image layers hold (n, C, H, W) arrays, dense ones (n, units).
    """

    __slots__ = ("inputs", "z", "a", "masks", "delta", "cache")

    def __init__(self, n_layers: int):
        self.inputs: list = [None] * n_layers
        self.z: list = [None] * n_layers
        self.a: list = [None] * n_layers
        self.masks: list = [None] * n_layers
        self.delta: list = [None] * n_layers
        self.cache: list = [None] * n_layers


class ConvNetwork(Network):
    """A :class:`~core.engine.network.Network` whose first layers may be conv2d, maxpool, avgpool and flatten.

    ``layers`` holds one spec per layer (:class:`ConvSpec`, :class:`PoolSpec`, :class:`FlattenSpec` or the dense
    :class:`~core.engine.network.LayerSpec`); ``weights``, ``biases`` and ``slopes`` hold one entry per layer *with
    parameters* (conv and dense), in ``parameters()`` order, as views into one flat buffer. ``shapes[l]`` is layer
    l's output shape per sample.
    """

    def __init__(
        self,
        input_dim: int,
        input_shape: tuple[int, int, int] | None,
        layers: tuple,
        shapes: list[tuple[int, ...]],
        **description,
    ):
        """``description``: loss, init, l1, l2, seed, class_weight and dtype, as :class:`Network` takes them."""
        rng = self._describe(input_dim, layers, **description)
        self.input_shape = input_shape
        self.shapes = shapes
        self._in_shapes = [input_shape or (input_dim,)] + shapes[:-1]
        self._param_layers = [i for i, s in enumerate(layers) if isinstance(s, (ConvSpec, LayerSpec))]
        slots = []
        offset = 0
        for i in self._param_layers:
            spec, fan_in_shape = layers[i], self._in_shapes[i]
            if isinstance(spec, ConvSpec):
                shape = (spec.filters, fan_in_shape[0], spec.kernel, spec.kernel)
            else:
                shape = (spec.units, fan_in_shape[0])
            weights = slice(offset, offset + math.prod(shape))
            bias = slice(weights.stop, weights.stop + shape[0])
            slope = slice(bias.stop, bias.stop + 1) if spec.activation == "prelu" else None
            slots.append(_Slot(weights, shape, bias, slope))
            offset = slope.stop if slope else bias.stop
        self._allocate(slots)
        for i, W, slope in zip(self._param_layers, self.weights, self.slopes, strict=True):
            spec = layers[i]
            if isinstance(spec, ConvSpec):
                W[...] = _conv_init(self.init, W.shape, rng)
            else:
                W[...] = initialize_weights(self.init, W.shape[1], W.shape[0], rng)
            if slope is not None:
                slope[0] = DEFAULT_PRELU_SLOPE if spec.slope is None else spec.slope
        self._activations = [
            get_activation(
                s.activation,
                DEFAULT_LEAKY_SLOPE if getattr(s, "slope", None) is None else s.slope,
                ELU_ALPHA if getattr(s, "alpha", None) is None else s.alpha,  # α = 0 is a valid ELU
            )
            for s in layers
        ]
        last = len(layers) - 1
        self._dropout = [spec.dropout if i != last else 0.0 for i, spec in enumerate(layers)]
        self.parameters_changed()

    @classmethod
    def build(
        cls,
        input_dim,
        layers,
        loss="mse",
        init="xavier",
        l1=0.0,
        l2=0.0,
        seed=0,
        class_weight=None,
        dtype="float64",
        input_shape=None,
    ) -> ConvNetwork:
        """Validate a plain description (see the module docstring) and build the network."""
        input_dim = check("input_dim", input_dim, SPEC_CONSTRAINTS["input_dim"])
        shape = None if input_shape is None else check_input_shape(input_shape, input_dim)
        specs, shapes = parse_image_layers(layers, shape, input_dim)
        n_params = count_parameters(specs, [shape or (input_dim,)] + shapes[:-1])
        rest = check_training_spec(specs[-1], input_dim, n_params, loss, init, l1, l2, seed, dtype, class_weight)
        return cls(input_dim, shape, specs, shapes, **rest)

    def spec(self) -> dict:
        out = super().spec()
        out["input_shape"] = None if self.input_shape is None else list(self.input_shape)
        return out

    def _constructor_arguments(self) -> dict:
        return super()._constructor_arguments() | {"input_shape": self.input_shape, "shapes": self.shapes}

    @property
    def layer_sizes(self) -> list[int]:
        """Values per sample: the input, then each layer's output (a feature map counts C·H·W)."""
        return [self.input_dim] + [math.prod(s) for s in self.shapes]

    def parameters_changed(self) -> None:
        for i, s in zip(self._param_layers, self.slopes, strict=True):
            if s is not None:
                self._activations[i] = get_activation(self.layers[i].activation, float(s[0]))

    # ---- forward ------------------------------------------------------------------------------------------
    def _run_forward(self, X: np.ndarray, training: bool, rng: np.random.Generator | None) -> _ImageWorkspace:
        ws = _ImageWorkspace(len(self.layers))
        A = X if self.input_shape is None else X.reshape(X.shape[0], *self.input_shape)
        params = dict(zip(self._param_layers, zip(self.weights, self.biases, strict=True), strict=True))
        for i, spec in enumerate(self.layers):
            ws.inputs[i] = A
            if isinstance(spec, ConvSpec):
                W, b = params[i]
                z, ws.cache[i] = conv2d_forward(A, W, b, spec.stride, spec.padding)
                a = self._activations[i].forward(z)
            elif isinstance(spec, LayerSpec):
                W, b = params[i]
                z = A @ W.T
                z += b.T
                a = self._activations[i].forward(z)
            elif isinstance(spec, PoolSpec):
                if spec.type == "maxpool":
                    z = maxpool_forward(A, spec.size, spec.stride)
                else:
                    z = avgpool_forward(A, spec.size, spec.stride)
                a = z
            else:  # flatten: (channel, row, column) order
                z = a = A.reshape(A.shape[0], -1)
            ws.z[i], ws.a[i] = z, a
            rate = self._dropout[i]
            if training and rate:
                keep = 1.0 - rate
                gen = rng if rng is not None else self._dropout_rng
                mask = gen.random(a.shape, dtype=self.dtype)
                mask = (mask < keep).astype(self.dtype) / keep  # inverted dropout: E[mask] = 1
                ws.masks[i] = mask
                A = a * mask
            else:
                A = a
        return ws

    def forward(self, X, training: bool = False, rng: np.random.Generator | None = None) -> ForwardPass:
        """Every layer's input, Z and A (image layers as (n, C, H, W)); dropout only when ``training``."""
        ws = self._run_forward(self.check_X(X), training, rng)
        return ForwardPass(
            [LayerCache(A, z, a, mask) for A, z, a, mask in zip(ws.inputs, ws.z, ws.a, ws.masks, strict=True)]
        )

    def predict(self, X) -> np.ndarray:
        """Output after the output activation: ``(n_samples, n_outputs)``. Dropout is off."""
        return self.evaluate(self.check_X(X), every_layer=False).a[-1]

    # ---- backward -----------------------------------------------------------------------------------------
    def backward_layers(self, ws, targets, sample_weight, grads, need_loss) -> float:
        """Write every gradient into ``grads`` (per parametrised layer ``(dW, db, dα)``) and every δ into
        ``ws.delta``; returns the loss with penalty."""
        last = len(self.layers) - 1
        out = loss_and_output_grad(self.loss, ws.z[last], ws.a[last], targets, self._activations[last], sample_weight)
        loss = out.value + self.penalty()
        slot_of = {layer: k for k, layer in enumerate(self._param_layers)}
        d = out.dz
        if self.slopes[-1] is not None and out.da is not None:
            grads[-1][2][0] = (out.da * np.minimum(ws.z[last], 0.0)).sum()
        for i in range(last, -1, -1):
            ws.delta[i] = d
            spec, A_prev = self.layers[i], ws.inputs[i]
            need_input = i > 0
            if isinstance(spec, (ConvSpec, LayerSpec)):
                k = slot_of[i]
                W = self.weights[k]
                dW, db, _ = grads[k]
                if isinstance(spec, ConvSpec):
                    cols = ws.cache[i]
                    if cols is None:
                        cols = im2col(
                            pad_images(A_prev, spec.kernel, spec.stride, spec.padding)[0], spec.kernel, spec.stride
                        )
                    gW, gb, d_in = conv2d_backward(d, cols, W, A_prev.shape, spec.stride, spec.padding, need_input)
                    dW[...] = gW
                    db[...] = gb[:, 0]
                else:
                    np.matmul(d.T, A_prev, out=dW)  # ∂L/∂W_l = δ_l · A_{l-1}ᵀ
                    np.add.reduce(d, axis=0, out=db)
                    d_in = d @ W if need_input else None
                if self.l2:
                    dW += self.l2 * W
                if self.l1:
                    dW += self.l1 * np.sign(W)
            elif not need_input:
                break
            elif isinstance(spec, PoolSpec):
                if spec.type == "maxpool":
                    d_in = maxpool_backward(d, A_prev, ws.z[i], spec.size, spec.stride)
                else:
                    d_in = avgpool_backward(d, A_prev.shape, spec.size, spec.stride)
            else:
                d_in = d.reshape(A_prev.shape)
            if not need_input:
                break
            # d_in = ∂L/∂A_{l-1} (after dropout); turn it into δ_{l-1} = ∂L/∂Z_{l-1}
            prev = i - 1
            if ws.masks[prev] is not None:
                d_in = d_in * ws.masks[prev]
            if prev in slot_of:
                d_alpha = grads[slot_of[prev]][2]
                if d_alpha is not None:
                    d_alpha[0] = (d_in * np.minimum(ws.z[prev], 0.0)).sum()
                d = d_in * self._activations[prev].derivative(ws.z[prev], ws.a[prev])
            else:
                d = d_in  # pooling and flatten: A = Z
        return loss

    def backward_encoded(self, fwd: ForwardPass, targets: np.ndarray, sample_weight) -> tuple[float, list, list]:
        ws = _ImageWorkspace(len(self.layers))
        ws.inputs = [c.a_prev for c in fwd.caches]
        ws.z = [c.z for c in fwd.caches]
        ws.a = [c.a for c in fwd.caches]
        ws.masks = [c.mask for c in fwd.caches]
        per_layer, grads = self._gradient_views(np.empty_like(self.parameter_buffer))
        loss = self.backward_layers(ws, targets, sample_weight, per_layer, need_loss=True)
        return loss, grads, ws.delta

    # ---- the trainer's hot path ---------------------------------------------------------------------------
    def train_gradients(self, X, targets, sample_weight, training, need_loss) -> float:
        ws = self._run_forward(X, training, None)
        return self.backward_layers(ws, targets, sample_weight, self.layer_gradients, need_loss)

    def evaluate(self, X: np.ndarray, every_layer: bool = True, backward: bool = False) -> _ImageWorkspace:
        """Forward pass over ``X`` (dropout off). With ``every_layer=False`` only the output layer's ``z``/``a``
        are filled, computed in chunks of :data:`EVALUATION_CHUNK` rows: a whole training set's feature maps at
        once would not fit in the CPU cache and take several times longer. ``backward`` is accepted for the
        dense network's signature: an image workspace is always made for the call and can run backward."""
        if every_layer or X.shape[0] <= EVALUATION_CHUNK:
            return self._run_forward(X, False, None)
        ws = _ImageWorkspace(len(self.layers))
        parts = [
            self._run_forward(X[i : i + EVALUATION_CHUNK], False, None) for i in range(0, len(X), EVALUATION_CHUNK)
        ]
        ws.z[-1] = np.concatenate([p.z[-1] for p in parts])
        ws.a[-1] = np.concatenate([p.a[-1] for p in parts])
        return ws


def _conv_init(name: str, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Kernels (F, C, k, k) drawn by scheme ``name`` with fan_in = C·k·k and fan_out = F·k·k."""
    filters, channels, k, _ = shape
    distribution, scale = init_scale(name, channels * k * k, filters * k * k)
    if distribution == "zeros":
        return np.zeros(shape)
    if distribution == "uniform":
        return rng.uniform(-scale, scale, size=shape)
    return rng.standard_normal(shape) * scale


def count_parameters(specs: Sequence, in_shapes: Sequence[tuple[int, ...]]) -> int:
    """Weights and biases (and prelu slopes) of a layer list, given each layer's input shape."""
    total = 0
    for spec, shape in zip(specs, in_shapes, strict=True):
        if isinstance(spec, ConvSpec):
            total += spec.filters * shape[0] * spec.kernel * spec.kernel + spec.filters
        elif isinstance(spec, LayerSpec):
            total += spec.units * shape[0] + spec.units
        else:
            continue
        total += spec.activation == "prelu"
    return total
