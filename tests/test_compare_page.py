"""The Compare page in AppTest, its URL parameters, and the replay figure and export."""

import json

import numpy as np
import pytest

from core.experiment.config import DataConfig, ExperimentConfig, TrainConfig
from core.labs.compare import Comparison, sweep
from playground.i18n import t
from playground.pages.compare import figures as figures_compare
from playground.pages.compare import page as compare_page
from tests.apptest_helpers import assert_no_exception, missing_keys, render_page

PAGE = "app_pages/compare.py"


def _summary_runs(at) -> list[str]:
    return list(at.dataframe[0].value[t("compare.col_run")])


@pytest.mark.parametrize(
    "values", [["sigmoid", "tanh"], ["sigmoid", "tanh", "relu", "leaky_relu"]], ids=["2 runs", "4 runs"]
)
def test_page_renders_a_comparison_of_two_and_of_four_runs(values):
    at = render_page(PAGE, query={"vary": "activation", "values": ",".join(values)})
    assert_no_exception(at)
    assert missing_keys(at) == []
    assert not at.warning
    assert at.title[0].value == t("compare.title")
    assert _summary_runs(at) == values
    # Before training the table lists the runs only: no column of empty numbers reading "None".
    assert list(at.dataframe[0].value.columns) == [t("compare.col_run")]
    assert t("compare.summary_before_training") in [c.value for c in at.caption]


def test_a_comparison_played_to_its_end_offers_play_not_pause():
    from playground.live import compare as compare_live

    at = render_page(PAGE, query={"vary": "learning_rate", "values": "0.01,0.1", "epochs": "3"})
    at.button(key="cmp.play").click().run()
    session = at.session_state["cmp.session"]
    if not session.comparison.done:  # the browser holds the scene and asks for frames: they train to the end
        at.session_state["cmp.live"] = {"want": 1, "scene": compare_live.scene_version(session, False), "frames": 40}
        at.run()
    assert_no_exception(at)
    session = at.session_state["cmp.session"]
    assert session.comparison.done and not session.playing
    assert at.button(key="cmp.play").label == t("compare.play")


def test_step_trains_every_run_one_epoch():
    at = render_page(PAGE, query={"vary": "learning_rate", "values": "0.01,0.1", "epochs": "20"})
    at.button(key="cmp.step").click().run()
    assert_no_exception(at)
    table = at.dataframe[0].value
    assert list(table[t("compare.col_epochs")]) == [1, 1]
    assert at.toggle(key="cmp.replay") is not None  # after an epoch there is something to replay


@pytest.mark.parametrize(
    "query",
    [
        {"ds": "sine", "feat": "x1", "vary": "learning_rate", "values": "0.01,0.1"},
        {"ds": "multiclass", "vary": "optimizer", "values": "sgd,adam"},
        {"ds": "imbalanced", "vary": "sampler", "values": "none,smote"},
    ],
    ids=["1-D regression", "multiclass", "samplers"],
)
def test_other_kinds_of_data_train_a_step(query):
    at = render_page(PAGE, query=query)
    at.button(key="cmp.step").click().run()
    assert_no_exception(at)
    assert missing_keys(at) == []
    assert list(at.dataframe[0].value[t("compare.col_epochs")]) == [1, 1]


def test_custom_runs_from_the_url_are_labelled_and_described():
    at = render_page(PAGE, query={"mode": "custom", "run": ["init:zeros", "init:he,learning_rate:0.1"]})
    assert_no_exception(at)
    assert missing_keys(at) == []
    assert _summary_runs(at) == [t("compare.run_label", n=1), t("compare.run_label", n=2)]
    caption = " ".join(c.value for c in at.caption)
    assert "zeros" in caption and "0.1" in caption


