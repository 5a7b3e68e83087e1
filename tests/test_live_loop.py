"""One live loop for the Playground, Compare and Regression: the session protocol, the shared batch path, and
Compare's run pictures drawn in the browser from per-run parameters."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from core.experiment.config import DataConfig, ExperimentConfig, LayerConfig, ModelConfig, TrainConfig
from core.experiment.run import prepare_data
from core.labs.compare import sweep
from core.labs.regression import TargetConfig, make_regression_data
from playground import figures
from playground.live import compare as compare_live
from playground.live import loop as live_loop
from playground.live import playground as live
from playground.live import regression as regression_live
from playground.live.loop import LiveSession

ROOT = Path(__file__).resolve().parent.parent
SMALL = (LayerConfig(4, "tanh"),)


def playground_run(hidden=SMALL, name: str = "xor") -> live.LiveRun:
    config = ExperimentConfig(
        DataConfig(name, n_samples=100), ModelConfig(hidden=hidden), TrainConfig(batch_size=10, epochs=50)
    )
    return live.new_run(config, prepare_data(config), 1)


def comparison(
    name: str = "xor", values=("sigmoid", "tanh", "relu", "leaky_relu"), hidden=SMALL
) -> compare_live.CompareSession:
    base = ExperimentConfig(
        DataConfig(name, n_samples=100), ModelConfig(hidden=hidden), TrainConfig(batch_size=10, epochs=50)
    )
    return compare_live.new_session(sweep(base, "activation", list(values)), 1, prepare_data)


def lab_run() -> regression_live.LabRun:
    data = make_regression_data(TargetConfig("sine", n_samples=40), 0)
    return regression_live.new_run(
        data,
        ModelConfig(hidden=(LayerConfig(3, "tanh"),), output_activation="linear"),
        TrainConfig(batch_size=8, epochs=30),
        0,
    )


SESSIONS = {"playground": playground_run, "compare": comparison, "regression": lab_run}


@pytest.mark.parametrize("make", SESSIONS.values(), ids=SESSIONS.keys())
def test_every_live_session_satisfies_the_protocol_and_restarts_fresh(make):
    session = make()
    assert isinstance(session, LiveSession)
    epochs = [frame["epoch"] for frame in session.advance(2, 3)]
    # Two epochs a snapshot, at most three snapshots (a busy machine's time budget may cut the batch short).
    assert 1 <= len(epochs) <= 3 and all(0 < b - a <= 2 for a, b in zip([0, *epochs], epochs, strict=False))
    assert session.frame()["epoch"] == epochs[-1] and session.status()[1] in ("info", "warn")
    version = session.scene_version()
    assert session.scene()["version"] == version
    session.playing = True
    fresh = session.restart()
    assert isinstance(fresh, type(session)) and fresh.version == session.version + 1
    assert fresh.frame()["epoch"] == 0 and not fresh.playing and not fresh.finished


@pytest.mark.parametrize("make", SESSIONS.values(), ids=SESSIONS.keys())
def test_the_shared_batch_path_bounds_every_views_payload(make, monkeypatch):
    session = make()
    asked = []
    monkeypatch.setattr(session, "advance", lambda epochs, frames: asked.append((epochs, frames)) or [])
    monkeypatch.setattr(live, "PARAMETERS_PER_BATCH", 3 * session.n_parameters)
    live_loop.batch(session, 2, 100)
    assert asked == [(2, 3)]  # 100 asked, three fit the bound
    monkeypatch.setattr(live, "PARAMETERS_PER_BATCH", 1)
    live_loop.batch(session, 1, 100)
    assert asked[-1] == (1, 1)  # never less than one


def test_snapshots_come_once_per_epoch_up_to_the_screen_rate_then_once_per_painted_frame():
    speeds = (1, 50, 60, 75, 100, 250, 1000)
    fps = live.SCREEN_FPS
    assert [live_loop.epochs_per_snapshot(s) for s in speeds] == [1, 1, 1, 75 / fps, 100 / fps, 250 / fps, 1000 / fps]
    assert live_loop.epochs_per_snapshot(2 * live.SCREEN_FPS) == 2


def test_the_answer_to_play_carries_a_short_first_batch_at_any_speed():
    for speed in (1, 10, 100, 1000):
        per = live_loop.epochs_per_snapshot(speed)
        n = live_loop.first_batch(speed, per)
        epochs = n * per
        assert n >= 1 and (epochs <= live_loop.FIRST_BATCH_EPOCHS or n == 1), (speed, n)
        assert epochs <= max(per, live_loop.FIRST_BATCH_S * speed + per), (speed, n)  # ~0.3 s of play, no more
    assert live_loop.first_batch(100, 100 / 60) == 18  # 0.3 s at 100 epochs/s: 30 epochs in 1⅔-epoch snapshots


def _calls(path: Path) -> set[str]:
    """Names of the functions and attributes a module calls."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    return names


