"""The live view's server side: packed grids, frames, scenes and batches."""

import base64
import json

import numpy as np
import pytest

from core.config import DataConfig, ExperimentConfig, LayerConfig, ModelConfig, TrainConfig
from core.experiment import prepare_data
from playground import live


def unpack(packed):
    raw = np.frombuffer(base64.b64decode(packed["b64"]), dtype=np.uint8).reshape(packed["shape"])
    return packed["lo"] + raw / 255 * (packed["hi"] - packed["lo"])


def test_packing_a_grid_keeps_values_within_one_quantisation_step():
    values = np.random.default_rng(0).normal(size=(20, 30))
    packed = live.pack(values)
    step = (values.max() - values.min()) / 255
    assert np.max(np.abs(unpack(packed) - values)) <= step / 2 + 1e-12
    assert len(packed["b64"]) < values.size * 2  # about 1.33 bytes per cell instead of ~8 as JSON text


def test_packing_survives_constant_and_non_finite_grids():
    assert np.allclose(unpack(live.pack(np.full((3, 3), 0.5))), 0.5)
    packed = live.pack(np.array([[np.nan, 1.0], [np.inf, 2.0]]))
    assert np.isfinite(packed["lo"]) and np.isfinite(packed["hi"])


TWO_TANH_LAYERS = (LayerConfig(8, "tanh"), LayerConfig(8, "tanh"))


def make_run(name="spirals", hidden=TWO_TANH_LAYERS):
    config = ExperimentConfig(DataConfig(name, n_samples=120), ModelConfig(hidden=hidden), TrainConfig(epochs=30))
    return live.new_run(config, prepare_data(config), version=1)


@pytest.mark.parametrize("name", ["xor", "spirals", "multiclass", "plane", "sine", "imbalanced"])
def test_scene_and_frames_are_json_and_carry_every_panel(name):
    run = make_run(name)
    scene = live.scene(run)
    json.dumps(scene)
    assert {p["name"] for p in scene["panels"]} == {"network", "boundary", "loss", "metric"}
    frames = live.advance(run, epochs_per_frame=2, max_frames=3, budget_s=60)
    assert [f["epoch"] for f in frames] == [2, 4, 6]
    json.dumps(frames)
    assert set(frames[0]["panels"]) == {"boundary", "network", "loss", "metric"}
    network = frames[-1]["panels"]["network"]
    assert len(network["weights"]) == sum(W.size for W in run.trainer.network.weights)
    assert len(network["thumbs"]) == sum(run.trainer.network.layer_sizes[1:])


def test_curve_points_are_sent_once_each():
    run = make_run()
    live.scene(run)
    frames = live.advance(run, epochs_per_frame=1, max_frames=5, budget_s=60)
    sent = [x for f in frames for x in f["panels"]["loss"]["extend"]["x"][0]]
    assert sent == [1, 2, 3, 4, 5]


def test_the_boundary_grid_matches_the_network_output():
    run = make_run("xor")
    frame = live.frame(run)
    expected = live.boundary_values(run.trainer.network, run.grid)
    assert np.max(np.abs(unpack(frame["panels"]["boundary"]["grid"]) - expected)) <= 1 / 255


def test_training_stops_at_the_configured_epochs_and_pauses():
    run = make_run()
    run.playing = True
    while not run.finished:
        live.advance(run, epochs_per_frame=10, max_frames=40)
    assert run.trainer.epoch == 30 and not run.playing


@pytest.mark.parametrize("asked, expected", [(None, live.FRAMES_PER_BATCH), ("x", live.FRAMES_PER_BATCH), (0, 1),
                                             (12, 12), (10**6, live.MAX_FRAMES_PER_BATCH)])
def test_batch_size_follows_the_browser_within_bounds(asked, expected):
    assert live.batch_frames(asked) == expected
