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
- PyTorch: a script with an ``nn.Sequential`` (``nn.Linear`` and one activation module per layer), an
  ``input_features`` function, the trained weights written inline, and a ``predict`` function; run as
  ``python model.py`` it prints the predictions for a few example points.

Dense layers are exported; any other layer type raises ``ValueError`` naming it, before anything is written.
Dropout is only active while training, so it is absent from both exports (as in ``net.predict``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.activations import ACTIVATIONS, DEFAULT_LEAKY_SLOPE, ELU_ALPHA
from core.config import input_dim
from core.features import check_feature_names

OPSET = 17  # ai.onnx opset: Softmax over one axis (13+), every op used here exists since then
IR_VERSION = 8  # the IR version of opset 17; onnxruntime 1.14 and later load it
PRODUCER = "neural-network-playground"
EXPORTABLE_LAYER_TYPES = ("dense",)

# onnxruntime implements Erf for float32 only, so a float64 GELU evaluates erf as a Chebyshev series
# (degree ERF_DEGREE on |x| ≤ ERF_RANGE, max error ~2e-14; erf(±6) = ±1 to 2e-17, so clipping there is exact).
ERF_DEGREE = 70
ERF_RANGE = 6.0


@dataclass(frozen=True)
class DenseLayer:
    """One dense layer read from a network: Z = A·Wᵀ + bᵀ, then ``activation`` (``slope`` for leaky/prelu,
    ``alpha`` for elu)."""

    index: int  # 1-based, as in W1, b1
    weights: np.ndarray  # (units, fan_in)
    bias: np.ndarray  # (units,)
    activation: str
    slope: float | None  # leaky_relu's fixed slope or prelu's learned one; None otherwise
    alpha: float | None = None  # elu's α (outputs down to −α); None otherwise


def dense_layers(net) -> list[DenseLayer]:
    """The layers of ``net`` with their trained parameters, read through its public API.

    Raises ValueError naming the first layer that is not a dense layer (its index and type).
    """
    layers = net.spec()["layers"]
    params = list(zip(net.parameter_names(), net.parameters(), strict=True))
    out, cursor = [], 0
    for position, layer in enumerate(layers, start=1):
        kind = layer.get("type", "dense")
        if kind not in EXPORTABLE_LAYER_TYPES:
            raise ValueError(
                f"layer {position} has type {kind!r}, which export does not support yet; "
                f"exportable layer types: {', '.join(EXPORTABLE_LAYER_TYPES)}"
            )
        activation = layer.get("activation", "linear")
        if activation not in ACTIVATIONS:
            raise ValueError(f"layer {position} has activation {activation!r}, which export does not know")
        take = 3 if activation == "prelu" else 2
        chunk = params[cursor : cursor + take]
        cursor += take
        (_, W), (_, b) = chunk[0], chunk[1]
        slope = None
        if activation == "prelu":
            slope = float(chunk[2][1].reshape(-1)[0])
        elif activation == "leaky_relu":
            slope = float(layer.get("slope", DEFAULT_LEAKY_SLOPE))
        alpha = None
        if activation == "elu":
            alpha = float(ELU_ALPHA if layer.get("alpha") is None else layer["alpha"])
        out.append(DenseLayer(position, np.asarray(W), np.asarray(b).reshape(-1), activation, slope, alpha))
    if cursor != len(params):
        raise ValueError(f"the network has {len(params)} parameter arrays but its layers use {cursor}")
    return out


def _check_features(net, features: Sequence[str] | None) -> tuple[str, ...] | None:
    """None (inputs used as they are) or the feature names for 2-D points, matching the network's input."""
    if features is None:
        return None
    names = check_feature_names(features, 2)
    if len(names) != net.input_dim:
        raise ValueError(
            f"features={list(names)!r} give {len(names)} inputs but the network takes {net.input_dim}"
        )
    return names


def features_of(config) -> tuple[str, ...] | None:
    """The features to compute from raw points for a network trained with ``config`` (an ExperimentConfig).

    None when there is no configuration or the data are not 2-D points (1-D curves and digit images are fed
    to the network as they are, as ``core.experiment.prepare_data`` does).
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


def _onnx_activation(g: _GraphBuilder, z: str, layer: DenseLayer, out: str) -> str:
    """α(Z) for one layer, written with the same case splits as core.activations."""
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
    raise ValueError(f"layer {layer.index} has activation {name!r}, which the ONNX export does not support")


def to_onnx(net, features: Sequence[str] | None = None):
    """The network as an ``onnx.ModelProto`` (opset ``OPSET``), checked by ``onnx.checker``.

    net : a ``core.Network`` of dense layers
    features : the input features the network was trained on, e.g. ``("x1", "x2", "x1_sq")``; the model then
        takes raw points of shape (n_samples, 2) and computes them. None: the model takes (n_samples, input_dim).
    Returns a model with input ``"input"`` (n_samples, raw_dim) and output ``"output"`` (n_samples, n_outputs),
    equal to ``net.predict``. Raises ValueError for a layer type or activation it cannot express.
    """
    import onnx
    from onnx import TensorProto, helper

    names = _check_features(net, features)
    layers = dense_layers(net)  # refuses unsupported layers before anything is built
    dtype = np.dtype(net.dtype)
    elem = TensorProto.DOUBLE if dtype == np.float64 else TensorProto.FLOAT
    g = _GraphBuilder(dtype)
    raw_dim = 2 if names is not None else net.input_dim
    a = _onnx_features(g, "input", names) if names is not None else "input"
    for i, layer in enumerate(layers):
        W, b = g.const(layer.weights, f"W{layer.index}"), g.const(layer.bias, f"b{layer.index}")
        z = g.op("Gemm", a, W, b, transB=1, name=f"Z{layer.index}")  # Z = A·Wᵀ + b
        a = _onnx_activation(g, z, layer, "output" if i == len(layers) - 1 else f"A{layer.index}")
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
    helper.set_model_props(model, {"features": ",".join(names or ()), "loss": net.loss})
    onnx.checker.check_model(model, full_check=True)
    return model


def onnx_bytes(net, features: Sequence[str] | None = None) -> bytes:
    """:func:`to_onnx` serialised, ready to write to ``model.onnx`` or to download."""
    return to_onnx(net, features).SerializeToString()


def _describe(net, layers: list[DenseLayer], names: tuple[str, ...] | None) -> str:
    sizes = " → ".join(str(s) for s in [net.input_dim] + [layer.weights.shape[0] for layer in layers])
    acts = ", ".join(layer.activation for layer in layers)
    inputs = f"raw points (x1, x2) → features {', '.join(names)}" if names else f"{net.input_dim} inputs as they are"
    return f"Neural Network Playground export. Inputs: {inputs}. Layers {sizes}; activations {acts}; loss {net.loss}."


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


def _torch_module(layer: DenseLayer) -> str | None:
    """The nn module after a layer's nn.Linear (None for linear); each matches core.activations."""
    name = layer.activation
    modules = {
        "linear": None,
        "sigmoid": "nn.Sigmoid()",
        "tanh": "nn.Tanh()",
        "relu": "nn.ReLU()",
        # max(0, z) + k·min(0, z): the same case split as ours for every slope
        "leaky_relu": f"nn.LeakyReLU(negative_slope={layer.slope!r})",
        "prelu": f"nn.PReLU(num_parameters=1, init={layer.slope!r})",
        "elu": f"nn.ELU(alpha={layer.alpha!r})",
        # above `threshold` torch returns z itself; at 40 that differs from ln(1 + e^z) by e^-40 (ours is exact)
        "softplus": "nn.Softplus(threshold=40.0)",
        "gelu": "nn.GELU()",  # approximate='none': z·Φ(z) with the exact erf
        "swish": "nn.SiLU()",  # swish = SiLU = z·σ(z)
        "softmax": "nn.Softmax(dim=1)",
    }
    if name not in modules:
        raise ValueError(f"layer {layer.index} has activation {name!r}, which the PyTorch export does not support")
    return modules[name]


def _literal(array: np.ndarray, indent: str = "    ") -> str:
    """A nested Python list with every float written exactly (repr is the shortest round-trip form)."""
    if array.ndim == 1:
        return "[" + ", ".join(repr(float(v)) for v in array) + "]"
    rows = "".join(f"{indent}    {_literal(row)},\n" for row in array)
    return f"[\n{rows}{indent}]"


def example_inputs(raw_dim: int, n: int = 5) -> np.ndarray:
    """A few fixed points to print predictions for: the corners and centre of [-1, 1]² (or a seeded sample)."""
    if raw_dim == 2:
        return np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0], [0.0, 0.0]])[:n]
    return np.round(np.random.default_rng(0).uniform(-1.0, 1.0, (n, raw_dim)), 3)


