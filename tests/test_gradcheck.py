"""The gradient check agrees with backprop where backprop is right and flags it where it is wrong."""

from __future__ import annotations

import numpy as np
import pytest

from core import Network
from core.engine.gradcheck import FAIL_ABOVE, PASS_BELOW, gradient_check, relative_error


def _data(n: int = 9, dim: int = 2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, dim))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def _net(activation: str = "tanh", **options) -> Network:
    layers = [{"units": 5, "activation": activation}, {"units": 3, "activation": activation}]
    return Network.from_spec(
        input_dim=2, layers=layers + [{"units": 1, "activation": "sigmoid"}], loss="bce", seed=3, **options
    )


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "elu", "gelu", "swish", "prelu"])
def test_correct_backprop_passes_for_every_tensor(activation):
    X, y = _data()
    result = gradient_check(_net(activation, l2=0.1), X, y)
    expected = ["W1", "b1", "W2", "b2", "W3", "b3"]
    if activation == "prelu":
        expected = ["W1", "b1", "alpha1", "W2", "b2", "alpha2", "W3", "b3"]
    assert [c.name for c in result.tensors] == expected
    assert result.passed, result.relative_errors()
    assert result.worst.relative_error < PASS_BELOW


def test_a_wrong_gradient_is_flagged_as_failing():
    class BrokenNetwork(Network):
        def loss_and_grads(self, X, y, training=False):
            loss, grads = super().loss_and_grads(X, y, training)
            grads[2] = -grads[2]  # W2's gradient with the wrong sign
            return loss, grads

    X, y = _data()
    good = _net()
    broken = BrokenNetwork.from_spec(**good.spec())
    broken.set_parameters(good.parameters())
    result = gradient_check(broken, X, y)
    statuses = {c.name: c.status for c in result.tensors}
    assert statuses["W2"] == "fail"
    assert result.tensors[2].relative_error == pytest.approx(1.0)
    assert all(statuses[name] == "pass" for name in ("W1", "b1", "b2", "W3", "b3"))
    assert not result.passed


def test_check_runs_on_a_copy_and_leaves_the_network_unchanged():
    X, y = _data()
    net = _net(dtype="float32")
    before = net.parameters()
    result = gradient_check(net, X, y)
    assert result.passed  # done in float64 even though the network computes in float32
    for a, b in zip(before, net.parameters(), strict=True):
        np.testing.assert_array_equal(a, b)
        assert b.dtype == np.float32


def test_large_tensors_are_checked_on_a_seeded_subset():
    X, y = _data()
    net = Network.from_spec(
        input_dim=2,
        layers=[
            {"units": 30, "activation": "tanh"},
            {"units": 30, "activation": "tanh"},
            {"units": 1, "activation": "sigmoid"},
        ],
        loss="bce",
        seed=0,
    )
    result = gradient_check(net, X, y, max_entries=50, seed=4)
    w2 = result.tensors[2]
    assert (w2.name, w2.checked, w2.size) == ("W2", 50, 900)
    assert [c.checked for c in result.tensors[:2]] == [50, 30]  # W1 has 60 entries, b1 only 30
    again = gradient_check(net, X, y, max_entries=50, seed=4)
    np.testing.assert_array_equal(w2.numerical, again.tensors[2].numerical)
    assert result.passed


def test_relative_error_is_zero_when_both_gradients_are_zero_and_one_for_opposite_signs():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    g = np.array([1.0, -2.0, 3.0])
    assert relative_error(g, -g) == pytest.approx(1.0)
    assert relative_error(g, g) == 0.0


@pytest.mark.parametrize(
    ("options", "message"),
    [({"eps": 0.0}, "eps=0.0"), ({"eps": float("nan")}, "eps=nan"), ({"max_entries": 0}, "max_entries=0")],
)
def test_bad_settings_raise_value_error_naming_them(options, message):
    X, y = _data()
    with pytest.raises(ValueError, match=message):
        gradient_check(_net(), X, y, **options)


def test_thresholds_are_ordered():
    assert PASS_BELOW < FAIL_ABOVE
