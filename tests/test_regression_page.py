"""Regression lab: figure builders (pure) and the page rendered in-process with AppTest."""

import base64
import json

import numpy as np
import pytest

from core.engine.network import Network
from core.experiment.boundary import BoundaryGrid
from core.labs.regression import TARGETS, Sweep, curve_grid, decompose
from playground.i18n import t
from playground.live_view import payload_of
from playground.pages.regression import figures as fig
from tests.apptest_helpers import assert_no_exception, missing_keys, render_page

PAGE = "app_pages/regression.py"
XS = curve_grid(50)[:, 0]
TRAIN = (np.array([[-1.0], [0.0], [1.0]]), np.array([-0.8, 0.1, 0.9]))
TEST = (np.array([[0.5]]), np.array([0.4]))


def _net(units=3, seed=0):
    return Network.from_spec(1, [{"units": units, "activation": "sigmoid"}, {"units": 1}], loss="mse", seed=seed)


def _sweep(parameter="units", values=(1.0, 4.0, 16.0), test=(0.5, 0.3, 0.6), curves=True):
    grid = curve_grid(20)
    return Sweep(
        parameter, values, np.array([0.5, 0.2, 0.1]), np.array(test), np.zeros(3), np.zeros(3),
        grid if curves else None, np.tile(np.linspace(0, 1, 20), (3, 1)) if curves else None,
    )  # fmt: skip


# ---- figure builders -------------------------------------------------------------------------------------


def test_fit_figure_keeps_the_first_curve_as_trace_0_for_live_updates():
    figure = fig.fit_figure(XS, {"network": np.sin(XS), "other": np.cos(XS)}, TRAIN, TEST, true_curve=XS,
                            outliers=np.array([False, True, False]))  # fmt: skip
    names = [trace.name for trace in figure.data]
    assert names[0] == "network" and "other" in names
    np.testing.assert_allclose(figure.data[0].y, np.sin(XS))
    ringed = next(trace for trace in figure.data if trace.name == t("regression.fig.outliers"))
    assert list(ringed.x) == [0.0] and list(ringed.y) == [0.1]
    assert t("regression.fig.true_curve") in names


def test_fit_figure_without_outliers_draws_no_outlier_trace():
    figure = fig.fit_figure(XS, {"network": XS}, TRAIN, outliers=np.zeros(3, dtype=bool))
    assert t("regression.fig.outliers") not in [trace.name for trace in figure.data]


def test_decomposition_figure_draws_every_neuron_twice_and_the_sum_as_the_prediction():
    net = _net(units=3)
    parts = decompose(net, XS[:, None])
    figure = fig.decomposition_figure(XS, parts, TRAIN)
    neuron_traces = [trace for trace in figure.data if trace.legendgroup in ("0", "1", "2")]
    assert len(neuron_traces) == 6  # a_j(x) on top, w_j·a_j(x) below
    total = next(trace for trace in figure.data if trace.name == t("regression.fig.sum"))
    np.testing.assert_allclose(total.y, net.predict(XS[:, None])[:, 0], atol=1e-10)
    bias = next(trace for trace in figure.data if trace.name == t("regression.fig.bias", bias=parts.bias))
    assert list(bias.y) == [parts.bias, parts.bias]


def test_decomposition_figure_hides_the_legend_of_wide_layers():
    parts = decompose(_net(units=fig.MAX_LEGEND_NEURONS + 1), XS[:, None])
    neurons = [trace for trace in fig.decomposition_figure(XS, parts).data if trace.legendgroup]
    assert not any(trace.showlegend for trace in neurons)


def test_decomposition_grid_figure_has_one_panel_per_shown_neuron_plus_the_sum():
    net = Network.from_spec(2, [{"units": 10, "activation": "tanh"}, {"units": 1}], loss="mse", seed=0)
    xs = ys = np.linspace(-2, 2, 6)
    gx, gy = np.meshgrid(xs, ys)
    parts = decompose(net, np.column_stack([gx.ravel(), gy.ravel()]))
    figure = fig.decomposition_grid_figure(xs, ys, parts)
    assert len(figure.data) == fig.MAX_NEURON_PANELS + 1
    np.testing.assert_allclose(figure.data[-1].z, parts.total.reshape(6, 6))
    assert len({(trace.zmin, trace.zmax) for trace in figure.data}) == 1  # one shared colour range


