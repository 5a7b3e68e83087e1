"""Take a trained network elsewhere: an ONNX model and a readable PyTorch script.

    from core.export import to_onnx, to_pytorch_source
    model = to_onnx(net, features=("x1", "x2", "x1_sq"))   # onnx.ModelProto; model.SerializeToString() to save
    source = to_pytorch_source(net, features=features_of(config))    # text of a .py file

Both compute exactly what ``net.predict(transform_features(X, features))`` computes, from the *raw* points:

- ONNX (opset ``OPSET``, IR version ``IR_VERSION``): one input ``"input"`` of shape ``(n_samples, raw_dim)`` and one
  output ``"output"`` of shape ``(n_samples, n_outputs)``, after the output activation (probabilities for sigmoid
  and softmax outputs, values for a linear regression output). ``n_samples`` is a free dimension. ``raw_dim`` is 2
  when ``features`` are given (the points (x₁, x₂); x₁², x₁x₂, sin x₁, ... are computed inside the graph), else
  the network's ``input_dim``. The element type is the network's dtype: float64 (ONNX ``double``) by default, so
  the model agrees with the app to ~1e-12; float32 for a float32 network.
- PyTorch: a script with an ``nn.Sequential`` (one module per layer and per activation), an ``input_features``
  function, the trained weights written inline, and a ``predict`` function; run as ``python model.py`` it prints
  the predictions for a few example inputs.

Image networks (:class:`core.engine.convnet.ConvNetwork`: conv2d, maxpool, avgpool, flatten, then dense) take the same
rows as ``net.predict``: each a C·H·W image flattened in C order, reshaped to (n, C, H, W) inside the model.
A "same" convolution gets exactly the app's zeros (the odd one after, so stride 2 gives ceil(size/2) outputs);
pooling windows start at the top-left corner and a remainder that a window does not fit is dropped, as in the app.
onnxruntime has no float64 Conv, AveragePool, Elu or Erf, so a float64 model writes them with elementary ops
(zero padding, strided slices, one Einsum over the patches as the app's im2col; sums of window slices; a case
split; a Chebyshev series); a float32 model uses the Conv, AveragePool and Erf ops themselves.

A layer type or a layer setting the exports do not know raises ``ValueError`` naming it, before anything is
written: a file that silently dropped a setting would compute something else. Dropout is only active while
training, so it is absent from both exports (as in ``net.predict``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.data.features import check_feature_names
from core.engine.activations import ACTIVATIONS, DEFAULT_LEAKY_SLOPE, ELU_ALPHA, OUTPUT_ONLY
from core.engine.layers import PADDINGS, conv_output_size, pool_output_size, same_padding
from core.engine.validation import Options, check
from core.experiment.config import input_dim

OPSET = 17  # ai.onnx opset: Softmax over one axis (13+), every op used here exists since then
IR_VERSION = 8  # the IR version of opset 17; onnxruntime 1.14 and later load it
PRODUCER = "neural-network-playground"
# Each exportable layer type and the settings the exports understand. A setting outside these would be dropped
# from the file without notice, so it is refused instead (ELU's α was once ignored exactly that way).
LAYER_SETTINGS = {
    "dense": ("type", "units", "activation", "dropout", "slope", "alpha"),
    "conv2d": ("type", "filters", "kernel", "stride", "padding", "activation", "dropout", "slope", "alpha"),
    "maxpool": ("type", "size", "stride"),
    "avgpool": ("type", "size", "stride"),
    "flatten": ("type",),
}
EXPORTABLE_LAYER_TYPES = tuple(LAYER_SETTINGS)

# onnxruntime implements Erf for float32 only, so a float64 GELU evaluates erf as a Chebyshev series
# (degree ERF_DEGREE on |x| ≤ ERF_RANGE, max error ~2e-14; erf(±6) = ±1 to 2e-17, so clipping there is exact).
ERF_DEGREE = 70
ERF_RANGE = 6.0


@dataclass(frozen=True)
class DenseLayer:
    """One dense layer read from a network: Z = A·Wᵀ + bᵀ, then ``activation`` (``slope`` for leaky/prelu,
    ``alpha`` for elu)."""

    position: int  # 1-based place in the network's layer list (what error messages count)
    number: int  # l in W_l, b_l: the place among the layers with parameters
    weights: np.ndarray  # (units, fan_in)
    bias: np.ndarray  # (units,)
    activation: str
    slope: float | None = None  # leaky_relu's fixed slope or prelu's learned one; None otherwise
    alpha: float | None = None  # elu's α (outputs down to −α); None otherwise

    @property
    def out_shape(self) -> tuple[int]:
        return (self.weights.shape[0],)


@dataclass(frozen=True)
class ConvLayer:
    """One conv2d layer: Z[n, f, i, j] = Σ_c Σ_u Σ_v W[f, c, u, v] · X_pad[n, c, i·s + u, j·s + v] + b[f]."""

    position: int
    number: int
    weights: np.ndarray  # (filters, channels, k, k)
    bias: np.ndarray  # (filters,)
    stride: int
    pads: tuple[int, int, int, int]  # zeros (top, bottom, left, right), as core.engine.layers.pad_images adds them
    out_shape: tuple[int, int, int]  # (filters, H_out, W_out)
    activation: str
    slope: float | None = None
    alpha: float | None = None

    @property
    def kernel(self) -> int:
        return self.weights.shape[2]


@dataclass(frozen=True)
class PoolLayer:
    """The max (``maxpool``) or mean (``avgpool``) of each size×size window, windows ``stride`` apart."""

    position: int
    kind: str
    size: int
    stride: int
    out_shape: tuple[int, int, int]  # (channels, H_out, W_out)


@dataclass(frozen=True)
class FlattenLayer:
    """(channels, rows, columns) → one row per sample, in C order."""

    position: int
    out_shape: tuple[int]


ExportLayer = DenseLayer | ConvLayer | PoolLayer | FlattenLayer


def _refuse(position: int, what: str) -> ValueError:
    return ValueError(f"layer {position} {what}")


def _activation_of(layer: dict, position: int, learned: np.ndarray | None) -> tuple[str, float | None, float | None]:
    """(activation, slope, alpha) of one layer: prelu's slope from its parameter, leaky's and elu's from the spec."""
    activation = layer.get("activation", "linear")
    if activation not in ACTIVATIONS:
        raise _refuse(position, f"has activation {activation!r}, which export does not know")
    slope = alpha = None
    if activation == "prelu":
        slope = float(np.asarray(learned).reshape(-1)[0])
    elif activation == "leaky_relu":
        slope = float(DEFAULT_LEAKY_SLOPE if layer.get("slope") is None else layer["slope"])
    elif activation == "elu":
        alpha = float(ELU_ALPHA if layer.get("alpha") is None else layer["alpha"])
    return activation, slope, alpha