def to_pytorch_source(net, features: Sequence[str] | None = None, examples: np.ndarray | None = None) -> str:
    """A readable, runnable PyTorch script of the trained network (text of a ``.py`` file).

    The script defines ``FEATURES``, ``input_features(x)``, ``model`` (an ``nn.Sequential``, float64 like the app)
    with the trained weights loaded from inline lists, and ``predict(points)``; run directly it prints the
    predictions for ``examples`` (default :func:`example_inputs`), shape (n_examples, raw_dim).
    Raises ValueError for a layer type or activation it cannot express.
    """
    names = _check_features(net, features)
    layers = dense_layers(net)
    raw_dim = 2 if names is not None else net.input_dim
    examples = example_inputs(raw_dim) if examples is None else np.asarray(examples, dtype=np.float64)
    if examples.ndim != 2 or examples.shape[1] != raw_dim:
        raise ValueError(f"examples must have shape (n_examples, {raw_dim}); got {examples.shape}")

    modules, weights, fan_in = [], [], net.input_dim
    for layer in layers:
        units = layer.weights.shape[0]
        weights.append((f"{len(modules)}.weight", layer.weights, f"W{layer.index}: ({units}, {fan_in})"))
        weights.append((f"{len(modules)}.bias", layer.bias, f"b{layer.index}: ({units},)"))
        modules.append(f"nn.Linear({fan_in}, {units}),  # layer {layer.index}: Z = A·Wᵀ + b")
        activation = _torch_module(layer)
        if activation is not None:
            if layer.activation == "prelu":
                weights.append((f"{len(modules)}.weight", np.array([layer.slope]), f"alpha{layer.index}: learned"))
            modules.append(f"{activation},")
        fan_in = units

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
    weight_lines = "".join(
        f"    # {comment}\n    {key!r}: {_literal(value)},\n" for key, value, comment in weights
    )
    module_lines = "".join(f"    {line}\n" for line in modules)
    output = {"sigmoid": "probability of class 1", "softmax": "class probabilities"}.get(
        layers[-1].activation, "outputs"
    )
    return f'''"""{_describe(net, layers, names)}

Exported from Neural Network Playground. Run it (`python model.py`) to print predictions ({output}) for a few
example points; import it and call predict(points) for your own, points of shape (n, {raw_dim}).
Needs PyTorch (https://pytorch.org). Computed in float64, like the app.
"""

import torch
from torch import nn

FEATURES = {tuple(names) if names is not None else None!r}

{features_code}

model = nn.Sequential(
{module_lines})

# The trained parameters, in the state_dict layout of `model` (weight: (out, in), as in the app's W).
WEIGHTS = {{
{weight_lines}}}

model = model.double()
model.load_state_dict({{key: torch.tensor(value, dtype=torch.float64) for key, value in WEIGHTS.items()}})
model.eval()


def predict(points) -> torch.Tensor:
    """Outputs after the output activation, shape (n, {net.n_outputs}), for raw points of shape (n, {raw_dim})."""
    with torch.no_grad():
        return model(input_features(torch.as_tensor(points, dtype=torch.float64)))


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
    raise ValueError(f"format={fmt!r} is not valid; choose one of: {', '.join(EXPORT_FORMATS)}")