def test_surface_figure_puts_heatmap_and_points_on_one_colour_scale():
    grid = BoundaryGrid(np.arange(3.0), np.arange(2.0), np.array([[0.0, 1.0, 2.0], [0.5, 1.5, 2.5]]))
    train = (np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([-1.0, 0.5]))
    figure = fig.surface_figure(grid, train, (np.array([[2.0, 1.0]]), np.array([3.0])))
    heatmap = figure.data[0]
    assert (heatmap.zmin, heatmap.zmax) == (-1.0, 3.0)
    assert all((trace.marker.cmin, trace.marker.cmax) == (-1.0, 3.0) for trace in figure.data[1:])


def test_sweep_figure_stars_the_lowest_test_error():
    figure = fig.sweep_figure(_sweep(test=(0.5, 0.3, 0.6)))
    star = next(trace for trace in figure.data if trace.name == t("regression.fig.best"))
    assert list(star.x) == ["4"] and list(star.y) == [0.3]
    assert list(figure.data[0].x) == ["1", "4", "16"]


def test_sweep_labels_write_l2_strengths_compactly():
    assert fig.sweep_labels(_sweep("l2", values=(0.0, 0.001, 0.1))) == ["0", "0.001", "0.1"]


def test_sweep_curves_figure_draws_each_chosen_value_once():
    figure = fig.sweep_curves_figure(_sweep(), (0, 1, 1, 2), TRAIN)
    labels = [t("regression.fig.sweep_value.units", value=v) for v in ("1", "4", "16")]
    assert [trace.name for trace in figure.data if trace.name in labels] == labels


def test_sweep_curves_figure_refuses_a_sweep_without_curves():
    with pytest.raises(ValueError, match="1-D"):
        fig.sweep_curves_figure(_sweep(curves=False), (0,), TRAIN)


# ---- the page --------------------------------------------------------------------------------------------


def _chart(at, key: str) -> dict:
    for element in at.get("plotly_chart"):
        if element.proto.id.endswith(f"-{key}"):
            return json.loads(element.proto.spec)
    raise AssertionError(f"no chart with key {key!r}")


def _values(data) -> np.ndarray:
    if isinstance(data, dict):  # Plotly's typed arrays
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"])
    return np.asarray(data, dtype=float)


def _live(at) -> dict:
    """What the page last sent to the live view: scene (or None), frames, seq, playing."""
    [view] = at.get("component_instance")
    return payload_of(view.proto.json_args)


def _panels(args: dict) -> dict[str, dict]:
    return {panel["name"]: panel for panel in args["scene"]["panels"]}


def _counter(frame: dict, name: str) -> str:
    return next(c["value"] for c in frame["counters"] if c["name"] == name)


def _true_curve(panel: dict) -> tuple[np.ndarray, np.ndarray]:
    trace = next(tr for tr in panel["figure"]["data"] if tr.get("name") == t("regression.fig.true_curve"))
    return _values(trace["x"]), _values(trace["y"])


@pytest.fixture(scope="module")
def opened():
    """The page as it opens: the 1-3-1 sine preset, untrained."""
    return render_page(PAGE)


def test_page_opens_on_the_sine_preset_with_the_live_fit_and_metrics(opened):
    assert_no_exception(opened)
    assert missing_keys(opened) == []
    assert opened.title[0].value == t("regression.title")
    args = _live(opened)
    assert not args["playing"] and args["frames"] == []
    panels = _panels(args)
    assert list(panels) == ["fit", "decomposition", "loss", "metric"]
    assert _counter(args["scene"]["first_frame"], "epoch") == "0 / 800"
    neurons = {trace.get("legendgroup") for trace in panels["decomposition"]["figure"]["data"]} - {None}
    assert neurons == {"0", "1", "2"}
    assert panels["fit"]["canvas_lines"] == [0]  # the fitted curve, computed and painted by the browser
    table = opened.dataframe[0].value
    assert len(table) == 6
    assert not opened.warning


@pytest.mark.parametrize("name", TARGETS)
def test_every_target_renders_without_exception_or_missing_string(name):
    at = render_page(PAGE, state={"reg.target": name})
    assert_no_exception(at)
    assert missing_keys(at) == []
    assert not at.warning
    panels = _panels(_live(at))
    if name in ("plane", "multi_gaussian"):  # canvases the browser computes from the parameters
        assert panels["surface"]["net"] and panels["surface"]["train_points"]
    else:
        assert panels["fit"]["figure"]["data"]
    assert {"decomposition", "loss", "metric"} <= set(panels)


