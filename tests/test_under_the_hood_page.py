"""The Under the hood page renders every demo, steps through backprop, runs the gradient check and the explorer."""

from __future__ import annotations

import numpy as np
import pytest

from core import Network
from core.engine.gradcheck import gradient_check
from core.experiment.config import DataConfig, ExperimentConfig, LayerConfig, ModelConfig
from core.experiment.presets import PRESETS
from core.labs.diagnostics import DEMOS
from core.labs.stepthrough import step_through
from playground.i18n import t
from playground.pages.under_the_hood import figures as fig
from tests.apptest_helpers import assert_no_exception, missing_keys, render_page

PAGE = "app_pages/under_the_hood.py"


def _render(**options):
    at = render_page(PAGE, timeout=180, **options)
    assert_no_exception(at)
    assert missing_keys(at) == []
    return at


def _markdown(at) -> str:
    return "\n".join(element.value for element in at.markdown)


def _opening_tab(at) -> int:
    """Index of the tab the page opens on (the tab container's default)."""
    containers = [
        node.proto.tab_container
        for node in at
        if getattr(node, "proto", None) is not None
        and "tab_container" in [f.name for f in node.proto.DESCRIPTOR.fields]
        and node.proto.HasField("tab_container")
    ]
    assert len(containers) == 1
    return containers[0].default_tab_index


def test_page_opens_on_the_notes_2_2_1_network_with_five_tabs():
    at = _render()
    assert [title.value for title in at.title] == [t("under_the_hood.title")]
    assert [tab.label for tab in at.tabs] == [
        t("under_the_hood.tabs.flow"), t("under_the_hood.tabs.step"), t("under_the_hood.tabs.check"),
        t("under_the_hood.tabs.init"), t("under_the_hood.tabs.landscape"),
    ]  # fmt: skip
    assert _opening_tab(at) == 0 and len(at.warning) == 0
    assert at.selectbox(key="uth.source").value == "yours"
    assert at.session_state["uth.config"] == PRESETS["xor_2_2_1"]
    assert len(at.get("plotly_chart")) >= 5


@pytest.mark.parametrize("demo", list(DEMOS))
def test_every_demo_renders_with_its_explanation(demo):
    at = _render(state={"uth.source": demo})
    assert at.selectbox(key="uth.source").value == demo
    assert t(f"under_the_hood.demos.{demo}.explain").split("**")[1] in _markdown(at)
    table = at.dataframe[0].value
    assert len(table) == len(DEMOS[demo].runs)
    diverged = [label for label, cfg in DEMOS[demo].runs.items() if label in ("normal_init", "no_clipping")]
    assert len(at.warning) == len(diverged)


def test_next_and_previous_walk_every_step_of_the_2_2_1_network():
    at = _render()
    formulas, positions = [], []
    assert at.button(key="uth.previous").disabled
    for index in range(16):
        formulas.append(at.latex[0].value.strip("$\n"))
        positions.append(at.get("progress")[0].proto.text)
        if index < 15:
            at.button(key="uth.next").click().run()
            assert_no_exception(at)
    phases = [t(f"under_the_hood.step.phases.{'forward' if i < 9 else 'backward'}") for i in range(16)]
    assert positions == [
        t("under_the_hood.step.position", number=i + 1, count=16, phase=phase) for i, phase in enumerate(phases)
    ]
    assert formulas[0] == "A_{0} = X"
    assert formulas[3] == r"Z_{1} = W_{1}\,A_{0} + b_{1}"
    assert formulas[9] == r"dZ_{2} = \frac{1}{n}(A_{2} - Y)"
    assert formulas[15] == r"db_{1} = dZ_{1}\,\mathbf{1}_{n}"
    assert len(set(formulas)) == 16
    assert at.session_state["uth.step"] == 15
    assert at.button(key="uth.next").disabled  # nothing after the last step
    at.button(key="uth.previous").click().run()
    assert at.session_state["uth.step"] == 14 and at.latex[0].value.strip("$\n") == formulas[14]


def test_gradient_check_button_reports_a_pass_for_the_default_network():
    at = _render()
    assert t("under_the_hood.check.not_run") in [info.value for info in at.info]
    at.button(key="uth.run_check").click().run()
    assert_no_exception(at)
    assert len(at.success) == 1
    assert at.success[0].value.startswith(t("under_the_hood.check.verdict_pass", name="", error=0.0, n=0)[:40])
    assert len(at.dataframe[1].value) == 4


