"""The live view's server side: frames carry parameters, scenes, batches, and nothing the browser sends crashes."""

import json
from itertools import pairwise

import pytest

from core.experiment.config import DataConfig, ExperimentConfig, LayerConfig, ModelConfig, TrainConfig
from core.experiment.run import build_trainer, prepare_data
from playground.live import loop as live_loop
from playground.live import playground as live

TWO_TANH_LAYERS = (LayerConfig(8, "tanh"), LayerConfig(8, "tanh"))


def make_run(name="spirals", hidden=TWO_TANH_LAYERS, **model):
    config = ExperimentConfig(
        DataConfig(name, n_samples=120), ModelConfig(hidden=hidden, **model), TrainConfig(epochs=30)
    )
    return live.new_run(config, prepare_data(config), version=1)


@pytest.mark.parametrize("name", ["xor", "spirals", "multiclass", "plane", "sine", "imbalanced"])
def test_scene_and_frames_are_json_and_carry_every_panel(name):
    run = make_run(name)
    scene = live.scene(run)
    json.dumps(scene, allow_nan=False)
    assert {p["name"] for p in scene["panels"]} == {"network", "boundary", "loss", "metric"}
    frames = live.advance(run, epochs_per_frame=2, max_frames=3, budget_s=60)
    assert [f["epoch"] for f in frames] == [2, 4, 6]
    json.dumps(frames, allow_nan=False)
    assert set(frames[0]["panels"]) == {"loss", "metric"}  # no pictures: the browser draws them from params
    sent = frames[-1]["params"]
    net = run.trainer.network
    assert [len(w) for w in sent["weights"]] == [W.size for W in net.weights]
    assert [len(b) for b in sent["biases"]] == [b.size for b in net.biases]
    assert len(sent["slopes"]) == len(net.layers)


def test_a_frame_carries_the_exact_parameters_and_no_grid():
    run = make_run("xor", hidden=(LayerConfig(4, "prelu"), LayerConfig(3, "leaky_relu")), leaky_slope=0.05)
    live.advance(run, epochs_per_frame=3, max_frames=1, budget_s=60)
    frame = live.frame(run)
    net = run.trainer.network
    for sent, W in zip(frame["params"]["weights"], net.weights, strict=True):
        assert sent == W.ravel().tolist()  # full precision: the browser's pictures equal core's predictions
    assert frame["params"]["slopes"] == [float(net.slopes[0][0]), 0.05, None]
    assert len(json.dumps(frame)) < 4000  # a few hundred numbers, not pictures
    assert "b64" not in json.dumps(frame)


def test_the_scene_describes_the_network_for_the_browsers_forward_pass():
    run = make_run("multiclass")
    spec = live.scene(run)["net"]
    assert spec["sizes"] == run.trainer.network.layer_sizes
    assert spec["activations"][-1] == "softmax" and spec["task"] == "multiclass"
    assert spec["features"] == list(run.data.features) and spec["resolution"] >= 100
    boundary = next(p for p in live.scene(run)["panels"] if p["name"] == "boundary")
    assert boundary["kind"] == "field" and len(boundary["train_points"]) == 3 * len(run.data.raw.y_train)


def test_curve_points_are_sent_once_each():
    run = make_run()
    live.scene(run)
    frames = live.advance(run, epochs_per_frame=1, max_frames=5, budget_s=60)
    sent = [x for f in frames for x in f["panels"]["loss"]["extend"]["x"][0]]
    assert sent == [1, 2, 3, 4, 5]


def test_training_stops_at_the_configured_epochs_and_pauses():
    run = make_run()
    run.playing = True
    while not run.finished:
        live.advance(run, epochs_per_frame=10, max_frames=40)
    assert run.trainer.epoch == 30 and not run.playing


@pytest.mark.parametrize(
    "asked, expected",
    [(None, live.FRAMES_PER_BATCH), ("x", live.FRAMES_PER_BATCH), (0, 1), (12, 12), (10**6, live.MAX_FRAMES_PER_BATCH)],
)
def test_batch_size_follows_the_browser_within_bounds(asked, expected):
    assert live.batch_frames(asked) == expected