@pytest.mark.parametrize(
    ("formula", "problem"),
    [("__import__('os')", "double underscores"), ("open('/etc/passwd')", "unknown function"), ("exp(9*x)", "±")],
)
def test_rejected_formula_warns_with_the_problem_and_falls_back_to_sine(formula, problem):
    at = render_page(PAGE, state={"reg.target": "formula", "reg.formula": formula})
    assert_no_exception(at)
    [warning] = at.warning
    assert problem in warning.value and t("regression.formula_rejected", problem="")[:15] in warning.value
    if "__" in formula:  # escaped, so that Markdown shows the underscores instead of bold text
        assert "\\_\\_import\\_\\_" in warning.value
    xs, ys = _true_curve(_panels(_live(at))["fit"])
    np.testing.assert_allclose(ys, np.sin(xs), atol=1e-9)


def test_typing_a_hostile_formula_into_the_box_is_rejected_and_a_good_one_is_drawn():
    at = render_page(PAGE, state={"reg.target": "formula"})
    assert not at.warning
    at.text_input(key="reg.formula").input("__import__('os').system('ls')").run()
    assert_no_exception(at)
    assert t("formula.forbidden", fragment="__import__('os').system")[:30] in at.warning[0].value
    at.text_input(key="reg.formula").input("x**2 / 4").run()
    assert not at.warning
    xs, ys = _true_curve(_panels(_live(at))["fit"])
    np.testing.assert_allclose(ys, xs**2 / 4, atol=1e-9)


def test_step_trains_exactly_one_epoch_whatever_the_speed(opened):
    at = render_page(PAGE, state={"reg.speed": 250})
    before = at.session_state["reg.run"].trainer.history
    assert len(before.epoch) == 0
    untrained = [w.copy() for w in at.session_state["reg.run"].trainer.network.weights]
    at.button(key="reg.step").click().run()
    assert_no_exception(at)
    args = _live(at)
    [frame] = args["frames"]
    assert _counter(frame, "epoch") == "1 / 800" and frame["epoch"] == 1
    assert at.session_state["reg.run"].trainer.epoch == 1 and not args["playing"]
    trained = at.session_state["reg.run"].trainer.network.weights
    assert any(not np.array_equal(a, b) for a, b in zip(untrained, trained, strict=True))
    assert len(frame["panels"]["loss"]["extend"]["x"][0]) == 1  # the epoch's loss joins the curve
    at.button(key="reg.step").click().run()
    assert _counter(_live(at)["frames"][0], "epoch") == "2 / 800"


def test_a_frame_carries_the_parameters_the_browser_draws_the_fit_and_its_terms_from():
    from playground.live import playground as live
    from playground.pages.regression import figures as figures_regression

    at = render_page(PAGE)
    scene = _live(at)["scene"]
    at.button(key="reg.step").click().run()
    [frame] = _live(at)["frames"]
    run = at.session_state["reg.run"]
    net = run.trainer.network
    assert frame["params"] == live.network_params(net)  # full precision: the curves equal core's (test_terms_js)
    # The browser's forward pass runs on the figures' own x, through the network's layers.
    spec = scene["net"]
    np.testing.assert_allclose(np.linspace(*spec["x_range"], spec["points"]), run.xs[:, 0], atol=1e-15)
    assert spec["sizes"] == net.layer_sizes and spec["activations"] == [layer.activation for layer in net.layers]
    panels = _panels(_live(render_page(PAGE)))
    assert panels["fit"]["computed"] == "fit" and panels["decomposition"]["computed"] == "decomposition"
    assert panels["decomposition"]["computed_traces"] == figures_regression.decomposition_traces(3)
    # No curve travels from the server any more; the labels carry the weights the terms were scaled by.
    assert "fit" not in frame["panels"] and "y" not in frame["panels"]["decomposition"]["restyle"]
    weights = net.weights[-1][0]
    assert frame["panels"]["decomposition"]["restyle"]["name"][1] == t(
        "regression.fig.neuron", number=1, weight=weights[0]
    )


