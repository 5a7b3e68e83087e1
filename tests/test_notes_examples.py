"""The lecture notes' worked examples, recomputed by hand in NumPy and compared with the core at 1e-10.

The notes (seeds/002) write one row per sample with weights of shape (in, out): ``Z = X·W + B``; the general
derivation (seeds/003) writes one column per sample: ``z = W·a + b``. The core stores ``W`` as (out, in) like the
latter, so the row-notation weights below are the transposes of the core's. The notes give per-sample gradients;
the core's loss is the mean over samples, so a batch of ``m`` divides ``dZ`` of the output layer by ``m``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import Network, get_activation
from tests.reference_impl import sigmoid, softmax_columns, softmax_rows

RTOL = 1e-10
ATOL = 1e-12

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def _close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL)


# ---- the 2-2-1 XOR network (seeds/002, 非线性二分类) -------------------------------------------------------

# Row notation: W1 (2, 2), B1 (1, 2), W2 (2, 1), B2 (1, 1).
XOR_W1 = np.array([[0.5, -0.3], [0.8, 0.2]])
XOR_B1 = np.array([[0.1, -0.4]])
XOR_W2 = np.array([[1.2], [-0.7]])
XOR_B2 = np.array([[0.05]])


def _xor_net() -> Network:
    net = Network.from_spec(
        input_dim=2,
        layers=[{"units": 2, "activation": "sigmoid"}, {"units": 1, "activation": "sigmoid"}],
        loss="bce",
        seed=0,
    )
    net.set_parameters([XOR_W1.T, XOR_B1.T, XOR_W2.T, XOR_B2.T])
    return net


def _xor_by_the_notes(X, Y):
    """Forward (eq. 1–2 per layer), loss (eq. 12, sign fixed) and backward (eq. 13–20), averaged over m."""
    m = X.shape[0]
    Z1 = X @ XOR_W1 + XOR_B1
    A1 = sigmoid(Z1)
    Z2 = A1 @ XOR_W2 + XOR_B2
    A2 = sigmoid(Z2)
    loss = float(np.mean(-(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))))
    dZ2 = (A2 - Y) / m  # eq. 13: A2 − Y, per sample
    dW2 = A1.T @ dZ2  # eq. 14
    dB2 = dZ2.sum(axis=0, keepdims=True)  # eq. 15
    dA1 = A1 * (1 - A1)  # eq. 17
    dZ1 = (dZ2 @ XOR_W2.T) * dA1  # eq. 18
    dW1 = X.T @ dZ1  # eq. 19
    dB1 = dZ1.sum(axis=0, keepdims=True)  # eq. 20
    return A1, A2, loss, [dW1, dB1, dW2, dB2]


def test_xor_forward_scalar_formulas():
    """z1_1 = x1·w1_11 + x2·w1_21 + b1_1, spelled out for the sample (1, 0)."""
    x1, x2 = 1.0, 0.0
    z1_1 = x1 * XOR_W1[0, 0] + x2 * XOR_W1[1, 0] + XOR_B1[0, 0]
    z1_2 = x1 * XOR_W1[0, 1] + x2 * XOR_W1[1, 1] + XOR_B1[0, 1]
    a1_1, a1_2 = 1 / (1 + np.exp(-z1_1)), 1 / (1 + np.exp(-z1_2))
    z2_1 = a1_1 * XOR_W2[0, 0] + a1_2 * XOR_W2[1, 0] + XOR_B2[0, 0]
    a2_1 = 1 / (1 + np.exp(-z2_1))
    net = _xor_net()
    hidden, output = net.hidden_activations(np.array([[x1, x2]]))
    _close(hidden, [[a1_1, a1_2]])
    _close(output, [[a2_1]])


def test_xor_forward_matches_the_notes():
    A1, A2, _, _ = _xor_by_the_notes(XOR_X, XOR_Y.reshape(-1, 1))
    net = _xor_net()
    hidden, output = net.hidden_activations(XOR_X)
    _close(hidden, A1)
    _close(output, A2)
    _close(net.predict(XOR_X), A2)


def test_xor_loss_and_gradients_match_the_notes_for_the_batch():
    _, _, loss, notes_grads = _xor_by_the_notes(XOR_X, XOR_Y.reshape(-1, 1))
    core_loss, core_grads = _xor_net().loss_and_grads(XOR_X, XOR_Y)
    assert core_loss == pytest.approx(loss, rel=RTOL)
    for core_g, notes_g in zip(core_grads, notes_grads, strict=True):
        _close(core_g, notes_g.T)  # the core's W is the transpose of the notes' row-notation W


@pytest.mark.parametrize("sample", range(4))
def test_xor_single_sample_gradient_is_exactly_the_notes_formula(sample):
    """For one sample m = 1, so dZ2 = A2 − Y with no averaging at all."""
    X, Y = XOR_X[sample : sample + 1], XOR_Y[sample : sample + 1].reshape(1, 1)
    A1, A2, _, notes_grads = _xor_by_the_notes(X, Y)
    _, core_grads = _xor_net().loss_and_grads(X, XOR_Y[sample : sample + 1])
    _close(core_grads[3], (A2 - Y).T)  # dB2 = dZ2
    _close(core_grads[2], (A1.T @ (A2 - Y)).T)  # dW2 = A1ᵀ·dZ2
    for core_g, notes_g in zip(core_grads, notes_grads, strict=True):
        _close(core_g, notes_g.T)


# ---- the 2-3-3 softmax network (seeds/002, 非线性多分类) ---------------------------------------------------


def test_two_three_three_softmax_network_matches_the_notes():
    rng = np.random.default_rng(233)
    W1, B1 = rng.normal(size=(2, 3)), rng.normal(size=(1, 3))
    W2, B2 = rng.normal(size=(3, 3)), rng.normal(size=(1, 3))
    X = rng.uniform(-1, 1, size=(6, 2))
    labels = np.array([0, 1, 2, 2, 1, 0])
    Y = np.eye(3)[labels]
    m = X.shape[0]

    A1 = sigmoid(X @ W1 + B1)
    Z2 = A1 @ W2 + B2
    A2 = np.exp(Z2) / np.exp(Z2).sum(axis=1, keepdims=True)  # a2_j = e^{z2_j} / Σ_k e^{z2_k}
    loss = -np.sum(Y * np.log(A2)) / m  # J = −(1/m) Σ_i Σ_j y_ij ln a2_ij
    dZ2 = (A2 - Y) / m  # softmax + cross-entropy: A2 − y
    dW2, dB2 = A1.T @ dZ2, dZ2.sum(axis=0, keepdims=True)
    dZ1 = (dZ2 @ W2.T) * A1 * (1 - A1)
    dW1, dB1 = X.T @ dZ1, dZ1.sum(axis=0, keepdims=True)

    net = Network.from_spec(
        input_dim=2,
        layers=[{"units": 3, "activation": "sigmoid"}, {"units": 3, "activation": "softmax"}],
        loss="softmax_ce",
    )
    net.set_parameters([W1.T, B1.T, W2.T, B2.T])
    _close(net.predict(X), A2)
    core_loss, core_grads = net.loss_and_grads(X, labels)
    assert core_loss == pytest.approx(loss, rel=RTOL)
    for core_g, notes_g in zip(core_grads, [dW1, dB1, dW2, dB2], strict=True):
        _close(core_g, notes_g.T)
    # One-hot targets given directly mean the same thing as labels.
    _close(net.loss_and_grads(X, Y)[1][2], dW2.T)


# ---- the 784-64-16-10 network (seeds/002, 三层神经网络; seeds/003, column notation) -------------------------


@pytest.mark.parametrize("input_dim", [784, 64], ids=["mnist-784", "digits-64"])
def test_sigmoid_tanh_softmax_network_matches_the_column_notation(input_dim):
    """δ3 = A3 − Y;  δ2 = W3ᵀδ3 ⊙ (1 − A2²);  δ1 = W2ᵀδ2 ⊙ A1(1 − A1);  dW_l = δ_l·A_{l−1}ᵀ;  db_l = δ_l·1."""
    net = Network.from_spec(
        input_dim=input_dim,
        layers=[
            {"units": 64, "activation": "sigmoid"},
            {"units": 16, "activation": "tanh"},
            {"units": 10, "activation": "softmax"},
        ],
        loss="softmax_ce",
        init="xavier",
        seed=12,
    )
    rng = np.random.default_rng(input_dim)
    params = net.parameters()
    for i in (1, 3, 5):
        params[i] = rng.uniform(-0.5, 0.5, size=params[i].shape)
    net.set_parameters(params)
    W1, b1, W2, b2, W3, b3 = params

    m = 5
    X = rng.uniform(0, 1, size=(input_dim, m))  # one column per sample, pixel intensities
    labels = np.array([3, 1, 4, 1, 5])
    Y = np.eye(10)[labels].T  # (10, m)

    A1 = sigmoid(W1 @ X + b1)
    A2 = np.tanh(W2 @ A1 + b2)
    A3 = softmax_columns(W3 @ A2 + b3)
    loss = -np.sum(Y * np.log(A3)) / m
    d3 = (A3 - Y) / m
    d2 = (W3.T @ d3) * (1 - A2 * A2)
    d1 = (W2.T @ d2) * A1 * (1 - A1)
    expected = [
        d1 @ X.T,
        d1.sum(axis=1, keepdims=True),
        d2 @ A1.T,
        d2.sum(axis=1, keepdims=True),
        d3 @ A2.T,
        d3.sum(axis=1, keepdims=True),
    ]

    hidden = net.hidden_activations(X.T)
    for core_a, notes_a in zip(hidden, [A1, A2, A3], strict=True):
        _close(core_a, notes_a.T)
    core_loss, core_grads = net.loss_and_grads(X.T, labels)
    assert core_loss == pytest.approx(loss, rel=RTOL)
    for name, core_g, notes_g in zip(net.parameter_names(), core_grads, expected, strict=True):
        assert core_g.shape == notes_g.shape, name
        _close(core_g, notes_g)


# ---- single-neuron gradients (seeds/001, 均方差 / 交叉熵) --------------------------------------------------


def _single_neuron(loss: str, w: float, b: float) -> Network:
    net = Network.from_spec(input_dim=1, layers=[{"units": 1, "activation": "sigmoid"}], loss=loss)
    net.set_parameters([np.array([[w]]), np.array([[b]])])
    return net


def test_sigmoid_with_squared_error_carries_sigma_prime():
    """∂L/∂w = (ŷ − y)·σ'(z)·x for L = ½(y − ŷ)²; the core's MSE has no ½, hence the factor 2."""
    w, b, x, y = 0.7, -0.2, 1.5, 1.0
    z = w * x + b
    s = 1 / (1 + np.exp(-z))
    _, grads = _single_neuron("mse", w, b).loss_and_grads(np.array([[x]]), np.array([[y]]))
    assert grads[0][0, 0] == pytest.approx(2 * (s - y) * s * (1 - s) * x, rel=RTOL)
    assert grads[1][0, 0] == pytest.approx(2 * (s - y) * s * (1 - s), rel=RTOL)


def test_sigmoid_with_cross_entropy_has_no_sigma_prime():
    """∂L/∂w = (1/m) Σ (σ(z) − y)·x: the output layer's gradient does not contain σ'(z)."""
    w, b = 3.0, 1.0
    X = np.array([[2.0], [-1.0], [4.0]])
    y = np.array([0, 1, 1])
    s = sigmoid(w * X[:, 0] + b)
    _, grads = _single_neuron("bce", w, b).loss_and_grads(X, y)
    assert grads[0][0, 0] == pytest.approx(np.mean((s - y) * X[:, 0]), rel=RTOL)
    assert grads[1][0, 0] == pytest.approx(np.mean(s - y), rel=RTOL)


def test_softmax_cross_entropy_gradient_is_prediction_minus_target():
    """∂L/∂x_i = ŷ_i − y_i, from the notes' Jacobian derivation; checked through a linear 'identity' layer."""
    z = np.array([[2.0, -1.0, 0.5, 3.0]])
    net = Network.from_spec(input_dim=4, layers=[{"units": 4, "activation": "softmax"}], loss="softmax_ce")
    net.set_parameters([np.eye(4), np.zeros((4, 1))])  # Z = x, so dL/db = dL/dZ
    _, grads = net.loss_and_grads(z, np.array([1]))
    _close(grads[1].T, softmax_rows(z) - np.eye(4)[[1]])


