"""core.export: the ONNX model and the PyTorch script compute what net.predict computes, from raw points."""

from __future__ import annotations

import importlib.util
import re
import runpy
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from core import Network
from core.cli import EXIT_OK, EXIT_USAGE, main
from core.data.features import FEATURES, transform_features
from core.engine.activations import ACTIVATIONS, OUTPUT_ONLY
from core.experiment.presets import PRESETS
from core.export import OPSET, export_bytes, export_layers, features_of, to_onnx, to_pytorch_source

HIDDEN = [a for a in ACTIVATIONS if a not in OUTPUT_ONLY]
OUTPUTS = {  # output kind → (activation, loss, units)
    "sigmoid": ("sigmoid", "bce", 1),
    "softmax": ("softmax", "softmax_ce", 3),
    "linear": ("linear", "mse", 2),
}
TOLERANCE = 1e-6
TORCH_MISSING = importlib.util.find_spec("torch") is None
NO_TORCH = "PyTorch is not installed (too large for CI); the script is checked wherever torch is importable"


def trained_like(activation: str, output: str, features=FEATURES, slope: float | None = None, dtype="float64"):
    """A network with large random parameters (weights ×3, nonzero biases) so every activation's both sides are hit."""
    out_activation, loss, units = OUTPUTS[output]
    hidden = {"units": 5, "activation": activation}
    if slope is not None:
        hidden["slope"] = slope
    net = Network.from_spec(
        input_dim=len(features),
        layers=[hidden, {"units": 4, "activation": activation}, {"units": units, "activation": out_activation}],
        loss=loss,
        init="he",
        seed=7,
        dtype=dtype,
    )
    rng = np.random.default_rng(3)
    net.set_parameters([3.0 * p + rng.normal(0.0, 1.0, p.shape) for p in net.parameters()])
    return net


def raw_points(n: int = 400) -> np.ndarray:
    """Points across (and beyond) the plots' square, plus the exact zero where case splits meet."""
    points = np.random.default_rng(11).uniform(-6.0, 6.0, (n, 2))
    return np.vstack([points, [[0.0, 0.0]]])


def onnx_predict(model: onnx.ModelProto, X: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(["output"], {"input": X})[0]


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("activation", HIDDEN)
def test_onnx_matches_predict_for_every_activation_and_output(activation, output):
    net = trained_like(activation, output)
    X = raw_points()
    expected = net.predict(transform_features(X, FEATURES))
    got = onnx_predict(to_onnx(net, FEATURES), X)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOLERANCE)
    assert np.ptp(expected) > 0.1  # the comparison covers outputs that vary, not a constant


@pytest.mark.parametrize("feature", FEATURES)
def test_onnx_computes_each_input_feature_from_raw_points(feature):
    features = ("x1", feature) if feature != "x1" else ("x1",)
    net = trained_like("tanh", "linear", features=features)
    X = raw_points()
    np.testing.assert_allclose(
        onnx_predict(to_onnx(net, features), X), net.predict(transform_features(X, features)), rtol=0, atol=TOLERANCE
    )


@pytest.mark.parametrize("slope", [0.1, 0.0, -0.5, 1.7])
@pytest.mark.parametrize("activation", ["leaky_relu", "prelu"])
def test_onnx_keeps_the_slope_including_ones_outside_0_1(activation, slope):
    net = trained_like(activation, "linear", slope=slope)
    X = raw_points()
    np.testing.assert_allclose(
        onnx_predict(to_onnx(net, FEATURES), X), net.predict(transform_features(X, FEATURES)), rtol=0, atol=TOLERANCE
    )


def elu_network(alpha: float | None, output: str = "linear"):
    """trained_like with ELU hidden layers of α = ``alpha`` (None: the default 1)."""
    out_activation, loss, units = OUTPUTS[output]
    hidden = {"units": 5, "activation": "elu"} | ({} if alpha is None else {"alpha": alpha})
    net = Network.from_spec(
        input_dim=len(FEATURES),
        layers=[hidden, {**hidden, "units": 4}, {"units": units, "activation": out_activation}],
        loss=loss,
        seed=5,
    )
    rng = np.random.default_rng(4)
    net.set_parameters([3.0 * p + rng.normal(0.0, 1.0, p.shape) for p in net.parameters()])
    return net


@pytest.mark.parametrize("alpha", [None, 0.0, 0.3, 2.5, 10.0])
def test_onnx_keeps_elu_alpha(alpha):
    net = elu_network(alpha)
    X = raw_points()
    expected = net.predict(transform_features(X, FEATURES))
    np.testing.assert_allclose(onnx_predict(to_onnx(net, FEATURES), X), expected, rtol=0, atol=TOLERANCE)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_multilabel_outputs_are_independent_sigmoids(dtype):
    net = Network.from_spec(
        input_dim=3,
        layers=[{"units": 6, "activation": "elu", "alpha": 0.5}, {"units": 4, "activation": "sigmoid"}],
        loss="bce",
        seed=9,
        dtype=dtype,
    )
    rng = np.random.default_rng(9)
    net.set_parameters([3.0 * p + rng.normal(0.0, 1.0, p.shape) for p in net.parameters()])
    X = np.random.default_rng(1).normal(0.0, 2.0, (300, 3)).astype(dtype)
    expected = net.predict(X)
    got = onnx_predict(to_onnx(net), X)
    assert got.shape == (300, 4)
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOLERANCE if dtype == "float64" else 1e-5)
    assert not np.allclose(expected.sum(axis=1), 1.0)  # four probabilities, not one distribution
    if not TORCH_MISSING:
        got = runpy_predict(to_pytorch_source(net), X)
        np.testing.assert_allclose(got, expected, rtol=0, atol=TOLERANCE if dtype == "float64" else 1e-5)


