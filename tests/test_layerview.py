"""The layer view shows exactly what the core computes at that layer."""

import numpy as np
import pytest

from core import Network
from core.labs.layerview import grid_lines, layer_activations, layer_map

FEATURES = ("x1", "x2")


def net(hidden):
    layers = [{"units": u, "activation": "tanh"} for u in hidden] + [{"units": 1, "activation": "sigmoid"}]
    return Network.from_spec(2, layers, loss="bce", seed=4)


POINTS = np.random.default_rng(0).uniform(-2, 2, size=(30, 2))


def test_two_unit_layer_points_equal_the_core_hidden_activations():
    network = net([2, 3])
    view = layer_map(network, FEATURES, 0, POINTS)
    assert not view.projected
    np.testing.assert_allclose(view.points, network.hidden_activations(POINTS)[0], rtol=0, atol=1e-12)


def test_three_unit_layer_in_three_dimensions_is_the_activations_themselves():
    network = net([4, 3])
    view = layer_map(network, FEATURES, 1, POINTS, dims=3)
    np.testing.assert_allclose(view.points, network.hidden_activations(POINTS)[1], rtol=0, atol=1e-12)


def test_grid_lines_are_mapped_through_the_same_layer():
    network = net([2])
    view = layer_map(network, FEATURES, 0, POINTS, n_lines=5, n_steps=7)
    lines = grid_lines(n_lines=5, n_steps=7)
    assert len(view.lines) == 10
    for line, image in zip(lines, view.lines, strict=True):
        np.testing.assert_allclose(image, network.hidden_activations(line)[0], atol=1e-12)


def test_wide_layer_is_its_principal_directions_of_the_data():
    network = net([6])
    view = layer_map(network, FEATURES, 0, POINTS)
    activations = layer_activations(network, FEATURES, 0, POINTS)
    centred = activations - activations.mean(axis=0)
    assert view.projected
    # Projections onto orthonormal directions keep pairwise distances within the subspace, and the first two
    # principal directions capture the most variance any 2-D projection can.
    assert np.sum(view.points**2) == pytest.approx(sum(view.explained) * np.sum(centred**2))
    assert view.explained[0] >= view.explained[1]


def test_asking_for_an_output_layer_is_refused():
    with pytest.raises(ValueError, match="layer=1"):
        layer_map(net([2]), FEATURES, 1, POINTS)


def test_a_wide_layers_view_does_not_mirror_between_consecutive_epochs():
    """SVD's sign is arbitrary; the view follows the previous frame's directions, as the live view passes them.
    Without that, 59 of 119 frame pairs of this run flipped an axis."""
    from core.experiment.config import DataConfig, ExperimentConfig, LayerConfig, ModelConfig, TrainConfig
    from core.experiment.run import build_trainer, prepare_data

    config = ExperimentConfig(
        DataConfig("circles", n_samples=200),
        ModelConfig(hidden=(LayerConfig(6, "tanh"),)),
        TrainConfig(learning_rate=0.03, epochs=120),
    )
    data = prepare_data(config)
    trainer = build_trainer(config, data, record_stats=False)
    previous, basis, flips = None, None, 0
    for _ in range(120):
        trainer.train_epoch()
        view = layer_map(trainer.network, data.features, 0, data.raw.X_train, previous_basis=basis)
        points, basis = view.points, view.basis
        if previous is not None:
            # Each axis moves a little per epoch; a sign flip shows up as a strongly negative correlation.
            flips += sum(np.corrcoef(points[:, k], previous[:, k])[0, 1] < -0.5 for k in range(2))
        previous = points
    assert flips == 0
