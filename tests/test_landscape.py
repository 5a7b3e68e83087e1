"""core.labs.landscape: the loss over a 2-D slice equals the network's loss there, and optimizer paths walk on it."""

from __future__ import annotations

import numpy as np
import pytest

from core import Network
from core.experiment.presets import PRESETS
from core.labs.landscape import (
    centre_network,
    flat_parameters,
    loss_grid,
    optimizer_path,
    optimizer_paths,
    parameter_plane,
    random_plane,
    scalar_parameter_names,
)


@pytest.fixture(scope="module")
def xor():
    return centre_network(PRESETS["xor_2_2_1"], "init")


def _loss_at(network: Network, X, y, theta: np.ndarray) -> float:
    probe = network.copy()
    shapes = [p.shape for p in probe.parameters()]
    bounds = np.cumsum([0] + [int(np.prod(s)) for s in shapes])
    probe.set_parameters([theta[a:b].reshape(s) for a, b, s in zip(bounds[:-1], bounds[1:], shapes, strict=True)])
    return probe.loss_value(X, y)


def test_parameter_names_follow_the_step_through_and_the_flat_order(xor):
    names = scalar_parameter_names(xor.network)
    assert names == ["W1[0,0]", "W1[0,1]", "W1[1,0]", "W1[1,1]", "b1[0]", "b1[1]", "W2[0,0]", "W2[0,1]", "b2[0]"]
    flat = flat_parameters(xor.network)
    assert flat[names.index("W2[0,1]")] == xor.network.weights[1][0, 1]
    assert flat[names.index("b1[1]")] == xor.network.biases[0][1, 0]


def test_parameter_plane_moves_only_the_two_named_weights(xor):
    plane = parameter_plane(xor.network, "W1[0,0]", "W2[0,1]")
    theta = plane.points(plane.origin[0] + 0.5, plane.origin[1] - 2.0)
    changed = np.flatnonzero(theta != plane.centre)
    assert [scalar_parameter_names(xor.network)[i] for i in changed] == ["W1[0,0]", "W2[0,1]"]
    assert theta[7] == pytest.approx(xor.network.weights[1][0, 1] - 2.0)


@pytest.mark.parametrize("kind", ["parameters", "directions"])
def test_grid_values_equal_the_network_loss_at_those_parameters(xor, kind):
    plane = parameter_plane(xor.network) if kind == "parameters" else random_plane(xor.network, seed=3)
    grid = loss_grid(xor.network, xor.X, xor.y, plane, span=3.0, resolution=9)
    assert grid.loss.shape == (9, 9) and not grid.reduced
    for j, i in [(0, 0), (8, 0), (2, 7), (4, 4), (8, 8)]:
        expected = _loss_at(xor.network, xor.X, xor.y, plane.points(grid.a[i], grid.b[j]))
        assert grid.loss[j, i] == pytest.approx(expected, rel=1e-10)
    assert grid.loss[4, 4] == pytest.approx(xor.network.loss_value(xor.X, xor.y), rel=1e-10)  # the centre


def test_batched_grid_matches_one_loss_per_point_for_relu_softmax_with_l2():
    net = Network.from_spec(
        input_dim=3,
        layers=[
            {"units": 5, "activation": "relu"},
            {"units": 4, "activation": "tanh"},
            {"units": 3, "activation": "softmax"},
        ],
        loss="softmax_ce",
        l2=0.01,
        seed=2,
    )
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 3)), rng.integers(0, 3, size=30)
    plane = parameter_plane(net, "W2[3,4]", "b3[2]")
    grid = loss_grid(net, X, y, plane, span=2.0, resolution=5)
    for j, i in [(0, 4), (3, 1)]:
        assert grid.loss[j, i] == pytest.approx(_loss_at(net, X, y, plane.points(grid.a[i], grid.b[j])), rel=1e-10)


def test_random_directions_are_filter_normalized_and_leave_biases_alone(xor):
    plane = random_plane(xor.network, seed=0)
    names = scalar_parameter_names(xor.network)
    for direction in (plane.u, plane.v):
        assert all(direction[i] == 0 for i, name in enumerate(names) if name.startswith("b"))
        rows = direction[:4].reshape(2, 2)
        np.testing.assert_allclose(np.linalg.norm(rows, axis=1), np.linalg.norm(xor.network.weights[0], axis=1))
    assert not np.allclose(plane.u, random_plane(xor.network, seed=1).u)


