"""The Playground page in AppTest: renders for every dataset and activation, Step trains, URLs restore."""

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from core.engine.activations import ACTIVATIONS
from core.experiment.config import DATASET_NAMES
from core.experiment.presets import PRESETS
from playground import urlstate
from playground.i18n import t
from playground.live import loop as live_loop
from playground.pages.playground.page import config_with_upload
from playground.urlstate import default_config
from playground.widgets import PLAYGROUND_DATASETS
from tests.apptest_helpers import assert_no_exception, missing_keys, render_page, shown_text

PAGE = "app_pages/playground.py"


def rendered(query=None):
    at = render_page(PAGE, query=query)
    assert_no_exception(at)
    assert missing_keys(at) == []
    return at


@pytest.mark.parametrize("name", [n for n in DATASET_NAMES if n not in ("digits", "uploaded")])
def test_page_renders_every_dataset(name):
    at = rendered({"ds": name})
    assert at.session_state["pg.run"].config.data.name == name
    assert not at.warning


CURVE_ROWS = ";".join(f"{x / 4:g}:{(x / 4) ** 2 - 1:g}" for x in range(-8, 9))


def test_uploaded_rows_in_the_link_train_a_curve_and_are_offered_as_a_dataset():
    at = rendered({"ds": "uploaded", "rows": CURVE_ROWS, "hidden": "8:tanh"})
    run = at.session_state["pg.run"]
    assert run.config.data.name == "uploaded" and len(run.config.data.rows) == 17
    assert run.task == "regression" and run.data.dataset.input_dim == 1 and not run.two_d
    assert not at.warning
    dataset_box = at.selectbox(key="pg.data.name")
    assert dataset_box.value == "uploaded" and t("widgets.datasets.uploaded") in dataset_box.options
    assert [box for box in at.multiselect if box.key == "pg.data.features"] == []  # one input: no features
    at.button(key="pg.step").click().run()
    assert_no_exception(at)
    assert at.session_state["pg.run"].trainer.epoch == 1


def test_switching_away_from_uploaded_rows_keeps_them_for_later():
    at = rendered({"ds": "uploaded", "rows": CURVE_ROWS})
    at.selectbox(key="pg.data.name").set_value("moons").run()
    assert_no_exception(at)
    assert at.session_state["pg.run"].config.data.rows == ()
    at.selectbox(key="pg.data.name").set_value("uploaded").run()
    assert_no_exception(at)
    assert len(at.session_state["pg.run"].config.data.rows) == 17


@pytest.mark.parametrize("activation", [a for a in ACTIVATIONS if a != "softmax"])
def test_page_renders_every_hidden_activation(activation):
    at = rendered({"hidden": f"3:{activation},2:{activation}"})
    assert {layer.activation for layer in at.session_state["pg.run"].config.model.hidden} == {activation}


def test_step_advances_the_epoch_and_lowers_the_training_loss_on_xor():
    at = rendered({"ds": "xor"})
    run = at.session_state["pg.run"]
    start = run.trainer.network.loss_value(run.trainer.X, run.trainer.y)
    for expected in (1, 2, 3):
        at.button(key="pg.step").click().run()
        assert_no_exception(at)
        assert at.session_state["pg.run"].trainer.epoch == expected
    history = at.session_state["pg.run"].trainer.history
    assert history.train_loss[-1] < start


def test_play_starts_training_and_pause_stops_it():
    at = rendered()
    at.button(key="pg.play").click().run()
    run = at.session_state["pg.run"]
    assert run.playing and run.trainer.epoch > 0
    at.button(key="pg.play").click().run()
    assert not at.session_state["pg.run"].playing


def test_every_play_answers_with_its_first_frames_so_the_picture_moves_a_round_trip_sooner():
    at = rendered()
    for _ in range(2):  # the first Play of a run, and Play again after a Pause
        before = at.session_state["pg.run"].trainer.epoch
        at.button(key="pg.play").click().run()
        epochs = at.session_state["pg.run"].trainer.epoch - before
        # Trained in the same run as the click (a time budget may cut it short on a busy machine, never to nothing;
        # before, Play after a Pause answered with no frames and the view had to ask).
        assert 1 <= epochs <= live_loop.FIRST_BATCH_EPOCHS, epochs
        at.button(key="pg.play").click().run()  # Pause: no training of its own
        assert not at.session_state["pg.run"].playing


def test_reset_goes_back_to_epoch_zero_with_new_scene_version():
    at = rendered()
    at.button(key="pg.step").click().run()
    version = at.session_state["pg.run"].version
    at.button(key="pg.reset").click().run()
    assert at.session_state["pg.run"].trainer.epoch == 0
    assert at.session_state["pg.run"].version == version + 1


