"""core.export for image networks: conv2d, max/average pooling and flatten in ONNX and PyTorch equal net.predict."""

from __future__ import annotations

import importlib.util

import numpy as np
import onnx
import pytest

from core import Network
from core.cli import EXIT_OK, main
from core.engine.activations import ACTIVATIONS, OUTPUT_ONLY
from core.engine.layers import same_padding
from core.experiment.presets import preset_config
from core.export import ConvLayer, export_layers, to_onnx, to_pytorch_source
from core.labs.digits import CNN_LAYERS, CNN_MODEL, digits_run
from tests.test_export import onnx_predict, runpy_predict

TOLERANCE = 1e-6
TORCH_MISSING = importlib.util.find_spec("torch") is None
NO_TORCH = "PyTorch is not installed (too large for CI); the script is checked wherever torch is importable"
needs_torch = pytest.mark.skipif(TORCH_MISSING, reason=NO_TORCH)
CONV_ACTIVATIONS = [a for a in ACTIVATIONS if a not in OUTPUT_ONLY]
SHAPE = (3, 9, 7)  # several channels; odd sides, so "same" pads unevenly and 2×2 pooling drops a remainder


def image_network(conv: dict, pool: dict | None = None, shape=SHAPE, dtype="float64", outputs=4, seed=0):
    """conv → [pool] → flatten → dense 5 tanh → dense softmax, with large random parameters (both sides of every
    activation are hit)."""
    layers = [{"type": "conv2d", "filters": 4, "kernel": 3, "activation": "relu"} | conv]
    layers += [pool] if pool else []
    layers += [{"type": "flatten"}, {"units": 5, "activation": "tanh"}, {"units": outputs, "activation": "softmax"}]
    net = Network.from_spec(
        input_dim=int(np.prod(shape)), input_shape=shape, layers=layers, loss="softmax_ce", seed=seed, dtype=dtype
    )
    rng = np.random.default_rng(seed + 1)
    net.set_parameters([2.0 * p + rng.normal(0.0, 0.5, p.shape) for p in net.parameters()])
    return net


def images(n: int = 64, shape=SHAPE, dtype="float64") -> np.ndarray:
    """Rows of flattened images with values on both sides of 0, plus an all-zero image."""
    X = np.random.default_rng(5).normal(0.0, 1.5, (n, int(np.prod(shape))))
    return np.vstack([X, np.zeros((1, X.shape[1]))]).astype(dtype)


def assert_exports_match(net, X, atol=TOLERANCE, torch=True):
    expected = net.predict(X)
    assert np.ptp(expected) > 0.1  # outputs that vary, not a constant
    got = onnx_predict(to_onnx(net), X)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=atol)
    if torch and not TORCH_MISSING:
        np.testing.assert_allclose(runpy_predict(to_pytorch_source(net), X), expected, rtol=0, atol=atol)
    return float(np.abs(got - expected).max())


GEOMETRIES = [
    (padding, stride, kernel, pool)
    for padding in ("valid", "same")
    for stride in (1, 2)
    for kernel in (2, 3)
    for pool in ("maxpool", "avgpool")
]


@pytest.mark.parametrize(("padding", "stride", "kernel", "pool"), GEOMETRIES)
def test_onnx_matches_predict_for_padding_stride_kernel_and_pooling(padding, stride, kernel, pool):
    net = image_network({"padding": padding, "stride": stride, "kernel": kernel}, {"type": pool, "size": 2})
    assert_exports_match(net, images(), torch=False)


@needs_torch
@pytest.mark.parametrize(("padding", "stride", "kernel", "pool"), GEOMETRIES)
def test_pytorch_matches_predict_for_padding_stride_kernel_and_pooling(padding, stride, kernel, pool):
    net = image_network({"padding": padding, "stride": stride, "kernel": kernel}, {"type": pool, "size": 2})
    X = images()
    np.testing.assert_allclose(runpy_predict(to_pytorch_source(net), X), net.predict(X), rtol=0, atol=TOLERANCE)


@pytest.mark.parametrize("activation", CONV_ACTIVATIONS)
def test_every_activation_on_the_conv_layer(activation):
    conv = {"activation": activation, "padding": "same", "stride": 2}
    if activation in ("leaky_relu", "prelu"):
        conv["slope"] = -0.4  # outside [0, 1]: a case split, not max(kz, z)
    assert_exports_match(image_network(conv, {"type": "avgpool", "size": 2}), images())


@pytest.mark.parametrize(
    "pool",
    [
        {"type": "maxpool", "size": 3},  # 9×7 → 3×2: a remainder column is dropped
        {"type": "avgpool", "size": 3, "stride": 2},  # overlapping windows
        {"type": "maxpool", "size": 2, "stride": 1},
        {"type": "avgpool", "size": 1},
    ],
)
def test_pooling_windows_strides_and_remainders(pool):
    assert_exports_match(image_network({"kernel": 2, "padding": "same"}, pool), images())