def _check_layer(layer: dict, position: int, shape: tuple[int, ...]) -> str:
    """The layer's type, once it is one the exports know, with settings they know, on inputs of the right kind."""
    kind = layer.get("type", "dense")
    if kind not in LAYER_SETTINGS:
        raise _refuse(
            position,
            f"has type {kind!r}, which export does not support; "
            f"exportable layer types: {', '.join(EXPORTABLE_LAYER_TYPES)}",
        )
    unknown = sorted(set(layer) - set(LAYER_SETTINGS[kind]))
    if unknown:
        raise _refuse(
            position,
            f"({kind}) has setting(s) {unknown}, which export does not support; "
            f"it knows: {', '.join(LAYER_SETTINGS[kind])}",
        )
    if kind != "dense" and len(shape) != 3:
        raise _refuse(position, f"is a {kind} layer on flat inputs of shape {shape}; export needs an input_shape")
    return kind


def _read_conv(layer: dict, position: int, number: int, chunk: list, shape: tuple[int, ...]) -> ConvLayer:
    """A conv2d layer on images of ``shape`` (C, H, W): its pads and output shape as core.engine.layers computes
    them."""
    activation, slope, alpha = _activation_of(layer, position, chunk[2] if len(chunk) == 3 else None)
    if activation in OUTPUT_ONLY:
        raise _refuse(position, f"is a conv2d layer with activation {activation!r}, which works on rows")
    padding = layer.get("padding", "valid")
    if padding not in PADDINGS:
        raise _refuse(position, f"has padding {padding!r}; export supports: {', '.join(PADDINGS)}")
    W, b = np.asarray(chunk[0]), np.asarray(chunk[1]).reshape(-1)
    k, stride = W.shape[2], int(layer.get("stride", 1))
    pads = (0, 0, 0, 0)
    if padding == "same":
        pads = (*same_padding(shape[1], k, stride), *same_padding(shape[2], k, stride))
    out_shape = (
        W.shape[0],
        conv_output_size(shape[1], k, stride, padding),
        conv_output_size(shape[2], k, stride, padding),
    )
    return ConvLayer(position, number, W, b, stride, pads, out_shape, activation, slope, alpha)