def test_url_restores_dataset_network_and_settings():
    at = rendered({"ds": "spirals", "hidden": "8:relu,6:tanh", "lr": "0.01", "bs": "32", "seed": "7"})
    config = at.session_state["pg.run"].config
    assert config.data.name == "spirals" and config.seed == 7
    assert [(layer.units, layer.activation) for layer in config.model.hidden] == [(8, "relu"), (6, "tanh")]
    assert config.train.learning_rate == 0.01 and config.train.batch_size == 32
    assert at.selectbox(key="pg.data.name").value == "spirals"


def test_bad_url_shows_a_warning_naming_the_value_and_still_works():
    at = rendered({"lr": "-5", "ds": "nonsense"})
    texts = shown_text(" ".join(w.value for w in at.warning))
    assert "lr=-5" in texts and "nonsense" in texts
    at.button(key="pg.step").click().run()
    assert_no_exception(at)
    assert at.session_state["pg.run"].trainer.epoch == 1


def test_picking_a_preset_loads_all_its_settings():
    at = rendered()
    at.selectbox(key="pg.preset").select("xor_2_2_1").run()
    assert_no_exception(at)
    config = at.session_state["pg.run"].config
    assert [(layer.units, layer.activation) for layer in config.model.hidden] == [(2, "sigmoid")]
    assert config.seed == 1


def test_mismatched_output_and_loss_are_explained_and_the_last_valid_setup_kept():
    at = rendered({"ds": "xor"})
    at.selectbox(key="pg.model.output_activation").select("softmax").run()
    assert_no_exception(at)
    assert any("softmax" in e.value for e in at.error)
    assert at.session_state["pg.run"].config.model.output_activation == "auto"


def test_presenter_mode_from_the_url():
    at = rendered({"presenter": "1"})
    assert at.toggle(key="pg.presenter").value is True


def _upload(text: str, current=None):
    return config_with_upload(current or default_config(), text.encode())


def test_an_x_y_csv_becomes_a_one_input_regression_dataset():
    config, message = _upload("x,y\n" + "\n".join(f"{x / 5},{(x / 5) ** 3}" for x in range(-10, 11)))
    assert config.data.name == "uploaded" and config.task == "regression"
    assert len(config.data.rows) == 21 and all(len(row) == 2 for row in config.data.rows)
    assert "21" in message and "x, y" in message


def test_a_table_with_a_measured_third_column_becomes_a_two_input_regression_dataset():
    config, message = _upload("a,b,height\n0,0,0.5\n1,1,2.7\n0,1,1.3\n1,0,0.9\n2,2,3.3\n")
    assert config.data.name == "uploaded" and {len(row) for row in config.data.rows} == {3}
    assert "regression target" in message


def test_targets_far_outside_the_plot_are_rescaled_and_the_message_says_so():
    config, message = _upload("area,price\n50,100000\n80,180000\n120,260000\n200,400000\n")
    assert max(abs(row[1]) for row in config.data.rows) <= 2.5
    assert "price from [1e+05, 4e+05]" in shown_text(message)


def test_two_classes_become_drawn_points_and_an_old_regression_loss_is_reset():
    sine = default_config()
    sine = replace(sine, data=replace(sine.data, name="sine"), model=replace(sine.model, loss="huber"))
    config, message = _upload("x1,x2,label\n0,0,0\n1,1,1\n0,1,1\n1,0,0\n", current=sine)
    assert config.data.name == "drawn" and len(config.data.points) == 4 and config.data.rows == ()
    assert config.model.loss == "huber"  # huber also fits a binary output, so it stays
    assert "4" in message


def test_a_regression_upload_resets_a_classification_loss_to_auto():
    binary = default_config()
    binary = replace(binary, model=replace(binary.model, loss="bce", output_activation="sigmoid"))
    config, _ = _upload("x,y\n0,1\n1,2\n2,3\n3,5\n", current=binary)
    assert (config.model.loss, config.model.output_activation) == ("auto", "auto")
    config.validate()


@pytest.mark.parametrize(
    "text, reason",
    [
        ("x1,x2,label\n0,0,0\n1,1,1\n0,1,2\n1,0,2\n", "two classes"),
        ("x,y\n0,1\n1,nan\n2,3\n3,5\n", "not a finite number"),
        ("x,y\n0,1\n", "at least 4"),
    ],
)
def test_unusable_uploads_are_refused_with_the_reason(text, reason):
    with pytest.raises(ValueError, match=reason):
        _upload(text)


