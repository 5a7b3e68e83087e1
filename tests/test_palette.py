"""Colour is never the only signal: marker shapes per class, and the colour-blind-safe palette (issue 22)."""

from __future__ import annotations

import numpy as np
import pytest

from core.experiment.boundary import BoundaryGrid
from playground import figures
from playground.i18n import t
from playground.live_view import payload_of
from playground.pages.imbalanced import figures as figures_imbalanced
from playground.palette import CLASS_SYMBOLS, PALETTES, SAFE, STANDARD, palette_named
from tests.apptest_helpers import assert_no_exception, render_app, render_page

X = np.array([[0.0, 0.0], [1.0, 1.0], [-1.0, 0.5], [0.5, -1.0], [2.0, 2.0], [-2.0, 1.0]])
Y3 = np.array([0, 1, 2, 0, 1, 2])


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))


def test_every_class_gets_its_own_marker_shape_and_legend_entry():
    traces = figures.points_traces(X, Y3, "multiclass", name=t("figures.train"))
    assert [trace.marker.symbol for trace in traces] == ["circle", "square", "triangle-up"]
    assert [trace.marker.color for trace in traces] == list(STANDARD.class_colours[:3])
    assert [trace.name for trace in traces] == [
        f"{t('figures.train')} · {t('figures.class_label', label=c)}" for c in range(3)
    ]
    for label, trace in enumerate(traces):  # each trace holds exactly its class's points
        np.testing.assert_array_equal(np.column_stack([trace.x, trace.y]), X[label == Y3])


def test_test_points_are_the_hollow_version_of_their_class_shape():
    traces = figures.points_traces(X, Y3, "multiclass", test=True)
    assert [trace.marker.symbol for trace in traces] == ["circle-open", "square-open", "triangle-up-open"]


def test_shapes_cycle_past_the_last_symbol_and_skip_the_synthetic_diamond():
    assert figures.class_symbol(len(CLASS_SYMBOLS)) == "circle"
    assert not any("diamond" in symbol for symbol in CLASS_SYMBOLS)
    assert len(set(CLASS_SYMBOLS)) == len(CLASS_SYMBOLS)


def test_a_boundary_figure_draws_binary_classes_as_circles_and_squares():
    grid = BoundaryGrid(np.linspace(-1, 1, 3), np.linspace(-1, 1, 3), np.full((3, 3), 0.5))
    y = np.array([0, 1, 0, 1, 0, 1])
    fig = figures.decision_boundary_figure(grid, "binary", train=(X, y), test=(X, y))
    symbols = [trace.marker.symbol for trace in fig.data[1:]]
    assert symbols == ["circle", "square", "circle-open", "square-open"]


def test_resampled_points_legend_shows_each_class_shape():
    y = np.array([0, 0, 0, 0, 1, 1])
    figure = figures_imbalanced.resampled_points_figure(X, y, np.array([False] * 5 + [True]))
    by_name = {trace.name: trace.marker.symbol for trace in figure.data}
    assert by_name[t("imbalanced.fig.majority")] == "circle"
    assert by_name[t("imbalanced.fig.minority")] == "square"
    assert by_name[t("figures.synthetic")] == "diamond-open"


def test_safe_palette_classes_differ_in_lightness_too():
    """Okabe–Ito's vermillion and blue: told apart by any colour vision, and in greyscale."""

    def luminance(colour):
        r, g, b = _rgb(colour)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    assert abs(luminance(SAFE.negative) - luminance(SAFE.positive)) > 15
    assert SAFE.binary_scale[0][1] == SAFE.negative and SAFE.binary_scale[-1][1] == SAFE.positive
    assert set(SAFE.class_colours).isdisjoint(STANDARD.class_colours)


@pytest.mark.parametrize("name", ["", "SAFE", "<script>", None, 3, ["safe"]])
def test_unknown_palette_names_fall_back_to_the_standard_palette(name):
    assert palette_named(name) is STANDARD


def test_outside_streamlit_figures_use_the_standard_palette():
    assert figures.binary_scale() == STANDARD.binary_scale
    assert figures.regression_scale() == "RdBu"


# ---- the switch in the app ------------------------------------------------------------------------------
def _live_payload(at) -> dict:
    [view] = at.get("component_instance")
    return payload_of(view.proto.json_args)


def _field(payload) -> dict:
    return next(panel for panel in payload["scene"]["panels"] if panel["name"] == "boundary")