def export_layers(net) -> list[ExportLayer]:
    """The layers of ``net`` with their trained parameters and shapes, read through its public API
    (``spec()``, ``parameters()``, ``n_outputs``).

    Raises ValueError naming the first layer (its place and type) that the exports cannot express: an unknown
    type, an unknown setting, or an image layer without ``input_shape``.
    """
    spec = net.spec()
    params = net.parameters()  # [W1, b1, (alpha1,) W2, ...] in layer order
    shape: tuple[int, ...] = tuple(spec.get("input_shape") or (net.input_dim,))
    out: list[ExportLayer] = []
    cursor = number = 0
    for position, layer in enumerate(spec["layers"], start=1):
        kind = _check_layer(layer, position, shape)
        if kind in ("dense", "conv2d"):
            layer = {"activation": "linear" if kind == "dense" else "relu"} | layer
            take = 3 if layer["activation"] == "prelu" else 2  # W, b and prelu's learned slope
            chunk, cursor, number = params[cursor : cursor + take], cursor + take, number + 1
            if kind == "conv2d":
                read: ExportLayer = _read_conv(layer, position, number, chunk, shape)
            else:
                activation, slope, alpha = _activation_of(layer, position, chunk[2] if take == 3 else None)
                W, b = np.asarray(chunk[0]), np.asarray(chunk[1]).reshape(-1)
                read = DenseLayer(position, number, W, b, activation, slope, alpha)
        elif kind == "flatten":
            read = FlattenLayer(position, (math.prod(shape),))
        else:
            size = int(layer.get("size", 2))
            stride = int(layer.get("stride", size))
            pooled = (shape[0], pool_output_size(shape[1], size, stride), pool_output_size(shape[2], size, stride))
            read = PoolLayer(position, kind, size, stride, pooled)
        out.append(read)
        shape = read.out_shape
    if cursor != len(params):
        raise ValueError(f"the network has {len(params)} parameter arrays but its layers use {cursor}")
    if shape != (net.n_outputs,):
        raise ValueError(f"the layers end in shape {shape} but the network has {net.n_outputs} outputs")
    return out


def _image_shape(net) -> tuple[int, int, int] | None:
    """(C, H, W) of an image network's input rows, None for a network of plain rows."""
    shape = net.spec().get("input_shape")
    return None if shape is None else tuple(int(v) for v in shape)  # type: ignore[return-value]


def _check_features(net, features: Sequence[str] | None) -> tuple[str, ...] | None:
    """None (inputs used as they are) or the feature names for 2-D points, matching the network's input."""
    if features is None:
        return None
    names = check_feature_names(features, 2)
    if len(names) != net.input_dim:
        raise ValueError(f"features={list(names)!r} give {len(names)} inputs but the network takes {net.input_dim}")
    return names


def features_of(config) -> tuple[str, ...] | None:
    """The features to compute from raw points for a network trained with ``config`` (an ExperimentConfig).

    None when there is no configuration or the data are not 2-D points (1-D curves and digit images are fed
    to the network as they are, as ``core.experiment.run.prepare_data`` does).
    """
    if config is None or config.data.name == "digits" or input_dim(config.data) == 1:
        return None
    return tuple(config.data.features)


# ---- ONNX ---------------------------------------------------------------------------------------------------
class _GraphBuilder:
    """Collects nodes and constants with unique names; each method returns the name of its output tensor."""

    def __init__(self, dtype: np.dtype):
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.dtype = dtype
        self.nodes: list = []
        self.initializers: list = []
        self._count = 0

    def _name(self, stem: str) -> str:
        self._count += 1
        return f"{stem}_{self._count}"

    def const(self, value, name: str | None = None, dtype=None) -> str:
        name = name or self._name("const")
        array = np.asarray(value, dtype=dtype or self.dtype)
        self.initializers.append(self.numpy_helper.from_array(array, name=name))
        return name

    def op(self, op_type: str, *inputs: str, name: str | None = None, **attrs) -> str:
        output = name or self._name(op_type.lower())
        self.nodes.append(self.helper.make_node(op_type, list(inputs), [output], **attrs))
        return output


