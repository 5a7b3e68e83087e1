"""Training-level acceptance of the core: the notes' experiments reach what the notes say they reach.

Metrics are recomputed here from ``network.predict`` on the split, not read from the history, so that a wrong
metric in the trainer cannot make a test pass.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import Network
from core.engine.initializers import INITIALIZERS
from core.engine.optimizers import OPTIMIZERS, clip_by_norm, clip_by_value, global_norm
from core.engine.training import Trainer
from core.experiment.config import DATASET_NAMES, DataConfig, ExperimentConfig, LayerConfig, ModelConfig, TrainConfig
from core.experiment.presets import PRESETS, preset_config
from core.experiment.run import run
from core.experiment.settings import LIMITS

HISTORY_LISTS = (
    "epoch",
    "train_loss",
    "val_loss",
    "train_metric",
    "val_metric",
    "learning_rate",
    "grad_norms",
    "weight_norms",
    "update_ratios",
    "activation_mean",
    "activation_std",
    "saturated_fraction",
    "dead_fraction",
)
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def _binary_accuracy(net: Network, X: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((net.predict(X)[:, 0] > 0.5).astype(int) == y))


def _multiclass_accuracy(net: Network, X: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.argmax(net.predict(X), axis=1) == y))


def _r2(net: Network, X: np.ndarray, y: np.ndarray) -> float:
    """R² = 1 − Σ(a − y)² / Σ(ȳ − y)²  (seeds/002, 回归模型的评估标准)."""
    y = np.asarray(y, dtype=float).reshape(-1)
    a = net.predict(X).reshape(-1)
    return 1.0 - float(np.sum((a - y) ** 2) / np.sum((y.mean() - y) ** 2))


def _short(name: str, epochs: int) -> ExperimentConfig:
    cfg = preset_config(name)
    return replace(cfg, train=replace(cfg.train, epochs=epochs))


# ---- the presets reach what the notes claim ---------------------------------------------------------------


def test_documented_presets_exist():
    for name in ("xor_2_2_1", "single_neuron_xor", "sine_1_3_1", "multiclass_2_3_3", "digits_64_16_10"):
        assert isinstance(PRESETS[name], ExperimentConfig)
        assert preset_config(name) == PRESETS[name]
    with pytest.raises(ValueError, match="preset"):
        preset_config("no_such_preset")


def test_single_neuron_cannot_fit_xor():
    result = run(preset_config("single_neuron_xor"), record_stats=False)
    net, split = result.network, result.split
    assert len(net.parameters()) == 2  # one neuron: W (1, 2) and b (1, 1)
    assert _binary_accuracy(net, split.X_train, split.y_train) < 1.0
    assert not result.history.diverged


def test_trained_single_neuron_gets_at_most_three_of_the_four_xor_points():
    net = Network.from_spec(input_dim=2, layers=[{"units": 1, "activation": "sigmoid"}], loss="bce", seed=0)
    trainer = Trainer(
        net, XOR_X, XOR_Y, optimizer="adam", learning_rate=0.1, batch_size=4, total_epochs=500, record_stats=False
    )
    for _ in trainer.run(500):
        pass
    assert _binary_accuracy(net, XOR_X, XOR_Y) <= 0.75


def test_two_two_one_sigmoid_network_solves_xor():
    result = run(preset_config("xor_2_2_1"), record_stats=False)
    net, split = result.network, result.split
    assert [p.shape for p in net.parameters()] == [(2, 2), (2, 1), (1, 2), (1, 1)]
    assert net.spec()["layers"][0]["activation"] == "sigmoid"
    assert _binary_accuracy(net, split.X_train, split.y_train) == 1.0
    assert result.history.train_metric[-1] == 1.0
    assert result.history.val_metric[-1] == pytest.approx(_binary_accuracy(net, split.X_test, split.y_test))


def test_one_three_one_network_fits_the_sine():
    result = run(preset_config("sine_1_3_1"), record_stats=False)
    net, split = result.network, result.split
    assert net.spec()["input_dim"] == 1 and net.spec()["layers"][0]["units"] == 3
    assert len(split.y_test) > 0
    assert _r2(net, split.X_test, split.y_test) > 0.95
    # With no validation part the history's validation curve is the test split's R².
    assert result.history.val_metric[-1] == pytest.approx(_r2(net, split.X_test, split.y_test), rel=1e-9)


def test_two_three_three_softmax_network_separates_three_classes():
    result = run(preset_config("multiclass_2_3_3"), record_stats=False)
    net, split = result.network, result.split
    assert net.predict(split.X_test).shape[1] == 3
    assert _multiclass_accuracy(net, split.X_test, split.y_test) > 0.9


def test_digits_network_beats_ninety_percent_on_the_test_split():
    result = run(preset_config("digits_64_16_10"), record_stats=False)
    net, split = result.network, result.split
    assert split.X_test.shape[1] == 64 and len(split.y_test) > 100
    assert _multiclass_accuracy(net, split.X_test, split.y_test) > 0.90
    assert result.history.val_metric[-1] == pytest.approx(_multiclass_accuracy(net, split.X_test, split.y_test))


def test_the_recorded_statistics_are_what_the_network_holds():
    """weight_norms, activation statistics and dead/saturated shares per layer match a recomputation."""
    result = run(_short("xor_2_2_1", 5))
    h, net = result.history, result.network
    np.testing.assert_allclose(h.weight_norms[-1], [np.linalg.norm(W) for W in net.weights], rtol=1e-12)
    layers = net.hidden_activations(result.split.X_train)  # every layer's activations, the output last
    np.testing.assert_allclose(h.activation_mean[-1], [a.mean() for a in layers], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(h.activation_std[-1], [a.std() for a in layers], rtol=1e-9, atol=1e-12)
    assert all(0.0 <= share <= 1.0 for row in h.saturated_fraction + h.dead_fraction for share in row)


def test_a_too_large_learning_rate_kills_relu_units_and_the_history_shows_it():
    result = run(preset_config("relu_dies"))
    dead_per_layer = result.history.dead_fraction[-1][:-1]
    assert max(dead_per_layer) >= 0.5, dead_per_layer  # the notes' "dying ReLU": most units never fire again
    assert result.history.val_metric[-1] < 0.7


# ---- determinism ------------------------------------------------------------------------------------------


def test_same_seed_gives_a_bit_identical_history():
    cfg = _short("xor_2_2_1", 40)
    first, second = run(cfg), run(cfg)
    for name in HISTORY_LISTS:
        a, b = getattr(first.history, name), getattr(second.history, name)
        assert len(a) == len(first.history.epoch), name
        assert len(a) == 40, name
        assert np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float), equal_nan=True), name
    for p, q in zip(first.network.parameters(), second.network.parameters(), strict=True):
        assert np.array_equal(p, q)
    np.testing.assert_array_equal(first.split.X_train, second.split.X_train)


def test_a_different_seed_gives_a_different_run():
    cfg = _short("xor_2_2_1", 10)
    other = run(replace(cfg, seed=cfg.seed + 1))
    assert not np.array_equal(run(cfg).history.train_loss, other.history.train_loss)


def test_a_run_leaves_global_numpy_rng_alone():
    np.random.seed(7)
    expected = np.random.random()
    np.random.seed(7)
    run(_short("xor_2_2_1", 3))
    assert np.random.random() == expected


# ---- zero initialization keeps hidden units identical (seeds/004) -----------------------------------------


def test_zero_init_keeps_hidden_units_identical():
    cfg = preset_config("zeros_symmetry")
    assert cfg.model.init == "zeros" and cfg.model.hidden[0].units > 1
    result = run(cfg)
    W1, b1, W2 = result.network.parameters()[:3]
    assert np.abs(W2).max() > 1e-3, "the output weights should have moved, or the test shows nothing"
    np.testing.assert_allclose(W1, np.broadcast_to(W1[0], W1.shape), rtol=0, atol=1e-12)
    np.testing.assert_allclose(b1, np.broadcast_to(b1[0], b1.shape), rtol=0, atol=1e-12)
    np.testing.assert_allclose(W2, np.broadcast_to(W2[:, :1], W2.shape), rtol=0, atol=1e-12)


def test_random_init_breaks_the_symmetry():
    cfg = preset_config("zeros_symmetry")
    result = run(replace(cfg, model=replace(cfg.model, init="xavier"), train=replace(cfg.train, epochs=20)))
    W1 = result.network.parameters()[0]
    assert np.abs(W1 - W1[0]).max() > 1e-3


# ---- clipping (seeds/004: by value into [-N, N], and by global norm) --------------------------------------


def _random_grads(seed: int, scale: float) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(scale=scale, size=shape) for shape in [(4, 2), (4, 1), (1, 4), (1, 1)]]


def test_clip_by_norm_bounds_the_global_norm_and_keeps_the_direction():
    grads = _random_grads(0, 10.0)
    original = [g.copy() for g in grads]
    before = math.sqrt(sum(float((g**2).sum()) for g in original))
    assert before > 5.0
    returned = clip_by_norm(grads, 5.0)
    assert returned == pytest.approx(before)
    after = math.sqrt(sum(float((g**2).sum()) for g in grads))
    assert after == pytest.approx(5.0, rel=1e-12)
    for g, g0 in zip(grads, original, strict=True):
        np.testing.assert_allclose(g, g0 * (5.0 / before), rtol=1e-12)
    assert global_norm(grads) == pytest.approx(after, rel=1e-12)


def test_clip_by_norm_leaves_small_gradients_alone():
    grads = _random_grads(1, 0.01)
    original = [g.copy() for g in grads]
    clip_by_norm(grads, 5.0)
    for g, g0 in zip(grads, original, strict=True):
        np.testing.assert_array_equal(g, g0)


def test_clip_by_value_puts_every_component_in_range():
    grads = _random_grads(2, 10.0)
    original = [g.copy() for g in grads]
    clip_by_value(grads, 3.0)
    for g, g0 in zip(grads, original, strict=True):
        np.testing.assert_array_equal(g, np.clip(g0, -3.0, 3.0))  # the notes' np.clip(gradient, -N, N)


@pytest.mark.parametrize(("clip", "bound"), [({"clip_norm": 0.5}, "norm"), ({"clip_value": 0.05}, "value")])
def test_training_step_with_clipping_bounds_the_update(clip, bound):
    """With plain SGD and one full batch, Δθ = −η·clip(g): its size is bounded by η times the clip."""
    rng = np.random.default_rng(3)
    X = rng.normal(scale=5.0, size=(40, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    net = Network.from_spec(
        input_dim=2,
        layers=[{"units": 6, "activation": "relu"}, {"units": 1, "activation": "sigmoid"}],
        loss="bce",
        init="large_random",
        seed=3,
    )
    _, grads = net.loss_and_grads(X, y)
    unclipped = global_norm(grads)
    before = net.parameters()
    lr = 0.1
    trainer = Trainer(net, X, y, optimizer="sgd", learning_rate=lr, batch_size=len(y), record_stats=False, **clip)
    trainer.train_epoch()
    delta = [p - p0 for p, p0 in zip(net.parameters(), before, strict=True)]
    if bound == "norm":
        assert unclipped > 0.5, "the gradient must be large enough for clipping to matter"
        assert global_norm(delta) == pytest.approx(lr * 0.5, rel=1e-9)
    else:
        assert max(float(np.abs(g).max()) for g in grads) > 0.05
        assert max(float(np.abs(d).max()) for d in delta) <= lr * 0.05 * (1 + 1e-12)


# ---- divergence is reported, not raised -------------------------------------------------------------------


def test_huge_learning_rate_is_reported_not_raised():
    base = preset_config("sine_1_3_1")
    cfg = replace(
        base,
        model=replace(base.model, hidden=(LayerConfig(16, "relu"), LayerConfig(16, "relu")), init="large_random"),
        train=replace(base.train, optimizer="sgd", learning_rate=10.0, epochs=30),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run(cfg)
    assert result.history.diverged is True
    assert result.history.message.strip()
    assert all(np.all(np.isfinite(p)) for p in result.network.parameters())
    assert all(math.isfinite(v) for v in result.history.train_loss)


def test_trainer_with_absurd_learning_rate_reports_divergence():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = rng.normal(size=(30, 1)) * 10
    net = Network.from_spec(
        input_dim=2,
        layers=[{"units": 8, "activation": "relu"}, {"units": 1, "activation": "linear"}],
        loss="mse",
        seed=0,
    )
    trainer = Trainer(net, X, y, optimizer="sgd", learning_rate=1e6, batch_size=30, record_stats=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        epochs = list(trainer.run(20))
    assert trainer.history.diverged and trainer.history.message
    assert len(epochs) < 20
    assert all(np.all(np.isfinite(p)) for p in net.parameters())


def test_a_healthy_run_is_not_flagged():
    history = run(_short("xor_2_2_1", 20)).history
    assert history.diverged is False
    assert len(history.epoch) == 20


# ---- configuration ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_round_trip_through_dict_and_json(name):
    cfg = PRESETS[name]
    assert ExperimentConfig.from_dict(cfg.to_dict()) == cfg
    assert ExperimentConfig.from_json(cfg.to_json()) == cfg
    hash(cfg)  # frozen: usable as a cache key


def test_config_dataclasses_are_frozen():
    cfg = ExperimentConfig(DataConfig(), ModelConfig(), TrainConfig())
    with pytest.raises(AttributeError):
        cfg.seed = 3  # type: ignore[misc]


# Each case: (dotted field the message must name, the raw dict of an invalid configuration)
NAMED_INVALID = [
    ("model.hidden[0].activation", {"model": {"hidden": [{"units": 3, "activation": "relux"}]}}),
    ("train.learning_rate", {"train": {"learning_rate": -0.1}}),
    ("train.learning_rate", {"train": {"learning_rate": 0}}),
    ("model.hidden[0].units", {"model": {"hidden": [{"units": 0, "activation": "tanh"}]}}),
    ("model.hidden[0].activation", {"model": {"hidden": [{"units": 3, "activation": "softmax"}]}}),
    (
        "model.",
        {"data": {"name": "sine", "features": ["x1"]}, "model": {"output_activation": "softmax", "loss": "mse"}},
    ),
    ("model.", {"data": {"name": "sine", "features": ["x1"]}, "model": {"output_activation": "softmax"}}),
    ("model.loss", {"data": {"name": "sine", "features": ["x1"]}, "model": {"loss": "bce"}}),
    ("model.hidden", {"model": {"hidden": [{"units": 2}] * (LIMITS.max_hidden_layers + 1)}}),
    ("model.hidden[0].units", {"model": {"hidden": [{"units": LIMITS.max_units + 1}]}}),
]


@pytest.mark.parametrize(("field", "raw"), NAMED_INVALID)
def test_invalid_configuration_names_the_field(field, raw):
    with pytest.raises(ValueError, match=field.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        ExperimentConfig.from_dict(raw)


def test_run_validates_a_config_built_directly():
    cfg = ExperimentConfig(DataConfig("xor"), ModelConfig(hidden=(LayerConfig(3, "relux"),)), TrainConfig())
    with pytest.raises(ValueError, match=r"model\.hidden\[0\]\.activation"):
        run(cfg)
    cfg = ExperimentConfig(DataConfig("xor"), ModelConfig(), TrainConfig(learning_rate=-1.0))
    with pytest.raises(ValueError, match=r"train\.learning_rate"):
        run(cfg)


def test_from_json_rejects_malformed_text_with_value_error():
    with pytest.raises(ValueError):
        ExperimentConfig.from_json("{not json")
    with pytest.raises(ValueError):
        ExperimentConfig.from_json("[1, 2]")


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=6),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.sampled_from([float("nan"), float("inf"), -float("inf")]),
)
bad_name = st.one_of(st.text(max_size=10), junk)
bad_positive = st.one_of(st.floats(max_value=0.0, allow_nan=False), st.floats(min_value=1e3), junk)
bad_units = st.one_of(
    st.integers(max_value=0),
    st.integers(min_value=LIMITS.max_units + 1),
    st.floats(0.01, 60).filter(lambda v: not v.is_integer()),
    junk,
)
bad_count = st.one_of(st.integers(max_value=0), st.floats(0.01, 60).filter(lambda v: not v.is_integer()), junk)


def _layer(**changes) -> dict:
    return {"model": {"hidden": [{"units": 3, "activation": "tanh", **changes}]}}


CONFIG_MUTATIONS = st.one_of(
    st.tuples(
        st.just("model.hidden[0].activation"),
        bad_name.filter(
            lambda v: (
                v
                not in ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "softplus", "gelu", "swish")
            )
        ).map(lambda v: _layer(activation=v)),
    ),
    st.tuples(st.just("model.hidden[0].units"), bad_units.map(lambda v: _layer(units=v))),
    st.tuples(
        st.just("model.hidden[0].dropout"),
        st.one_of(st.floats(max_value=-1e-6), st.floats(min_value=0.95), junk).map(lambda v: _layer(dropout=v)),
    ),
    st.tuples(st.just("train.learning_rate"), bad_positive.map(lambda v: {"train": {"learning_rate": v}})),
    st.tuples(st.just("train.epochs"), bad_count.map(lambda v: {"train": {"epochs": v}})),
    st.tuples(st.just("train.batch_size"), bad_count.map(lambda v: {"train": {"batch_size": v}})),
    st.tuples(st.just("train.l2"), st.one_of(st.floats(max_value=-1e-9), junk).map(lambda v: {"train": {"l2": v}})),
    # Random text can hit a valid name ("adam", "he", "mae"...): exclude every name that is valid here.
    st.tuples(
        st.just("train.optimizer"),
        bad_name.filter(lambda v: v not in OPTIMIZERS).map(lambda v: {"train": {"optimizer": v}}),
    ),
    st.tuples(
        st.just("model.init"), bad_name.filter(lambda v: v not in INITIALIZERS).map(lambda v: {"model": {"init": v}})
    ),
    # On the default (binary) data a sigmoid output may be trained with bce or with a regression loss.
    st.tuples(
        st.just("model.loss"),
        bad_name.filter(lambda v: v not in ("auto", "bce", "mse", "mae", "huber")).map(
            lambda v: {"model": {"loss": v}}
        ),
    ),
    st.tuples(
        st.just("data.name"), bad_name.filter(lambda v: v not in DATASET_NAMES).map(lambda v: {"data": {"name": v}})
    ),
    st.tuples(st.just("data.noise"), st.one_of(st.floats(max_value=-1e-9), junk).map(lambda v: {"data": {"noise": v}})),
    st.tuples(st.just("seed"), st.one_of(st.integers(max_value=-1), junk).map(lambda v: {"seed": v})),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CONFIG_MUTATIONS)
def test_random_invalid_configurations_raise_value_error_naming_the_field(case):
    field, raw = case
    with pytest.raises(ValueError) as info:
        ExperimentConfig.from_dict(raw)
    assert field in str(info.value)
