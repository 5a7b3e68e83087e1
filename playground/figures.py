"""Plotly figure builders shared by every page: pure functions, plain data in, ``go.Figure`` out.

Colours follow TensorFlow Playground's convention (orange = class 0 / negative, blue = class 1 / positive) so
that a heatmap, a point and a network edge of the same colour mean the same thing everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.data.datasets import DOMAIN
from core.engine.training import History
from core.experiment.boundary import BoundaryGrid
from playground.i18n import t
from playground.palette import CLASS_SYMBOLS, STANDARD, active_palette

# The standard palette's colours; what a class or a heatmap is drawn in comes from the active palette (the
# sidebar's colour-blind-safe option): class_colours(), binary_scale(), regression_scale() below.
CLASS_COLOURS = STANDARD.class_colours
NEGATIVE, POSITIVE = CLASS_COLOURS[0], CLASS_COLOURS[1]
BINARY_SCALE = STANDARD.binary_scale
REGRESSION_SCALE = STANDARD.regression_scale
FONT = dict(family="Inter, Helvetica, Arial, sans-serif", size=13)
MARGIN = dict(l=40, r=12, t=36, b=36)


def base_layout(title: str | None = None, height: int | None = None, **extra) -> dict:
    """Layout shared by every figure: calm white background, small margins, our font."""
    layout = dict(
        template="plotly_white",
        font=FONT,
        margin=MARGIN,
        showlegend=False,
        uirevision="keep",
        title=dict(text=title, x=0.02, font=dict(size=14)) if title else None,
    )
    if height:
        layout["height"] = height
    layout.update(extra)
    return layout


def colourscale_stops(scale, reverse: bool = False) -> list[list]:
    """A colourscale as explicit ``[[stop, colour], ...]`` (named Plotly scales resolved) for our canvas painter."""
    if isinstance(scale, str):
        import plotly.colors as pc

        scale = pc.get_colorscale(scale)
    stops = [[float(s), c] for s, c in scale]
    if reverse:
        stops = [[1.0 - s, c] for s, c in reversed(stops)]
    return stops


def run_colours() -> tuple[str, ...]:
    """The compared runs' line colours, in the active palette."""
    return active_palette().run_colours


def run_colour(i: int) -> str:
    """Compared run i's line colour, in the active palette."""
    colours = run_colours()
    return colours[i % len(colours)]


def class_colours() -> tuple[str, ...]:
    """Class c's colour is ``class_colours()[c % len]``, in the active palette."""
    return active_palette().class_colours


def binary_scale() -> list[list]:
    """P(class 1) from class 0's colour through pale to class 1's, in the active palette."""
    return active_palette().binary_scale


def regression_scale():
    """The regression values' diverging scale (drawn with ``reversescale=True``), in the active palette."""
    scale = active_palette().regression_scale
    return scale if isinstance(scale, str) else [list(stop) for stop in scale]


def class_symbol(label: int, *, hollow: bool = False) -> str:
    """Class ``label``'s marker shape (circle, square, triangle, ...), so colour is never the only signal."""
    symbol = CLASS_SYMBOLS[int(label) % len(CLASS_SYMBOLS)]
    return f"{symbol}-open" if hollow else symbol


# ---- decision boundary ---------------------------------------------------------------------------------
def multiclass_surface(values: np.ndarray) -> np.ndarray:
    """Encode (ny, nx, k) class probabilities as one number per cell: class index + confidence in [0, 1).

    With :func:`multiclass_colourscale`, each class gets its own colour band, pale where the network is unsure
    and saturated where it is confident, so one heatmap shows both the winning class and the certainty.
    """
    k = values.shape[-1]
    winner = values.argmax(axis=-1)
    confidence = (values.max(axis=-1) - 1.0 / k) / (1.0 - 1.0 / k)  # 0 = uniform guess, 1 = certain
    return winner + np.clip(confidence, 0.0, 0.999)


def multiclass_colourscale(k: int) -> list:
    scale, colours = [], class_colours()
    for c in range(k):
        colour = colours[c % len(colours)]
        scale.append([c / k, "#f7f7f7"])
        scale.append([(c + 0.999) / k, colour])
    scale.append([1.0, scale[-1][1]])  # plotly.js ignores a colourscale that does not end at 1 (uses its default)
    return scale


def boundary_heatmap(grid: BoundaryGrid, task: str, n_classes: int = 2, *, opacity: float = 0.85) -> go.Heatmap:
    """The background heatmap: P(class 1), the class with its confidence, or the predicted value."""
    common = dict(x=grid.xs, y=grid.ys, opacity=opacity, showscale=False, hoverinfo="skip", zsmooth="fast")
    if task == "multiclass":
        return go.Heatmap(
            z=multiclass_surface(grid.values),
            zmin=0,
            zmax=n_classes,
            colorscale=multiclass_colourscale(n_classes),
            **common,
        )
    if task == "binary":
        return go.Heatmap(z=grid.values, zmin=0, zmax=1, colorscale=binary_scale(), **common)
    return go.Heatmap(z=grid.values, colorscale=regression_scale(), reversescale=True, **common)