# ---- L2 / L1 (seeds/001, 正则化) ---------------------------------------------------------------------------


def _penalized_pair(**penalty):
    layers = [
        {"units": 5, "activation": "tanh"},
        {"units": 3, "activation": "prelu"},
        {"units": 1, "activation": "sigmoid"},
    ]
    plain = Network.from_spec(input_dim=2, layers=layers, loss="bce", seed=4)
    penalized = Network.from_spec(input_dim=2, layers=layers, loss="bce", seed=4, **penalty)
    rng = np.random.default_rng(4)
    params = [p + rng.normal(scale=0.3, size=p.shape) for p in plain.parameters()]
    plain.set_parameters(params)
    penalized.set_parameters(params)
    X = rng.normal(size=(8, 2))
    y = np.array([0, 1, 0, 1, 1, 0, 1, 0])
    return plain, penalized, X, y


def test_l2_adds_half_theta_w_squared_and_theta_w_to_weights_only():
    theta = 0.3
    plain, penalized, X, y = _penalized_pair(l2=theta)
    loss0, grads0 = plain.loss_and_grads(X, y)
    loss, grads = penalized.loss_and_grads(X, y)
    params = plain.parameters()
    weights = [p for name, p in zip(plain.parameter_names(), params, strict=True) if name.startswith("W")]
    assert loss - loss0 == pytest.approx(theta / 2 * sum(float((W**2).sum()) for W in weights), rel=1e-9)
    for name, g, g0, p in zip(plain.parameter_names(), grads, grads0, params, strict=True):
        _close(g - g0, theta * p if name.startswith("W") else np.zeros_like(p))  # ∇L̃ = ∇L + θw