def test_uploaded_two_input_rows_render_with_their_feature_controls():
    rows = ";".join(f"{a / 2:g}:{b / 2:g}:{(a - b) / 4:g}" for a in range(-2, 3) for b in range(-2, 3))
    at = rendered({"ds": "uploaded", "rows": rows})
    run = at.session_state["pg.run"]
    assert run.data.dataset.input_dim == 2 and run.task == "regression" and run.two_d
    assert [box.key for box in at.multiselect if box.key == "pg.data.features"] == ["pg.data.features"]


def test_a_link_to_uploaded_data_too_large_for_it_opens_the_default_with_a_note():
    at = rendered({"ds": "uploaded", "hidden": "3:relu"})
    assert at.session_state["pg.run"].config.data.name == "xor"
    assert [w.value for w in at.warning] == [t("playground.uploaded_not_in_link")]
    assert at.session_state["pg.run"].config.model.hidden[0].units == 3  # the rest of the link still applies


def test_uploaded_rows_beyond_what_a_link_carries_are_flagged_under_the_dataset():
    rows = ";".join(f"{i / 200:g}:{(i / 200) ** 2:g}" for i in range(-400, 401, 2))
    at = rendered({"ds": "uploaded", "rows": rows})
    assert len(at.session_state["pg.run"].config.data.rows) == 401
    assert any(t("widgets.rows_not_in_link", limit=300) in caption.value for caption in at.sidebar.caption)


def test_a_validation_share_and_early_stopping_come_from_the_link_and_label_what_is_watched():
    from playground.live import playground as live

    at = rendered({"ds": "moons", "val": "0.2", "patience": "15"})
    run = at.session_state["pg.run"]
    assert (run.config.data.validation_fraction, run.config.train.early_stopping_patience) == (0.2, 15)
    assert run.trainer.patience == 15 and len(run.data.split.y_val) > 0
    assert at.slider(key="pg.data.validation_fraction").value == 0.2
    assert at.number_input(key="pg.train.early_stopping_patience").value == 15
    labels = [counter["label"] for counter in live.counters(run)]
    assert t("playground.counter.val_loss") in labels and t("playground.counter.test_loss") not in labels


def test_patience_without_a_validation_share_says_what_it_needs():
    at = rendered({"patience": "15"})
    assert at.session_state["pg.run"].trainer.patience == 0  # nothing to watch: off
    assert t("widgets.patience_needs_validation") in [caption.value for caption in at.sidebar.caption]


def test_early_stopping_ends_a_run_whose_validation_loss_stops_improving():
    at = rendered(
        {
            "ds": "xor",
            "n": "60",
            "val": "0.3",
            "patience": "5",
            "lr": "1",
            "hidden": "16:relu,16:relu",
            "epochs": "2000",
            "noise": "0.6",
        }
    )
    for _ in range(40):
        at.button(key="pg.step").click().run()
        if at.session_state["pg.run"].trainer.history.stopped_early:
            break
    history = at.session_state["pg.run"].trainer.history
    assert history.stopped_early and at.session_state["pg.run"].trainer.epoch < 2000


def test_the_data_download_holds_every_point_and_uploads_back_to_the_same_dataset():
    from playground.pages.playground.page import points_csv

    points = ";".join(f"{x / 5:g}:{(x % 7) / 5 - 0.6:g}:{x % 2}" for x in range(-10, 10))
    at = rendered({"ds": "drawn", "pts": points, "test": "0.3"})
    run = at.session_state["pg.run"]
    text = points_csv(run)
    assert len(text.strip().splitlines()) == 1 + 20  # the header and every drawn point, test part included
    config, _ = config_with_upload(run.config, text.encode())
    assert sorted(config.data.points) == sorted(run.config.data.points)


def test_the_data_download_of_a_curve_is_x_and_y():
    from playground.pages.playground.page import points_csv

    at = rendered({"ds": "sine", "n": "30"})
    lines = points_csv(at.session_state["pg.run"]).strip().splitlines()
    assert lines[0] == "x,y" and len(lines) == 31


def test_a_classroom_link_hides_file_uploads_and_hand_editing_unless_it_keeps_them():
    at = rendered({"show": "learning_rate"})
    assert [u for u in at.get("file_uploader")] == []
    assert t("playground.edit_hint") not in [c.value for c in at.caption]
    kept = rendered({"show": "learning_rate,weights,files"})
    assert len(kept.get("file_uploader")) == 2
    assert t("playground.edit_hint") in [c.value for c in kept.caption]