def points_traces(
    X: np.ndarray, y: np.ndarray, task: str, *, test: bool = False, synthetic: np.ndarray | None = None, name: str = ""
) -> list[go.Scatter]:
    """Data points coloured by class (or by target value for regression), one trace per class.

    Each class has its own marker shape as well as its colour (:func:`class_symbol`: circle, square,
    triangle, ...), and its own legend entry ("train · class 1") when several classes are drawn. Training points
    are filled with a white rim; test points are the hollow shapes, so the two sets are told apart at a glance;
    synthetic (resampled) points are hollow diamonds.
    """
    if len(X) == 0:
        return []
    if task == "regression":
        colour = y
        marker = dict(
            color=colour,
            colorscale=regression_scale(),
            reversescale=True,
            size=7,
            line=dict(color="#333" if test else "white", width=1.5 if test else 1),
        )
        if test:
            marker["symbol"] = "circle-open"
        return [go.Scatter(x=X[:, 0], y=X[:, 1], mode="markers", marker=marker, name=name, hoverinfo="skip")]
    labels = np.asarray(y, dtype=int)
    colours = class_colours()
    real = np.ones(len(X), dtype=bool) if synthetic is None else ~synthetic
    present = np.unique(labels[real])
    traces = []
    for label in present:
        members = real & (labels == label)
        colour = colours[label % len(colours)]
        marker = dict(color=colour, size=7, symbol=class_symbol(label), line=dict(color="white", width=1))
        if test:
            marker = dict(color=colour, size=8, symbol=class_symbol(label, hollow=True), line=dict(width=2.5))
        class_name = t("figures.class_label", label=int(label))
        traces.append(
            go.Scatter(
                x=X[members, 0],
                y=X[members, 1],
                mode="markers",
                marker=marker,
                hoverinfo="skip",
                name=(f"{name} · {class_name}" if name else class_name) if len(present) > 1 else name or class_name,
                legendgroup=name or None,
            )
        )
    if synthetic is not None and synthetic.any():
        traces.append(
            go.Scatter(
                x=X[synthetic, 0],
                y=X[synthetic, 1],
                mode="markers",
                name=t("figures.synthetic"),
                hoverinfo="skip",
                marker=dict(
                    color=[colours[c % len(colours)] for c in labels[synthetic]],
                    size=8,
                    symbol="diamond-open",
                    line=dict(width=2),
                ),
            )
        )
    return traces


def decision_boundary_figure(
    grid: BoundaryGrid,
    task: str,
    *,
    n_classes: int = 2,
    train: tuple[np.ndarray, np.ndarray] | None = None,
    test: tuple[np.ndarray, np.ndarray] | None = None,
    synthetic: np.ndarray | None = None,
    title: str | None = None,
    height: int = 380,
    domain: tuple[float, float] = DOMAIN,
) -> go.Figure:
    """Heatmap of the network's output over the plane with the training (and test) points on top.

    grid : BoundaryGrid from ``core.experiment.boundary``; train/test : (X (n, 2), y (n,)) in raw input coordinates.
    Trace order is fixed (heatmap first) so that live updates can restyle trace 0.
    """
    fig = go.Figure(boundary_heatmap(grid, task, n_classes))
    if train is not None:
        fig.add_traces(points_traces(*train, task, synthetic=synthetic, name=t("figures.train")))
    if test is not None:
        fig.add_traces(points_traces(*test, task, test=True, name=t("figures.test")))
    axis = dict(range=list(domain), showgrid=False, zeroline=False, constrain="domain", ticks="", showticklabels=False)
    fig.update_layout(
        **base_layout(title, height),
        xaxis=dict(axis, title="x₁"),
        yaxis=dict(axis, title="x₂", scaleanchor="x", scaleratio=1),
    )
    return fig


def curve_fit_figure(
    xs: np.ndarray,
    prediction: np.ndarray,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray] | None = None,
    *,
    title: str | None = None,
    height: int = 380,
) -> go.Figure:
    """1-D regression: the network's curve over the data. Trace 0 is the curve (for live updates)."""
    palette = active_palette()
    fig = go.Figure(
        go.Scatter(
            x=xs, y=prediction, mode="lines", line=dict(color=palette.positive, width=3), name=t("figures.prediction")
        )
    )
    fig.add_trace(
        go.Scatter(
            x=train[0][:, 0],
            y=train[1],
            mode="markers",
            name=t("figures.train"),
            marker=dict(color=palette.negative, size=6, line=dict(color="white", width=1)),
        )
    )
    if test is not None and len(test[0]):
        fig.add_trace(
            go.Scatter(
                x=test[0][:, 0],
                y=test[1],
                mode="markers",
                name=t("figures.test"),
                marker=dict(color="#333", size=7, symbol="circle-open", line=dict(width=2)),
            )
        )
    fig.update_layout(
        **base_layout(title, height), xaxis=dict(title="x", zeroline=False), yaxis=dict(title="y", zeroline=False)
    )
    return fig