def test_l1_adds_theta_abs_w_and_theta_sign_w_to_weights_only():
    theta = 0.05
    plain, penalized, X, y = _penalized_pair(l1=theta)
    loss0, grads0 = plain.loss_and_grads(X, y)
    loss, grads = penalized.loss_and_grads(X, y)
    params = plain.parameters()
    weights = [p for name, p in zip(plain.parameter_names(), params, strict=True) if name.startswith("W")]
    assert loss - loss0 == pytest.approx(theta * sum(float(np.abs(W).sum()) for W in weights), rel=1e-9)
    for name, g, g0, p in zip(plain.parameter_names(), grads, grads0, params, strict=True):
        _close(g - g0, theta * np.sign(p) if name.startswith("W") else np.zeros_like(p))  # ∇L̃ = ∇L + θ·sign(w)


# ---- the XOR impossibility proof (seeds/002, 简单证明异或问题的不可能性) -------------------------------------


def _single_neuron_xor_correct(w1: float, w2: float, b: float) -> tuple[int, int]:
    """Correct XOR points for one sigmoid neuron, with the tie a = 0.5 read as class 0 and as class 1."""
    net = Network.from_spec(input_dim=2, layers=[{"units": 1, "activation": "sigmoid"}], loss="bce")
    net.set_parameters([np.array([[w1, w2]]), np.array([[b]])])
    a = net.predict(XOR_X)[:, 0]
    return int(np.sum((a > 0.5) == XOR_Y)), int(np.sum((a >= 0.5) == XOR_Y))


