"""Multi-label data in the Playground: the configuration, a link, an upload and the live view's scene and counters."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score, hamming_loss

from core.data.csvdata import load_csv
from core.experiment.config import DataConfig, ExperimentConfig, LayerConfig, ModelConfig, TrainConfig
from core.experiment.run import prepare_data, run
from playground import urlstate, widgets
from playground.i18n import t
from playground.live import playground as live
from playground.pages.playground.page import config_with_upload, points_csv


def multilabel_config(name="three_discs", epochs=40, **data):
    return ExperimentConfig(
        DataConfig(name, n_samples=300, noise=0.05, **data),
        ModelConfig(hidden=(LayerConfig(8, "tanh"), LayerConfig(8, "tanh"))),
        TrainConfig(epochs=epochs),
    )


@pytest.mark.parametrize(("name", "labels"), [("circle_diagonal", 2), ("three_discs", 3)])
def test_a_multilabel_dataset_trains_one_sigmoid_per_label_with_bce(name, labels):
    config = multilabel_config(name)
    assert config.task == "multilabel" and name in widgets.PLAYGROUND_DATASETS
    assert config.resolved_output() == ("sigmoid", "bce")
    assert config.layer_dicts()[-1] == {"units": labels, "activation": "sigmoid"}
    result = run(config)
    assert result.data.split.y_train.shape[1] == labels
    assert result.history.train_loss[-1] < result.history.train_loss[0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"model": {"output_activation": "softmax"}}, "needs 3 sigmoid outputs"),
        ({"model": {"loss": "mse"}}, "needs 3 sigmoid outputs"),
        ({"data": {"name": "three_discs", "sampler": "smote"}}, "data.sampler='smote'"),
        ({"data": {"name": "three_discs", "points": [[0, 0, 1]]}}, "one label each"),
        ({"train": {"class_weight": "balanced"}}, "train.class_weight='balanced'"),
    ],
)
def test_settings_that_assume_one_label_per_point_are_named(change, message):
    raw = {"data": {"name": "three_discs"}, **change}
    with pytest.raises(ValueError, match=message):
        ExperimentConfig.from_dict(raw)


def test_a_link_opens_a_multilabel_set():
    config, warnings = urlstate.config_from_query({"ds": "circle_diagonal"}, urlstate.default_config())
    assert warnings == [] and config.task == "multilabel" and config.output_units() == 2
    assert urlstate.query_from_config(config)["ds"] == "circle_diagonal"


CSV = b"x1,x2,cat,dog,bird\n" + b"".join(
    f"{a:.2f},{b:.2f},{int(a > 0)},{int(b > 0)},{int(a + b > 0.5)}\n".encode()
    for a, b in np.random.default_rng(0).uniform(-2, 2, size=(40, 2))
)


def test_an_uploaded_csv_with_several_label_columns_trains_as_multilabel_and_travels_in_a_link():
    config, message = config_with_upload(urlstate.default_config(), CSV)
    assert config.task == "multilabel" and config.output_units() == 3 and config.resolved_output()[1] == "bce"
    assert "cat, dog, bird" in message
    assert config.data.label_names == ("cat", "dog", "bird")  # the header's names, kept in the link too
    assert live.label_names(live.new_run(config, prepare_data(config), 1)) == ["cat", "dog", "bird"]
    data = prepare_data(config)
    assert data.dataset.y.shape == (40, 3)
    expected = load_csv(CSV, task="multilabel").dataset.y
    np.testing.assert_array_equal(data.dataset.y, expected)
    again, warnings = urlstate.config_from_query(urlstate.query_from_config(config), urlstate.default_config())
    assert warnings == [] and again == config


def test_bad_uploaded_label_rows_are_named():
    with pytest.raises(ValueError, match=r"data.rows\[0\]\[3\]=2 is not valid; a label is 0 or 1"):
        ExperimentConfig.from_dict({"data": {"name": "uploaded", "rows": [[0, 0, 1, 2]] * 5}})
    rows = [[0, 0, 1, 0]] * 5
    with pytest.raises(ValueError, match="data.label_names has 1 names for 2 labels"):
        ExperimentConfig.from_dict({"data": {"name": "uploaded", "rows": rows, "label_names": ["a"]}})
    with pytest.raises(ValueError, match=r"data.label_names\[1\]='b,c' is not valid"):
        ExperimentConfig.from_dict({"data": {"name": "uploaded", "rows": rows, "label_names": ["a", "b,c"]}})
    with pytest.raises(ValueError, match="data.name='xor' has none"):
        ExperimentConfig.from_dict({"data": {"name": "xor", "label_names": ["a"]}})


def make_run(config=None, epochs=0):
    config = config or multilabel_config()
    live_run = live.new_run(config, prepare_data(config), version=1)
    for _ in range(epochs):
        live_run.trainer.train_epoch()
    return live_run


def test_the_scene_has_one_picture_per_label_with_the_points_coloured_by_that_label():
    live_run = make_run()
    scene = live.scene(live_run)
    names = [panel["name"] for panel in scene["panels"]]
    assert names[:3] == ["label_0", "label_1", "label_2"] and "boundary" not in names
    raw = live_run.data.raw
    for j in range(3):
        panel = scene["panels"][j]
        assert panel["kind"] == "field" and panel["label"] == j and panel["area"] == f"label{j}"
        train = np.asarray(panel["train_points"]).reshape(-1, 3)
        np.testing.assert_array_equal(train[:, 2], raw.y_train[:, j])
        test = np.asarray(panel["test_points"]).reshape(-1, 3)
        np.testing.assert_array_equal(test[:, 2], raw.y_test[:, j])
    assert scene["net"]["sizes"][-1] == 3 and scene["net"]["task"] == "multilabel"
    network = next(panel for panel in scene["panels"] if panel["name"] == "network")
    assert network["output_labels"] == live.label_names(live_run)
    rows = [row.split() for row in scene["grid"].strip('"').split('" "')]
    width = int(scene["columns"].split("(")[1].split(",")[0])
    assert all(len(row) == width for row in rows), "every row of the grid must fill every column"
    assert {area for row in rows for area in row} == {panel["area"] for panel in scene["panels"]}
    assert "Subset accuracy" in next(p for p in scene["panels"] if p["name"] == "metric")["title"]
    assert "binary cross-entropy" in next(p for p in scene["panels"] if p["name"] == "loss")["title"]


def test_the_layer_view_joins_a_multilabel_scene_as_a_full_row():
    live_run = make_run()
    live_run.layer_view = 0
    scene = live.scene(live_run)
    rows = [row.split() for row in scene["grid"].strip('"').split('" "')]
    assert set(rows[-1]) == {"layer"} and len({len(row) for row in rows}) == 1


@pytest.mark.parametrize("label", [0, 1, 2])
def test_the_layer_view_colours_its_points_by_the_chosen_label(label):
    live_run = make_run()
    live_run.layer_view, live_run.layer_view_label = 0, label
    points = np.asarray(live.frame(live_run)["panels"]["layer"]["points"]).reshape(-1, 3)
    np.testing.assert_array_equal(points[:, 2], live_run.data.raw.y_train[:, label])


def test_counters_give_hamming_loss_and_per_label_accuracy_and_f1_as_scikit_learn_computes_them():
    live_run = make_run(epochs=30)
    shown = {c["name"]: c["value"] for c in live.counters(live_run)}
    split = live_run.data.split
    predicted = (live_run.trainer.network.predict(split.X_test) >= 0.5).astype(int)
    truth = split.y_test
    assert shown["hamming"] == f"{hamming_loss(truth, predicted):.3f}"
    assert shown["test_metric"] == f"{accuracy_score(truth, predicted):.1%}"  # subset accuracy
    f1 = f1_score(truth, predicted, average=None)
    for j in range(3):
        assert shown[f"label_{j}"] == f"{np.mean(predicted[:, j] == truth[:, j]):.1%} · F1 {f1[j]:.2f}"
    before = shown["hamming"]
    for _ in range(60):
        live_run.trainer.train_epoch()
    assert {c["name"]: c["value"] for c in live.counters(live_run)}["hamming"] != before


def test_frames_carry_the_multilabel_counters_and_the_downloaded_points_read_back():
    live_run = make_run()
    live_run.playing = True
    frames = live.advance(live_run, epochs_per_frame=1, max_frames=3, budget_s=None)
    assert [c["name"] for c in frames[-1]["counters"]][-4:] == ["hamming", "label_0", "label_1", "label_2"]
    text = points_csv(live_run)
    back = load_csv(text.encode(), task="multilabel").dataset
    np.testing.assert_array_equal(back.y, live_run.data.dataset.y)
    assert back.label_names == live_run.data.dataset.label_names


def test_single_labels_keep_one_of_each_points_labels_and_the_same_one_for_the_same_point():
    from core.data.datasets import single_labels

    X = np.random.default_rng(1).uniform(-2, 2, size=(400, 2))
    Y = np.random.default_rng(2).integers(0, 2, size=(400, 3))
    labels = single_labels(X, Y)
    assert np.all(labels[Y.sum(axis=1) == 0] == 0)
    kept = labels[labels > 0] - 1
    assert np.all(Y[labels > 0, kept] == 1), "a point kept a label it does not carry"
    several = Y.sum(axis=1) >= 2
    assert len(set(labels[several])) == 3, "the overlap should keep each of its labels sometimes"
    np.testing.assert_array_equal(single_labels(X[::-1], Y[::-1]), labels[::-1])


def test_the_softmax_variant_trains_on_the_very_points_of_the_multilabel_split():
    from dataclasses import replace

    multi = multilabel_config("circle_diagonal")
    single = replace(multi, data=replace(multi.data, single_label=True))
    assert single.task == "multiclass" and single.output_units() == 3 and single.resolved_output()[0] == "softmax"
    a, b = prepare_data(multi), prepare_data(single)
    np.testing.assert_array_equal(a.raw.X_train, b.raw.X_train)
    np.testing.assert_array_equal(a.raw.X_test, b.raw.X_test)
    assert b.raw.y_test.ndim == 1 and set(np.unique(b.raw.y_train)) == {0, 1, 2}
    again, warnings = urlstate.config_from_query(urlstate.query_from_config(single), urlstate.default_config())
    assert warnings == [] and again == single
    with pytest.raises(ValueError, match="data.single_label=true needs a multi-label dataset"):
        ExperimentConfig.from_dict({"data": {"name": "xor", "single_label": True}})


def test_softmax_never_says_both_and_the_lesson_measures_read_the_runs():
    from core.labs.lessons import MULTICLASS_SOFTMAX, MULTILABEL_SIGMOIDS, both_yes_rate, overlap_label_sum

    softmax, sigmoids = run(MULTICLASS_SOFTMAX), run(MULTILABEL_SIGMOIDS)
    assert both_yes_rate(softmax) == 0.0 and overlap_label_sum(softmax) <= 1.0 + 1e-12
    truth = sigmoids.data.raw.y_test
    overlap = truth.sum(axis=1) == 2
    scores = sigmoids.network.predict(sigmoids.split.X_test)[overlap]
    assert both_yes_rate(sigmoids) == pytest.approx(np.mean((scores > 0.5).all(axis=1)))
    assert overlap_label_sum(sigmoids) == pytest.approx(scores.sum(axis=1).mean())
    assert np.isnan(both_yes_rate(run(ExperimentConfig(DataConfig("xor", n_samples=40), train=TrainConfig(epochs=2)))))


def test_the_live_counters_numpy_scores_equal_scikit_learns_on_every_kind_of_label_matrix():
    from core.experiment.metrics import multilabel_counts, multilabel_metrics

    rng = np.random.default_rng(3)
    for trial in range(200):
        n, labels = int(rng.integers(1, 30)), int(rng.integers(2, 6))  # N ≥ 2: one column is not multi-label
        truth = rng.integers(0, 2, size=(n, labels))
        score = rng.uniform(size=(n, labels))
        if trial % 4 == 0:
            truth[:, 0] = 0  # a label nobody carries ...
            score[:, 0] = 0.1  # ... and nobody predicts: F1 0 by scikit-learn's zero_division=0
        if trial % 7 == 0:
            score[rng.integers(0, n), :] = 0.5  # exactly at the threshold counts as yes
        fast, reference = multilabel_counts(truth, score), multilabel_metrics(truth, score)
        for name in ("hamming_loss", "subset_accuracy", "label_accuracy", "label_f1"):
            np.testing.assert_allclose(fast[name], reference[name], rtol=0, atol=1e-12, err_msg=name)
    diverged = multilabel_counts(np.ones((3, 2)), np.full((3, 2), np.nan))
    assert diverged["diverged"] and np.isnan(diverged["hamming_loss"])


def test_the_playground_page_steps_a_multilabel_run_and_switching_from_drawn_points_drops_them():
    from tests.apptest_helpers import assert_no_exception, missing_keys, render_page

    at = render_page("app_pages/playground.py", query={"ds": "drawn", "cw": "balanced"})
    assert_no_exception(at)
    at.selectbox(key="pg.data.name").set_value("three_discs").run()
    assert_no_exception(at)
    live_run = at.session_state["pg.run"]
    assert live_run.task == "multilabel" and live_run.config.data.points == ()
    assert live_run.config.train.class_weight == "none" and not at.error
    at.button(key="pg.step").click().run()
    assert_no_exception(at)
    assert at.session_state["pg.run"].trainer.epoch == 1 and missing_keys(at) == []


def test_a_multilabel_upload_link_opens_in_the_playground():
    from tests.apptest_helpers import assert_no_exception, render_page

    config, _ = config_with_upload(urlstate.default_config(), CSV)
    at = render_page("app_pages/playground.py", query=urlstate.query_from_config(config))
    assert_no_exception(at)
    assert not at.warning
    live_run = at.session_state["pg.run"]
    assert live_run.task == "multilabel" and live_run.trainer.network.layer_sizes[-1] == 3
    assert at.selectbox(key="pg.data.name").value == "uploaded"


@pytest.mark.parametrize("page", ["app_pages/compare.py", "app_pages/experiments.py", "app_pages/under_the_hood.py"])
def test_pages_that_draw_one_label_per_point_do_not_offer_the_multilabel_sets(page):
    from tests.apptest_helpers import assert_no_exception, render_page

    at = render_page(page, query={"ds": "three_discs"})
    assert_no_exception(at)
    for box in at.selectbox:
        if box.key and box.key.endswith("data.name"):
            assert "three_discs" not in box.options and t("widgets.datasets.three_discs") not in box.options
            assert box.value != "three_discs"


@pytest.mark.parametrize("k", [2, 3, 6])
def test_the_multiclass_colourscale_runs_from_0_to_1_so_plotly_js_uses_it(k):
    """plotly.js drops a colourscale whose stops do not start at 0 and end at 1 and paints its default instead:
    the softmax picture of the lesson step showed red and lavender regions under orange, blue and green points."""
    from playground import figures

    scale = figures.multiclass_colourscale(k)
    stops = [stop for stop, _ in scale]
    assert stops[0] == 0 and stops[-1] == 1 and stops == sorted(stops)
    assert scale[-1][1] == figures.CLASS_COLOURS[(k - 1) % len(figures.CLASS_COLOURS)]


def test_uploaded_label_names_come_back_with_the_upload_after_another_dataset():
    from tests.apptest_helpers import assert_no_exception, render_page

    config, _ = config_with_upload(urlstate.default_config(), CSV)
    at = render_page("app_pages/playground.py", query=urlstate.query_from_config(config))
    assert live.label_names(at.session_state["pg.run"]) == ["cat", "dog", "bird"]
    at.selectbox(key="pg.data.name").set_value("xor").run()
    assert at.session_state["pg.run"].task == "binary"
    at.selectbox(key="pg.data.name").set_value("uploaded").run()
    assert_no_exception(at)
    run = at.session_state["pg.run"]
    assert run.task == "multilabel" and live.label_names(run) == ["cat", "dog", "bird"]
    assert run.config.data.label_names == ("cat", "dog", "bird")


def test_the_playground_lets_a_multilabel_layer_view_colour_by_any_label():
    from tests.apptest_helpers import assert_no_exception, render_page

    at = render_page("app_pages/playground.py", query={"ds": "three_discs"})
    at.toggle(key="pg.layer_view").set_value(True).run()
    picker = at.selectbox(key="pg.layer_view_label")
    assert list(picker.options) == live.label_names(at.session_state["pg.run"])
    picker.set_value(2).run()
    assert_no_exception(at)
    run = at.session_state["pg.run"]
    assert run.layer_view == 0 and run.layer_view_label == 2
    points = np.asarray(live.frame(run)["panels"]["layer"]["points"]).reshape(-1, 3)
    np.testing.assert_array_equal(points[:, 2], run.data.raw.y_train[:, 2])
    single = render_page("app_pages/playground.py", query={"ds": "xor"})
    single.toggle(key="pg.layer_view").set_value(True).run()
    assert not [box for box in single.selectbox if box.key == "pg.layer_view_label"]  # one label: nothing to pick