# ---- curves --------------------------------------------------------------------------------------------
def train_loss_name(history: History) -> str:
    """What a training-loss curve shows: the plain loss, or the objective when a penalty or class weights add to it."""
    if not history.objective_differs:
        return t("figures.train")
    part = "both" if history.penalised and history.weighted else "penalty" if history.penalised else "weights"
    return t(f"figures.train_objective.{part}")


def held_out_name(history: History) -> str:
    """The data the dashed curves are on: "test", or "validation" when the run holds a validation part."""
    return t(f"figures.{history.held_out}")


def loss_curves_figure(
    histories: Mapping[str, History], *, log_y: bool = False, title: str | None = None, height: int = 260
) -> go.Figure:
    """Train (solid) and held-out (dashed) loss per run. Traces come in pairs per run: train, then held-out.

    The solid curve is the training objective (named so when a penalty or class weights add to the loss); the
    dashed one is the plain loss on the test part, or on the validation part when the run has one.
    """
    fig = go.Figure()
    single = len(histories) == 1
    for i, (name, h) in enumerate(histories.items()):
        colour = run_colour(i)
        label = "" if single else f"{name} · "
        fig.add_trace(
            go.Scatter(
                x=list(h.epoch),
                y=list(h.train_loss),
                mode="lines",
                name=label + train_loss_name(h),
                line=dict(color=colour if not single else "#333", width=2),
            )
        )
        fig.add_trace(
            go.Scatter(
                x=list(h.epoch),
                y=list(h.val_loss),
                mode="lines",
                name=label + held_out_name(h),
                line=dict(color=colour if not single else "#999", width=2, dash="dash"),
            )
        )
    # Several runs: the legend goes under the plot, where it cannot cover a curve (above it, it wrapped down
    # over the curves); one run's two entries fit above the plot.
    legend = (
        dict(orientation="h", y=1.12, x=1, xanchor="right", font=dict(size=11))
        if single
        else dict(
            orientation="h",
            y=-58 / max(height - MARGIN["t"] - MARGIN["b"], 60),
            yanchor="top",
            x=0,
            xanchor="left",
            font=dict(size=11),
        )
    )  # 58 px down: under the epoch title
    rows = 0 if single else math.ceil(len(histories) / 2)
    fig.update_layout(
        **base_layout(
            title or t("figures.loss_title"),
            height + 22 * rows,
            showlegend=True,
            margin=dict(MARGIN, b=MARGIN["b"] + 22 * rows + 12 * bool(rows)),
        ),
        legend=legend,
        xaxis=dict(title=t("figures.epoch")),
        yaxis=dict(title=t("figures.loss"), type="log" if log_y else "linear"),
    )
    return fig


def metric_curves_figure(histories: Mapping[str, History], *, title: str | None = None, height: int = 260) -> go.Figure:
    """Accuracy or R² per epoch (train solid, test dashed), pairs per run like the loss figure."""
    fig = go.Figure()
    single = len(histories) == 1
    metric = next(iter(histories.values())).metric_name if histories else "accuracy"
    for i, (name, h) in enumerate(histories.items()):
        colour = run_colour(i)
        label = "" if single else f"{name} · "
        fig.add_trace(
            go.Scatter(
                x=list(h.epoch),
                y=list(h.train_metric),
                mode="lines",
                name=label + t("figures.train"),
                line=dict(color=colour, width=2),
            )
        )
        fig.add_trace(
            go.Scatter(
                x=list(h.epoch),
                y=list(h.val_metric),
                mode="lines",
                name=label + held_out_name(h),
                line=dict(color=colour, width=2, dash="dash"),
            )
        )
    yaxis = dict(title=t(f"figures.{metric}"))
    if metric == "accuracy":
        yaxis.update(range=[0, 1.02], tickformat=".0%")
    fig.update_layout(
        **base_layout(title or t(f"figures.{metric}_title"), height), yaxis=yaxis, xaxis=dict(title=t("figures.epoch"))
    )
    return fig


# ---- network diagram -----------------------------------------------------------------------------------
NODE_SIZE = 0.34  # side of a neuron's thumbnail, in diagram units (layers are 1 unit apart)