def test_a_path_starts_at_its_start_and_records_the_loss_there(xor):
    plane = parameter_plane(xor.network)
    start = (plane.origin[0] - 2.0, plane.origin[1] + 1.5)
    paths = optimizer_paths(xor.network, xor.X, xor.y, plane, start=start, learning_rate=0.3, steps=20)
    assert list(paths) == ["sgd", "momentum", "adam"]
    for path in paths.values():
        assert (path.a[0], path.b[0]) == start and path.steps == 20 and not path.diverged
        assert path.loss[0] == pytest.approx(_loss_at(xor.network, xor.X, xor.y, plane.points(*start)))
    assert len({(p.a[-1], p.b[-1]) for p in paths.values()}) == 3  # three different rules, three endpoints


def test_with_a_tiny_learning_rate_sgd_goes_downhill_every_step(xor):
    plane = random_plane(xor.network, seed=0)
    path = optimizer_path(xor.network, xor.X, xor.y, plane, "sgd", start=(0.8, -0.8), learning_rate=1e-3, steps=30)
    assert np.all(np.diff(path.loss) < 0)
    assert path.loss[-1] < path.loss[0]


def test_a_huge_learning_rate_is_reported_as_diverged_not_raised():
    net = Network.from_spec(input_dim=1, layers=[{"units": 1, "activation": "linear"}], loss="mse", seed=0)
    X = np.linspace(-3, 3, 20).reshape(-1, 1)
    y = (4 * X).ravel()
    plane = parameter_plane(net, "W1[0,0]", "b1[0]")
    path = optimizer_path(net, X, y, plane, "sgd", start=(0.0, 0.0), learning_rate=50.0, steps=200)
    assert path.diverged and path.steps < 200
    assert np.all(np.isfinite(path.loss))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda n, X, y: parameter_plane(n, "W9[0,0]", "W1[0,0]"),
            r"first='W9\[0,0\]' is not valid; choose one of: W1",
        ),
        (lambda n, X, y: parameter_plane(n, "W1[0,0]", "W1[0,0]"), "the same parameter"),
        (lambda n, X, y: random_plane(n, seed=-1), "seed=-1 is not valid"),
        (lambda n, X, y: loss_grid(n, X, y, parameter_plane(n), span=0.0), r"span=0.0 is not valid; allowed range"),
        (
            lambda n, X, y: loss_grid(n, X, y, parameter_plane(n), resolution=3),
            r"resolution=3 is not valid; .*\[5, 101\]",
        ),
        (lambda n, X, y: loss_grid(n, X[:, :1], y, parameter_plane(n)), r"X must have shape \(n_samples ≥ 1, 2\)"),
        (
            lambda n, X, y: optimizer_path(n, X, y, parameter_plane(n), "adamw", start=(0, 0)),
            "optimizer='adamw' is not valid; choose one of: sgd, momentum, nesterov, adagrad, rmsprop, adam",
        ),
        (
            lambda n, X, y: optimizer_path(n, X, y, parameter_plane(n), "sgd", start=(0, 0), learning_rate=-1),
            "learning_rate=-1 is not valid",
        ),
        (lambda n, X, y: optimizer_path(n, X, y, parameter_plane(n), "sgd", start=(0,)), r"start=\(0,\) is not valid"),
        (
            lambda n, X, y: optimizer_path(n, X, y, parameter_plane(n), "sgd", start=(0, 0), steps=0),
            r"steps=0 is not valid; allowed range is \[1, 2000\]",
        ),
        (lambda n, X, y: optimizer_paths(n, X, y, parameter_plane(n), "sgd", start=(0, 0)), "optimizers='sgd'"),
        (
            lambda n, X, y: centre_network(PRESETS["xor_2_2_1"], "halfway"),
            "moment='halfway' is not valid; choose one of: init, trained",
        ),
    ],
)
def test_bad_inputs_raise_naming_the_value_and_what_is_allowed(xor, call, message):
    with pytest.raises(ValueError, match=message):
        call(xor.network, xor.X, xor.y)


def test_a_large_network_gets_a_coarser_grid_instead_of_a_slow_one():
    net = Network.from_spec(
        input_dim=64,
        layers=[{"units": 64, "activation": "tanh"}, {"units": 10, "activation": "softmax"}],
        loss="softmax_ce",
        seed=0,
    )
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(500, 64)), rng.integers(0, 10, size=500)
    grid = loss_grid(net, X, y, random_plane(net), span=1.0, resolution=41)
    assert grid.reduced and grid.loss.shape == (grid.resolution, grid.resolution) and grid.resolution >= 5