def runpy_predict(source: str, X: np.ndarray) -> np.ndarray:
    """Run an exported script's source as a module and call its ``predict``."""
    namespace: dict = {}
    exec(compile(source, "model.py", "exec"), namespace)  # noqa: S102 (our own generated script)
    return namespace["predict"](X).numpy()


def test_onnx_model_declares_opset_shapes_and_dtype():
    net = trained_like("gelu", "softmax", features=("x1", "x2", "x1_x2"))
    model = to_onnx(net, ("x1", "x2", "x1_x2"))
    assert [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")] == [OPSET]
    (inp,), (out,) = model.graph.input, model.graph.output
    dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]  # noqa: E731
    assert (inp.name, dims(inp)) == ("input", ["n_samples", 2])
    assert (out.name, dims(out)) == ("output", ["n_samples", 3])
    assert inp.type.tensor_type.elem_type == onnx.TensorProto.DOUBLE
    probabilities = onnx_predict(model, raw_points(50))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-12)


def test_float32_network_exports_a_float32_model():
    net = trained_like("gelu", "sigmoid", features=("x1", "x2"), dtype="float32")
    model = to_onnx(net, ("x1", "x2"))
    assert model.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    X = raw_points().astype(np.float32)
    np.testing.assert_allclose(onnx_predict(model, X), net.predict(X), rtol=0, atol=1e-5)


def test_without_features_the_model_takes_the_network_inputs_as_they_are():
    net = Network.from_spec(input_dim=1, layers=[{"units": 3, "activation": "tanh"}, {"units": 1}], seed=2)
    X = np.linspace(-3, 3, 40).reshape(-1, 1)
    np.testing.assert_allclose(onnx_predict(to_onnx(net), X), net.predict(X), rtol=0, atol=TOLERANCE)


def test_features_must_match_the_network_input():
    net = trained_like("tanh", "sigmoid", features=("x1", "x2"))
    with pytest.raises(ValueError, match="give 3 inputs but the network takes 2"):
        to_onnx(net, ("x1", "x2", "x1_sq"))
    with pytest.raises(ValueError, match="'x3' is not valid"):
        to_pytorch_source(net, ("x1", "x3"))


class FutureNetwork:
    """A network (public API only) whose first layer is of a type, or has a setting, that export does not know."""

    def __init__(self, dense: Network, first: dict):
        self.dense, self.first = dense, first
        self.input_dim, self.n_outputs, self.dtype, self.loss = dense.input_dim, dense.n_outputs, dense.dtype, "bce"

    def spec(self) -> dict:
        return {"layers": [self.first] + self.dense.spec()["layers"][1:]}

    def parameter_names(self):
        return self.dense.parameter_names()

    def parameters(self):
        return self.dense.parameters()


REFUSED = {  # first layer → what the refusal names
    "type": ({"type": "lstm", "units": 5}, r"layer 1 has type 'lstm'.*exportable layer types: dense, conv2d, maxpool"),
    "setting": (
        {"units": 5, "activation": "tanh", "dilation": 2},
        r"layer 1 \(dense\) has setting\(s\) \['dilation'\], which export does not support",
    ),
    "image layer on rows": ({"type": "conv2d", "filters": 5, "kernel": 1}, r"layer 1 is a conv2d layer on flat inputs"),
}


@pytest.mark.parametrize("fmt", ["onnx", "pytorch"])
@pytest.mark.parametrize("case", REFUSED)
def test_unsupported_layer_is_refused_by_name(fmt, case):
    first, message = REFUSED[case]
    net = FutureNetwork(trained_like("tanh", "sigmoid", features=("x1", "x2")), first)
    with pytest.raises(ValueError, match=message):
        export_bytes(net, fmt)


def test_export_layers_reads_prelu_slopes_from_parameters():
    net = trained_like("prelu", "sigmoid", slope=0.3)
    layers = export_layers(net)
    names, params = net.parameter_names(), net.parameters()
    assert [layer.slope for layer in layers[:2]] == [float(params[names.index(f"alpha{i}")][0]) for i in (1, 2)]
    assert layers[2].slope is None


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="format='tf' is not valid; choose one of: onnx, pytorch"):
        export_bytes(trained_like("tanh", "sigmoid"), "tf")


# ---- the command line -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def xor_bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run")
    assert main(["run", "xor_2_2_1", "--out", str(out), "--every", "1000"]) == EXIT_OK
    return out / "model.zip"


