"""Finite-difference checks of ``Network.loss_and_grads`` in float64 (central differences, ε = 1e-6).

Every hidden activation × every loss/output pairing × every penalty, plus PReLU's learned slope, a deep net
with mixed activations and class weights. Biases are set to random non-zero values and weights to random
values, so that no pre-activation, residual or weight sits exactly on a kink (ReLU at 0, MAE at 0, L1 at 0),
where the derivative is a convention rather than a bug.
"""

from __future__ import annotations

import numpy as np
import pytest

from core import ACTIVATIONS, Network, get_activation
from tests.reference_impl import REFERENCE_ACTIVATIONS, numerical_gradient, relative_error

EPS = 1e-6
TOLERANCE = 1e-6
N_SAMPLES = 7
INPUT_DIM = 3

HIDDEN_ACTIVATIONS = [name for name in ACTIVATIONS if name != "softmax"]

# (loss, output activation, output units)
OUTPUTS = [
    ("bce", "sigmoid", 1),
    ("softmax_ce", "softmax", 3),
    ("mse", "linear", 2),
    ("mse", "tanh", 2),
    ("mae", "linear", 2),
    ("mae", "tanh", 2),
    ("huber", "linear", 2),
    ("huber", "tanh", 2),
]

PENALTIES = {"none": (0.0, 0.0), "l1": (0.03, 0.0), "l2": (0.0, 0.05)}


def _targets(loss: str, n_outputs: int, rng: np.random.Generator) -> np.ndarray:
    if loss == "bce":
        return np.array([0, 1, 1, 0, 1, 0, 1][:N_SAMPLES])
    if loss == "softmax_ce":
        return np.arange(N_SAMPLES) % n_outputs
    # Scale 2 so that Huber sees residuals on both sides of δ = 1.
    return 2.0 * rng.standard_normal((N_SAMPLES, n_outputs))


def _randomize(net: Network, rng: np.random.Generator) -> None:
    """Random weights, random non-zero biases (sign × U[0.1, 1]), PReLU slopes left as configured."""
    params = []
    for name, p in zip(net.parameter_names(), net.parameters(), strict=True):
        if name.startswith("W"):
            params.append(rng.standard_normal(p.shape) * 0.8)
        elif name.startswith("b"):
            params.append(rng.choice([-1.0, 1.0], size=p.shape) * rng.uniform(0.1, 1.0, size=p.shape))
        else:
            params.append(p)
    net.set_parameters(params)