def test_a_live_run_keeps_a_bounded_history():
    run = make_run()
    assert run.trainer.history_limit == live.HISTORY_ROWS


def test_thinned_curves_reach_the_browser_in_order_without_repeats(monkeypatch):
    """Over many frames of a thinning history, the points sent are each sent once, in epoch order, with the
    values an unthinned run has at those epochs, and far fewer than one per epoch while playing."""
    monkeypatch.setattr(live, "HISTORY_ROWS", 20)
    config = ExperimentConfig(
        DataConfig("xor", n_samples=60), ModelConfig(hidden=(LayerConfig(4, "tanh"),)), TrainConfig(epochs=700)
    )
    run = live.new_run(config, prepare_data(config), version=1)
    loss_panel = next(p for p in live.scene(run)["panels"] if p["name"] == "loss")
    sent_x, sent_y = list(loss_panel["series"][0]["x"]), list(loss_panel["series"][0]["y"])

    def collect(frames):
        for frame in frames:
            if "loss" in frame["panels"]:
                sent_x.extend(frame["panels"]["loss"]["extend"]["x"][0])
                sent_y.extend(frame["panels"]["loss"]["extend"]["y"][0])

    run.playing = True
    for speed in (1, 3, 2, 5):  # a mix of speeds so frames end on and off the stride grid
        collect(live.advance(run, epochs_per_frame=speed, max_frames=40, budget_s=60))
    run.playing = False
    collect(live.advance(run, epochs_per_frame=1, max_frames=3, budget_s=60))  # steps: the curve reaches the counter
    assert sent_x[-1] == run.trainer.epoch
    run.playing = True
    while not run.finished:
        collect(live.advance(run, epochs_per_frame=7, max_frames=40, budget_s=60))

    assert all(b > a for a, b in pairwise(sent_x)), "epochs must strictly increase"
    assert sent_x[-1] == config.train.epochs  # the finished run's last epoch is drawn
    assert len(sent_x) < config.train.epochs / 4, len(sent_x)  # not a point per epoch for ever
    history = run.trainer.history
    assert len(history) <= 20 and history.stride > 1
    full = build_trainer(config, run.data)  # the same seeded run, every epoch kept
    losses = [full.history.train_loss[-1] for _ in full.run(config.train.epochs)]
    assert sent_y == [losses[epoch - 1] for epoch in sent_x]
    redrawn = next(p for p in live.scene(run)["panels"] if p["name"] == "loss")  # a fresh scene: thinned history
    assert redrawn["series"][0]["x"] == history.epoch


def test_toggle_play_pauses_plays_and_restarts_a_finished_run():
    from types import SimpleNamespace

    from playground.live.playground import toggle_play

    restarted = []

    def restart(run):
        fresh = SimpleNamespace(playing=False, over=False)
        restarted.append(fresh)
        return fresh

    over = lambda run: run.over  # noqa: E731
    playing = SimpleNamespace(playing=True, over=False)
    toggle_play(playing, over, restart)
    assert not playing.playing and not restarted  # Pause
    toggle_play(playing, over, restart)
    assert playing.playing and not restarted  # Play from where it stood
    finished = SimpleNamespace(playing=False, over=True)
    toggle_play(finished, over, restart)
    assert not finished.playing and len(restarted) == 1 and restarted[0].playing  # Play again from the start


def test_prelu_layers_show_their_learned_slope_among_the_counters():
    run = make_run("xor", hidden=(LayerConfig(4, "prelu"), LayerConfig(3, "tanh"), LayerConfig(2, "prelu")))
    live.advance(run, epochs_per_frame=5, max_frames=1)
    slopes = {c["name"]: c for c in live.counters(run) if c["name"].startswith("prelu_")}
    assert list(slopes) == ["prelu_1", "prelu_3"]
    network = run.trainer.network
    assert slopes["prelu_1"]["value"] == f"{network.slopes[0][0]:.3f}"
    assert network.slopes[0][0] != 0.1  # it learned: the value moved off its start
    assert not [c for c in live.counters(make_run("xor")) if c["name"].startswith("prelu_")]