def test_explorer_accepts_every_control():
    at = _render()
    at.selectbox(key="uth.init_scheme").set_value("he")
    at.selectbox(key="uth.init_activation").set_value("relu")
    at.slider(key="uth.init_depth").set_value(8)
    at.slider(key="uth.init_units").set_value(64)
    at.run()
    assert_no_exception(at)
    assert t("under_the_hood.init.schemes.he") in _markdown(at)


def test_playground_network_can_be_loaded_and_changes_the_step_through():
    deeper = ExperimentConfig(DataConfig("moons"), ModelConfig(hidden=(LayerConfig(3, "relu"), LayerConfig(2, "tanh"))))
    at = _render(state={"pg.config": deeper})
    at.button(key="uth.use_playground").click().run()
    assert_no_exception(at)
    assert at.session_state["uth.config"].model.hidden == deeper.model.hidden
    # three layers: A0, then W, b, Z, A for each (13); back: dZ, dW, db for each and dA between them (11)
    forward = t("under_the_hood.step.phases.forward")
    assert at.get("progress")[0].proto.text == t("under_the_hood.step.position", number=1, count=24, phase=forward)


def test_every_control_has_a_tooltip():
    at = _render()
    controls = [
        *at.selectbox,
        *at.slider,
        *at.button,
        *at.radio,
        *at.number_input,
        *at.select_slider,
        *at.multiselect,
        *at.toggle,
    ]
    missing = [getattr(c, "label", "?") for c in controls if not c.help]
    assert missing == []


@pytest.mark.parametrize(("tab", "index"), [("step", 1), ("landscape", 4), ("init", 3)])
def test_a_tab_link_opens_that_tab(tab, index):
    at = _render(query={"tab": tab})
    assert _opening_tab(at) == index
    assert at.session_state["uth.tab"] == t(f"under_the_hood.tabs.{tab}")
    assert len(at.warning) == 0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_unknown_tab_link_warns_with_the_allowed_names_and_still_renders(lang):
    at = _render(query={"tab": "backprop", "lang": lang})
    assert [w.value for w in at.warning] == [
        t("under_the_hood.unknown_tab", tab="backprop", allowed="flow, step, check, init, landscape", lang=lang)
    ]
    assert _opening_tab(at) == 0
    assert len(at.get("plotly_chart")) >= 5


def test_landscape_tab_draws_the_loss_and_three_paths_and_explains_them():
    at = _render(query={"tab": "landscape"})
    assert at.radio(key="uth.land_centre").value == "trained"
    assert at.selectbox(key="uth.land_first").value == "W1[0,0]"
    assert at.selectbox(key="uth.land_second").value == "W2[0,1]"
    table = at.dataframe[-1].value
    assert list(table.iloc[:, 0]) == ["sgd", "momentum", "adam"]
    markdown = _markdown(at)
    assert t("under_the_hood.landscape.intro").split("**")[1] in markdown
    assert t("under_the_hood.landscape.read").split("**")[1] in markdown


def test_landscape_controls_switch_to_random_directions_a_3d_surface_and_a_diverging_rate():
    at = _render(query={"tab": "landscape"})
    at.radio(key="uth.land_kind").set_value("directions")
    at.radio(key="uth.land_centre").set_value("init")
    at.toggle(key="uth.land_surface").set_value(True)
    at.select_slider(key="uth.land_lr").set_value(30.0)
    at.multiselect(key="uth.land_optimizers").set_value(["sgd", "rmsprop"])
    at.run()
    assert_no_exception(at)
    assert missing_keys(at) == []
    table = at.dataframe[-1].value
    assert list(table.iloc[:, 0]) == ["sgd", "rmsprop"]
    at.multiselect(key="uth.land_optimizers").set_value([]).run()
    assert t("under_the_hood.landscape.no_optimizers") in [info.value for info in at.info]


