"""Figures of the Digits page: pure builders, plain arrays in, ``go.Figure`` out.

Images are (8, 8) arrays of pixel intensities in [0, 1] (ink dark on white, as written); weight images use a
diverging scale centred on 0 with the app's class colours (orange negative, blue positive).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures import NEGATIVE, POSITIVE, base_layout, binary_scale
from playground.i18n import t

INK_SCALE = [[0.0, "#ffffff"], [1.0, "#1b1b1b"]]
COUNT_SCALE = [[0.0, "#f7f7f7"], [1.0, POSITIVE]]
MISTAKE = "#d62728"


def confusion_figure(confusion: np.ndarray, *, height: int = 420) -> go.Figure:
    """(10, 10) counts, [i, j] = true i predicted as j; shaded by the share of row i so errors show up."""
    confusion = np.asarray(confusion)
    support = confusion.sum(axis=1, keepdims=True)
    share = np.divide(confusion, support, out=np.zeros(confusion.shape), where=support > 0)
    labels = [str(d) for d in range(confusion.shape[0])]
    text = [[str(int(v)) if v else "" for v in row] for row in confusion]
    fig = go.Figure(
        go.Heatmap(
            z=share,
            x=labels,
            y=labels,
            text=text,
            texttemplate="%{text}",
            colorscale=COUNT_SCALE,
            zmin=0,
            zmax=1,
            showscale=False,
            customdata=confusion,
            hovertemplate=t("digits.fig.confusion_hover") + "<extra></extra>",
        )
    )
    fig.update_layout(
        **base_layout(t("digits.fig.confusion_title"), height),
        xaxis=dict(title=t("digits.fig.predicted"), type="category", side="bottom", constrain="domain"),
        yaxis=dict(title=t("digits.fig.actual"), type="category", autorange="reversed", scaleanchor="x"),
    )
    return fig


TITLE_GAP = 30  # pixels between rows of small images: a title line and some air


def image_grid_figure(
    images: np.ndarray,
    titles: Sequence[str],
    *,
    columns: int = 6,
    diverging: bool = False,
    title: str | None = None,
    title_colours: Sequence[str] | None = None,
    cell: int = 92,
    zmax: float | None = None,
) -> go.Figure:
    """Small multiples of (n, h, w) images with a title each; ``diverging`` for weights (symmetric scale).

    ``zmax`` sets the darkest ink (default 1, pixel intensities); feature maps pass their own largest value."""
    images = np.asarray(images)
    n = len(images)
    columns = max(1, min(columns, n))
    rows = max(1, math.ceil(n / columns))
    # A fixed gap in pixels between rows, room for the titles: a share of the height made them touch the row above.
    plot_height = rows * cell + (rows - 1) * TITLE_GAP
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=list(titles) or None,
        horizontal_spacing=0.02,
        vertical_spacing=TITLE_GAP / plot_height if rows > 1 else 0.0,
    )
    limit = float(np.max(np.abs(images))) if diverging and n else (zmax or 1.0)
    for k, image in enumerate(images):
        fig.add_trace(
            go.Heatmap(
                z=image,
                colorscale=binary_scale() if diverging else INK_SCALE,
                zmin=-limit if diverging else 0.0,
                zmax=limit,
                showscale=False,
                hovertemplate="%{z:.2f}<extra></extra>",
            ),
            row=k // columns + 1,
            col=k % columns + 1,
        )
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, constrain="domain")
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, autorange="reversed", constrain="domain")
    for k in range(n):  # square pixels
        fig.update_yaxes(scaleanchor=f"x{k + 1 if k else ''}", row=k // columns + 1, col=k % columns + 1)
    for k, annotation in enumerate(fig.layout.annotations):
        annotation.font = dict(size=11, color=title_colours[k] if title_colours else "#333")
    fig.update_layout(**base_layout(title, 56 + plot_height, margin=dict(l=8, r=8, t=48, b=8)))
    return fig


def misclassified_figure(
    images: np.ndarray, true: Sequence[int], predicted: Sequence[int], confidence: Sequence[float], *, columns: int = 6
) -> go.Figure:
    """The test images the network got wrong: "true → predicted (probability)" over each."""
    titles = [
        t("digits.fig.mistake", true=y, predicted=p, probability=f"{c:.0%}")
        for y, p, c in zip(true, predicted, confidence, strict=True)
    ]
    return image_grid_figure(
        images, titles, columns=columns, title=t("digits.fig.mistakes_title"), title_colours=[MISTAKE] * len(titles)
    )


def weights_figure(images: np.ndarray, *, columns: int = 8) -> go.Figure:
    """The first layer's weights, one (8, 8) image per hidden unit (blue: pixel pushes z up, orange: down)."""
    titles = [t("digits.fig.unit", number=k + 1) for k in range(len(images))]
    return image_grid_figure(
        images, titles, columns=columns, diverging=True, title=t("digits.fig.weights_title"), cell=120
    )


