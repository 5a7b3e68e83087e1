"""The public ``Network`` contract (README, "Using the engine directly"): shapes, copies, validation, initialization,
stability, dropout."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import ACTIVATIONS, INITIALIZERS, LOSSES, Network, get_activation
from core.engine.training import Trainer
from core.experiment.settings import LIMITS, check_network_caps

DESIGN_ACTIVATIONS = [
    "linear",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "prelu",
    "elu",
    "softplus",
    "gelu",
    "swish",
    "softmax",
]
DESIGN_LOSSES = ["mse", "mae", "huber", "bce", "softmax_ce"]
DESIGN_INITS = ["xavier", "zeros", "small_random", "he", "lecun"]

TANH_SIGMOID = [{"units": 4, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]


def _net(**overrides) -> Network:
    spec = {"input_dim": 2, "layers": TANH_SIGMOID, "loss": "bce", "init": "xavier", "l1": 0.0, "l2": 0.0, "seed": 0}
    spec.update(overrides)
    return Network.from_spec(**spec)


def _points(n: int = 9, dim: int = 2, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-2.0, 2.0, size=(n, dim))


# ---- names ------------------------------------------------------------------------------------------------


def test_every_documented_name_is_offered():
    assert set(DESIGN_ACTIVATIONS) <= set(ACTIVATIONS)
    assert set(DESIGN_LOSSES) <= set(LOSSES)
    assert set(DESIGN_INITS) <= set(INITIALIZERS)


def test_design_example_builds_and_runs():
    net = Network.from_spec(
        input_dim=2,
        layers=[{"units": 4, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}],
        loss="bce",
        init="xavier",
        l1=0.0,
        l2=0.0,
        seed=0,
    )
    X = _points()
    loss, grads = net.loss_and_grads(X, (X[:, 0] > 0).astype(int))
    assert np.isfinite(loss) and loss > 0
    assert len(grads) == len(net.parameters())


# ---- shapes -----------------------------------------------------------------------------------------------


def test_parameter_shapes_follow_the_notes_notation():
    net = Network.from_spec(
        input_dim=3,
        layers=[
            {"units": 5, "activation": "relu"},
            {"units": 4, "activation": "tanh"},
            {"units": 2, "activation": "linear"},
        ],
        loss="mse",
    )
    shapes = [p.shape for p in net.parameters()]
    assert shapes == [(5, 3), (5, 1), (4, 5), (4, 1), (2, 4), (2, 1)]
    assert net.parameter_names() == ["W1", "b1", "W2", "b2", "W3", "b3"]


def test_prelu_slope_is_one_scalar_after_its_bias():
    net = Network.from_spec(
        input_dim=2, layers=[{"units": 3, "activation": "prelu"}, {"units": 1, "activation": "sigmoid"}], loss="bce"
    )
    assert [p.shape for p in net.parameters()] == [(3, 2), (3, 1), (1,), (1, 3), (1, 1)]
    assert net.parameter_names()[2].startswith("alpha")


def test_biases_start_at_zero():
    net = _net()
    for name, p in zip(net.parameter_names(), net.parameters(), strict=True):
        if name.startswith("b"):
            assert not p.any()


def test_predict_shape_and_sigmoid_range():
    out = _net().predict(_points(11))
    assert out.shape == (11, 1)
    assert np.all((out > 0) & (out < 1))


def test_softmax_rows_are_probabilities():
    net = Network.from_spec(
        input_dim=2,
        layers=[{"units": 5, "activation": "relu"}, {"units": 4, "activation": "softmax"}],
        loss="softmax_ce",
    )
    out = net.predict(_points(13))
    assert out.shape == (13, 4)
    assert np.all(out > 0)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_hidden_activations_has_one_array_per_layer():
    acts = _net().hidden_activations(_points(6))
    assert [a.shape for a in acts] == [(6, 4), (6, 1)]
    assert np.all(np.abs(acts[0]) < 1)  # tanh
    np.testing.assert_allclose(acts[-1], _net().predict(_points(6)))


def test_predict_rejects_wrong_feature_count():
    with pytest.raises(ValueError, match="X"):
        _net().predict(np.zeros((3, 5)))


def test_loss_and_grads_rejects_mismatched_y_length():
    with pytest.raises(ValueError):
        _net().loss_and_grads(_points(5), np.array([0, 1, 0]))


# ---- parameters -------------------------------------------------------------------------------------------


def test_parameters_returns_copies():
    net = _net()
    before = net.predict(_points())
    for p in net.parameters():
        p += 100.0
    np.testing.assert_array_equal(net.predict(_points()), before)


def test_set_parameters_copies_values_in():
    net = _net()
    params = [np.full_like(p, 0.3) for p in net.parameters()]
    net.set_parameters(params)
    for p in net.parameters():
        np.testing.assert_array_equal(p, 0.3)
    for p in params:
        p[...] = -7.0
    for p in net.parameters():
        np.testing.assert_array_equal(p, 0.3)


def test_set_parameters_changes_predictions():
    net = _net()
    params = net.parameters()
    params[-1] = params[-1] + 2.0  # output bias
    before = net.predict(_points())
    net.set_parameters(params)
    assert np.all(net.predict(_points()) > before)


def test_set_parameters_rejects_wrong_count():
    net = _net()
    with pytest.raises(ValueError):
        net.set_parameters(net.parameters()[:-1])
    with pytest.raises(ValueError):
        net.set_parameters(net.parameters() + [np.zeros((1, 1))])


@pytest.mark.parametrize("index", [0, 1, 2, 3])
def test_set_parameters_rejects_wrong_shape_naming_the_parameter(index):
    net = _net()
    params = net.parameters()
    params[index] = params[index].T if params[index].shape[0] != params[index].shape[1] else np.zeros((7, 7))
    with pytest.raises(ValueError, match=net.parameter_names()[index]):
        net.set_parameters(params)


def test_set_parameters_rejects_flat_bias():
    net = _net()
    params = net.parameters()
    params[1] = params[1].ravel()  # (4,) instead of (4, 1)
    with pytest.raises(ValueError):
        net.set_parameters(params)


def test_set_parameters_rejects_non_finite_values():
    net = _net()
    params = net.parameters()
    params[0] = params[0].copy()
    params[0][0, 0] = np.nan
    with pytest.raises(ValueError):
        net.set_parameters(params)


def test_spec_round_trips():
    net = Network.from_spec(
        input_dim=3,
        layers=[{"units": 5, "activation": "leaky_relu", "slope": 0.2}, {"units": 2, "activation": "linear"}],
        loss="huber",
        init="he",
        l1=0.01,
        l2=0.02,
        seed=7,
    )
    clone = Network.from_spec(**net.spec())
    for a, b in zip(net.parameters(), clone.parameters(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert clone.spec() == net.spec()


# ---- validation -------------------------------------------------------------------------------------------


def test_unknown_activation_lists_the_valid_names():
    with pytest.raises(ValueError) as info:
        _net(layers=[{"units": 4, "activation": "relux"}, {"units": 1, "activation": "sigmoid"}])
    message = str(info.value)
    assert "relux" in message and "activation" in message
    for name in DESIGN_ACTIVATIONS:
        assert name in message


def test_unknown_activation_from_get_activation_lists_the_valid_names():
    with pytest.raises(ValueError) as info:
        get_activation("sigmoidd")
    assert all(name in str(info.value) for name in DESIGN_ACTIVATIONS)


def test_unknown_loss_and_init_list_the_valid_names():
    with pytest.raises(ValueError) as info:
        _net(loss="cross_entropy")
    assert "loss" in str(info.value) and all(name in str(info.value) for name in DESIGN_LOSSES)
    with pytest.raises(ValueError) as info:
        _net(init="glorot_magic")
    assert "init" in str(info.value) and all(name in str(info.value) for name in DESIGN_INITS)


def test_softmax_in_a_hidden_layer_is_rejected():
    with pytest.raises(ValueError, match="softmax"):
        _net(layers=[{"units": 4, "activation": "softmax"}, {"units": 1, "activation": "sigmoid"}])


@pytest.mark.parametrize("output", ["linear", "tanh", "relu", "softmax"])
def test_bce_needs_a_sigmoid_output(output):
    with pytest.raises(ValueError, match="bce"):
        _net(layers=[{"units": 4, "activation": "tanh"}, {"units": 1, "activation": output}])


def test_softmax_ce_needs_a_softmax_output():
    with pytest.raises(ValueError, match="softmax"):
        _net(layers=[{"units": 4, "activation": "tanh"}, {"units": 3, "activation": "sigmoid"}], loss="softmax_ce")


@pytest.mark.parametrize("loss", ["mse", "mae", "huber"])
def test_regression_loss_with_softmax_output_is_rejected(loss):
    with pytest.raises(ValueError, match="loss"):
        _net(layers=[{"units": 4, "activation": "tanh"}, {"units": 3, "activation": "softmax"}], loss=loss)


@pytest.mark.parametrize("units", [0, -3])
def test_zero_or_negative_units_are_rejected_naming_units(units):
    with pytest.raises(ValueError, match="units"):
        _net(layers=[{"units": units, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}])


@pytest.mark.parametrize("field", ["l1", "l2"])
def test_negative_penalty_is_rejected_naming_the_field(field):
    with pytest.raises(ValueError, match=field):
        _net(**{field: -0.1})


def _app_net(**overrides) -> Network:
    """A network built the way the app builds one from outside input: the host's caps, then ``from_spec``."""
    spec = {
        "input_dim": 2,
        "layers": [{"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}],
        "loss": "bce",
        "seed": 0,
    } | overrides
    check_network_caps(spec)
    return Network.from_spec(**spec)


def test_too_many_hidden_layers_is_rejected_by_the_app():
    layers = [{"units": 2, "activation": "tanh"}] * (LIMITS.max_hidden_layers + 1)
    with pytest.raises(ValueError, match=f"at most {LIMITS.max_hidden_layers} are allowed"):
        _app_net(layers=layers + [{"units": 1, "activation": "sigmoid"}])


def test_the_maximum_number_of_hidden_layers_is_accepted():
    layers = [{"units": 2, "activation": "tanh"}] * LIMITS.max_hidden_layers
    net = _app_net(layers=layers + [{"units": 1, "activation": "sigmoid"}])
    assert len(net.parameters()) == 2 * (LIMITS.max_hidden_layers + 1)


def test_too_many_units_is_rejected_by_the_app_naming_units():
    with pytest.raises(ValueError, match=r"layers\[0\]\.units=65 is not valid; allowed range is \[1, 64\]"):
        _app_net(layers=[{"units": 65, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}])
    assert _app_net(
        layers=[{"units": LIMITS.max_units, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]
    ).parameters()[0].shape == (LIMITS.max_units, 2)


def test_too_many_inputs_is_rejected_by_the_app_naming_input_dim():
    with pytest.raises(ValueError, match="input_dim"):
        _app_net(input_dim=LIMITS.max_input_dim + 1)


def test_the_engine_has_no_host_caps_a_128_unit_network_trains_from_plain_python():
    """The host's caps (64 units, 8 hidden layers by default) are the app's; a script may go beyond them."""
    X = np.random.default_rng(0).normal(size=(120, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    layers = [{"units": 128, "activation": "tanh"}] * (LIMITS.max_hidden_layers + 1)
    net = Network.from_spec(input_dim=2, layers=layers + [{"units": 1, "activation": "sigmoid"}], loss="bce", seed=0)
    trainer = Trainer(net, X, y, learning_rate=0.01, total_epochs=30)
    for _ in range(30):
        trainer.train_epoch()
    assert net.parameters()[0].shape == (128, 2)
    assert trainer.history.train_loss[-1] < 0.5 * trainer.history.train_loss[0]


def test_empty_layer_list_is_rejected():
    with pytest.raises(ValueError, match="layers"):
        _net(layers=[])


# ---- determinism ------------------------------------------------------------------------------------------


def test_same_seed_same_parameters():
    for a, b in zip(_net(seed=3).parameters(), _net(seed=3).parameters(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_different_seed_different_weights():
    assert not np.array_equal(_net(seed=3).parameters()[0], _net(seed=4).parameters()[0])


def test_building_a_network_leaves_global_numpy_rng_alone():
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    _net(seed=5)
    assert np.random.random() == expected


# ---- initialization ---------------------------------------------------------------------------------------

FAN_IN, FAN_OUT = 1000, 64  # W1 has 64 000 entries: tight empirical statistics

# name -> (distribution, scale): 'uniform' scale is the half-width, 'normal' scale is the std.
LITERATURE_INITS = {
    "zeros": ("zeros", 0.0),
    "small_random": ("normal", 0.01),  # the notes: np.random.randn(...) * 0.01
    "normal": ("normal", 1.0),
    "xavier": ("uniform", math.sqrt(6.0 / (FAN_IN + FAN_OUT))),  # Glorot & Bengio 2010
    "xavier_uniform": ("uniform", math.sqrt(6.0 / (FAN_IN + FAN_OUT))),
    "glorot_uniform": ("uniform", math.sqrt(6.0 / (FAN_IN + FAN_OUT))),
    "xavier_normal": ("normal", math.sqrt(2.0 / (FAN_IN + FAN_OUT))),
    "glorot_normal": ("normal", math.sqrt(2.0 / (FAN_IN + FAN_OUT))),
    "he": ("normal", math.sqrt(2.0 / FAN_IN)),  # He et al. 2015
    "he_normal": ("normal", math.sqrt(2.0 / FAN_IN)),
    "he_uniform": ("uniform", math.sqrt(6.0 / FAN_IN)),
    "lecun": ("normal", math.sqrt(1.0 / FAN_IN)),  # LeCun et al. 1998
    "lecun_normal": ("normal", math.sqrt(1.0 / FAN_IN)),
    "lecun_uniform": ("uniform", math.sqrt(3.0 / FAN_IN)),
}


def _first_weights(init: str) -> np.ndarray:
    net = Network.from_spec(
        input_dim=FAN_IN,
        layers=[{"units": FAN_OUT, "activation": "tanh"}, {"units": 1, "activation": "linear"}],
        loss="mse",
        init=init,
        seed=0,
    )
    return net.parameters()[0]


@pytest.mark.parametrize("init", sorted(LITERATURE_INITS))
def test_initial_weights_have_the_literature_spread(init):
    distribution, scale = LITERATURE_INITS[init]
    W = _first_weights(init)
    assert W.shape == (FAN_OUT, FAN_IN)
    if distribution == "zeros":
        assert not W.any()
        return
    assert abs(W.mean()) < 0.02 * scale
    if distribution == "uniform":
        assert np.abs(W).max() <= scale
        assert np.abs(W).max() > 0.999 * scale
        assert W.std() == pytest.approx(scale / math.sqrt(3.0), rel=0.02)
        kurtosis = float(np.mean(W**4) / W.var() ** 2)
        assert kurtosis == pytest.approx(1.8, abs=0.05)  # a uniform distribution, not a normal one
    else:
        assert W.std() == pytest.approx(scale, rel=0.02)
        kurtosis = float(np.mean(W**4) / W.var() ** 2)
        assert kurtosis == pytest.approx(3.0, abs=0.15)


def test_every_offered_init_has_a_known_spread():
    project_specific = {"large_random"}  # deliberately huge, to demonstrate saturation
    assert set(INITIALIZERS) - project_specific <= set(LITERATURE_INITS)


def test_large_random_is_much_larger_than_xavier():
    assert _first_weights("large_random").std() > 10 * _first_weights("xavier").std()


# ---- numerical stability ----------------------------------------------------------------------------------

EXTREME_Z = np.array([-1000.0, -100.0, -1.0, 0.0, 1.0, 100.0, 1000.0])


@pytest.mark.parametrize("name", [a for a in ACTIVATIONS if a != "softmax"])
def test_activations_do_not_overflow_at_extreme_inputs(name):
    act = get_activation(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = act.forward(EXTREME_Z)
        d = act.derivative(EXTREME_Z, a)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(d))


def test_saturated_sigmoid_and_tanh_are_exact_limits():
    sig, tanh = get_activation("sigmoid"), get_activation("tanh")
    np.testing.assert_array_equal(sig.forward(np.array([-1000.0, 1000.0])), [0.0, 1.0])
    np.testing.assert_array_equal(tanh.forward(np.array([-1000.0, 1000.0])), [-1.0, 1.0])


def test_softmax_does_not_overflow_at_extreme_inputs():
    act = get_activation("softmax")
    z = np.array([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 1000.0], [-1000.0, -1000.0, -999.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = act.forward(z)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)
    np.testing.assert_allclose(a[1], [1 / 3] * 3)
    assert a[0, 0] == pytest.approx(1.0)


def _saturating_net(loss: str, output: str, units: int) -> Network:
    """One linear hidden unit copying x, then an output layer with weight ±1: output logits equal ±x."""
    net = Network.from_spec(
        input_dim=1, layers=[{"units": 1, "activation": "linear"}, {"units": units, "activation": output}], loss=loss
    )
    sign = np.where(np.arange(units) % 2 == 0, 1.0, -1.0).reshape(units, 1)
    net.set_parameters([np.ones((1, 1)), np.zeros((1, 1)), sign, np.zeros((units, 1))])
    return net


@pytest.mark.parametrize(
    ("loss", "output", "units"),
    [
        ("bce", "sigmoid", 1),
        ("softmax_ce", "softmax", 3),
        ("mse", "tanh", 2),
        ("mse", "linear", 2),
        ("mae", "tanh", 2),
        ("huber", "linear", 2),
        ("huber", "tanh", 2),
    ],
)
def test_losses_do_not_overflow_at_extreme_logits(loss, output, units):
    net = _saturating_net(loss, output, units)
    X = np.array([[-1000.0], [1000.0], [-1000.0], [1000.0]])
    y = np.array([0, 1, 1, 0]) if loss in ("bce", "softmax_ce") else np.zeros((4, units))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss_value, grads = net.loss_and_grads(X, y)
    assert np.isfinite(loss_value)
    assert all(np.all(np.isfinite(g)) for g in grads)


def test_bce_is_exact_for_huge_logits():
    """ℓ = softplus(z) − y·z: right with confidence costs ~0, wrong with confidence costs |z|."""
    net = _saturating_net("bce", "sigmoid", 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        right, _ = net.loss_and_grads(np.array([[1000.0], [-1000.0]]), np.array([1, 0]))
        wrong, grads = net.loss_and_grads(np.array([[1000.0], [-1000.0]]), np.array([0, 1]))
    assert right == pytest.approx(0.0, abs=1e-300)
    assert wrong == pytest.approx(1000.0, rel=1e-12)
    # dL/dW2 = mean((σ(z) − y)·a1) = mean((1 − 0)·1000, (0 − 1)·(−1000)) = 1000
    assert grads[2][0, 0] == pytest.approx(1000.0, rel=1e-12)


def test_softmax_ce_is_exact_for_huge_logits():
    net = _saturating_net("softmax_ce", "softmax", 3)  # logits (x, −x, x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, _ = net.loss_and_grads(np.array([[1000.0]]), np.array([1]))
    assert loss == pytest.approx(2000.0 + math.log(2.0), rel=1e-12)


# ---- dropout ----------------------------------------------------------------------------------------------


def _dropout_net(p: float) -> Network:
    """x → 64 linear copies of x (dropout p) → their mean: the output is x exactly when nothing is dropped."""
    units = 64
    net = Network.from_spec(
        input_dim=1,
        layers=[{"units": units, "activation": "linear", "dropout": p}, {"units": 1, "activation": "linear"}],
        loss="mse",
        seed=0,
    )
    net.set_parameters([np.ones((units, 1)), np.zeros((units, 1)), np.full((1, units), 1.0 / units), np.zeros((1, 1))])
    return net


def test_dropout_is_off_for_predict_and_default_loss():
    net = _dropout_net(0.5)
    X = np.ones((50, 1))
    np.testing.assert_allclose(net.predict(X), 1.0, rtol=1e-12)
    loss, _ = net.loss_and_grads(X, np.ones((50, 1)))
    assert loss == pytest.approx(0.0, abs=1e-20)
    np.testing.assert_allclose(net.forward(X).output, 1.0, rtol=1e-12)


def test_dropout_is_inverted_when_training():
    net = _dropout_net(0.5)
    X = np.ones((4000, 1))
    out = net.forward(X, training=True, rng=np.random.default_rng(0)).output
    assert out.std() > 0.05, "dropout did not drop anything"
    # Each output is the mean of 64 masks scaled by 1/keep, so its expectation stays 1 (std 1/8 per row).
    assert out.mean() == pytest.approx(1.0, abs=0.01)
    # A unit is either dropped (0) or scaled by 1/keep = 2: each row is a multiple of 2/64.
    np.testing.assert_allclose(out * 32, np.round(out * 32), atol=1e-9)


def test_dropout_makes_training_loss_noisy_but_not_evaluation_loss():
    net = _dropout_net(0.3)
    X, y = np.ones((20, 1)), np.ones((20, 1))
    evaluation = {net.loss_and_grads(X, y)[0] for _ in range(3)}
    training = {net.loss_and_grads(X, y, training=True)[0] for _ in range(3)}
    assert evaluation == {0.0}
    assert len(training) > 1 and min(training) > 0


def test_dropout_on_the_output_layer_is_rejected():
    with pytest.raises(ValueError, match="dropout"):
        _net(layers=[{"units": 4, "activation": "tanh"}, {"units": 1, "activation": "sigmoid", "dropout": 0.5}])


# ---- random invalid specs ---------------------------------------------------------------------------------

VALID = {
    "input_dim": 2,
    "layers": [{"units": 3, "activation": "tanh", "dropout": 0.1}, {"units": 1, "activation": "sigmoid"}],
    "loss": "bce",
    "init": "xavier",
    "l1": 0.0,
    "l2": 0.0,
    "seed": 0,
}

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just(float("nan")),
    st.just(float("inf")),
    st.just(-float("inf")),
)
bad_units = st.one_of(
    st.integers(max_value=0),
    st.integers(min_value=LIMITS.max_units + 1),
    st.floats(min_value=0.01, max_value=60).filter(lambda v: v != int(v)),
    junk,
)
bad_name = st.one_of(st.text(max_size=12).filter(lambda s: s not in ACTIVATIONS + LOSSES + INITIALIZERS), junk)
bad_penalty = st.one_of(
    st.floats(max_value=-1e-9, allow_nan=False), st.floats(min_value=1e6, allow_infinity=True), junk
)
bad_dropout = st.one_of(st.floats(max_value=-1e-9, allow_nan=False), st.floats(min_value=1.0), junk)
bad_input_dim = st.one_of(st.integers(max_value=0), st.integers(min_value=LIMITS.max_input_dim + 1), junk)
bad_seed = st.one_of(
    st.integers(max_value=-1),
    st.integers(min_value=2**32),
    st.floats(allow_nan=True).filter(lambda v: not float(v).is_integer()),
    junk,
)
bad_class_weight = st.one_of(
    st.dictionaries(st.integers(0, 1), st.one_of(st.floats(max_value=-1e-9), junk), min_size=1),
    st.dictionaries(st.text(min_size=1, max_size=3), st.floats(0, 1), min_size=1),
    st.lists(st.floats(0, 1), min_size=1, max_size=3),
)

# (field the message must name, strategy of complete invalid specs)
mutations = st.one_of(
    st.tuples(
        st.just("units"),
        bad_units.map(lambda v: {**VALID, "layers": [{**VALID["layers"][0], "units": v}, VALID["layers"][1]]}),
    ),
    st.tuples(
        st.just("activation"),
        bad_name.map(lambda v: {**VALID, "layers": [{**VALID["layers"][0], "activation": v}, VALID["layers"][1]]}),
    ),
    st.tuples(
        st.just("dropout"),
        bad_dropout.map(lambda v: {**VALID, "layers": [{**VALID["layers"][0], "dropout": v}, VALID["layers"][1]]}),
    ),
    st.tuples(st.just("loss"), bad_name.map(lambda v: {**VALID, "loss": v})),
    st.tuples(st.just("init"), bad_name.map(lambda v: {**VALID, "init": v})),
    st.tuples(st.just("l1"), bad_penalty.map(lambda v: {**VALID, "l1": v})),
    st.tuples(st.just("l2"), bad_penalty.map(lambda v: {**VALID, "l2": v})),
    st.tuples(st.just("input_dim"), bad_input_dim.map(lambda v: {**VALID, "input_dim": v})),
    st.tuples(st.just("seed"), bad_seed.map(lambda v: {**VALID, "seed": v})),
    st.tuples(st.just("class_weight"), bad_class_weight.map(lambda v: {**VALID, "class_weight": v})),
    st.tuples(
        st.just("layers"),
        junk.filter(lambda v: not isinstance(v, list) or v == []).map(lambda v: {**VALID, "layers": v}),
    ),
    st.tuples(st.just("layers"), junk.map(lambda v: {**VALID, "layers": [v, VALID["layers"][1]]})),
)


@pytest.mark.parametrize(
    ("field", "spec"),
    [
        pytest.param(
            "units",
            {**VALID, "layers": [{"units": float("inf"), "activation": "tanh"}, VALID["layers"][1]]},
            id="units-inf",
        ),
        pytest.param(
            "units",
            {**VALID, "layers": [{"units": float("nan"), "activation": "tanh"}, VALID["layers"][1]]},
            id="units-nan",
        ),
        pytest.param(
            "units", {**VALID, "layers": [{"units": 10**30, "activation": "tanh"}, VALID["layers"][1]]}, id="units-1e30"
        ),
        pytest.param("input_dim", {**VALID, "input_dim": float("inf")}, id="input_dim-inf"),
        pytest.param("input_dim", {**VALID, "input_dim": float("nan")}, id="input_dim-nan"),
        pytest.param("class_weight", {**VALID, "class_weight": [1.0, 5.0]}, id="class_weight-list"),
        pytest.param("class_weight", {**VALID, "class_weight": {"a": 1.0}}, id="class_weight-text-key"),
    ],
)
def test_non_finite_huge_or_wrongly_typed_values_raise_value_error_naming_the_field(field, spec):
    with pytest.raises(ValueError, match=field):
        _app_net(**spec)


def test_the_valid_base_spec_is_valid():
    Network.from_spec(**VALID)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations)
def test_invalid_specs_raise_value_error_naming_the_field(case):
    field, spec = case
    with pytest.raises(ValueError) as info:
        _app_net(**spec)  # the host's caps, then from_spec: the path a spec from outside takes in the app
    assert field in str(info.value)


# ---- float32 ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activations_keep_float32(name):
    act = get_activation(name)
    z = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    a = act.forward(z)
    assert a.dtype == np.float32
    assert act.derivative(z, a).dtype == np.float32


@pytest.mark.parametrize(
    ("loss", "output", "units"),
    [
        ("bce", "sigmoid", 1),
        ("softmax_ce", "softmax", 3),
        ("mse", "linear", 2),
        ("huber", "tanh", 2),
    ],
)
def test_float32_network_computes_in_float32(loss, output, units):
    net = Network.from_spec(
        input_dim=2,
        layers=[{"units": 4, "activation": "gelu"}, {"units": units, "activation": output}],
        loss=loss,
        dtype="float32",
    )
    X = _points(6)
    y = np.arange(6) % units if loss in ("bce", "softmax_ce") else np.ones((6, units))
    assert all(p.dtype == np.float32 for p in net.parameters())
    assert net.predict(X).dtype == np.float32
    _, grads = net.loss_and_grads(X, y)
    assert [g.dtype for g in grads] == [np.float32] * len(grads)