def test_no_single_neuron_on_a_weight_grid_classifies_xor():
    grid = np.linspace(-6.0, 6.0, 13)
    best = 0
    for w1, w2, b in itertools.product(grid, grid, grid):
        strict_tie, loose_tie = _single_neuron_xor_correct(w1, w2, b)
        assert strict_tie < 4 and loose_tie < 4, (w1, w2, b)
        best = max(best, strict_tie, loose_tie)
    assert best == 3  # a line separates three of the four points, never all four


@settings(max_examples=200, deadline=None)
@given(st.tuples(*[st.floats(-1e3, 1e3, allow_nan=False)] * 3))
def test_no_single_neuron_with_any_weights_classifies_xor(weights):
    assert max(_single_neuron_xor_correct(*weights)) < 4


def test_the_proofs_inequalities_are_contradictory():
    """b < 0, w2 + b > 0, w1 + b > 0 imply (w1 + b) + (w2 + b) > 0 > b, so w1 + w2 + b > 0: never < 0."""
    rng = np.random.default_rng(0)
    w1, w2, b = rng.uniform(-10, 10, size=(3, 100_000))
    satisfies_first_three = (b < 0) & (w2 + b > 0) & (w1 + b > 0)
    assert satisfies_first_three.any()
    assert not np.any(satisfies_first_three & (w1 + w2 + b < 0))


def test_a_two_two_one_network_can_represent_xor():
    """What one neuron cannot do, two hidden sigmoids (an OR and a NAND) followed by an AND can."""
    net = Network.from_spec(
        input_dim=2, layers=[{"units": 2, "activation": "sigmoid"}, {"units": 1, "activation": "sigmoid"}], loss="bce"
    )
    net.set_parameters(
        [
            np.array([[20.0, 20.0], [-20.0, -20.0]]),
            np.array([[-10.0], [30.0]]),
            np.array([[20.0, 20.0]]),
            np.array([[-30.0]]),
        ]
    )
    np.testing.assert_array_equal((net.predict(XOR_X)[:, 0] > 0.5).astype(int), XOR_Y)


# ---- vanishing gradients (seeds/000, seeds/003) ------------------------------------------------------------


def test_sigmoid_derivative_peaks_at_a_quarter_at_zero():
    z = np.linspace(-10, 10, 20001)
    act = get_activation("sigmoid")
    d = act.derivative(z, act.forward(z))
    assert d.max() == pytest.approx(0.25, abs=1e-15)
    assert z[np.argmax(d)] == pytest.approx(0.0, abs=1e-12)
    assert np.all(d <= 0.25)
    _close(d, sigmoid(z) * (1 - sigmoid(z)))  # σ'(z) = σ(z)(1 − σ(z))


def test_tanh_derivative_peaks_at_one_at_zero_and_is_two_sigmoid_two_z_minus_one():
    z = np.linspace(-10, 10, 20001)
    act = get_activation("tanh")
    a = act.forward(z)
    _close(a, 2 * sigmoid(2 * z) - 1)  # tanh(x) = 2·sigmoid(2x) − 1
    d = act.derivative(z, a)
    assert d.max() == pytest.approx(1.0, abs=1e-15)
    assert z[np.argmax(d)] == pytest.approx(0.0, abs=1e-12)