def test_new_sample_draws_the_next_seed_and_keeps_the_rest():
    at = rendered({"ds": "moons", "seed": "7", "hidden": "5:relu"})
    first = at.session_state["pg.run"].data.dataset.X.copy()
    at.button(key="pg.regenerate").click().run()
    assert_no_exception(at)
    run = at.session_state["pg.run"]
    assert run.config.seed == 8 and run.config.model.hidden[0].units == 5
    assert run.data.dataset.X.shape == first.shape and not np.array_equal(run.data.dataset.X, first)


@pytest.mark.parametrize("query", [{"ds": "multiclass"}, {"ds": "imbalanced"}, {"ds": "spirals"}, {"ds": "moons"}])
def test_every_data_control_has_a_tooltip(query):
    at = rendered(query)
    widgets = [
        *at.sidebar.selectbox,
        *at.sidebar.slider,
        *at.sidebar.multiselect,
        *at.sidebar.number_input,
        *at.sidebar.select_slider,
    ]
    missing = [w.label for w in widgets if not w.help]
    assert missing == [], missing


def test_turning_on_the_layer_view_adds_its_panel_and_picks_a_layer():
    from playground.live import playground as live

    at = rendered({"ds": "circles", "hidden": "6:tanh,3:tanh"})
    at.toggle(key="pg.layer_view").set_value(True).run()
    assert_no_exception(at)
    run = at.session_state["pg.run"]
    assert run.layer_view == 0
    at.selectbox(key="pg.layer_view_index").set_value(1).run()
    assert_no_exception(at)
    run = at.session_state["pg.run"]
    assert run.layer_view == 1
    names = [panel["name"] for panel in live.scene(run)["panels"]]
    assert "layer" in names
    frame = live.frame(run)
    assert len(frame["panels"]["layer"]["points"]) == 3 * len(run.data.raw.y_train)  # x, y, class per point


def test_the_leaky_slope_control_appears_with_leaky_relu_and_reaches_the_network_and_the_link():
    plain = rendered({"hidden": "4:tanh"})
    assert not [s for s in plain.select_slider if s.key == "pg.model.leaky_slope"]
    at = rendered({"hidden": "4:leaky_relu,2:tanh", "slope": "0.07"})
    slope = at.select_slider(key="pg.model.leaky_slope")
    assert slope.value == 0.07  # a slope from a link is kept even though it is not one of the offered steps
    slope.set_value(0.3).run()
    assert_no_exception(at)
    assert at.session_state["pg.run"].config.model.leaky_slope == 0.3
    assert at.query_params["slope"] in ("0.3", ["0.3"])


def test_the_loss_in_use_is_written_out_under_the_loss_control():
    at = rendered({"ds": "xor"})
    captions = [caption.value for caption in at.sidebar.caption]
    assert any("\\ln" in caption and "y_i" in caption for caption in captions)  # binary cross-entropy


@pytest.mark.parametrize(
    "reported",
    [
        {"want": "abc"},
        {"want": 1, "frames": "many"},
        {"want": 1, "frames": float("inf")},
        {"want": [1], "scene": 5},
        {"events": "click"},
        {"events": [{"id": float("nan"), "kind": "point", "x": 0, "y": 0}]},
        {"events": [{"id": 1, "kind": "select", "target": "edge", "layer": "x", "j": None}]},
        {"events": [{"id": True, "kind": "point", "x": "a", "y": {}}] * 500},
        "want",
        42,
        ["want"],
    ],
)
def test_a_tampered_live_view_value_is_ignored_without_an_exception(reported):
    """Everything the browser sends is untrusted (issue 19): a forged component value never crashes the session."""
    at = rendered({"ds": "xor"})
    at.button(key="pg.play").click().run()
    at.session_state["pg.live"] = reported
    at.run()
    assert_no_exception(at)
    run = at.session_state["pg.run"]
    assert run.trainer.epoch >= 0 and not run.config.data.points  # nothing forged was drawn or trained on


# ---- a browser's first run: the picture first, the controls on the next run ----------------------------------------
def _first_runs_with_a_browser(monkeypatch, query):
    """The first run as a browser gets it (AppTest has no browser, so it is told it has one), then the run the
    painted picture asks for."""
    monkeypatch.setattr(live_loop, "_has_browser", lambda: True)
    at = render_page(PAGE, query=query)
    assert_no_exception(at)
    return at