def test_play_sends_batches_of_frames_and_pause_stops_training(monkeypatch):
    # A batch stops early when its time budget runs out; on a loaded CI box that can leave a single frame, so the
    # budget is generous here (the budget itself is the live view's business, not this test's).
    monkeypatch.setattr("playground.live.playground.BATCH_BUDGET_S", 30.0)
    at = render_page(PAGE)
    at.button(key="reg.play").click().run()
    assert_no_exception(at)
    args = _live(at)
    run = at.session_state["reg.run"]
    assert args["playing"] and run.playing and len(args["frames"]) > 1
    epochs = [frame["epoch"] for frame in args["frames"]]
    assert epochs == sorted(epochs) and epochs[-1] == run.trainer.epoch > 0
    assert args["frames"][-1]["status"] == t("regression.status.training")
    at.button(key="reg.play").click().run()
    assert not at.session_state["reg.run"].playing
    paused = at.session_state["reg.run"].trainer.epoch
    at.run()
    assert at.session_state["reg.run"].trainer.epoch == paused
    assert at.dataframe  # the metrics table is back once training stands still


def test_a_run_played_to_its_last_epoch_says_finished_and_play_starts_it_over(monkeypatch):
    # one batch reaches the end even on a loaded box
    monkeypatch.setattr("playground.live.playground.BATCH_BUDGET_S", 30.0)
    at = render_page(PAGE, state={"reg.train.epochs": 20, "reg.speed": 250})  # 4 epochs a snapshot
    at.button(key="reg.play").click().run()
    args = _live(at)
    run = at.session_state["reg.run"]
    assert run.trainer.epoch == 20 and not run.playing and not args["playing"]
    assert args["frames"][-1]["status"] == t("regression.status.finished")
    assert _counter(args["frames"][-1], "epoch") == "20 / 20"
    assert at.button(key="reg.play").label == t("regression.play")  # not a stale "Pause" that would restart it
    at.button(key="reg.play").click().run()
    assert_no_exception(at)
    fresh = at.session_state["reg.run"]
    assert fresh.version == run.version + 1 and fresh.playing and fresh.trainer.epoch == 0
    assert _counter(_live(at)["scene"]["first_frame"], "epoch") == "0 / 20"  # the new run's scene first
    at.run()  # then the frames the view asks for
    assert [frame["epoch"] for frame in _live(at)["frames"]] == [4, 8, 12, 16, 20]


def test_reset_starts_again_from_epoch_zero_with_a_new_scene():
    at = render_page(PAGE)
    at.button(key="reg.step").click().run()
    version = at.session_state["reg.run"].version
    at.button(key="reg.reset").click().run()
    assert_no_exception(at)
    run = at.session_state["reg.run"]
    assert run.trainer.epoch == 0 and run.version == version + 1
    scene = _live(at)["scene"]
    assert scene["version"].startswith(f"{version + 1}-")
    assert _counter(scene["first_frame"], "epoch") == "0 / 800"


def test_a_2d_target_sends_parameters_the_browser_draws_the_surface_and_every_term_from():
    from playground.live import playground as live
    from playground.live import regression as regression_live

    at = render_page(PAGE, state={"reg.target": "multi_gaussian", "reg.speed": 1000})
    args = _live(at)
    panels = _panels(args)
    run = at.session_state["reg.run"]
    surface, terms = panels["surface"], panels["decomposition"]
    assert surface["kind"] == "field" and terms["kind"] == "terms"  # canvases computed in the browser
    assert surface["net"]["features"] == ["x1", "x2"] and surface["net"]["sizes"] == run.trainer.network.layer_sizes
    assert surface["net"]["resolution"] >= 100
    # One colour range all run long, shared by the points: the untrained surface's and the targets' extremes.
    low, high = surface["z_range"]
    assert surface["value_range"] == surface["z_range"]
    assert low <= run.data.split.y_train.min() and high >= run.data.split.y_train.max()
    assert terms["shown"] == 3 and len(terms["titles"]) == 4 and "{weight}" in terms["titles"][0]
    assert "{bias}" in terms["titles"][-1]
    # Played by the epoch clock at the screen's rate: at 1000 epochs/s a snapshot per painted frame, 16⅔ epochs apart.
    assert (args["speed"], args["epochs_per_frame"]) == (1000, 1000 / live.SCREEN_FPS)
    at.button(key="reg.step").click().run()
    assert_no_exception(at)
    [frame] = _live(at)["frames"]
    params = live.network_params(at.session_state["reg.run"].trainer.network)
    assert frame["panels"]["surface"] == {"params": params}  # parameters, no grid
    assert frame["panels"]["decomposition"] == {"params": params}
    assert "grid" not in json.dumps(frame["panels"]) and "restyle" not in json.dumps(frame["panels"])
    assert terms["net"]["resolution"] == regression_live.TERMS_RESOLUTION


