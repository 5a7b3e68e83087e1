"""The core's hot path: one flat parameter buffer, reused work buffers, in-place optimizers, float32.

These guard the speed-ups in core/engine/network.py, core/engine/optimizers.py and core/engine/training.py: each fast
path must compute what the plain public path computes, and the views into the flat buffers must never drift apart.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from core import Network
from core.engine.losses import encode_targets
from core.engine.optimizers import OPTIMIZERS, Optimizer
from core.engine.training import Trainer

RNG = np.random.default_rng(7)
X = RNG.normal(size=(12, 3))
LABELS = np.array([0, 1, 2] * 4)

# (hidden activations, output activation, loss, units out): every kernel-backed activation and a fallback one.
CASES = [
    (("tanh", "sigmoid"), "sigmoid", "bce", 1),
    (("relu", "linear"), "softmax", "softmax_ce", 3),
    (("prelu", "elu"), "linear", "mse", 2),
    (("leaky_relu", "gelu"), "tanh", "huber", 2),
    (("swish", "softplus"), "prelu", "mse", 1),
]


def _network(hidden, output, loss, units, **extra) -> Network:
    layers = [{"units": 5, "activation": a} for a in hidden] + [{"units": units, "activation": output}]
    return Network.from_spec(input_dim=3, layers=layers, loss=loss, seed=3, **extra)


def _labels(loss: str, units: int) -> np.ndarray:
    if loss == "bce":
        return LABELS % 2
    if loss == "softmax_ce":
        return LABELS
    return np.column_stack([np.sin(X[:, 0] * (j + 1)) for j in range(units)])


def test_parameters_are_views_into_one_flat_buffer_in_parameters_order():
    net = _network(("prelu", "tanh"), "sigmoid", "bce", 1)
    live = net.parameter_views()
    assert all(np.shares_memory(p, net.parameter_buffer) for p in live)
    np.testing.assert_array_equal(np.concatenate([p.ravel() for p in net.parameters()]), net.parameter_buffer)
    assert net.n_parameters == net.parameter_buffer.size


def test_set_parameters_and_in_place_writes_keep_the_views_in_sync():
    net = _network(("prelu", "tanh"), "sigmoid", "bce", 1)
    new = [np.full(p.shape, 0.1 * (i + 1)) for i, p in enumerate(net.parameters())]
    net.set_parameters(new)
    np.testing.assert_array_equal(net.parameter_buffer, np.concatenate([p.ravel() for p in new]))
    net.parameter_buffer[:] = 0.5  # what an optimizer does
    assert all(np.all(p == 0.5) for p in (net.weights + net.biases + [s for s in net.slopes if s is not None]))
    # prelu's activation follows its slope after a write through the buffer
    net.parameters_changed()
    z = np.array([[-2.0]])
    np.testing.assert_allclose(net._activations[0].forward(z), [[-1.0]])


def test_parameters_returns_copies_not_views():
    net = _network(("tanh", "tanh"), "sigmoid", "bce", 1)
    params = net.parameters()
    params[0][...] = 99.0
    assert not np.any(net.weights[0] == 99.0)
    assert not any(np.shares_memory(p, net.parameter_buffer) for p in params)


@pytest.mark.parametrize(("hidden", "output", "loss", "units"), CASES)
@pytest.mark.parametrize("weighted", [False, True])
def test_training_gradients_equal_the_public_loss_and_grads(hidden, output, loss, units, weighted):
    extra = {"l1": 1e-3, "l2": 1e-2}
    if weighted and loss in ("bce", "softmax_ce"):
        extra["class_weight"] = {0: 2.0, 1: 0.5}
    net = _network(hidden, output, loss, units, **extra)
    y = _labels(loss, units)
    loss_value, grads = net.loss_and_grads(X, y)
    targets = encode_targets(loss, y, units)
    for need_loss in (False, True):
        net.gradient_buffer[:] = np.nan
        fast_loss = net.train_gradients(X, targets, net.sample_weights(y), False, need_loss)
        expected = np.concatenate([g.ravel() for g in grads])
        np.testing.assert_allclose(net.gradient_buffer, expected, rtol=1e-12, atol=1e-15)
        if need_loss:
            assert fast_loss == pytest.approx(loss_value, rel=1e-12)


def test_training_gradients_with_dropout_match_the_public_path_for_the_same_draws():
    net = Network.from_spec(
        input_dim=3,
        layers=[{"units": 6, "activation": "relu", "dropout": 0.3}, {"units": 1, "activation": "sigmoid"}],
        loss="bce",
        seed=0,
    )
    y = LABELS % 2
    net._dropout_rng = np.random.default_rng(11)
    _, grads = net.loss_and_grads(X, y, training=True)
    net._dropout_rng = np.random.default_rng(11)
    net.train_gradients(X, encode_targets("bce", y, 1), None, True, False)
    np.testing.assert_allclose(net.gradient_buffer, np.concatenate([g.ravel() for g in grads]), rtol=1e-12)


def test_reused_work_buffers_never_change_a_forward_pass_already_handed_out():
    net = _network(("tanh", "relu"), "sigmoid", "bce", 1)
    fwd = net.forward(X)
    kept = [(c.z.copy(), c.a.copy()) for c in fwd.caches]
    trainer = Trainer(net, X, LABELS % 2, batch_size=12, learning_rate=0.1)
    for _ in range(3):
        trainer.train_epoch()
    for cache, (z, a) in zip(fwd.caches, kept, strict=True):
        np.testing.assert_array_equal(cache.z, z)
        np.testing.assert_array_equal(cache.a, a)
    _, grads = net.loss_and_grads(X, LABELS % 2)
    assert not any(np.shares_memory(g, net.gradient_buffer) for g in grads)


def test_train_epoch_takes_the_same_steps_as_train_step_on_the_same_batches():
    y = LABELS % 2
    nets = [_network(("tanh", "sigmoid"), "sigmoid", "bce", 1) for _ in range(2)]
    by_epoch = Trainer(nets[0], X, y, batch_size=5, seed=4)
    by_step = Trainer(nets[1], X, y, batch_size=5, seed=4)
    for _ in range(3):
        by_epoch.train_epoch()
        order = by_step.rng.permutation(len(y))
        for start in range(0, len(y), 5):
            rows = order[start : start + 5]
            by_step.train_step(by_step.X[rows], by_step.targets[rows], None, by_step.learning_rate)
    np.testing.assert_array_equal(nets[0].parameter_buffer, nets[1].parameter_buffer)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_one_flat_update_equals_the_update_array_by_array(name):
    shapes = [(3, 2), (3, 1), (1,)]
    params = [RNG.normal(size=s) for s in shapes]
    flat = np.concatenate([p.ravel() for p in params])
    per_array, whole = Optimizer(name), Optimizer(name)
    for step in range(4):
        grads = [RNG.normal(size=s) for s in shapes]
        per_array.step(params, grads, 0.05)
        whole.step([flat], [np.concatenate([g.ravel() for g in grads])], 0.05)
        np.testing.assert_array_equal(flat, np.concatenate([p.ravel() for p in params]), err_msg=f"step {step}")


def test_float32_network_trains_in_float32():
    net = _network(("tanh", "relu"), "softmax", "softmax_ce", 3, dtype="float32")
    trainer = Trainer(net, X, LABELS, batch_size=4, learning_rate=0.05, optimizer="adam")
    for _ in range(30):
        trainer.train_epoch()
    assert net.parameter_buffer.dtype == np.float32 and net.gradient_buffer.dtype == np.float32
    assert all(p.dtype == np.float32 for p in net.parameters())
    assert all(s.dtype == np.float32 for state in trainer.optimizer._state for s in state)
    assert net.predict(X).dtype == np.float32
    losses = trainer.history.train_loss
    assert all(np.isfinite(losses)) and losses[-1] < losses[0]


def test_float32_and_float64_networks_learn_the_same_thing():
    results = {}
    for dtype in ("float64", "float32"):
        net = _network(("tanh", "tanh"), "sigmoid", "bce", 1, dtype=dtype)
        trainer = Trainer(net, X, LABELS % 2, batch_size=4, learning_rate=0.05, record_stats=False)
        for _ in range(20):
            trainer.train_epoch()
        results[dtype] = trainer.history.train_loss
    np.testing.assert_allclose(results["float32"], results["float64"], rtol=1e-3)


def test_deepcopy_gives_an_independent_network_with_its_own_buffer():
    net = _network(("prelu", "tanh"), "sigmoid", "bce", 1)
    clone = copy.deepcopy(net)
    assert all(np.shares_memory(p, clone.parameter_buffer) for p in clone.parameter_views())
    assert not np.shares_memory(clone.parameter_buffer, net.parameter_buffer)
    np.testing.assert_array_equal(clone.predict(X), net.predict(X))
    clone.parameter_buffer[:] = 0.0
    assert np.any(net.parameter_buffer != 0.0)


def test_divergence_restores_the_last_good_parameters_from_the_flat_copy():
    net = _network(("relu", "relu"), "linear", "mse", 1)
    y = X[:, :1] * 1e3
    trainer = Trainer(net, X, y, batch_size=12, learning_rate=1e3, optimizer="sgd", record_stats=False)
    good = net.parameter_buffer.copy()
    while trainer.train_epoch():
        good = net.parameter_buffer.copy()
        assert trainer.epoch < 200
    assert trainer.history.diverged
    np.testing.assert_array_equal(net.parameter_buffer, good)
    assert np.all(np.isfinite(net.parameter_buffer))
