"""Figures of the regression lab: pure builders, plain data in, ``go.Figure`` out.

Built on the shared builders and colours of :mod:`playground.figures`: the fitted curve is trace 0 of every
fit figure, as in ``figures.curve_fit_figure``, so a live view can restyle it in place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.experiment.boundary import BoundaryGrid
from core.labs.regression import Decomposition, Sweep
from playground import figures
from playground.i18n import t

TRUE_CURVE_COLOUR = "#2ca02c"
# Fitted curves after the first (which keeps the shared prediction blue); none is a point or true-curve colour.
CURVE_COLOURS = ("#9467bd", "#17becf", "#8c564b", "#e377c2", "#7f7f7f")
OUTLIER_COLOUR = "#d62728"
SUM_COLOUR = "#222222"
# One colour per hidden neuron; they repeat after ten, where the legend is hidden anyway.
NEURON_COLOURS = ("#9467bd", "#e377c2", "#17becf", "#bcbd22", "#8c564b", "#ff7f0e", "#1f77b4", "#d62728",
                  "#7f7f7f", "#2ca02c")  # fmt: skip
MAX_LEGEND_NEURONS = 10
MAX_NEURON_PANELS = 8
# Fit figures carry up to six legend entries: below the plot they never cover the title or the data.
LEGEND_BELOW = dict(orientation="h", y=-0.18, yanchor="top", x=0, font=dict(size=11))


def fit_figure(
    xs: np.ndarray,
    curves: Mapping[str, np.ndarray],
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray] | None = None,
    *,
    true_curve: np.ndarray | None = None,
    outliers: np.ndarray | None = None,
    title: str | None = None,
    height: int = 380,
) -> go.Figure:
    """One or more fitted curves over the data of a 1-D target.

    xs : (n_grid,) x of the curves; curves : label -> (n_grid,) predictions, the first one is trace 0
    train, test : (X (n, 1), y (n,)); true_curve : (n_grid,) the noise-free target, drawn dotted
    outliers : (n_train,) bool, training points to ring in red
    """
    labels = list(curves)
    fig = figures.curve_fit_figure(xs, curves[labels[0]], train, test, title=title, height=height)
    fig.data[0].name = labels[0]
    for i, label in enumerate(labels[1:]):
        colour = CURVE_COLOURS[i % len(CURVE_COLOURS)]
        fig.add_trace(go.Scatter(x=xs, y=curves[label], mode="lines", name=label, line=dict(color=colour, width=2.5)))
    if true_curve is not None:
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=true_curve,
                mode="lines",
                name=t("regression.fig.true_curve"),
                line=dict(color=TRUE_CURVE_COLOUR, width=2, dash="dot"),
                hoverinfo="skip",
            )
        )
    if outliers is not None and outliers.any():
        X, y = train
        fig.add_trace(
            go.Scatter(
                x=X[outliers, 0],
                y=y[outliers],
                mode="markers",
                name=t("regression.fig.outliers"),
                marker=dict(color=OUTLIER_COLOUR, size=12, symbol="circle-open", line=dict(width=2)),
                hoverinfo="skip",
            )
        )
    fig.update_layout(showlegend=True, legend=LEGEND_BELOW, margin=dict(figures.MARGIN, b=90))
    return fig


def beyond_the_data_figure(
    xs: np.ndarray,
    curves: Mapping[str, np.ndarray],
    train: tuple[np.ndarray, np.ndarray],
    data_range: tuple[float, float],
    *,
    true_curve: np.ndarray | None = None,
    title: str | None = None,
    height: int = 380,
) -> go.Figure:
    """Fitted curves drawn past the x range the data came from, that range shaded.

    Like :func:`fit_figure`; ``data_range`` (lo, hi) is shaded, and the y axis is held to a few times the
    targets' spread, so a curve that shoots off outside the data leaves the picture instead of flattening it.
    """
    fig = fit_figure(xs, curves, train, true_curve=true_curve, title=title, height=height)
    fig.add_vrect(
        x0=data_range[0],
        x1=data_range[1],
        fillcolor="#8a8a8a",
        opacity=0.10,
        line_width=0,
        layer="below",
        annotation_text=t("regression.fig.data_range"),
        annotation_position="top left",
        annotation_font=dict(size=11, color="#666"),
    )
    y = np.asarray(train[1], dtype=np.float64)
    low, high = float(np.min(y)), float(np.max(y))
    spread = max(high - low, 1e-6)
    fig.update_yaxes(range=[low - 1.5 * spread, high + 1.5 * spread])
    return fig


def decomposition_figure(
    xs: np.ndarray,
    parts: Decomposition,
    train: tuple[np.ndarray, np.ndarray] | None = None,
    *,
    title: str | None = None,
    height: int = 520,
    term_names: Sequence[str] | None = None,
    feature_scale: np.ndarray | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """How the output neuron builds the curve from the last hidden layer, for a 1-D input.

    Top: what each hidden neuron computes, a_j(x). Bottom: each weighted term w_j·a_j(x), the output bias b,
    and their sum, which is the network's prediction. xs : (n_grid,); parts : ``decompose(network, xs[:, None])``;
    train : optional (X (n, 1), y (n,)) drawn faintly behind the sum. Trace order (see
    :func:`decomposition_update`): a_j and w_j·a_j per neuron j, then the training points, the bias, the sum.
    The same picture serves any sum of weighted features (e.g. a polynomial's c_k·x^k): ``term_names`` names
    each term, ``feature_scale`` (n_terms,) divides the top panel's curves (so x, x², ..., x⁹ share one axis),
    and ``labels`` overrides the panel and axis titles and the names of the bias and the sum (keys "top",
    "bottom", "top_axis", "bottom_axis", "bias", "sum").
    """
    labels = {
        "top": t("regression.fig.hidden_outputs"),
        "bottom": t("regression.fig.weighted_terms"),
        "top_axis": "a_j(x)",
        "bottom_axis": "w_j·a_j(x)",
        "bias": t("regression.fig.bias", bias=parts.bias),
        "sum": t("regression.fig.sum"),
        **(labels or {}),
    }
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.09, subplot_titles=(labels["top"], labels["bottom"])
    )
    n_units = parts.contributions.shape[1]
    show_legend = n_units <= MAX_LEGEND_NEURONS
    scale = np.ones(n_units) if feature_scale is None else np.asarray(feature_scale, dtype=np.float64)
    for j in range(n_units):
        colour = NEURON_COLOURS[j % len(NEURON_COLOURS)]
        label = (
            term_names[j]
            if term_names is not None
            else t("regression.fig.neuron", number=j + 1, weight=parts.weights[j])
        )
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=parts.activations[:, j] / scale[j],
                mode="lines",
                name=label,
                legendgroup=str(j),
                showlegend=False,
                line=dict(color=colour, width=1.8),
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=parts.contributions[:, j],
                mode="lines",
                name=label,
                legendgroup=str(j),
                showlegend=show_legend,
                line=dict(color=colour, width=1.8),
            ),
            row=2,
            col=1,
        )
    if train is not None:
        fig.add_trace(
            go.Scatter(
                x=train[0][:, 0],
                y=train[1],
                mode="markers",
                name=t("figures.train"),
                marker=dict(color=figures.NEGATIVE, size=5, opacity=0.35),
                hoverinfo="skip",
            ),
            row=2,
            col=1,
        )
    fig.add_trace(
        go.Scatter(
            x=[xs[0], xs[-1]],
            y=[parts.bias, parts.bias],
            mode="lines",
            name=labels["bias"],
            line=dict(color="#888", width=1.5, dash="dash"),
        ),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Scatter(x=xs, y=parts.total, mode="lines", name=labels["sum"], line=dict(color=SUM_COLOUR, width=3.5)),
        row=2,
        col=1,
    )
    fig.update_layout(**figures.base_layout(title, height, showlegend=True), legend=dict(LEGEND_BELOW, y=-0.12))
    fig.update_layout(margin=dict(figures.MARGIN, t=64, b=90))
    fig.update_annotations(font=dict(size=12))
    fig.update_xaxes(title_text="x", row=2, col=1)
    fig.update_yaxes(title_text=labels["top_axis"], row=1, col=1)
    fig.update_yaxes(title_text=labels["bottom_axis"], row=2, col=1)
    return fig


def decomposition_update(parts: Decomposition, *, with_train: bool = True, digits: int = 12) -> dict:
    """What changes in :func:`decomposition_figure` when the network learns, as a Plotly restyle.

    Returns ``{"restyle": {"y": [...], "name": [...]}, "traces": [...]}``: every a_j(x) and w_j·a_j(x), the bias
    line and the sum, with the weights in their legend labels. ``with_train``: whether the figure was built with
    training points (they sit between the neurons and the bias). Values are rounded to ``digits`` decimals, far
    below what a screen shows but close enough that the terms still add up to ŷ (to ~1e-10 for 100 neurons).
    """
    n_units = parts.contributions.shape[1]
    ys = []
    for j in range(n_units):
        ys += [np.round(parts.activations[:, j], digits).tolist(), np.round(parts.contributions[:, j], digits).tolist()]
    bias = round(parts.bias, digits)
    ys += [[bias, bias], np.round(parts.total, digits).tolist()]
    return {
        "restyle": {"y": ys, "name": decomposition_names(parts.weights, parts.bias)},
        "traces": decomposition_traces(n_units, with_train=with_train),
    }


def decomposition_traces(n_units: int, *, with_train: bool = True) -> list[int]:
    """The traces of :func:`decomposition_figure` that learning changes: a_j and w_j·a_j per neuron, the bias
    line and the sum (the training points, when drawn, sit between the neurons and the bias)."""
    bias_index = 2 * n_units + (1 if with_train else 0)
    return [k for j in range(n_units) for k in (2 * j, 2 * j + 1)] + [bias_index, bias_index + 1]


def decomposition_names(weights: np.ndarray, bias: float) -> list[str]:
    """The legend labels of :func:`decomposition_traces`, in their order, with the weights they carry."""
    names = []
    for j, weight in enumerate(weights):
        label = t("regression.fig.neuron", number=j + 1, weight=weight)
        names += [label, label]
    return names + [t("regression.fig.bias", bias=bias), t("regression.fig.sum")]


def decomposition_grid_panels(parts: Decomposition, ny: int, nx: int) -> tuple[list[np.ndarray], list[str], float]:
    """The pictures of :func:`decomposition_grid_figure`: (panels, titles, limit).

    panels : w_j·a_j on the (ny, nx) grid for the first MAX_NEURON_PANELS neurons, then the sum plus bias;
    titles : one per panel, with the weight (or the bias); limit : the shared colour range is [-limit, limit].
    """
    n_shown = min(parts.contributions.shape[1], MAX_NEURON_PANELS)
    panels = [parts.contributions[:, j].reshape(ny, nx) for j in range(n_shown)] + [parts.total.reshape(ny, nx)]
    titles = [t("regression.fig.neuron_short", number=j + 1, weight=parts.weights[j]) for j in range(n_shown)]
    titles.append(t("regression.fig.sum_2d", bias=parts.bias))
    # One colour range for every panel, so that a pale panel is a small term.
    finite = [np.abs(panel[np.isfinite(panel)]) for panel in panels]
    limit = max((float(values.max()) for values in finite if values.size), default=0.0) or 1.0
    return panels, titles, limit


def decomposition_grid_figure(
    xs: np.ndarray, ys: np.ndarray, parts: Decomposition, *, title: str | None = None, panel_height: int = 170
) -> go.Figure:
    """The same decomposition for a 2-D input: one small heatmap of w_j·a_j(x₁, x₂) per hidden neuron (the
    first MAX_NEURON_PANELS), then their sum plus bias. ``parts`` was computed on the grid's cells in row-major
    order, ``len(ys) * len(xs)`` rows. Trace i is panel i and its title is annotation i (for live updates)."""
    panels, titles, limit = decomposition_grid_panels(parts, len(ys), len(xs))
    columns = min(len(panels), 3)  # three across keeps each panel about square in half a page
    rows = -(-len(panels) // columns)
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles, horizontal_spacing=0.03, vertical_spacing=0.12)
    for i, panel in enumerate(panels):
        fig.add_trace(
            go.Heatmap(
                x=xs,
                y=ys,
                z=panel,
                zmin=-limit,
                zmax=limit,
                colorscale=figures.regression_scale(),
                reversescale=True,
                showscale=i == len(panels) - 1,
                hoverinfo="skip",
            ),
            row=i // columns + 1,
            col=i % columns + 1,
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_annotations(font=dict(size=11))
    fig.update_layout(**figures.base_layout(title, panel_height * rows + 60))
    return fig


def surface_figure(
    grid: BoundaryGrid,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray] | None = None,
    *,
    title: str | None = None,
    height: int = 420,
) -> go.Figure:
    """A 2-D target: the network's prediction as a heatmap, points coloured by their target on the same scale.

    grid : ``core.experiment.boundary.boundary_grid`` of the network; train/test : (X (n, 2), y (n,)).
    """
    fig = figures.decision_boundary_figure(grid, "regression", train=train, test=test, title=title, height=height)
    targets = [train[1]] + ([test[1]] if test is not None and len(test[1]) else [])
    finite = grid.values[np.isfinite(grid.values)]
    low = float(min(np.min(finite, initial=np.inf), *(np.min(y) for y in targets)))
    high = float(max(np.max(finite, initial=-np.inf), *(np.max(y) for y in targets)))
    fig.update_traces(
        zmin=low, zmax=high, showscale=True, colorbar=dict(thickness=12, len=0.8), selector=dict(type="heatmap")
    )
    fig.update_traces(marker_cmin=low, marker_cmax=high, selector=dict(type="scatter"))
    return fig


def surface_3d_figure(
    grid: BoundaryGrid, train: tuple[np.ndarray, np.ndarray], *, title: str | None = None, height: int = 480
) -> go.Figure:
    """The prediction as a 3-D surface with the training points floating at their target heights."""
    fig = go.Figure(
        go.Surface(
            x=grid.xs,
            y=grid.ys,
            z=grid.values,
            colorscale=figures.regression_scale(),
            reversescale=True,
            opacity=0.85,
            showscale=False,
            name=t("figures.prediction"),
        )
    )
    X, y = train
    fig.add_trace(
        go.Scatter3d(
            x=X[:, 0],
            y=X[:, 1],
            z=y,
            mode="markers",
            name=t("figures.train"),
            marker=dict(size=3, color=figures.NEGATIVE),
        )
    )
    fig.update_layout(
        **figures.base_layout(title, height), scene=dict(xaxis_title="x₁", yaxis_title="x₂", zaxis_title="y")
    )
    return fig


def sweep_figure(sweep: Sweep, *, title: str | None = None, height: int = 360) -> go.Figure:
    """Train and test RMSE against the swept value; the value with the lowest test error is starred."""
    labels = sweep_labels(sweep)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=sweep.train_rmse,
            mode="lines+markers",
            name=t("figures.train"),
            line=dict(color="#333", width=2),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=sweep.test_rmse,
            mode="lines+markers",
            name=t("figures.test"),
            line=dict(color=figures.POSITIVE, width=2, dash="dash"),
        )
    )
    best = sweep.best_index
    fig.add_trace(
        go.Scatter(
            x=[labels[best]],
            y=[sweep.test_rmse[best]],
            mode="markers",
            name=t("regression.fig.best"),
            marker=dict(symbol="star", size=16, color=figures.NEGATIVE, line=dict(color="#333", width=1)),
        )
    )
    layout = figures.base_layout(title, height, showlegend=True, margin=dict(figures.MARGIN, b=90))
    fig.update_layout(
        **layout,
        legend=dict(LEGEND_BELOW, y=-0.3),
        xaxis=dict(title=t(f"regression.fig.sweep_axis.{sweep.parameter}"), type="category"),
        yaxis=dict(title=t("regression.fig.rmse"), rangemode="tozero"),
    )
    return fig


def sweep_labels(sweep: Sweep) -> list[str]:
    """How each swept value is written on an axis or a legend: "8" units, "0.001" for λ."""
    if sweep.parameter == "units":
        return [str(int(value)) for value in sweep.values]
    return [f"{value:g}" for value in sweep.values]


def sweep_curves_figure(
    sweep: Sweep,
    indices: Sequence[int],
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray] | None = None,
    *,
    true_curve: np.ndarray | None = None,
    outliers: np.ndarray | None = None,
    title: str | None = None,
    height: int = 360,
) -> go.Figure:
    """The fitted curves of a few of the swept networks over the data (1-D targets only).

    indices : positions in ``sweep.values`` to draw; true_curve : (n_grid,) on ``sweep.grid``;
    outliers : (n_train,) bool, as in :func:`fit_figure`.
    """
    if sweep.grid is None or sweep.curves is None:
        raise ValueError("this sweep has no curves to draw; curves exist for 1-D targets only")
    labels = sweep_labels(sweep)
    key = f"regression.fig.sweep_value.{sweep.parameter}"
    curves = {t(key, value=labels[i]): sweep.curves[i] for i in dict.fromkeys(indices)}
    return fit_figure(
        sweep.grid[:, 0], curves, train, test, true_curve=true_curve, outliers=outliers, title=title, height=height
    )