def test_cli_export_onnx_matches_the_saved_model(xor_bundle, tmp_path, capsys):
    from core.experiment.io import load_model

    target = tmp_path / "xor.onnx"
    assert main(["export", str(xor_bundle), "--format", "onnx", "-o", str(target)]) == EXIT_OK
    assert f"wrote {target}" in capsys.readouterr().out
    net, config = load_model(xor_bundle)
    X = raw_points()
    expected = net.predict(transform_features(X, features_of(config)))
    np.testing.assert_allclose(onnx_predict(onnx.load(target), X), expected, rtol=0, atol=TOLERANCE)
    # the XOR network really learned XOR: opposite corners agree, adjacent ones differ
    corners = onnx_predict(onnx.load(target), np.array([[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]]))
    assert (corners[:2] < 0.5).all() and (corners[2:] > 0.5).all()


def test_cli_export_refusal_writes_no_file(xor_bundle, tmp_path, capsys, monkeypatch):
    from core import cli

    net, config = cli.load_model(xor_bundle)
    first = {"type": "lstm", "units": 2}
    monkeypatch.setattr(cli, "load_model", lambda path: (FutureNetwork(net, first), None))
    target = tmp_path / "future.onnx"
    assert main(["export", str(xor_bundle), "--format", "onnx", "-o", str(target)]) == EXIT_USAGE
    assert "layer 1 has type 'lstm'" in capsys.readouterr().err
    assert not target.exists()


def test_features_of_follows_the_data_kind():
    assert features_of(PRESETS["xor_2_2_1"]) == tuple(PRESETS["xor_2_2_1"].data.features)
    assert features_of(None) is None
    sine = [cfg for cfg in PRESETS.values() if cfg.data.name == "sine"]
    assert sine and features_of(sine[0]) is None


# ---- PyTorch ------------------------------------------------------------------------------------------------
@pytest.mark.skipif(TORCH_MISSING, reason=NO_TORCH)
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("activation", HIDDEN)
def test_pytorch_script_matches_predict(activation, output, tmp_path):
    net = trained_like(activation, output, slope=-0.5 if activation in ("leaky_relu", "prelu") else None)
    script = tmp_path / "model.py"
    script.write_text(to_pytorch_source(net, FEATURES), encoding="utf-8")
    X = raw_points()
    got = runpy.run_path(str(script))["predict"](X).numpy()
    np.testing.assert_allclose(got, net.predict(transform_features(X, FEATURES)), rtol=0, atol=TOLERANCE)


@pytest.mark.skipif(TORCH_MISSING, reason=NO_TORCH)
@pytest.mark.parametrize("alpha", [None, 0.0, 0.3, 2.5, 10.0])
def test_pytorch_script_keeps_elu_alpha(alpha):
    net = elu_network(alpha, output="softmax")
    X = raw_points()
    expected = net.predict(transform_features(X, FEATURES))
    np.testing.assert_allclose(runpy_predict(to_pytorch_source(net, FEATURES), X), expected, rtol=0, atol=TOLERANCE)


@pytest.mark.skipif(TORCH_MISSING, reason=NO_TORCH)
def test_pytorch_predict_keeps_float64_for_lists_read_only_arrays_and_tensors():
    import torch

    net = trained_like("tanh", "linear")
    X = raw_points(50) + 0.1  # values float32 cannot hold exactly
    expected = net.predict(transform_features(X, FEATURES))
    namespace: dict = {}
    exec(compile(to_pytorch_source(net, FEATURES), "model.py", "exec"), namespace)  # noqa: S102
    read_only = X.copy()
    read_only.flags.writeable = False
    for points in (X.tolist(), read_only, torch.tensor(X)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # torch warns when it shares a read-only array's memory
            got = namespace["predict"](points).numpy()
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


@pytest.mark.skipif(TORCH_MISSING, reason=NO_TORCH)
def test_pytorch_script_prints_the_predictions_when_run(xor_bundle, tmp_path):
    script = tmp_path / "xor.py"
    assert main(["export", str(xor_bundle), "--format", "pytorch", "-o", str(script)]) == EXIT_OK
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, check=True)
    printed = [
        [float(v) for v in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", line.split("->")[1])]
        for line in run.stdout.splitlines()
    ]
    from core.experiment.io import load_model

    net, config = load_model(xor_bundle)
    examples = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0], [0.0, 0.0]])
    expected = net.predict(transform_features(examples, features_of(config)))
    np.testing.assert_allclose(np.array(printed), expected, rtol=0, atol=TOLERANCE)


def test_pytorch_script_is_readable_python_with_a_sequential():
    net = trained_like("prelu", "softmax", features=("x1", "x2", "sin_x1"), slope=0.2)
    source = to_pytorch_source(net, ("x1", "x2", "sin_x1"))
    compile(source, "model.py", "exec")  # valid Python even where torch is missing
    assert "nn.Sequential(" in source and "nn.Linear(3, 5)" in source and "nn.PReLU(" in source
    assert "torch.stack([x1, x2, torch.sin(x1)], dim=1)" in source
    assert "nn.Softmax(dim=1)" in source