def test_the_3d_surface_is_drawn_by_plotly_with_its_z_computed_in_the_browser_on_the_same_cells():
    from playground.live import regression as regression_live

    at = render_page(PAGE, state={"reg.target": "multi_gaussian", "reg.surface_3d": True})
    assert_no_exception(at)
    panels = _panels(_live(at))
    surface = panels["surface"]
    assert surface["kind"] == "plotly" and panels["decomposition"]["kind"] == "terms"
    # The figure's x and y are the cell centres the browser's forward pass runs on (frontend/main.js setupGrid).
    n, (d0, d1) = surface["net"]["resolution"], surface["net"]["domain"]
    centres = d0 + (d1 - d0) * (np.arange(n) + 0.5) / n
    trace = surface["figure"]["data"][0]
    np.testing.assert_allclose(_values(trace["x"]), centres, atol=1e-12)
    np.testing.assert_allclose(_values(trace["y"]), centres, atol=1e-12)
    np.testing.assert_allclose(regression_live.cell_centres(n).inputs[:, 0].reshape(n, n)[0], centres)
    at.button(key="reg.step").click().run()
    [frame] = _live(at)["frames"]
    params = live_params(at.session_state["reg.run"])
    assert frame["panels"]["surface"] == {"params": params} == frame["panels"]["decomposition"]


def live_params(run) -> dict:
    from playground.live import playground as live

    return live.network_params(run.trainer.network)


def test_a_classification_loss_is_explained_and_replaced_by_the_preset():
    at = render_page(PAGE, state={"reg.model.loss": "bce"})
    assert_no_exception(at)
    [warning] = at.warning
    assert "bce" in warning.value


def test_zero_targets_are_reported_under_the_metrics_table():
    at = render_page(PAGE, state={"reg.target": "step", "reg.noise": 0.0})
    captions = " ".join(caption.value for caption in at.caption)
    assert t("regression.table.test") in captions and "MAPE" in captions


def test_the_mape_formula_shown_is_the_one_computed_when_zero_targets_are_left_out():
    from core.experiment.metrics import regression_metrics
    from playground.pages.regression.page import metrics_table

    y, a = np.array([0.0, 0.0, 1.0, 2.0]), np.array([0.5, -0.5, 1.5, 1.0])
    scores = regression_metrics(y, a)
    assert scores["mape"] == pytest.approx(100 / 2 * (0.5 / 1 + 1.0 / 2))  # m′ = 2 targets used, not m = 4
    row = metrics_table(scores, scores)[t("regression.table.formula")][1]
    assert row == t("regression.metric_formulas.mape_nonzero") and "m′" in row
    clean = regression_metrics(np.array([1.0, 2.0]), np.array([1.5, 1.0]))
    assert metrics_table(clean, clean)[t("regression.table.formula")][1] == t("regression.metric_formulas.mape")


def test_loss_comparison_trains_mse_mae_and_huber_on_the_outliers():
    at = render_page(PAGE, state={"reg.target": "outliers", "reg.train.epochs": 30, "reg.n_samples": 60})
    at.button(key="reg.losses_run").click().run()
    assert_no_exception(at)
    names = [trace.get("name") for trace in _chart(at, "reg.losses_chart")["data"]]
    assert {t("regression.losses.mse"), t("regression.losses.mae"), t("regression.losses.huber")} <= set(names)
    assert {m.label for m in at.metric} >= {t("regression.losses.mse"), t("regression.losses.huber")}


def test_sweeps_draw_error_against_units_and_l2_with_their_curves():
    at = render_page(PAGE, state={"reg.sweep.epochs": 100, "reg.sweep.n_samples": 16})
    at.button(key="reg.sweep_run").click().run()
    assert_no_exception(at)
    units = _chart(at, "reg.sweep_units_chart")
    assert list(units["data"][0]["x"]) == ["1", "2", "4", "8", "16", "32"]
    l2 = _chart(at, "reg.sweep_l2_chart")
    assert list(l2["data"][0]["x"])[0] == "0"
    assert _chart(at, "reg.sweep_units_curves")["data"] and _chart(at, "reg.sweep_l2_curves")["data"]