# ---- figure builders (plain data in, figure out; no Streamlit needed) ----------------------------------------
def test_per_layer_curves_leave_zeros_off_the_log_axis_and_mark_a_run_without_epochs():
    figure = fig.per_layer_curves_figure(
        {"a": [[1e-3, 0.0], [2e-3, 1e-1]], "b": []}, {"a": [1, 2], "b": []}, title="t", y_title="y"
    )
    assert len(figure.data) == 2  # one line per layer of run "a", nothing for "b"
    assert list(figure.data[1].y) == [None, 1e-1]
    assert [a.text for a in figure.layout.annotations][-1] == t("under_the_hood.fig.no_epochs")
    assert figure.layout.yaxis.type == "log" and figure.layout.yaxis2.range == figure.layout.yaxis.range


def test_step_matrix_figure_shows_the_step_value_with_unit_and_sample_labels():
    net = Network.from_spec(input_dim=2, layers=[{"units": 3, "activation": "tanh"}, {"units": 1}], seed=0)
    walk = step_through(net, np.ones((4, 2)), np.zeros((4, 1)))
    z1 = walk.find("Z", 1)
    heatmap = fig.step_matrix_figure(z1).data[0]
    np.testing.assert_array_equal(np.asarray(heatmap.z), z1.value)
    assert list(heatmap.y) == [t("under_the_hood.fig.unit", n=i) for i in (1, 2, 3)]
    assert list(heatmap.x) == [t("under_the_hood.fig.sample", n=j) for j in (1, 2, 3, 4)]
    assert heatmap.texttemplate  # small enough to print the numbers


def test_gradcheck_figure_colours_each_tensor_by_its_status():
    net = Network.from_spec(input_dim=2, layers=[{"units": 3, "activation": "tanh"}, {"units": 1}], seed=0)
    result = gradient_check(net, np.random.default_rng(0).normal(size=(5, 2)), np.zeros((5, 1)))
    bars = fig.gradcheck_figure(result, title="t").data[0]
    assert list(bars.x) == ["W1", "b1", "W2", "b2"]
    assert list(bars.marker.color) == [fig.STATUS_COLOURS["pass"]] * 4


def test_landscape_figure_draws_the_grid_and_marks_each_path_start_and_end():
    from core.labs.landscape import centre_network, loss_grid, optimizer_paths, parameter_plane

    centre = centre_network(PRESETS["xor_2_2_1"], "init")
    plane = parameter_plane(centre.network)
    grid = loss_grid(centre.network, centre.X, centre.y, plane, span=2.0, resolution=7)
    paths = optimizer_paths(centre.network, centre.X, centre.y, plane, ("sgd", "adam"), start=plane.origin, steps=5)
    figure = fig.landscape_figure(grid, paths, axis_titles=("W1[0,0]", "W2[0,1]"), log_colour=True)
    contour = figure.data[0]
    np.testing.assert_allclose(np.asarray(contour.z, dtype=float), np.log10(grid.loss))
    named = [trace for trace in figure.data if trace.name in ("sgd", "adam")]
    assert [trace.name for trace in named] == ["sgd", "adam"] and len(named[0].x) == 6
    markers = [trace for trace in figure.data[1:] if trace.mode == "markers"]
    assert [list(m.marker.symbol) for m in markers] == [["circle", "diamond"]] * 2
    assert list(figure.layout.xaxis.range) == [grid.a[0], grid.a[-1]]
    surface = fig.landscape_figure(grid, paths, axis_titles=("a", "b"), log_colour=False, surface=True)
    assert surface.data[0].type == "surface" and np.allclose(np.asarray(surface.data[0].z, dtype=float), grid.loss)


def test_a_trained_playground_network_brings_its_weights_until_a_setting_changes():
    from core.experiment.run import prepare_data
    from playground.live import playground as live

    config = ExperimentConfig(DataConfig("moons"), ModelConfig(hidden=(LayerConfig(3, "tanh"),)))
    run = live.new_run(config, prepare_data(config), 1)
    for _ in range(25):
        run.trainer.train_epoch()
    at = _render(state={"pg.config": config, "pg.run": run})
    at.button(key="uth.use_playground").click().run()
    assert_no_exception(at)
    note = t("under_the_hood.sidebar.trained_weights", epoch=25)
    assert note in [caption.value for caption in at.sidebar.caption]
    trained_config, parameters, epoch = at.session_state["uth.trained"]
    assert epoch == 25
    for trained, current in zip(parameters, run.trainer.network.parameters(), strict=True):
        np.testing.assert_array_equal(trained, current)
    at.number_input(key="uth.seed").set_value(5).run()
    assert note not in [caption.value for caption in at.sidebar.caption]
