"""The step-through shows exactly what the core computes, in the notes' one-column-per-sample layout."""

from __future__ import annotations

import numpy as np
import pytest

from core import Network
from core.labs.stepthrough import MATRIX_NAMES, first_minibatch, step_through

ATOL = 1e-12


def _batch(n: int = 5, dim: int = 2, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, dim))
    return X, (X[:, 0] > X[:, 1]).astype(int)


def _net_221(**options) -> Network:
    return Network.from_spec(
        input_dim=2,
        layers=[{"units": 2, "activation": "sigmoid"}, {"units": 1, "activation": "sigmoid"}],
        loss="bce",
        seed=1,
        **options,
    )


def test_2_2_1_walks_forward_then_backward_in_the_notes_order():
    X, y = _batch()
    steps = step_through(_net_221(), X, y)
    order = [(s.phase, s.name, s.layer) for s in steps]
    assert order == [
        ("forward", "A", 0),
        ("forward", "W", 1), ("forward", "b", 1), ("forward", "Z", 1), ("forward", "A", 1),
        ("forward", "W", 2), ("forward", "b", 2), ("forward", "Z", 2), ("forward", "A", 2),
        ("backward", "dZ", 2), ("backward", "dW", 2), ("backward", "db", 2), ("backward", "dA", 1),
        ("backward", "dZ", 1), ("backward", "dW", 1), ("backward", "db", 1),
    ]  # fmt: skip
    assert [s.index for s in steps] == list(range(16))
    assert {s.name for s in steps} == set(MATRIX_NAMES)
    shapes = {(s.name, s.layer): s.shape for s in steps}
    assert shapes[("A", 0)] == (2, 5) and shapes[("Z", 1)] == (2, 5) and shapes[("A", 2)] == (1, 5)
    assert shapes[("W", 1)] == (2, 2) and shapes[("b", 2)] == (1, 1) and shapes[("dA", 1)] == (2, 5)


NETWORKS = {
    "2-2-1 sigmoid, bce": (_net_221, 2, "bce"),
    "deep mixed, softmax, l1+l2": (
        lambda: Network.from_spec(
            input_dim=3,
            layers=[
                {"units": 4, "activation": "relu"},
                {"units": 3, "activation": "tanh"},
                {"units": 5, "activation": "leaky_relu"},
                {"units": 3, "activation": "softmax"},
            ],
            loss="softmax_ce",
            l1=0.01,
            l2=0.02,
            seed=2,
        ),
        3,
        "softmax_ce",
    ),
    "mse with tanh output, prelu": (
        lambda: Network.from_spec(
            input_dim=2,
            layers=[{"units": 3, "activation": "prelu"}, {"units": 2, "activation": "tanh"}],
            loss="mse",
            seed=4,
        ),
        2,
        "mse",
    ),
    "class weights": (
        lambda: _net_221(class_weight={0: 1.0, 1: 3.0}),
        2,
        "bce",
    ),
}


def _targets(loss: str, n: int, rng) -> np.ndarray:
    if loss == "bce":
        return np.array([0, 1, 1, 0, 1, 0][:n])
    if loss == "softmax_ce":
        return np.arange(n) % 3
    return rng.normal(size=(n, 2))


@pytest.mark.parametrize("case", NETWORKS)
def test_every_matrix_equals_the_core_forward_and_backward_transposed(case):
    build, dim, loss = NETWORKS[case]
    net = build()
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(6, dim)), _targets(loss, 6, rng)
    steps = step_through(net, X, y)
    fwd = net.forward(X)
    core_loss, grads, deltas = net.backward(fwd, y)
    names = net.parameter_names()
    grad_of = dict(zip(names, grads, strict=True))
    assert steps.loss == pytest.approx(core_loss, abs=ATOL)
    np.testing.assert_allclose(steps.find("A", 0).value, X.T, rtol=0, atol=ATOL)
    for layer, cache in enumerate(fwd.caches, start=1):
        np.testing.assert_allclose(steps.find("W", layer).value, net.weights[layer - 1], rtol=0, atol=ATOL)
        np.testing.assert_allclose(steps.find("b", layer).value, net.biases[layer - 1], rtol=0, atol=ATOL)
        np.testing.assert_allclose(steps.find("Z", layer).value, cache.z.T, rtol=0, atol=ATOL)
        np.testing.assert_allclose(steps.find("A", layer).value, cache.a.T, rtol=0, atol=ATOL)
        np.testing.assert_allclose(steps.find("dZ", layer).value, deltas[layer - 1].T, rtol=0, atol=ATOL)
        np.testing.assert_allclose(steps.find("dW", layer).value, grad_of[f"W{layer}"], rtol=0, atol=ATOL)
        np.testing.assert_allclose(steps.find("db", layer).value, grad_of[f"b{layer}"], rtol=0, atol=ATOL)