def test_polynomial_section_takes_the_cubic_apart_and_scores_it_beside_the_network(opened):
    spec = _chart(opened, "reg.poly_chart")
    terms = [trace for trace in spec["data"] if trace.get("legendgroup") in ("0", "1", "2")]
    assert len(terms) == 6  # x^k on top and c_k·x^k below, for k = 1, 2, 3
    names = {trace["name"] for trace in terms}
    assert any(name.endswith("·x³") for name in names) and any(name.endswith("·x") for name in names)
    labels = {metric.label: metric.value for metric in opened.metric}
    assert {t("regression.polynomial_r2"), t("regression.network_r2"), t("regression.largest_terms")} <= set(labels)
    assert float(labels[t("regression.polynomial_r2")]) > 0.8  # a cubic fits one period of a sine well


def test_the_live_fit_is_introduced_as_a_curve_for_1d_targets_and_as_a_surface_for_2d_ones():
    for target, intro, title in (
        ("sine", "regression.live_intro", "regression.decomposition_title"),
        ("plane", "regression.live_intro_2d", "regression.decomposition_title_2d"),
    ):
        at = render_page(PAGE, state={"reg.target": target})
        assert_no_exception(at)
        texts = [m.value for m in at.markdown]
        assert t(intro) in texts
        assert t("regression.live_intro" if target == "plane" else "regression.live_intro_2d") not in texts
        scene = next(c for c in at.get("component_instance") if "live" in c.proto.id)
        assert title in scene.proto.json_args or t(title) in scene.proto.json_args


def test_raising_the_degree_adds_terms_and_a_2d_target_is_explained_instead():
    at = render_page(PAGE, state={"reg.poly_degree": 9})
    assert_no_exception(at)
    groups = {trace.get("legendgroup") for trace in _chart(at, "reg.poly_chart")["data"]} - {None}
    assert groups == {str(j) for j in range(9)}
    plane = render_page(PAGE, state={"reg.target": "plane"})
    assert_no_exception(plane)
    assert t("regression.polynomial_1d_only") in [caption.value for caption in plane.caption]


def test_decomposition_figure_takes_names_scales_and_titles_for_other_sums():
    parts = decompose(_net(units=2), XS[:, None])
    figure = fig.decomposition_figure(
        XS,
        parts,
        term_names=["first", "second"],
        feature_scale=np.array([2.0, 4.0]),
        labels={"top": "features", "bottom_axis": "terms"},
    )
    first = [trace for trace in figure.data if trace.name == "first"]
    np.testing.assert_allclose(first[0].y, parts.activations[:, 0] / 2.0)
    np.testing.assert_allclose(first[1].y, parts.contributions[:, 0])  # the terms are never rescaled
    assert figure.layout.annotations[0].text == "features"
    assert figure.layout.yaxis2.title.text == "terms"


def test_the_notes_penalty_on_high_powers_changes_the_polynomial():
    at = render_page(PAGE, state={"reg.poly_degree": 9})
    free = {trace["name"] for trace in _chart(at, "reg.poly_chart")["data"]}
    at.select_slider(key="reg.poly_penalty").set_value(1000.0).run()
    assert_no_exception(at)
    penalised = {trace["name"] for trace in _chart(at, "reg.poly_chart")["data"]}
    assert free != penalised  # the coefficients in the legend moved
    assert any("C\\sum_{k\\ge 3}" in formula.value for formula in at.latex)


def test_beyond_the_data_draws_both_fits_past_the_points_with_their_range_shaded():
    at = render_page(PAGE)
    at.toggle(key="reg.beyond").set_value(True).run()
    assert_no_exception(at)
    spec = _chart(at, "reg.beyond_chart")
    names = [trace.get("name") for trace in spec["data"]]
    assert t("regression.network_curve") in names and t("regression.polynomial_curve", degree=3) in names
    xs = _values(spec["data"][0]["x"])
    assert xs.min() < -6 and xs.max() > 6  # twice the data's [-π, π]
    [shade] = spec["layout"]["shapes"]
    assert (shade["x0"], shade["x1"]) == pytest.approx((-np.pi, np.pi))