def test_the_three_live_pages_share_one_loop_and_no_page_keeps_a_copy_of_the_handshake():
    handshake = {"unanswered_request", "live_view", "toggle_play"}
    modules = sorted((ROOT / "playground").rglob("*.py")) + sorted((ROOT / "app_pages").glob("*.py"))
    callers = {path.relative_to(ROOT).as_posix(): _calls(path) & handshake for path in modules}
    assert callers["playground/live/loop.py"] == {"unanswered_request", "live_view", "toggle_play"}
    others = {name: calls for name, calls in callers.items() if calls and name != "playground/live/loop.py"}
    assert others == {}, f"a page keeps its own copy of the live loop: {others}"
    for page in ("pages/playground/page.py", "pages/compare/page.py", "pages/regression/page.py"):
        assert {"transport_bar", "serve"} <= _calls(ROOT / "playground" / page), page


# ---- Compare: every run's picture computed in the browser from its own parameters ------------------------------
def test_compare_runs_are_field_panels_each_with_its_own_net_spec_title_and_colour():
    session = comparison()
    scene = session.scene()
    runs = [panel for panel in scene["panels"] if panel["name"].startswith("run")]
    assert [p["kind"] for p in runs] == ["field"] * 4
    assert [p["title"] for p in runs] == ["sigmoid", "tanh", "relu", "leaky_relu"]
    assert [p["title_colour"] for p in runs] == [figures.run_colour(i) for i in range(4)]
    assert [p["net"]["activations"][0] for p in runs] == ["sigmoid", "tanh", "relu", "leaky_relu"]
    assert all(p["net"]["resolution"] >= 100 and p["net"]["sizes"] == [2, 4, 1] for p in runs)
    assert len(runs[0]["train_points"]) // 3 == len(session.comparison.data[0].raw.y_train)
    # The first frame draws every run's network as it is: the browser paints nothing before parameters arrive.
    first = scene["first_frame"]["panels"]
    for i, trainer in enumerate(session.comparison.trainers):
        assert first[f"run{i}"]["params"] == live.network_params(trainer.network)


def test_compare_frames_carry_every_runs_parameters_and_no_grid():
    session = comparison()
    session.scene()
    [frame] = session.advance(3, 1)
    for i, trainer in enumerate(session.comparison.trainers):
        update = frame["panels"][f"run{i}"]
        assert set(update) == {"params"} and update["params"] == live.network_params(trainer.network)
        weights = [np.asarray(w) for w in update["params"]["weights"]]
        for sent, held in zip(weights, trainer.network.weights, strict=True):
            np.testing.assert_array_equal(sent, held.ravel())  # full precision: the pictures equal core's
    assert len(frame["panels"]["loss"]["extend"]["x"]) == 2 * len(session.runs)
    assert session.n_parameters == sum(t.network.n_parameters for t in session.comparison.trainers)


def test_compare_on_1d_data_draws_fit_panels_in_the_run_colours():
    session = comparison("sine", values=("tanh", "relu"))
    runs = [panel for panel in session.scene()["panels"] if panel["name"].startswith("run")]
    assert [p["kind"] for p in runs] == ["fit", "fit"]
    assert [p["curve_colour"] for p in runs] == [figures.run_colour(i) for i in range(2)]
    assert all(p["net"]["features"] == ["x"] and p["net"]["x_range"] for p in runs)


def test_compare_multiclass_runs_keep_the_class_colours_for_the_argmax_picture():
    session = comparison("multiclass", values=("tanh", "relu"))
    runs = [panel for panel in session.scene()["panels"] if panel["name"].startswith("run")]
    assert all(p["task"] == "multiclass" and p["class_colours"] == list(figures.CLASS_COLOURS) for p in runs)
    assert runs[0]["net"]["sizes"][-1] == session.comparison.data[0].dataset.n_classes


def test_a_compare_scene_is_rebuilt_once_after_a_playing_comparison_stops():
    session = comparison()
    first = session.scene_version()
    session.playing = True
    assert session.scene_version() == first
    session.playing = False
    stopped = session.scene_version()
    assert stopped != first and session.scene_version() == stopped