def _onnx_features(g: _GraphBuilder, x: str, names: tuple[str, ...]) -> str:
    """Columns x₁ = x[:, 0:1] and x₂ = x[:, 1:2], each named feature from them, concatenated in order."""
    axes = g.const([1], dtype=np.int64)
    columns = {
        key: g.op("Slice", x, g.const([i], dtype=np.int64), g.const([i + 1], dtype=np.int64), axes, name=key)
        for i, key in enumerate(("x1", "x2"))
    }
    build = {
        "x1": lambda: columns["x1"],
        "x2": lambda: columns["x2"],
        "x1_sq": lambda: g.op("Mul", columns["x1"], columns["x1"], name="x1_sq"),
        "x2_sq": lambda: g.op("Mul", columns["x2"], columns["x2"], name="x2_sq"),
        "x1_x2": lambda: g.op("Mul", columns["x1"], columns["x2"], name="x1_x2"),
        "sin_x1": lambda: g.op("Sin", columns["x1"], name="sin_x1"),
        "sin_x2": lambda: g.op("Sin", columns["x2"], name="sin_x2"),
    }
    return g.op("Concat", *[build[name]() for name in names], axis=1, name="features")


def _onnx_erf(g: _GraphBuilder, x: str) -> str:
    """erf(x): the Erf op in float32; in float64 a Chebyshev series in u = clip(x, ±6)/6 (Clenshaw's recurrence)."""
    if g.dtype == np.float32:
        return g.op("Erf", x)
    from numpy.polynomial import chebyshev
    from scipy.special import erf

    coef = chebyshev.chebinterpolate(lambda u: erf(ERF_RANGE * u), ERF_DEGREE)
    u = g.op("Div", g.op("Clip", x, g.const(-ERF_RANGE), g.const(ERF_RANGE)), g.const(ERF_RANGE))
    two_u = g.op("Mul", u, g.const(2.0))
    # b_k = c_k + 2u·b_{k+1} − b_{k+2}; erf ≈ c_0 + u·b_1 − b_2. The series is odd: even c_k are ~0 and skipped.
    b1, b2 = None, None  # b_{k+1}, b_{k+2}; None stands for 0
    for k in range(ERF_DEGREE, 0, -1):
        terms = [g.op("Mul", two_u, b1)] if b1 is not None else []
        if k % 2:  # an odd function: the even coefficients are rounding noise and left out
            terms.append(g.const(coef[k]))
        value = terms[0] if len(terms) == 1 else g.op("Add", *terms) if terms else None
        if b2 is not None:
            value = g.op("Sub", value, b2) if value is not None else g.op("Neg", b2)
        b1, b2 = value, b1
    return g.op("Sub", g.op("Mul", u, b1), b2)


def _onnx_activation(g: _GraphBuilder, z: str, layer: DenseLayer | ConvLayer, out: str) -> str:
    """α(Z) for one layer, written with the same case splits as core.engine.activations (element-wise: any shape)."""
    name = layer.activation

    def positive() -> str:
        return g.op("Greater", z, g.const(0.0))

    if name == "linear":
        return g.op("Identity", z, name=out)
    if name == "sigmoid":
        return g.op("Sigmoid", z, name=out)
    if name == "tanh":
        return g.op("Tanh", z, name=out)
    if name == "relu":
        return g.op("Relu", z, name=out)
    if name in ("leaky_relu", "prelu"):
        # z for z > 0, kz otherwise: a case split (not LeakyRelu/PRelu) so a learned slope outside [0, 1] is kept
        return g.op("Where", positive(), z, g.op("Mul", z, g.const(layer.slope)), name=out)
    if name == "elu":
        # α(e^z − 1) for z ≤ 0 (onnxruntime has no float64 Elu, and Where keeps the case split of ours)
        expm1 = g.op("Sub", g.op("Exp", g.op("Min", z, g.const(0.0))), g.const(1.0))
        negative = g.op("Mul", g.const(layer.alpha), expm1)
        return g.op("Where", positive(), z, negative, name=out)
    if name == "softplus":
        # ln(1 + e^z) = max(z, 0) + ln(1 + e^{−|z|}): never overflows, as np.logaddexp
        tail = g.op("Log", g.op("Add", g.const(1.0), g.op("Exp", g.op("Neg", g.op("Abs", z)))))
        return g.op("Add", g.op("Max", z, g.const(0.0)), tail, name=out)
    if name == "gelu":
        # z·Φ(z) = ½ z (1 + erf(z/√2)), the exact form
        erf = _onnx_erf(g, g.op("Div", z, g.const(math.sqrt(2.0))))
        return g.op("Mul", g.op("Mul", z, g.const(0.5)), g.op("Add", g.const(1.0), erf), name=out)
    if name == "swish":
        return g.op("Mul", z, g.op("Sigmoid", z), name=out)
    if name == "softmax":
        return g.op("Softmax", z, axis=-1, name=out)
    raise _refuse(layer.position, f"has activation {name!r}, which the ONNX export does not support")


def _int64(g: _GraphBuilder, values) -> str:
    return g.const(values, dtype=np.int64)