PICTURE_FIRST_QUERIES = [
    *({"ds": name} for name in PLAYGROUND_DATASETS),
    *(urlstate.query_from_config(preset) for preset in PRESETS.values() if preset.data.name in PLAYGROUND_DATASETS),
    {"ds": "drawn"},
    {"ds": "xor", "show": "dataset,learning_rate"},
    {"ds": "circles", "n": "abc", "noise": "9"},
    {"ds": "sine", "pts": "0.1,0.2,1"},  # points a regression target cannot use
]


@pytest.mark.parametrize("query", PICTURE_FIRST_QUERIES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items())[:60])
def test_a_browsers_first_run_draws_the_picture_and_the_controls_follow_without_restarting_it(monkeypatch, query):
    at = _first_runs_with_a_browser(monkeypatch, query)
    first_run = at.session_state["pg.run"]
    assert at.button(key="pg.play").label  # the transport and the view are there
    assert any(live_loop.CONTROLS_LATER_MARK in caption.value for caption in at.sidebar.caption)
    assert "pg.data.name" not in [w.key for w in at.sidebar.selectbox]  # no controls yet
    at.session_state["pg.controls"] = "due"  # what the view's first report does (see the test below)
    at.run()
    assert_no_exception(at)
    assert "pg.data.name" in [w.key for w in at.sidebar.selectbox] or "show" in query
    assert not any(live_loop.CONTROLS_LATER_MARK in caption.value for caption in at.sidebar.caption)
    # The controls describe exactly the experiment the picture showed: the run was kept, not restarted.
    assert at.session_state["pg.run"] is first_run


def test_a_links_warnings_stay_when_the_controls_arrive_and_go_at_the_users_next_action(monkeypatch):
    at = _first_runs_with_a_browser(monkeypatch, {"ds": "xor", "n": "abc"})
    assert any("n=abc" in w.value for w in at.warning)
    at.session_state["pg.controls"] = "due"
    at.run()
    assert any("n=abc" in w.value for w in at.warning)
    at.button(key="pg.step").click().run()
    assert not any("n=abc" in w.value for w in at.warning)


def test_without_a_browser_the_controls_are_drawn_at_once():
    at = rendered({"ds": "xor"})
    assert "pg.data.name" in [w.key for w in at.sidebar.selectbox]
    assert not any(live_loop.CONTROLS_LATER_MARK in caption.value for caption in at.sidebar.caption)


def test_the_views_first_report_of_a_painted_picture_reruns_the_page_once(monkeypatch):
    """``serve`` asks for the whole page when the view reports its first picture while the controls wait; the run
    that follows draws them, and nothing else reruns the page."""
    reruns = []
    monkeypatch.setattr(live_loop.st, "rerun", lambda scope="fragment": reruns.append(scope))
    monkeypatch.setattr(live_loop.st, "sidebar", SimpleNamespace(caption=lambda *args, **kwargs: None))
    monkeypatch.setattr(live_loop, "_has_browser", lambda: True)
    page = {}  # a page's state: get and item access, as PageState has
    assert live_loop.picture_first(page) is True and page["controls"] == "waiting"
    live_loop._controls_after_picture(page, {"want": 1, "scene": "v1", "shown": None})  # asked, not painted yet
    assert reruns == []
    live_loop._controls_after_picture(page, {"want": 1, "scene": "v1", "shown": "v1"})
    assert reruns == ["app"] and live_loop.controls_due(page)
    assert live_loop.picture_first(page) is False and not live_loop.controls_due(page)  # the controls' run
    live_loop._controls_after_picture(page, {"want": 2, "scene": "v1", "shown": "v1"})  # later reports: nothing
    assert reruns == ["app"]


def test_a_user_quicker_than_the_picture_gets_the_controls_with_their_own_rerun(monkeypatch):
    monkeypatch.setattr(live_loop.st, "sidebar", SimpleNamespace(caption=lambda *args, **kwargs: None))
    monkeypatch.setattr(live_loop, "_has_browser", lambda: True)
    page = {}
    assert live_loop.picture_first(page) is True
    assert live_loop.picture_first(page) is False  # e.g. a preset picked before the picture was painted
    assert page["controls"] == "drawn" and not live_loop.controls_due(page)


def test_a_link_with_a_preset_names_it_in_the_picker_with_its_description():
    at = rendered({"preset": "xor_2_2_1", "lr": "0.1"})
    assert at.selectbox(key="pg.preset").value == "xor_2_2_1"
    assert t("presets.xor_2_2_1.description") in [caption.value for caption in at.sidebar.caption]
    assert at.session_state["pg.run"].config.train.learning_rate == 0.1  # the link's own values still apply
