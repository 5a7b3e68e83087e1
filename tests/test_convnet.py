"""Image layers (conv2d, maxpool, avgpool, flatten): plain-loop references, finite differences, the API contract.

The references below are written from the definitions with explicit loops over samples, filters, channels and
positions, independently of ``core.engine.layers`` (which uses im2col and stride tricks).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from core import Network
from core.engine.convnet import LAYER_TYPES, ConvNetwork
from core.engine.training import Trainer
from tests.reference_impl import numerical_gradient, relative_error

TOLERANCE = 1e-6


# ---- plain-loop references -----------------------------------------------------------------------------------
def same_pads(size: int, k: int, s: int) -> tuple[int, int]:
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def loop_pad(X, k, s, padding):
    if padding == "valid":
        return X, 0, 0
    top, bottom = same_pads(X.shape[2], k, s)
    left, right = same_pads(X.shape[3], k, s)
    out = np.zeros((X.shape[0], X.shape[1], X.shape[2] + top + bottom, X.shape[3] + left + right))
    out[:, :, top : top + X.shape[2], left : left + X.shape[3]] = X
    return out, top, left


def loop_conv(X, W, b, s, padding):
    """Z[n, f, i, j] = Σ_c Σ_u Σ_v W[f, c, u, v]·Xpad[n, c, i·s + u, j·s + v] + b[f], one number at a time."""
    Xp, _, _ = loop_pad(X, W.shape[2], s, padding)
    n, C, H, Wd = Xp.shape
    F, _, k, _ = W.shape
    ho, wo = (H - k) // s + 1, (Wd - k) // s + 1
    Z = np.zeros((n, F, ho, wo))
    for m in range(n):
        for f in range(F):
            for i in range(ho):
                for j in range(wo):
                    total = b[f, 0]
                    for c in range(C):
                        for u in range(k):
                            for v in range(k):
                                total += W[f, c, u, v] * Xp[m, c, i * s + u, j * s + v]
                    Z[m, f, i, j] = total
    return Z


def loop_conv_backward(X, W, dZ, s, padding):
    Xp, top, left = loop_pad(X, W.shape[2], s, padding)
    n, C, _, _ = Xp.shape
    F, _, k, _ = W.shape
    dW, db, dXp = np.zeros_like(W), np.zeros((F, 1)), np.zeros_like(Xp)
    for m in range(n):
        for f in range(F):
            for i in range(dZ.shape[2]):
                for j in range(dZ.shape[3]):
                    g = dZ[m, f, i, j]
                    db[f, 0] += g
                    for c in range(C):
                        for u in range(k):
                            for v in range(k):
                                dW[f, c, u, v] += g * Xp[m, c, i * s + u, j * s + v]
                                dXp[m, c, i * s + u, j * s + v] += g * W[f, c, u, v]
    return dW, db, dXp[:, :, top : top + X.shape[2], left : left + X.shape[3]]


def loop_pool(X, size, stride, kind):
    n, C, H, W = X.shape
    ho, wo = (H - size) // stride + 1, (W - size) // stride + 1
    out, dX_of = np.zeros((n, C, ho, wo)), {}
    for m in range(n):
        for c in range(C):
            for i in range(ho):
                for j in range(wo):
                    window = X[m, c, i * stride : i * stride + size, j * stride : j * stride + size]
                    out[m, c, i, j] = window.max() if kind == "maxpool" else window.mean()
                    dX_of[m, c, i, j] = np.unravel_index(np.argmax(window), window.shape)
    return out, dX_of


def loop_pool_backward(X, dA, size, stride, kind):
    _, winners = loop_pool(X, size, stride, kind)
    dX = np.zeros_like(X)
    for (m, c, i, j), (u, v) in winners.items():
        if kind == "maxpool":
            dX[m, c, i * stride + u, j * stride + v] += dA[m, c, i, j]
        else:
            dX[m, c, i * stride : i * stride + size, j * stride : j * stride + size] += dA[m, c, i, j] / size**2
    return dX


# ---- helpers ----------------------------------------------------------------------------------------------------
def _randomize(net: Network, rng: np.random.Generator) -> None:
    net.set_parameters([rng.normal(0.0, 0.5, p.shape) for p in net.parameters()])


def _finite_difference_error(net: Network, X, y) -> float:
    _, analytic = net.loss_and_grads(X, y)
    params = net.parameters()

    def loss_of(candidate):
        net.set_parameters(candidate)
        return net.loss_and_grads(X, y)[0]

    numeric = numerical_gradient(loss_of, params)
    net.set_parameters(params)
    return relative_error(analytic, numeric)


CONV_CASES = [  # (input_shape, conv layer)
    ((1, 6, 6), {"filters": 2, "kernel": 3, "stride": 1, "padding": "valid"}),
    ((1, 6, 6), {"filters": 2, "kernel": 3, "stride": 1, "padding": "same"}),
    ((2, 7, 7), {"filters": 3, "kernel": 3, "stride": 2, "padding": "valid"}),
    ((2, 7, 7), {"filters": 3, "kernel": 3, "stride": 2, "padding": "same"}),
    ((3, 5, 6), {"filters": 2, "kernel": 2, "stride": 1, "padding": "valid"}),
    ((2, 5, 5), {"filters": 2, "kernel": 5, "stride": 1, "padding": "same"}),
]


@pytest.mark.parametrize(("input_shape", "conv"), CONV_CASES)
def test_conv_forward_and_backward_equal_the_loop_reference(input_shape, conv):
    from core.engine.layers import conv2d_backward, conv2d_forward

    rng = np.random.default_rng(1)
    X = rng.normal(size=(3, *input_shape))
    W = rng.normal(size=(conv["filters"], input_shape[0], conv["kernel"], conv["kernel"]))
    b = rng.normal(size=(conv["filters"], 1))
    Z, cols = conv2d_forward(X, W, b, conv["stride"], conv["padding"])
    expected = loop_conv(X, W, b, conv["stride"], conv["padding"])
    assert Z.shape == expected.shape
    np.testing.assert_allclose(Z, expected, rtol=1e-12, atol=1e-12)
    if conv["padding"] == "same":
        assert Z.shape[2:] == tuple(math.ceil(s / conv["stride"]) for s in input_shape[1:])
    dZ = rng.normal(size=Z.shape)
    dW, db, dX = conv2d_backward(dZ, cols, W, X.shape, conv["stride"], conv["padding"])
    rW, rb, rX = loop_conv_backward(X, W, dZ, conv["stride"], conv["padding"])
    np.testing.assert_allclose(dW, rW, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(db, rb, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dX, rX, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", ["maxpool", "avgpool"])
@pytest.mark.parametrize(
    ("size", "stride", "shape"), [(2, 2, (2, 2, 6, 6)), (2, 2, (1, 3, 5, 7)), (3, 1, (2, 1, 5, 5))]
)
def test_pool_forward_and_backward_equal_the_loop_reference(kind, size, stride, shape):
    from core.engine.layers import avgpool_backward, avgpool_forward, maxpool_backward, maxpool_forward

    rng = np.random.default_rng(2)
    X = rng.normal(size=shape)
    expected, _ = loop_pool(X, size, stride, kind)
    A = maxpool_forward(X, size, stride) if kind == "maxpool" else avgpool_forward(X, size, stride)
    np.testing.assert_allclose(A, expected, rtol=1e-12, atol=1e-12)
    dA = rng.normal(size=A.shape)
    dX = maxpool_backward(dA, X, A, size, stride) if kind == "maxpool" else avgpool_backward(dA, X.shape, size, stride)
    np.testing.assert_allclose(dX, loop_pool_backward(X, dA, size, stride, kind), rtol=1e-12, atol=1e-12)


def _cnn(input_shape, conv, pool=None, activation="tanh", loss="softmax_ce", outputs=3, **options):
    layers = [{"type": "conv2d", "activation": activation, **conv}]
    if pool:
        layers.append(pool)
    layers += [{"type": "flatten"}, {"units": outputs, "activation": "softmax" if loss == "softmax_ce" else "sigmoid"}]
    return Network.from_spec(
        input_dim=math.prod(input_shape), input_shape=input_shape, layers=layers, loss=loss, seed=0, **options
    )


@pytest.mark.parametrize(("input_shape", "conv"), CONV_CASES)
def test_conv_network_gradients_match_finite_differences(input_shape, conv):
    rng = np.random.default_rng(3)
    net = _cnn(input_shape, conv)
    _randomize(net, rng)
    X = rng.normal(size=(4, math.prod(input_shape)))
    assert _finite_difference_error(net, X, np.array([0, 1, 2, 1])) < TOLERANCE


@pytest.mark.parametrize("kind", ["maxpool", "avgpool"])
@pytest.mark.parametrize("stride", [None, 1])
def test_pooling_network_gradients_match_finite_differences(kind, stride):
    rng = np.random.default_rng(4)
    pool = {"type": kind, "size": 2} | ({} if stride is None else {"stride": stride})
    net = _cnn((2, 6, 6), {"filters": 2, "kernel": 3, "padding": "same"}, pool)
    _randomize(net, rng)
    X = rng.normal(size=(4, 72))
    assert _finite_difference_error(net, X, np.array([2, 0, 1, 1])) < TOLERANCE


@pytest.mark.parametrize(("l1", "l2"), [(0.0, 0.0), (0.02, 0.0), (0.0, 0.05)])
def test_a_deep_cnn_with_penalties_matches_finite_differences(l1, l2):
    rng = np.random.default_rng(5)
    net = Network.from_spec(
        input_dim=2 * 8 * 8,
        input_shape=(2, 8, 8),
        layers=[
            {"type": "conv2d", "filters": 3, "kernel": 3, "padding": "same", "activation": "tanh"},
            {"type": "avgpool", "size": 2},
            {"type": "conv2d", "filters": 2, "kernel": 2, "stride": 2, "activation": "softplus"},
            {"type": "flatten"},
            {"units": 4, "activation": "sigmoid"},
            {"units": 3, "activation": "softmax"},
        ],
        loss="softmax_ce",
        l1=l1,
        l2=l2,
    )
    _randomize(net, rng)
    X = rng.normal(size=(3, 128))
    assert _finite_difference_error(net, X, np.array([0, 2, 1])) < TOLERANCE
    _, grads = net.loss_and_grads(X, np.array([0, 2, 1]))
    assert [g.shape for g in grads] == [(3, 2, 3, 3), (3, 1), (2, 3, 2, 2), (2, 1), (4, 8), (4, 1), (3, 4), (3, 1)]


def test_relu_and_prelu_conv_layers_match_finite_differences():
    rng = np.random.default_rng(6)
    for activation in ("relu", "prelu", "leaky_relu", "elu"):
        net = _cnn((1, 5, 5), {"filters": 2, "kernel": 3}, activation=activation, loss="mse", outputs=2)
        _randomize(net, rng)
        X = rng.normal(size=(3, 25))
        assert _finite_difference_error(net, X, rng.normal(size=(3, 2))) < TOLERANCE, activation


def test_the_design_example_network_has_the_documented_parameters_and_matches_the_loop_reference():
    net = Network.from_spec(
        input_dim=64,
        input_shape=(1, 8, 8),
        layers=[
            {"type": "conv2d", "filters": 8, "kernel": 3, "stride": 1, "padding": "valid", "activation": "relu"},
            {"type": "maxpool", "size": 2},
            {"type": "flatten"},
            {"units": 10, "activation": "softmax"},
        ],
        loss="softmax_ce",
        seed=0,
    )
    W1, b1, W2, b2 = net.parameters()
    assert (W1.shape, b1.shape, W2.shape, b2.shape) == ((8, 1, 3, 3), (8, 1), (10, 72), (10, 1))
    assert net.n_parameters == 8 * 9 + 8 + 72 * 10 + 10
    rng = np.random.default_rng(7)
    X = rng.random((5, 64))
    # the whole forward pass by loops: conv, relu, 2×2 max-pool, flatten in (channel, row, column) order, dense
    A = np.maximum(loop_conv(X.reshape(5, 1, 8, 8), W1, b1, 1, "valid"), 0.0)
    P, _ = loop_pool(A, 2, 2, "maxpool")
    flat = np.array([[P[m, c, i, j] for c in range(8) for i in range(3) for j in range(3)] for m in range(5)])
    Z = flat @ W2.T + b2.T
    expected = np.exp(Z - Z.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(net.predict(X), expected, rtol=1e-10, atol=1e-12)


def test_parameters_round_trip_and_shapes_are_checked():
    net = _cnn((1, 6, 6), {"filters": 2, "kernel": 3})
    params = [p + 1.0 for p in net.parameters()]
    net.set_parameters(params)
    for got, want in zip(net.parameters(), params, strict=True):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match=r"W1 must have shape \(2, 1, 3, 3\)"):
        net.set_parameters([np.zeros((2, 9))] + params[1:])
    clone = net.copy()
    np.testing.assert_array_equal(clone.predict(np.ones((1, 36))), net.predict(np.ones((1, 36))))
    rebuilt = Network.from_spec(**net.spec())
    assert isinstance(rebuilt, ConvNetwork) and rebuilt.spec() == net.spec()


@pytest.mark.parametrize("init", ["xavier", "he", "lecun_uniform", "zeros", "small_random", "glorot_normal"])
def test_every_initializer_uses_conv_fans(init):
    net = Network.from_spec(
        input_dim=3 * 10 * 10,
        input_shape=(3, 10, 10),
        layers=[{"type": "conv2d", "filters": 16, "kernel": 5}, {"type": "flatten"}, {"units": 2}],
        init=init,
        seed=0,
    )
    W = net.parameters()[0]
    fan_in, fan_out = 3 * 25, 16 * 25
    expected_std = {
        "xavier": math.sqrt(2 / (fan_in + fan_out)),
        "he": math.sqrt(2 / fan_in),
        "lecun_uniform": math.sqrt(1 / fan_in),
        "zeros": 0.0,
        "small_random": 0.01,
        "glorot_normal": math.sqrt(2 / (fan_in + fan_out)),
    }[init]
    assert W.std() == pytest.approx(expected_std, rel=0.1, abs=1e-12)
    assert np.all(net.parameters()[1] == 0)


def test_penalties_apply_to_conv_weights_and_not_biases():
    rng = np.random.default_rng(8)
    plain = _cnn((1, 5, 5), {"filters": 2, "kernel": 3})
    penalised = _cnn((1, 5, 5), {"filters": 2, "kernel": 3}, l2=0.1)
    _randomize(plain, rng)
    penalised.set_parameters(plain.parameters())
    X, y = rng.normal(size=(4, 25)), np.array([0, 1, 2, 0])
    loss0, g0 = plain.loss_and_grads(X, y)
    loss1, g1 = penalised.loss_and_grads(X, y)
    W1, _, W2, _ = plain.parameters()
    assert loss1 - loss0 == pytest.approx(0.05 * ((W1**2).sum() + (W2**2).sum()))
    np.testing.assert_allclose(g1[0] - g0[0], 0.1 * W1)
    np.testing.assert_allclose(g1[1], g0[1])  # biases carry no penalty, as in the dense network


def test_trainer_trains_a_cnn_and_records_history():
    rng = np.random.default_rng(9)
    # vertical vs horizontal bars at random positions on a 6×6 grid
    X = np.zeros((120, 1, 6, 6))
    y = rng.integers(0, 2, 120)
    for m in range(120):
        where = rng.integers(0, 6)
        if y[m]:
            X[m, 0, :, where] = 1.0
        else:
            X[m, 0, where, :] = 1.0
    net = Network.from_spec(
        input_dim=36,
        input_shape=(1, 6, 6),
        layers=[
            {"type": "conv2d", "filters": 4, "kernel": 3, "padding": "same", "activation": "relu"},
            {"type": "maxpool", "size": 2},
            {"type": "flatten"},
            {"units": 2, "activation": "softmax"},
        ],
        loss="softmax_ce",
        seed=0,
    )
    trainer = Trainer(net, X.reshape(120, 36), y, learning_rate=0.05, batch_size=16, record_stats=True, seed=0)
    for _ in trainer.run(15):
        pass
    history = trainer.history
    assert len(history.epoch) == 15 and history.train_loss[-1] < history.train_loss[0]
    assert history.train_metric[-1] > 0.95
    assert len(history.grad_norms[-1]) == 2 and len(history.activation_mean[-1]) == 4


def test_dropout_on_a_conv_layer_only_acts_while_training():
    net = Network.from_spec(
        input_dim=25,
        input_shape=(1, 5, 5),
        layers=[{"type": "conv2d", "filters": 2, "kernel": 3, "dropout": 0.5}, {"type": "flatten"}, {"units": 1}],
        seed=0,
    )
    X = np.ones((2, 25))
    np.testing.assert_array_equal(net.predict(X), net.forward(X).output)
    fwd = net.forward(X, training=True, rng=np.random.default_rng(0))
    assert fwd.caches[0].mask is not None and set(np.unique(fwd.caches[0].mask)) <= {0.0, 2.0}


# ---- validation messages name the bad value and the allowed ones -----------------------------------------------
def _build(layers, input_shape=(1, 8, 8), input_dim=64, **kw):
    return Network.from_spec(input_dim=input_dim, input_shape=input_shape, layers=layers, **kw)


@pytest.mark.parametrize(
    ("layers", "input_shape", "input_dim", "words"),
    [
        ([{"type": "conv3d"}, {"units": 2}], (1, 8, 8), 64, ["conv3d", *LAYER_TYPES]),
        (
            [{"type": "conv2d", "filters": 2, "kernel": 9}, {"type": "flatten"}, {"units": 2}],
            (1, 8, 8),
            64,
            ["kernel=9", "8×8", "1 to 8"],
        ),
        (
            [{"type": "conv2d", "filters": 2, "kernel": 3}, {"type": "flatten"}, {"units": 2}],
            (1, 8, 7),
            64,
            ["(1, 8, 7)", "56", "input_dim=64"],
        ),
        (
            [{"type": "conv2d", "filters": 2, "kernel": 3, "stride": 3}, {"type": "flatten"}, {"units": 2}],
            (1, 8, 8),
            64,
            ["stride=3", "1, 2"],
        ),
        (
            [{"type": "conv2d", "filters": 2, "kernel": 3, "padding": "full"}, {"type": "flatten"}, {"units": 2}],
            (1, 8, 8),
            64,
            ["'full'", "valid", "same"],
        ),
        ([{"type": "conv2d", "filters": 2, "kernel": 3}, {"units": 2}], (1, 8, 8), 64, ["dense", "6×6", "flatten"]),
        ([{"type": "maxpool", "size": 9}, {"type": "flatten"}, {"units": 2}], (1, 8, 8), 64, ["size=9", "1 to 8"]),
        ([{"type": "conv2d", "filters": 2, "kernel": 3}, {"type": "flatten"}], (1, 8, 8), 64, ["last layer"]),
        (
            [{"type": "flatten"}, {"type": "conv2d", "filters": 2, "kernel": 3}, {"units": 2}],
            (1, 8, 8),
            64,
            ["conv2d", "flat"],
        ),
        ([{"type": "conv2d", "filters": 2, "kernel": 3}, {"units": 2}], None, 64, ["input_shape"]),
        (
            [{"type": "conv2d", "filters": 2, "kernel": 3, "activation": "softmax"}, {"type": "flatten"}, {"units": 2}],
            (1, 8, 8),
            64,
            ["'softmax'", "relu", "tanh"],
        ),
        (
            [{"type": "conv2d", "filters": 2, "kernel": 3, "size": 2}, {"type": "flatten"}, {"units": 2}],
            (1, 8, 8),
            64,
            ["size", "filters", "kernel"],
        ),
        (
            [{"type": "conv2d", "filters": 2, "kernel": 3}, {"type": "flatten"}, {"units": 2}],
            (8, 8),
            64,
            ["input_shape", "(channels, height, width)"],
        ),
    ],
)
def test_bad_specs_get_messages_naming_the_value_and_the_choices(layers, input_shape, input_dim, words):
    with pytest.raises(ValueError) as info:
        _build(layers, input_shape, input_dim)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_a_plain_dense_list_with_explicit_dense_types_is_the_plain_network():
    typed = Network.from_spec(input_dim=2, layers=[{"type": "dense", "units": 3}, {"type": "dense", "units": 1}])
    plain = Network.from_spec(input_dim=2, layers=[{"units": 3}, {"units": 1}])
    assert type(typed) is Network
    for a, b in zip(typed.parameters(), plain.parameters(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_float32_cnn_trains():
    net = _cnn((1, 6, 6), {"filters": 2, "kernel": 3}, dtype="float32")
    X = np.random.default_rng(0).random((8, 36))
    y = np.arange(8) % 3
    trainer = Trainer(net, X, y, batch_size=4, seed=0)
    for _ in trainer.run(2):
        pass
    assert net.predict(X).dtype == np.float32 and np.isfinite(trainer.history.train_loss[-1])


def test_a_cnn_saves_and_loads_as_a_model_bundle():
    from core.experiment.io import load_model, model_to_bytes

    net = _cnn((1, 6, 6), {"filters": 2, "kernel": 3, "padding": "same"}, {"type": "avgpool", "size": 2})
    _randomize(net, np.random.default_rng(10))
    loaded, _ = load_model(model_to_bytes(net))
    assert isinstance(loaded, ConvNetwork) and loaded.spec() == net.spec()
    X = np.random.default_rng(11).random((3, 36))
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))


def test_every_initializer_builds_a_cnn():
    from core.engine.initializers import INITIALIZERS

    for init in INITIALIZERS:
        net = _cnn((2, 5, 5), {"filters": 3, "kernel": 3}, init=init)
        W = net.parameters()[0]
        assert W.shape == (3, 2, 3, 3) and np.all(np.isfinite(W)), init
        assert (init == "zeros") == (not W.any()), init