def _onnx_windows(g: _GraphBuilder, x: str, size: int, stride: int, out_hw: tuple[int, int]) -> list[str]:
    """X[:, :, i·s + u, j·s + v] for all (i, j) of the output, one strided slice per window offset (u, v) in row
    order: size² tensors (n, C, H_out, W_out), as core.engine.layers' ``_window``."""
    ho, wo = out_hw
    axes, steps = _int64(g, [2, 3]), _int64(g, [stride, stride])
    return [
        g.op(
            "Slice",
            x,
            _int64(g, [u, v]),
            _int64(g, [u + stride * (ho - 1) + 1, v + stride * (wo - 1) + 1]),
            axes,
            steps,
        )
        for u in range(size)
        for v in range(size)
    ]


def _onnx_conv(g: _GraphBuilder, x: str, layer: ConvLayer) -> str:
    """Z (n, F, H_out, W_out) of a conv2d layer: the Conv op in float32; in float64 (which onnxruntime's Conv
    lacks) zero padding, the k² shifted views of the image (im2col) and one Einsum with the kernels."""
    filters, channels, k, _ = layer.weights.shape
    top, bottom, left, right = layer.pads
    s, n = layer.stride, layer.number
    if g.dtype == np.float32:
        return g.op(
            "Conv",
            x,
            g.const(layer.weights, f"W{n}"),
            g.const(layer.bias, f"b{n}"),
            kernel_shape=[k, k],
            strides=[s, s],
            pads=[top, left, bottom, right],  # ONNX order: the starts of H and W, then their ends
            name=f"Z{n}",
        )
    if any(layer.pads):
        x = g.op("Pad", x, _int64(g, [0, 0, top, left, 0, 0, bottom, right]), name=f"padded{n}")
    patches = _onnx_windows(g, x, k, s, layer.out_shape[1:])
    cols = patches[0] if len(patches) == 1 else g.op("Concat", *patches, axis=1)  # (n, k·k·C, Ho, Wo): (u, v, c)
    # W (F, C, k, k) with its columns in the same (u, v, c) order as the stacked patches
    kernels = g.const(layer.weights.transpose(0, 2, 3, 1).reshape(filters, k * k * channels), f"W{n}_uvc")
    z = g.op("Einsum", cols, kernels, equation="npij,fp->nfij")
    return g.op("Add", z, g.const(layer.bias.reshape(1, filters, 1, 1), f"b{n}"), name=f"Z{n}")


def _onnx_pool(g: _GraphBuilder, x: str, layer: PoolLayer) -> str:
    """Max or mean over each window. No padding: windows start at 0, a remainder that does not fit is dropped
    (ONNX's floor mode, as the app). onnxruntime has a float64 MaxPool but no float64 AveragePool, whose mean is
    then the sum of the size² window slices over size², as in core.engine.layers.avgpool_forward."""
    out, window, strides = f"pool{layer.position}", [layer.size, layer.size], [layer.stride, layer.stride]
    if layer.kind == "maxpool":
        return g.op("MaxPool", x, kernel_shape=window, strides=strides, name=out)
    if g.dtype == np.float32:
        return g.op("AveragePool", x, kernel_shape=window, strides=strides, name=out)
    windows = _onnx_windows(g, x, layer.size, layer.stride, layer.out_shape[1:])
    total = windows[0] if len(windows) == 1 else g.op("Sum", *windows)
    return g.op("Div", total, g.const(float(layer.size * layer.size)), name=out)