@pytest.mark.parametrize("case", NETWORKS)
def test_steps_obey_the_notes_column_formulas(case):
    # Recompute each step from the previous ones with the notes' formulas: Z = W·A + b, dW = dZ·Aᵀ (+ penalty),
    # db = dZ·1, dA_{l-1} = W_lᵀ·dZ_l, so the page's formula and its numbers agree.
    build, dim, loss = NETWORKS[case]
    net = build()
    rng = np.random.default_rng(8)
    X, y = rng.normal(size=(6, dim)), _targets(loss, 6, rng)
    steps = step_through(net, X, y)
    for layer in range(1, len(net.layers) + 1):
        W, b = steps.find("W", layer).value, steps.find("b", layer).value
        A_prev, dZ = steps.find("A", layer - 1).value, steps.find("dZ", layer).value
        np.testing.assert_allclose(steps.find("Z", layer).value, W @ A_prev + b, atol=ATOL)
        penalty = net.l2 * W + net.l1 * np.sign(W)
        np.testing.assert_allclose(steps.find("dW", layer).value, dZ @ A_prev.T + penalty, atol=ATOL)
        np.testing.assert_allclose(steps.find("db", layer).value, dZ.sum(axis=1, keepdims=True), atol=ATOL)
        if layer > 1:
            np.testing.assert_allclose(steps.find("dA", layer - 1).value, W.T @ dZ, atol=ATOL)
    if loss in ("bce", "softmax_ce") and net.class_weight is None:
        Y = np.eye(3)[y].T if loss == "softmax_ce" else y.reshape(1, -1)
        A_out = steps.find("A", len(net.layers)).value
        np.testing.assert_allclose(steps.find("dZ", len(net.layers)).value, (A_out - Y) / len(y), atol=ATOL)


def test_formulas_name_the_penalties_and_the_activation_derivative():
    X, y = _batch()
    steps = step_through(_net_221(l2=0.1), X, y)
    assert steps.find("dW", 1).formula == r"dW_{1} = dZ_{1}\,A_{0}^{T} + \lambda_2 W_{1}"
    assert steps.find("dZ", 1).formula == r"dZ_{1} = dA_{1} \odot A_{1} \odot (1 - A_{1})"
    assert steps.find("dZ", 2).formula == r"dZ_{2} = \frac{1}{n}(A_{2} - Y)"
    assert steps.find("Z", 2).formula == r"Z_{2} = W_{2}\,A_{1} + b_{2}"
    assert steps.find("A", 2).formula.startswith(r"\hat Y = A_{2} = \sigma(Z_{2})")


def test_steps_are_copies_so_training_afterwards_does_not_change_them():
    X, y = _batch()
    net = _net_221()
    steps = step_through(net, X, y)
    w1 = steps.find("W", 1).value.copy()
    net.set_parameters([p + 1.0 for p in net.parameters()])
    np.testing.assert_array_equal(steps.find("W", 1).value, w1)


def test_find_raises_for_a_step_that_does_not_exist():
    X, y = _batch()
    with pytest.raises(ValueError, match="no step 'dA' for layer 2"):
        step_through(_net_221(), X, y).find("dA", 2)


def test_first_minibatch_is_seeded_and_capped_at_the_data_size():
    X, y = _batch(n=10)
    Xb, yb = first_minibatch(X, y, 4, seed=3)
    Xb2, yb2 = first_minibatch(X, y, 4, seed=3)
    np.testing.assert_array_equal(Xb, Xb2)
    assert Xb.shape == (4, 2) and yb.shape == (4,)
    rows = [int(np.flatnonzero((row == X).all(axis=1))[0]) for row in Xb]
    np.testing.assert_array_equal(yb, y[rows])
    assert first_minibatch(X, y, 50)[0].shape == (10, 2)
    with pytest.raises(ValueError, match="batch_size=0"):
        first_minibatch(X, y, 0)