def test_bad_url_values_are_named_in_warnings_and_defaults_used():
    at = render_page(PAGE, query={"vary": "colour", "values": "red,blue", "target": "-1", "lr": "-5"})
    assert_no_exception(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "colour" in warnings and "-1" in warnings and "-5" in warnings
    default = compare_page.CompareSpec()
    assert _summary_runs(at) == [str(v) for v in default.values]


def test_url_follows_the_comparison():
    at = render_page(PAGE, query={"vary": "activation", "values": "tanh,relu"})
    at.multiselect(key="cmp.values.activation").set_value(["tanh", "relu", "elu"]).run()
    assert_no_exception(at)
    assert at.query_params["values"] == "tanh,relu,elu"
    assert _summary_runs(at) == ["tanh", "relu", "elu"]


def test_too_few_values_ask_for_more_instead_of_training():
    at = render_page(PAGE, query={"vary": "activation", "values": "tanh,relu"})
    at.multiselect(key="cmp.values.activation").set_value(["tanh"]).run()
    assert_no_exception(at)
    assert at.info[0].value == t("compare.too_few_values", min=2)
    assert not at.dataframe


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"vary": "learning_rate", "values": "0.3, 0.03"}, ("vary", "learning_rate", (0.3, 0.03))),
        ({"vary": "depth", "values": "1,2,3"}, ("vary", "depth", (1, 2, 3))),
        ({"vary": "activation", "values": "relu,relu,tanh"}, ("vary", "activation", ("relu", "tanh"))),
    ],
)
def test_spec_from_query_reads_sweeps(query, expected):
    spec, warnings = compare_page.spec_from_query(query)
    assert warnings == []
    assert (spec.mode, spec.vary, spec.values) == expected


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"mode": "sideways"}, "sideways"),
        ({"vary": "learning_rate", "values": "fast,0.1,0.2"}, "fast"),
        ({"values": "sigmoid,tanh,relu,elu,gelu"}, "5"),
        ({"mode": "custom", "run": ["colour:red", "init:he"]}, "colour"),
        ({"mode": "custom", "run": ["init:nope", "init:he"]}, "nope"),
        ({"target": "soon"}, "soon"),
        ({"target": "100"}, "100"),
        ({"vary": "learning_rate", "values": "-5,0.1,0.2"}, "-5"),
        ({"vary": "depth", "values": "1,2,99"}, "99"),
        ({"mode": "custom", "run": ["learning_rate:-5", "init:he"]}, "-5"),
        ({"values": "relu," * 200}, "too long"),
    ],
)
def test_spec_from_query_names_what_it_could_not_use(query, named):
    spec, warnings = compare_page.spec_from_query(query)
    assert any(named in warning for warning in warnings), warnings
    assert 2 <= len(spec.values) <= 4


def test_spec_survives_a_round_trip_through_the_url():
    spec = compare_page.CompareSpec(
        mode="custom", custom=((("init", "zeros"),), (("init", "he"), ("learning_rate", 0.1))), target_loss=0.05
    )
    query = compare_page.query_from_spec(spec)
    parsed, warnings = compare_page.spec_from_query(query)
    assert warnings == []
    assert (parsed.mode, parsed.custom, parsed.target_loss) == (spec.mode, spec.custom, spec.target_loss)


# ---- replay figure and its export -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trained() -> Comparison:
    base = ExperimentConfig(DataConfig("moons", n_samples=80, noise=0.2), train=TrainConfig(epochs=12))
    comparison = Comparison(sweep(base, "activation", ["tanh", "relu", "sigmoid"]), max_snapshots=5)
    for _ in comparison.train():
        pass
    return comparison


def _replay_figure(comparison: Comparison):
    data = comparison.data
    return figures_compare.replay_figure(
        comparison.replay(),
        "binary",
        train_points=[(d.raw.X_train, d.raw.y_train) for d in data],
        test_points=(data[0].raw.X_test, data[0].raw.y_test),
    )


def test_replay_has_one_frame_per_snapshot_updating_every_heatmap_and_loss_curve(trained):
    replay = trained.replay()
    fig = _replay_figure(trained)
    assert [frame.name for frame in fig.frames] == [str(e) for e in replay.epochs]
    heatmaps = [i for i, trace in enumerate(fig.data) if trace.type == "heatmap"]
    assert len(heatmaps) == 3
    last = fig.frames[-1]
    # Frames change the heatmaps only (curve traces in frames blanked the boundary panels while playing); the
    # curves are drawn whole and a veil over the loss panel hides the epochs the frame has not reached.
    assert list(last.traces) == heatmaps
    np.testing.assert_allclose(last.data[0].z, replay.grids[0][-1].values, atol=1e-3)
    curves = [trace for trace in fig.data if trace.type == "scatter" and trace.mode == "lines"]
    assert len(curves) == 2 * 3 and list(curves[0].x) == trained.histories["tanh"].epoch
    veils = [frame.layout.shapes[0] for frame in fig.frames]
    assert [veil.x0 for veil in veils] == list(replay.epochs)
    assert {veil.x1 for veil in veils} == {replay.epochs[-1]} and veils[0].xref == curves[0].xaxis
    assert [step.label for step in fig.layout.sliders[0].steps] == [str(e) for e in replay.epochs]


def test_replay_carries_no_binary_arrays_that_playback_would_lose(trained):
    fig = json.loads(_replay_figure(trained).to_json())
    assert "bdata" not in json.dumps(fig["data"]) and "bdata" not in json.dumps(fig["frames"])


def test_replay_without_a_plane_animates_the_loss_curves_only():
    base = ExperimentConfig(DataConfig("sine", n_samples=40, features=("x1",)), train=TrainConfig(epochs=4))
    comparison = Comparison(sweep(base, "learning_rate", [0.01, 0.1]))
    for _ in comparison.train():
        pass
    fig = figures_compare.replay_figure(comparison.replay(), "regression")
    assert {trace.type for trace in fig.data} == {"scatter"}
    assert len(fig.frames) == len(comparison.replay().epochs)


def test_exported_replay_is_one_page_with_plotly_inside(trained):
    page = figures_compare.replay_html(_replay_figure(trained), "Talk <demo>")
    assert page.lstrip().lower().startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert "<title>Talk &lt;demo&gt;</title>" in page
    assert "<script src=" not in page  # nothing fetched from a CDN: plotly.js is embedded
    assert "Plotly.newPlot" in page and "addFrames" in page