def to_onnx(net, features: Sequence[str] | None = None):
    """The network as an ``onnx.ModelProto`` (opset ``OPSET``), checked by ``onnx.checker``.

    net : a ``core.Network`` (dense) or ``core.engine.convnet.ConvNetwork`` (conv2d, pooling, flatten, dense)
    features : the input features the network was trained on, e.g. ``("x1", "x2", "x1_sq")``; the model then
        takes raw points of shape (n_samples, 2) and computes them. None: the model takes (n_samples, input_dim),
        for an image network each row a C·H·W image flattened in C order (as ``net.predict`` takes them).
    Returns a model with input ``"input"`` (n_samples, raw_dim) and output ``"output"`` (n_samples, n_outputs),
    equal to ``net.predict``. Raises ValueError for a layer type, setting or activation it cannot express.
    """
    import onnx
    from onnx import TensorProto, helper

    names = _check_features(net, features)
    layers = export_layers(net)  # refuses unsupported layers before anything is built
    image = _image_shape(net)
    dtype = np.dtype(net.dtype)
    elem = TensorProto.DOUBLE if dtype == np.float64 else TensorProto.FLOAT
    g = _GraphBuilder(dtype)
    raw_dim = 2 if names is not None else net.input_dim
    a = _onnx_features(g, "input", names) if names is not None else "input"
    if image is not None:  # rows → (n, C, H, W); 0 keeps n as it is, also for an empty batch
        a = g.op("Reshape", a, _int64(g, [0, *image]), name="images")
    for i, layer in enumerate(layers):
        last = i == len(layers) - 1
        if isinstance(layer, DenseLayer):
            W, b = g.const(layer.weights, f"W{layer.number}"), g.const(layer.bias, f"b{layer.number}")
            z = g.op("Gemm", a, W, b, transB=1, name=f"Z{layer.number}")  # Z = A·Wᵀ + b
            a = _onnx_activation(g, z, layer, "output" if last else f"A{layer.number}")
        elif isinstance(layer, ConvLayer):
            a = _onnx_activation(g, _onnx_conv(g, a, layer), layer, f"A{layer.number}")
        elif isinstance(layer, PoolLayer):
            a = _onnx_pool(g, a, layer)
        else:
            a = g.op("Flatten", a, axis=1, name=f"flat{layer.position}")  # (channel, row, column) order
    graph = helper.make_graph(
        g.nodes,
        "neural_network_playground",
        [helper.make_tensor_value_info("input", elem, ["n_samples", raw_dim])],
        [helper.make_tensor_value_info("output", elem, ["n_samples", net.n_outputs])],
        initializer=g.initializers,
        doc_string=_describe(net, layers, names),
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name=PRODUCER, ir_version=IR_VERSION
    )
    props = {"features": ",".join(names or ()), "loss": net.loss}
    if image is not None:
        props["input_shape"] = ",".join(str(v) for v in image)
    helper.set_model_props(model, props)
    onnx.checker.check_model(model, full_check=True)
    return model


def onnx_bytes(net, features: Sequence[str] | None = None) -> bytes:
    """:func:`to_onnx` serialised, ready to write to ``model.onnx`` or to download."""
    return to_onnx(net, features).SerializeToString()


def layer_text(layer: ExportLayer) -> str:
    """One layer in a few words, e.g. "conv 8@3×3 stride 1 same relu", "maxpool 2×2", "dense 10 softmax"."""
    if isinstance(layer, DenseLayer):
        return f"dense {layer.weights.shape[0]} {layer.activation}"
    if isinstance(layer, ConvLayer):
        k = layer.kernel
        padding = f" pads (top, bottom, left, right) {layer.pads}" if any(layer.pads) else ""
        return f"conv {layer.weights.shape[0]}@{k}×{k} stride {layer.stride}{padding} {layer.activation}"
    if isinstance(layer, PoolLayer):
        stride = "" if layer.stride == layer.size else f" stride {layer.stride}"
        return f"{layer.kind} {layer.size}×{layer.size}{stride}"
    return "flatten"


def _describe(net, layers: list[ExportLayer], names: tuple[str, ...] | None) -> str:
    image = _image_shape(net)
    if names:
        inputs = f"raw points (x1, x2) → features {', '.join(names)}"
    elif image is not None:
        inputs = f"{net.input_dim} values per row, a {'×'.join(map(str, image))} (C×H×W) image flattened in C order"
    else:
        inputs = f"{net.input_dim} inputs as they are"
    stack = " → ".join(layer_text(layer) for layer in layers)
    return f"Neural Network Playground export. Inputs: {inputs}. Layers: {stack}; loss {net.loss}."


# ---- PyTorch ------------------------------------------------------------------------------------------------
_TORCH_FEATURES = {
    "x1": "x1",
    "x2": "x2",
    "x1_sq": "x1 * x1",
    "x2_sq": "x2 * x2",
    "x1_x2": "x1 * x2",
    "sin_x1": "torch.sin(x1)",
    "sin_x2": "torch.sin(x2)",
}


def _torch_module(layer: DenseLayer | ConvLayer) -> str | None:
    """The nn module after a layer's nn.Linear or nn.Conv2d (None for linear); each matches core.engine.activations."""
    name = layer.activation
    modules = {
        "linear": None,
        "sigmoid": "nn.Sigmoid()",
        "tanh": "nn.Tanh()",
        "relu": "nn.ReLU()",
        # z for z > 0, kz otherwise: the same case split as ours for every slope
        "leaky_relu": f"nn.LeakyReLU(negative_slope={layer.slope!r})",
        "prelu": f"nn.PReLU(num_parameters=1, init={layer.slope!r})",  # one slope for the layer, as ours
        "elu": f"nn.ELU(alpha={layer.alpha!r})",
        # above `threshold` torch returns z itself; at 40 that differs from ln(1 + e^z) by e^-40 (ours is exact)
        "softplus": "nn.Softplus(threshold=40.0)",
        "gelu": "nn.GELU()",  # approximate='none': z·Φ(z) with the exact erf
        "swish": "nn.SiLU()",  # swish = SiLU = z·σ(z)
        "softmax": "nn.Softmax(dim=1)",
    }
    if name not in modules:
        raise _refuse(layer.position, f"has activation {name!r}, which the PyTorch export does not support")
    return modules[name]