def test_same_padding_puts_the_odd_zero_after_as_core_does():
    """Kernel 2 (stride 1) and kernel 3 at stride 2 on odd and even sides pad unevenly: the extra zero goes to
    the bottom and right, and the output side is ceil(side / stride)."""
    for kernel, stride, shape in [(2, 1, (1, 6, 7)), (3, 2, (1, 8, 7)), (4, 2, (2, 7, 6)), (5, 2, (1, 10, 9))]:
        net = image_network({"kernel": kernel, "stride": stride, "padding": "same"}, shape=shape)
        (conv, *_) = export_layers(net)
        assert isinstance(conv, ConvLayer)
        assert conv.pads == (*same_padding(shape[1], kernel, stride), *same_padding(shape[2], kernel, stride))
        assert conv.out_shape[1:] == (-(-shape[1] // stride), -(-shape[2] // stride))
        assert conv.pads[0] != conv.pads[1] or conv.pads[2] != conv.pads[3]  # uneven: the case that matters
        assert_exports_match(net, images(shape=shape))


def test_two_conv_layers_with_several_channels():
    net = Network.from_spec(
        input_dim=2 * 10 * 10,
        input_shape=(2, 10, 10),
        layers=[
            {"type": "conv2d", "filters": 3, "kernel": 3, "stride": 2, "padding": "same", "activation": "prelu"},
            {"type": "conv2d", "filters": 5, "kernel": 2, "padding": "valid", "activation": "elu"},
            {"type": "maxpool", "size": 2},
            {"type": "flatten"},
            {"units": 3, "activation": "sigmoid"},  # multi-label: three independent probabilities
        ],
        loss="bce",
        seed=3,
    )
    rng = np.random.default_rng(8)
    net.set_parameters([2.0 * p + rng.normal(0.0, 0.5, p.shape) for p in net.parameters()])
    assert_exports_match(net, images(shape=(2, 10, 10)))


@pytest.mark.parametrize("pool", ["maxpool", "avgpool"])
def test_float32_image_network_uses_the_conv_and_pooling_ops(pool):
    conv = {"padding": "same", "stride": 2, "activation": "gelu"}
    net = image_network(conv, {"type": pool, "size": 2}, dtype="float32")
    model = to_onnx(net)
    ops = {node.op_type for node in model.graph.node}
    assert {"Conv", "MaxPool" if pool == "maxpool" else "AveragePool", "Erf"} <= ops
    assert model.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert_exports_match(net, images(dtype="float32"), atol=1e-5)


def test_float64_model_has_no_op_onnxruntime_lacks_in_float64():
    net = image_network({"padding": "same", "stride": 2, "activation": "elu"}, {"type": "avgpool", "size": 2})
    ops = {node.op_type for node in to_onnx(net).graph.node}
    assert not ops & {"Conv", "AveragePool", "Elu", "Erf"}
    assert {"Pad", "Slice", "Einsum", "MaxPool"} - ops == {"MaxPool"}  # no maxpool layer in this network


def test_an_empty_batch_gives_no_rows():
    net = image_network({"padding": "same"}, {"type": "maxpool", "size": 2})
    assert onnx_predict(to_onnx(net), np.zeros((0, int(np.prod(SHAPE))))).shape == (0, 4)


@pytest.fixture(scope="module")
def digits_cnn():
    """The Digits page's CNN (conv 8@3×3 relu → maxpool 2 → flatten → dense 10 softmax), trained a little."""
    run = digits_run(CNN_MODEL, preset_config("digits_64_16_10"))
    run.step(3)
    return run.network, run.data.split.X_test


def test_the_digits_pages_cnn(digits_cnn):
    net, X = digits_cnn
    assert [layer.get("type", "dense") for layer in net.spec()["layers"]] == [
        layer.get("type", "dense") for layer in CNN_LAYERS
    ]
    error = assert_exports_match(net, X)
    assert error < 1e-12  # float64 throughout: far inside the 1e-6 the tests ask for
    assert (onnx_predict(to_onnx(net), X).argmax(axis=1) == net.predict(X).argmax(axis=1)).all()
    assert (net.predict(X).argmax(axis=1) == 0).mean() < 0.5  # it learned something: not one class for all


def test_cli_exports_a_saved_cnn(digits_cnn, tmp_path):
    from core.experiment.io import save_model

    net, X = digits_cnn
    bundle, target = tmp_path / "cnn.zip", tmp_path / "cnn.onnx"
    save_model(net, None, bundle)
    assert main(["export", str(bundle), "--format", "onnx", "-o", str(target)]) == EXIT_OK
    np.testing.assert_allclose(onnx_predict(onnx.load(target), X), net.predict(X), rtol=0, atol=TOLERANCE)


def test_pytorch_script_of_a_cnn_reads_like_the_layers():
    net = image_network({"kernel": 2, "padding": "same", "stride": 1}, {"type": "avgpool", "size": 2})
    source = to_pytorch_source(net)
    compile(source, "model.py", "exec")  # valid Python even where torch is missing
    lines = [line.strip().split("  #")[0] for line in source.splitlines() if line.strip().startswith("nn.")]
    assert lines == [
        "nn.Unflatten(1, (3, 9, 7)),",
        "nn.ZeroPad2d((0, 1, 0, 1)),",  # the odd zero after, as the app; Conv2d's padding is symmetric
        "nn.Conv2d(3, 4, kernel_size=2, stride=1),",
        "nn.ReLU(),",
        "nn.AvgPool2d(kernel_size=2, stride=2),",
        "nn.Flatten(),",
        "nn.Linear(48, 5),",
        "nn.Tanh(),",
        "nn.Linear(5, 4),",
        "nn.Softmax(dim=1),",
    ]


def test_elu_alpha_zero_in_an_image_network():
    net = Network.from_spec(
        input_dim=4 * 4,
        input_shape=(1, 4, 4),
        layers=[{"type": "flatten"}, {"units": 3, "activation": "elu", "alpha": 0.0}, {"units": 2}],
        seed=1,
    )
    net.set_parameters([3.0 * p for p in net.parameters()])
    X = np.random.default_rng(0).normal(0.0, 2.0, (20, 16))
    np.testing.assert_allclose(onnx_predict(to_onnx(net), X), net.predict(X), rtol=0, atol=TOLERANCE)