def _check(net: Network, X: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
    """Assert analytic == numerical gradient; return the analytic result for further checks."""
    loss, grads = net.loss_and_grads(X, y)
    assert [g.shape for g in grads] == [p.shape for p in net.parameters()]

    probe = Network.from_spec(**net.spec())

    def loss_of(params: list[np.ndarray]) -> float:
        probe.set_parameters(params)
        return probe.loss_and_grads(X, y)[0]

    numeric = numerical_gradient(loss_of, net.parameters(), eps=EPS)
    error = relative_error(grads, numeric)
    worst = int(np.argmax([np.abs(g - n).max() for g, n in zip(grads, numeric, strict=True)]))
    assert error < TOLERANCE, (
        f"relative error {error:.2e}; worst parameter {net.parameter_names()[worst]}: "
        f"analytic {grads[worst].ravel()[:6]} vs numeric {numeric[worst].ravel()[:6]}"
    )
    return loss, grads


def _build(layers, loss, l1=0.0, l2=0.0, class_weight=None, seed=0, input_dim=INPUT_DIM):
    net = Network.from_spec(
        input_dim=input_dim, layers=layers, loss=loss, init="xavier", l1=l1, l2=l2, seed=seed, class_weight=class_weight
    )
    rng = np.random.default_rng(1000 + seed)
    _randomize(net, rng)
    X = rng.standard_normal((N_SAMPLES, input_dim))
    return net, X, rng


@pytest.mark.parametrize("penalty", list(PENALTIES))
@pytest.mark.parametrize(
    ("loss", "output_activation", "n_outputs"), OUTPUTS, ids=[f"{loss}-{act}" for loss, act, _ in OUTPUTS]
)
@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
def test_backprop_matches_finite_differences(hidden, loss, output_activation, n_outputs, penalty):
    l1, l2 = PENALTIES[penalty]
    layers = [
        {"units": 4, "activation": hidden},
        {"units": 3, "activation": hidden},
        {"units": n_outputs, "activation": output_activation},
    ]
    seed = (
        HIDDEN_ACTIVATIONS.index(hidden) * 31
        + OUTPUTS.index((loss, output_activation, n_outputs)) * 7
        + list(PENALTIES).index(penalty)
    )
    net, X, rng = _build(layers, loss, l1=l1, l2=l2, seed=seed)
    _check(net, X, _targets(loss, n_outputs, rng))


@pytest.mark.parametrize("start_slope", [0.25, -0.5, 1.5])
@pytest.mark.parametrize("loss", ["bce", "softmax_ce", "mse"])
def test_prelu_slope_gradient_matches_finite_differences(start_slope, loss):
    output = {"bce": ("sigmoid", 1), "softmax_ce": ("softmax", 3), "mse": ("linear", 2)}[loss]
    layers = [{"units": 5, "activation": "prelu", "slope": start_slope}, {"units": output[1], "activation": output[0]}]
    net, X, rng = _build(layers, loss, l2=0.01, seed=3)
    _, grads = _check(net, X, _targets(loss, output[1], rng))
    slope_grad = grads[net.parameter_names().index("alpha1")]
    assert slope_grad.shape == (1,)
    assert abs(slope_grad[0]) > 1e-6, "the check is vacuous if no unit sees a negative pre-activation"


def test_prelu_as_output_layer_matches_finite_differences():
    layers = [{"units": 4, "activation": "tanh"}, {"units": 2, "activation": "prelu"}]
    net, X, rng = _build(layers, "huber", seed=4)
    _check(net, X, _targets("huber", 2, rng))


@pytest.mark.parametrize(
    ("loss", "output"), [("softmax_ce", ("softmax", 3)), ("huber", ("linear", 2)), ("bce", ("sigmoid", 1))]
)
def test_three_hidden_layers_with_mixed_activations(loss, output):
    layers = [
        {"units": 5, "activation": "relu"},
        {"units": 4, "activation": "prelu"},
        {"units": 4, "activation": "tanh"},
        {"units": 3, "activation": "leaky_relu", "slope": 0.2},
        {"units": output[1], "activation": output[0]},
    ]
    net, X, rng = _build(layers, loss, l1=0.01, l2=0.02, seed=5)
    _check(net, X, _targets(loss, output[1], rng))


def test_other_mixed_stack_elu_swish_gelu_softplus_sigmoid():
    layers = [
        {"units": 4, "activation": "elu"},
        {"units": 4, "activation": "swish"},
        {"units": 3, "activation": "gelu"},
        {"units": 3, "activation": "softplus"},
        {"units": 2, "activation": "sigmoid"},
        {"units": 2, "activation": "linear"},
    ]
    net, X, rng = _build(layers, "mse", l2=0.1, seed=6)
    _check(net, X, _targets("mse", 2, rng))


@pytest.mark.parametrize(
    ("loss", "output", "class_weight"),
    [
        ("bce", ("sigmoid", 1), {0: 1.0, 1: 5.0}),
        ("softmax_ce", ("softmax", 3), {0: 1.0, 1: 5.0, 2: 0.5}),
    ],
)
def test_class_weighted_loss_gradient(loss, output, class_weight):
    layers = [{"units": 4, "activation": "tanh"}, {"units": output[1], "activation": output[0]}]
    net, X, rng = _build(layers, loss, l2=0.01, class_weight=class_weight, seed=7)
    y = _targets(loss, output[1], rng)
    weighted_loss, _ = _check(net, X, y)

    unweighted = Network.from_spec(**{**net.spec(), "class_weight": None})
    unweighted.set_parameters(net.parameters())
    assert weighted_loss != pytest.approx(unweighted.loss_and_grads(X, y)[0]), "class_weight was ignored"


def test_class_weight_of_one_changes_nothing():
    layers = [{"units": 4, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]
    net, X, rng = _build(layers, "bce", seed=8, class_weight={0: 1.0, 1: 1.0})
    y = _targets("bce", 1, rng)
    plain = Network.from_spec(**{**net.spec(), "class_weight": None})
    plain.set_parameters(net.parameters())
    loss_w, grads_w = net.loss_and_grads(X, y)
    loss_p, grads_p = plain.loss_and_grads(X, y)
    assert loss_w == pytest.approx(loss_p, rel=1e-12)
    for gw, gp in zip(grads_w, grads_p, strict=True):
        np.testing.assert_allclose(gw, gp, rtol=1e-12, atol=1e-15)


# ---- single activations -----------------------------------------------------------------------------------


def _points_away_from_kinks(rng: np.random.Generator) -> np.ndarray:
    z = rng.uniform(-6.0, 6.0, size=200)
    return z[np.abs(z) > 1e-3]


@pytest.mark.parametrize("name", HIDDEN_ACTIVATIONS)
def test_activation_derivative_matches_finite_differences(name):
    z = _points_away_from_kinks(np.random.default_rng(11))
    act = get_activation(name)
    numeric = (act.forward(z + EPS) - act.forward(z - EPS)) / (2 * EPS)
    np.testing.assert_allclose(act.derivative(z, act.forward(z)), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", sorted(REFERENCE_ACTIVATIONS))
def test_activation_values_match_the_textbook_formula(name):
    z = np.linspace(-8.0, 8.0, 161)
    np.testing.assert_allclose(get_activation(name).forward(z), REFERENCE_ACTIVATIONS[name](z), rtol=1e-12, atol=1e-14)


def test_leaky_slope_is_configurable():
    z = np.array([-2.0, -0.5, 0.5, 2.0])
    act = get_activation("leaky_relu", slope=0.3)
    np.testing.assert_allclose(act.forward(z), [-0.6, -0.15, 0.5, 2.0])
    np.testing.assert_allclose(act.derivative(z, act.forward(z)), [0.3, 0.3, 1.0, 1.0])


def test_derivatives_at_zero_follow_torch_convention():
    z = np.zeros(1)
    relu, leaky = get_activation("relu"), get_activation("leaky_relu")
    assert relu.derivative(z, relu.forward(z))[0] == 0.0
    assert leaky.derivative(z, leaky.forward(z))[0] == pytest.approx(0.1)


def test_dropout_backprop_matches_finite_differences_for_a_fixed_mask():
    """The same generator seed draws the same mask, so the training loss is a smooth function of θ."""
    layers = [
        {"units": 6, "activation": "tanh", "dropout": 0.4},
        {"units": 5, "activation": "relu", "dropout": 0.3},
        {"units": 1, "activation": "sigmoid"},
    ]
    net, X, rng = _build(layers, "bce", l2=0.01, seed=9)
    y = _targets("bce", 1, rng)

    def training_loss_and_grads(network: Network):
        fwd = network.forward(X, training=True, rng=np.random.default_rng(42))
        loss, grads, _ = network.backward(fwd, y)
        return loss, grads

    _, grads = training_loss_and_grads(net)
    probe = Network.from_spec(**net.spec())

    def loss_of(params):
        probe.set_parameters(params)
        return training_loss_and_grads(probe)[0]

    assert relative_error(grads, numerical_gradient(loss_of, net.parameters(), eps=EPS)) < TOLERANCE
    assert not np.isclose(training_loss_and_grads(net)[0], net.loss_and_grads(X, y)[0]), "no unit was dropped"