def _literal(array: np.ndarray, indent: str = "    ") -> str:
    """A nested Python list with every float written exactly (repr is the shortest round-trip form)."""
    if array.ndim == 1:
        return "[" + ", ".join(repr(float(v)) for v in array) + "]"
    inner = indent + "    "
    rows = "".join(f"{inner}{_literal(row, inner)},\n" for row in array)
    return f"[\n{rows}{indent}]"


def example_inputs(raw_dim: int, n: int = 5, images: bool = False) -> np.ndarray:
    """A few fixed inputs to print predictions for: the corners and centre of [-1, 1]² for 2-D points, a seeded
    sample of [0, 1] (pixel intensities) for images, of [-1, 1] otherwise."""
    if raw_dim == 2 and not images:
        return np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0], [0.0, 0.0]])[:n]
    low = 0.0 if images else -1.0
    return np.round(np.random.default_rng(0).uniform(low, 1.0, (n, raw_dim)), 3)


def _torch_layers(layers: list[ExportLayer], net) -> tuple[list[str], list[tuple[str, np.ndarray, str]]]:
    """The lines of the nn.Sequential and the state_dict entries (key, value, comment) of ``layers``."""
    modules: list[str] = []
    weights: list[tuple[str, np.ndarray, str]] = []
    image = _image_shape(net)
    if image is not None:
        modules.append(f"nn.Unflatten(1, {image}),  # rows → images (n, C, H, W), C order as in the app")
    fan_in = image[0] if image is not None else net.input_dim
    for layer in layers:
        if isinstance(layer, (PoolLayer, FlattenLayer)):
            if isinstance(layer, FlattenLayer):
                modules.append(f"nn.Flatten(),  # layer {layer.position}: (channel, row, column) order")
                fan_in = layer.out_shape[0]
            else:
                pool = "nn.MaxPool2d" if layer.kind == "maxpool" else "nn.AvgPool2d"
                modules.append(
                    f"{pool}(kernel_size={layer.size}, stride={layer.stride}),  # layer {layer.position}: "
                    "no padding; a remainder the window does not fit is dropped"
                )
            continue
        n, out = layer.number, layer.weights.shape[0]
        if isinstance(layer, DenseLayer):
            weights.append((f"{len(modules)}.weight", layer.weights, f"W{n}: ({out}, {fan_in})"))
            weights.append((f"{len(modules)}.bias", layer.bias, f"b{n}: ({out},)"))
            modules.append(f"nn.Linear({fan_in}, {out}),  # layer {layer.position}: Z = A·Wᵀ + b")
        else:
            k, s = layer.kernel, layer.stride
            top, bottom, left, right = layer.pads
            padding = ""
            if top == bottom and left == right:
                padding = f", padding=({top}, {left})" if top or left else ""
            else:  # nn.Conv2d pads both sides alike; "same" puts the odd zero after, as the app (and Keras) do
                modules.append(f"nn.ZeroPad2d(({left}, {right}, {top}, {bottom})),  # zeros left, right, top, bottom")
            weights.append((f"{len(modules)}.weight", layer.weights, f"W{n}: ({out}, {fan_in}, {k}, {k})"))
            weights.append((f"{len(modules)}.bias", layer.bias, f"b{n}: ({out},)"))
            modules.append(
                f"nn.Conv2d({fan_in}, {out}, kernel_size={k}, stride={s}{padding}),  # layer {layer.position}: "
                "Z = W ⋆ A + b"
            )
        activation = _torch_module(layer)
        if activation is not None:
            if layer.activation == "prelu":
                weights.append((f"{len(modules)}.weight", np.array([layer.slope]), f"alpha{n}: learned"))
            modules.append(f"{activation},")
        fan_in = out
    return modules, weights


