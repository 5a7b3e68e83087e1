"""The ready-made demos show what they claim, as properties of the runs themselves; the explorer's pictures hold."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from core.experiment.run import build_trainer, prepare_data, run
from core.labs.diagnostics import (
    DEMOS,
    activations_at_init,
    demo,
    layer_gradient_norms,
    trace_steps,
    trace_trainer,
    unit_spread,
)


@functools.cache
def _run(demo_name: str, label: str):
    return run(DEMOS[demo_name].runs[label])


def test_every_demo_config_is_valid_and_small():
    assert set(DEMOS) == {"vanishing", "exploding", "zeros", "he_vs_xavier", "clipping"}
    for name, d in DEMOS.items():
        assert demo(name) is d
        for config in d.runs.values():
            config.validate()
            assert config.train.epochs <= 60 and config.data.n_samples <= 200
    with pytest.raises(ValueError, match="demo='nope' is not valid; choose one of: vanishing"):
        demo("nope")


def test_vanishing_demo_first_layer_gradient_is_over_100_times_smaller_than_the_last_layers():
    history = _run("vanishing", "sigmoid_8_layers").history
    norms = np.array(history.grad_norms)  # (epochs, layers): W1 ... W9 (output)
    assert norms.shape == (40, 9) and not history.diverged
    assert np.all(norms[:, 0] * 100 <= norms[:, -1]), (norms[:, -1] / norms[:, 0]).min()
    # and it shrinks at every layer on the way back from the output (σ' ≤ 0.25)
    assert np.all(np.diff(np.log(norms[0])) > 0)


def test_exploding_demo_diverges_without_clipping_while_he_init_trains():
    exploding = _run("exploding", "normal_init").history
    assert exploding.diverged and "diverged" in exploding.message
    he = _run("exploding", "he_init").history
    assert not he.diverged and he.train_metric[-1] >= 0.9
    trace = trace_steps(DEMOS["exploding"].runs["normal_init"], max_steps=30)
    assert max(trace.global_norm) > 1e6 * trace.global_norm[0] or trace.diverged_at is not None


def test_zero_init_keeps_hidden_units_identical_and_xavier_breaks_the_symmetry():
    zeros = _run("zeros", "zeros_init")
    assert unit_spread(zeros.network) == [0.0]
    assert zeros.history.train_metric[-1] < 0.7
    xavier = _run("zeros", "xavier_init")
    assert unit_spread(xavier.network)[0] > 0.1
    assert xavier.history.train_metric[-1] > 0.9


def test_he_keeps_a_deep_relu_net_alive_where_xavier_lets_the_signal_fade():
    he, xavier = _run("he_vs_xavier", "he_init").history, _run("he_vs_xavier", "xavier_init").history
    assert he.activation_std[0][-2] > 3 * xavier.activation_std[0][-2]  # last hidden layer after epoch 1
    assert he.train_loss[-1] < xavier.train_loss[-1]
    assert np.mean(he.grad_norms[0]) > 3 * np.mean(xavier.grad_norms[0])


def test_clipping_by_value_or_by_norm_rescues_the_exploding_run():
    assert _run("clipping", "no_clipping").history.diverged
    for label in ("clip_value", "clip_norm"):
        history = _run("clipping", label).history
        assert not history.diverged and history.train_metric[-1] >= 0.9, label


def test_clipping_by_norm_keeps_the_direction_and_by_value_changes_it():
    by_norm = trace_steps(DEMOS["clipping"].runs["clip_norm"], max_steps=20)
    assert max(by_norm.clipped_norm) <= 1.0 + 1e-9
    assert np.allclose(by_norm.cosine, 1.0)
    by_value = trace_steps(DEMOS["clipping"].runs["clip_value"], max_steps=20)
    assert min(by_value.cosine) < 0.99
    assert max(by_value.global_norm) > 1.0


def test_tracing_whole_epochs_leaves_the_same_weights_as_training_them():
    config = DEMOS["clipping"].runs["clip_norm"]
    data = prepare_data(config)
    traced, trained = build_trainer(config, data), build_trainer(config, data)
    steps_per_epoch = -(-len(data.split.y_train) // config.train.batch_size)
    trace = trace_trainer(traced, 2 * steps_per_epoch)
    assert len(trace) == 2 * steps_per_epoch and trace.diverged_at is None
    trained.train_epoch()
    trained.train_epoch()
    for a, b in zip(traced.network.parameters(), trained.network.parameters(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_layer_gradient_norms_match_the_history_after_the_last_epoch():
    result = _run("he_vs_xavier", "he_init")
    norms = layer_gradient_norms(result.network, result.data.split.X_train, result.data.split.y_train)
    np.testing.assert_allclose(norms, result.history.grad_norms[-1], rtol=1e-10)


@pytest.mark.parametrize("depth", [1, 4, 8])
def test_explorer_returns_one_activation_matrix_per_hidden_layer(depth):
    result = activations_at_init("xavier", depth, units=16, n_samples=50)
    assert result.depth == depth
    assert all(a.shape == (50, 16) for a in result.activations)


def test_explorer_shows_the_classic_init_pictures():
    stds = {
        init: activations_at_init(init, 6, activation="tanh").stds()
        for init in ("zeros", "small_random", "xavier", "large_random")
    }
    assert stds["zeros"] == [0.0] * 6
    assert stds["small_random"][-1] < 1e-3 * stds["small_random"][0]  # collapses toward 0
    assert min(stds["xavier"]) > 0.2  # keeps its spread
    saturated = activations_at_init("large_random", 6, activation="tanh").activations
    assert all(np.mean(np.abs(a) > 0.96) > 0.8 for a in saturated)  # tanh pinned at ±1
    he = activations_at_init("he", 8, activation="relu", units=32).stds()
    xavier = activations_at_init("xavier", 8, activation="relu", units=32).stds()
    assert max(he) / min(he) < 2.0
    assert xavier[-1] < xavier[0] / 4


def test_explorer_is_deterministic_given_a_seed():
    a = activations_at_init("he", 3, activation="relu", seed=5).activations
    b = activations_at_init("he", 3, activation="relu", seed=5).activations
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (("glorot", 3), {}, "init='glorot' is not valid"),
        (("he", 0), {}, "depth=0 is not valid"),
        (("he", 9), {}, "depth=9 is not valid"),
        (("he", 3), {"activation": "softmax"}, "activation='softmax' is not valid"),
        (("he", 3), {"units": 0}, "units=0 is not valid"),
        (("he", 3), {"n_samples": 2.5}, "n_samples=2.5 is not valid"),
    ],
)
def test_explorer_rejects_bad_arguments_with_a_value_error_naming_them(args, options, message):
    with pytest.raises(ValueError, match=message):
        activations_at_init(*args, **options)