def probabilities_figure(probabilities: np.ndarray, true: int | None = None, *, height: int = 220) -> go.Figure:
    """(10,) softmax output as bars; the predicted digit in blue, the true one outlined when they differ."""
    probabilities = np.asarray(probabilities)
    predicted = int(np.argmax(probabilities))
    colours = [POSITIVE if d == predicted else "#c7c7c7" for d in range(len(probabilities))]
    outline = [
        MISTAKE if true is not None and d == true and d != predicted else "rgba(0,0,0,0)"
        for d in range(len(probabilities))
    ]
    fig = go.Figure(
        go.Bar(
            x=[str(d) for d in range(len(probabilities))],
            y=probabilities,
            marker_color=colours,
            marker_line=dict(color=outline, width=3),
            hovertemplate="%{x}: %{y:.1%}<extra></extra>",
        )
    )
    fig.update_layout(
        **base_layout(t("digits.fig.probabilities_title"), height),
        xaxis=dict(title=t("digits.fig.digit"), type="category"),
        yaxis=dict(range=[0, 1], tickformat=".0%"),
    )
    return fig


def forward_pass_figure(
    image: np.ndarray, activations: Sequence[np.ndarray], layer_names: Sequence[str], *, height: int = 320
) -> go.Figure:
    """One image through the network: the input, then each layer's activations as bars (output last)."""
    n_layers = len(activations)
    widths = [1.0] + [max(1.0, len(a) / 12) for a in activations]
    fig = make_subplots(
        rows=1,
        cols=n_layers + 1,
        column_widths=widths,
        subplot_titles=[t("digits.fig.input"), *layer_names],
        horizontal_spacing=0.04,
    )
    fig.add_trace(
        go.Heatmap(
            z=image, colorscale=INK_SCALE, zmin=0, zmax=1, showscale=False, hovertemplate="%{z:.2f}<extra></extra>"
        ),
        row=1,
        col=1,
    )
    fig.update_xaxes(showticklabels=False, showgrid=False, row=1, col=1, constrain="domain")
    fig.update_yaxes(showticklabels=False, showgrid=False, autorange="reversed", row=1, col=1, scaleanchor="x")
    for k, values in enumerate(activations):
        values = np.asarray(values)
        last = k == n_layers - 1
        colours = [POSITIVE if v >= 0 else NEGATIVE for v in values]
        if last:
            top = int(np.argmax(values))
            colours = [POSITIVE if d == top else "#c7c7c7" for d in range(len(values))]
        fig.add_trace(
            go.Bar(
                x=[str(d) if last else str(d + 1) for d in range(len(values))],
                y=values,
                marker_color=colours,
                hovertemplate=("%{x}: %{y:.3f}") + "<extra></extra>",
            ),
            row=1,
            col=k + 2,
        )
        fig.update_xaxes(
            type="category", showticklabels=last or len(values) <= 16, tickfont=dict(size=9), row=1, col=k + 2
        )
    fig.update_layout(
        **base_layout(t("digits.fig.forward_title"), height, bargap=0.15, margin=dict(l=24, r=8, t=64, b=28))
    )
    return fig


def kernels_figure(kernels: np.ndarray, *, columns: int = 8) -> go.Figure:
    """The conv layer's k×k kernels, one image per filter (blue: that pixel of the patch raises z, orange: lowers)."""
    titles = [t("digits.fig.filter", number=k + 1) for k in range(len(kernels))]
    return image_grid_figure(
        kernels, titles, columns=columns, diverging=True, title=t("digits.fig.kernels_title"), cell=80
    )


def feature_maps_figure(maps: np.ndarray, title: str, *, columns: int = 8) -> go.Figure:
    """One layer's feature maps (channels, h, w) for one image, ink from 0 to the layer's largest value."""
    maps = np.asarray(maps)
    titles = [t("digits.fig.map", number=k + 1) for k in range(len(maps))]
    largest = float(np.max(np.abs(maps))) if maps.size else 1.0
    return image_grid_figure(maps, titles, columns=columns, title=title, cell=80, zmax=largest or 1.0)


def bars_examples_figure(images: np.ndarray, labels: Sequence[int], *, columns: int = 8) -> go.Figure:
    """A few bar images with their class (horizontal or vertical) over each."""
    titles = [t("digits.bars.vertical" if y else "digits.bars.horizontal") for y in labels]
    return image_grid_figure(
        np.clip(images, 0.0, 1.0), titles, columns=columns, title=t("digits.bars.examples_title"), cell=80
    )


def bars_curves_figure(curves: dict[str, Sequence[float]], *, height: int = 300) -> go.Figure:
    """Test accuracy after each epoch, one line per network (label → accuracies)."""
    fig = go.Figure()
    for (name, values), colour in zip(curves.items(), (NEGATIVE, POSITIVE), strict=False):
        fig.add_trace(
            go.Scatter(
                x=list(range(1, len(values) + 1)),
                y=list(values),
                name=name,
                mode="lines",
                line=dict(color=colour, width=3),
                hovertemplate="%{x}: %{y:.1%}<extra>" + name + "</extra>",
            )
        )
    fig.update_layout(
        **base_layout(t("digits.bars.curves_title"), height, showlegend=True),
        xaxis=dict(title=t("digits.bars.epoch")),
        yaxis=dict(range=[0.4, 1.02], tickformat=".0%"),
    )
    return fig