def to_pytorch_source(net, features: Sequence[str] | None = None, examples: np.ndarray | None = None) -> str:
    """A readable, runnable PyTorch script of the trained network (text of a ``.py`` file).

    The script defines ``FEATURES``, ``input_features(x)``, ``model`` (an ``nn.Sequential``, float64 like the app)
    with the trained weights loaded from inline lists, and ``predict(points)``; run directly it prints the
    predictions for ``examples`` (default :func:`example_inputs`), shape (n_examples, raw_dim).
    An image network's ``model`` starts with ``nn.Unflatten`` and takes the same flattened rows as ``net.predict``.
    Raises ValueError for a layer type, setting or activation it cannot express.
    """
    names = _check_features(net, features)
    layers = export_layers(net)
    image = _image_shape(net)
    raw_dim = 2 if names is not None else net.input_dim
    if examples is None:
        examples = example_inputs(raw_dim, images=image is not None)
    examples = np.asarray(examples, dtype=np.float64)
    if examples.ndim != 2 or examples.shape[1] != raw_dim:
        raise ValueError(f"examples must have shape (n_examples, {raw_dim}); got {examples.shape}")
    modules, weights = _torch_layers(layers, net)

    if names is not None:
        columns = ", ".join(_TORCH_FEATURES[name] for name in names)
        features_code = (
            "def input_features(points: torch.Tensor) -> torch.Tensor:\n"
            '    """Raw points (n, 2) → the features the network was trained on (n, len(FEATURES))."""\n'
            "    x1, x2 = points[:, 0], points[:, 1]\n"
            f"    return torch.stack([{columns}], dim=1)\n"
        )
    else:
        features_code = (
            "def input_features(points: torch.Tensor) -> torch.Tensor:\n"
            f'    """The network takes its {net.input_dim} inputs as they are."""\n'
            "    return points\n"
        )
    weight_lines = "".join(f"    # {comment}\n    {key!r}: {_literal(value)},\n" for key, value, comment in weights)
    module_lines = "".join(f"    {line}\n" for line in modules)
    output_layer = layers[-1]
    output = {"sigmoid": "probability of class 1", "softmax": "class probabilities"}.get(
        output_layer.activation, "outputs"
    )
    if output_layer.activation == "sigmoid" and net.n_outputs > 1:
        output = "probability of each label"
    if image is not None:
        shape = "×".join(map(str, image))
        inputs = f"images of shape (n, {raw_dim}), each row a {shape} (C×H×W) image flattened in C order"
    else:
        inputs = f"points of shape (n, {raw_dim})"
    return f'''"""{_describe(net, layers, names)}

Exported from Neural Network Playground. Run it (`python model.py`) to print predictions ({output}) for a few
example inputs; import it and call predict(points) for your own, {inputs}.
Needs PyTorch (https://pytorch.org). Computed in float64, like the app.
"""

import torch
from torch import nn

FEATURES = {tuple(names) if names is not None else None!r}

{features_code}

model = nn.Sequential(
{module_lines})

# The trained parameters, in the state_dict layout of `model` (weight: (out, in) or (out, in, k, k), as the app's W).
WEIGHTS = {{
{weight_lines}}}

model = model.double()
model.load_state_dict({{key: torch.tensor(value, dtype=torch.float64) for key, value in WEIGHTS.items()}})
model.eval()


def predict(points) -> torch.Tensor:
    """Outputs after the output activation, shape (n, {net.n_outputs}), for {inputs}."""
    # a copy unless it is a tensor already: torch warns about sharing a read-only NumPy array
    points = points if isinstance(points, torch.Tensor) else torch.tensor(points, dtype=torch.float64)
    with torch.no_grad():
        return model(input_features(points.to(torch.float64)))


EXAMPLES = {_literal(examples, indent="")}

if __name__ == "__main__":
    for point, prediction in zip(EXAMPLES, predict(EXAMPLES).tolist()):
        print(point, "->", prediction)
'''


# ---- one entry point for the app and the CLI ----------------------------------------------------------------
EXPORT_FORMATS = {"onnx": "model.onnx", "pytorch": "model.py"}  # format → suggested file name
EXPORT_MIME = {"onnx": "application/octet-stream", "pytorch": "text/x-python"}


def export_bytes(net, fmt: str, features: Sequence[str] | None = None) -> bytes:
    """The file's bytes for ``fmt`` ("onnx" or "pytorch"); ValueError for an unknown format or layer."""
    if fmt == "onnx":
        return onnx_bytes(net, features)
    if fmt == "pytorch":
        return to_pytorch_source(net, features).encode("utf-8")
    check("format", fmt, Options(EXPORT_FORMATS))
    raise AssertionError(f"format {fmt!r} is listed in EXPORT_FORMATS but has no writer")