def test_the_palette_switch_recolours_the_live_view_and_keeps_it_in_the_link():
    at = render_app(query={"ds": "xor"})
    assert_no_exception(at)
    box = at.sidebar.selectbox(key="palette")
    assert box.label == t("palette.label") and box.value == "standard"
    standard = _field(_live_payload(at))
    assert standard["class_colours"][:2] == list(STANDARD.class_colours[:2])
    assert "palette" not in at.query_params

    box.set_value("safe").run()
    assert_no_exception(at)
    safe = _field(_live_payload(at))
    assert safe["class_colours"][:2] == list(SAFE.class_colours[:2])
    assert [stop[1] for stop in safe["colorscale"]] == [SAFE.negative, "#f7f7f7", SAFE.positive]
    network = next(p for p in _live_payload(at)["scene"]["panels"] if p["name"] == "network")
    assert network["edge_colours"] == [SAFE.negative, SAFE.positive]
    assert at.query_params["palette"] == "safe"


def test_a_link_with_palette_safe_opens_in_the_safe_palette_and_a_bad_one_in_the_standard():
    at = render_app(query={"palette": "safe", "ds": "circles"})
    assert_no_exception(at)
    assert at.sidebar.selectbox(key="palette").value == "safe"
    assert _field(_live_payload(at))["class_colours"][0] == SAFE.negative
    bad = render_app(query={"palette": "<b>x</b>"})
    assert_no_exception(bad)
    assert bad.sidebar.selectbox(key="palette").value == "standard"


def test_safe_palette_runs_never_put_red_next_to_green():
    """Compared runs are told apart by colour alone (their lines): the standard set's red and green runs are the
    pair red-green colour blindness cannot separate, so the safe palette has its own Okabe–Ito set."""

    def reddish_or_greenish(colour):
        r, g, b = _rgb(colour)
        return (r > 150 and g < 80 and b < 80) or (g > 120 and r < 80 and b < 80)

    assert [c for c in STANDARD.run_colours if reddish_or_greenish(c)] == ["#2ca02c", "#d62728"]
    assert not [c for c in SAFE.run_colours if reddish_or_greenish(c)]
    assert len(set(SAFE.run_colours)) == len(SAFE.run_colours) == len(STANDARD.run_colours)


def test_compared_runs_and_multilabel_panels_follow_the_active_palette(monkeypatch):
    from playground.pages.compare import figures as figures_compare

    monkeypatch.setattr(figures, "active_palette", lambda: SAFE)
    assert [figures.run_colour(i) for i in range(7)] == [*SAFE.run_colours, SAFE.run_colours[0]]
    overlay = figures_compare.activation_overlay_figure(np.zeros(2), {"a": (np.zeros(2), np.zeros(2))})
    assert overlay.data[0].line.color == SAFE.run_colours[0]

    from core.experiment.config import DataConfig, ExperimentConfig
    from core.experiment.run import prepare_data
    from playground.live import playground as live

    config = ExperimentConfig(DataConfig("circle_diagonal", n_samples=60))
    scene = live.scene(live.new_run(config, prepare_data(config), version=1))
    labels = [p for p in scene["panels"] if p["name"].startswith("label_")]
    assert labels and all(f["class_colours"][:2] == list(SAFE.class_colours[:2]) for f in labels)
    assert all([stop[1] for stop in f["colorscale"]] == [SAFE.negative, "#f7f7f7", SAFE.positive] for f in labels)


def test_the_palette_names_exist_in_both_languages():
    for name in PALETTES:
        assert t(f"palette.names.{name}", lang="en") != t(f"palette.names.{name}", lang="zh")


def test_figures_follow_the_active_palette(monkeypatch):
    monkeypatch.setattr(figures, "active_palette", lambda: SAFE)
    grid = BoundaryGrid(np.linspace(-1, 1, 3), np.linspace(-1, 1, 3), np.full((3, 3), 0.5))
    binary = figures.boundary_heatmap(grid, "binary")
    assert [stop[1] for stop in binary.colorscale] == [SAFE.negative, "#f7f7f7", SAFE.positive]
    regression = figures.boundary_heatmap(grid, "regression")
    assert regression.colorscale[0][1] == SAFE.negative and regression.colorscale[-1][1] == SAFE.positive
    multiclass = figures.multiclass_colourscale(3)
    assert [multiclass[i][1] for i in (1, 3, 5)] == list(SAFE.class_colours[:3])
    traces = figures.points_traces(X, Y3, "multiclass")
    assert [trace.marker.color for trace in traces] == list(SAFE.class_colours[:3])
    fit = figures.curve_fit_figure(np.zeros(3), np.zeros(3), (np.zeros((2, 1)), np.zeros(2)))
    assert (fit.data[0].line.color, fit.data[1].marker.color) == (SAFE.positive, SAFE.negative)


@pytest.mark.parametrize("page", ["app_pages/playground.py", "app_pages/compare.py"])
def test_palette_in_a_link_is_not_reported_as_an_unknown_setting(page):
    at = render_page(page, query={"palette": "safe"})
    assert_no_exception(at)
    assert not [w.value for w in at.warning if "palette" in w.value]
    assert at.sidebar.selectbox(key="palette").value == "safe"