def test_each_request_of_a_live_view_is_answered_once_per_run():
    state = {}
    assert live.unanswered_request(state, "k", 1, {"want": 3, "frames": 7}) == 7
    assert live.unanswered_request(state, "k", 1, {"want": 3, "frames": 7}) is None  # the view repeated itself
    assert live.unanswered_request(state, "k", 1, {"want": 4}) == live.FRAMES_PER_BATCH  # a new request
    assert live.unanswered_request(state, "k", 2, {"want": 4, "frames": 10**6}) == live.MAX_FRAMES_PER_BATCH  # new run


@pytest.mark.parametrize(
    "reported",
    [
        {"want": "abc"},
        {"want": None},
        {"want": 1.5},
        {"want": float("nan")},
        {"want": [1]},
        {"want": True},
        {"want": {"x": 1}},
        "want",
        None,
        7,
        ["want", 3],
    ],
)
def test_a_tampered_request_is_no_request_and_raises_nothing(reported):
    assert live.unanswered_request({}, "k", 1, reported) is None


@pytest.mark.parametrize("frames", ["abc", None, float("inf"), [], {"a": 1}, -5, 10**100])
def test_a_tampered_batch_size_falls_back_within_bounds(frames):
    asked = live.unanswered_request({}, "k", 1, {"want": 1, "frames": frames})
    assert 1 <= asked <= live.MAX_FRAMES_PER_BATCH


@pytest.mark.parametrize("value", ["fast", None, 3.5, True, -1, 10**9, live.DEFAULT_SPEED])
def test_a_speed_that_is_not_offered_becomes_the_default(value):
    assert live.checked_speed(value) == live.DEFAULT_SPEED
    assert all(live.checked_speed(s) == s for s in live.SPEEDS)


def test_now_describes_the_run_as_it_stands():
    run = make_run("xor")
    live.advance(run, epochs_per_frame=4, max_frames=1, budget_s=60)
    state = live.now(run)
    assert state["epoch"] == 4 and state["params"] == live.params(run)
    assert next(c for c in state["counters"] if c["name"] == "epoch")["value"] == "4"


def test_a_heavy_network_sends_few_snapshots_per_batch_and_a_small_one_is_not_limited():
    heavy = make_run(hidden=tuple(LayerConfig(64, "tanh") for _ in range(8)))
    frames = live_loop.batch(heavy, epochs_per_frame=1, asked=live.MAX_FRAMES_PER_BATCH)  # the shared batch path
    numbers = sum(len(p) for f in frames for p in f["params"]["weights"]) if frames else 0
    assert 1 <= len(frames) < 10 and numbers <= live.PARAMETERS_PER_BATCH
    small = make_run()
    assert live.frames_within_payload(small.trainer.network.n_parameters, 120) == 120


def test_the_live_view_hands_streamlit_one_json_string_not_lists_or_dicts(monkeypatch):
    # A list or dict argument makes Streamlit import pandas (to ask whether it is a dataframe) on a visit's
    # first run; everything the browser needs travels as one string and comes back out unchanged.
    from playground import live_view as component

    sent = {}
    monkeypatch.setattr(component, "_component", lambda: lambda **kwargs: sent.update(kwargs))
    run = make_run("xor")
    scene, frames = live.scene(run), live.advance(run, epochs_per_frame=1, max_frames=2, budget_s=60)
    component.live_view(
        scene=scene,
        frames=frames,
        seq=3,
        playing=True,
        interval_ms=66,
        key="k",
        height=500,
        options={"draw": False},
        speed=75,
        now=frames[-1],
    )
    assert not [name for name, value in sent.items() if isinstance(value, (list, dict))]
    assert sent["key"] == "k" and sent["height"] == 500
    args = component.payload_of(json.dumps({"payload": sent["payload"]}))
    assert args["scene"] == json.loads(json.dumps(scene)) and args["frames"] == json.loads(json.dumps(frames))
    assert (args["seq"], args["playing"], args["speed"], args["options"]) == (3, True, 75, {"draw": False})
