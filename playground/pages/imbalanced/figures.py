"""Figures of the imbalanced-data lab: pure builders, plain data in, ``go.Figure`` out.

Class colours, point markers (synthetic points as hollow diamonds) and run colours come from
:mod:`playground.figures`, so a minority point looks the same here as on every other page. Class 1 is the
minority and the positive class throughout. Curves take ``{label: curves}`` mappings so that one figure can
overlay several strategies; the labels are shown as given (translated by the caller).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.data.datasets import DOMAIN
from core.experiment.boundary import BoundaryGrid
from core.labs.imbalanced import CVComparison, OperatingPoint, ThresholdSweep
from playground.figures import NEGATIVE, POSITIVE, base_layout, points_traces, run_colour
from playground.i18n import t

CHANCE = "#9a9a9a"
MEMBER_LINE = "rgba(40, 40, 40, 0.6)"
# Legends sit under the x-axis title; the bottom margin leaves room for two rows of entries.
LEGEND = dict(orientation="h", y=-0.22, yanchor="top", x=0.5, xanchor="center", font=dict(size=11))
LEGEND_MARGIN = dict(l=48, r=12, t=36, b=96)
UNIT_AXIS = dict(range=[-0.02, 1.02], zeroline=False)
TRUTH = "#555555"
SCORE_NAMES = ("recall", "precision", "f1", "balanced_accuracy", "roc_auc", "average_precision")


def resampled_points_figure(
    X: np.ndarray, y: np.ndarray, synthetic: np.ndarray, *, title: str | None = None, height: int = 420
) -> go.Figure:
    """The training points after resampling; the ones the sampler added are hollow diamonds.

    X : (n, 2) raw points;  y : (n,) labels 0/1;  synthetic : (n,) bool
    """
    # One call per class, so the legend names each class in its own colour.
    fig = go.Figure()
    for label, name in ((0, t("imbalanced.fig.majority")), (1, t("imbalanced.fig.minority"))):
        members = np.asarray(y) == label
        fig.add_traces(points_traces(X[members], y[members], "binary", synthetic=synthetic[members], name=name))
    axis = dict(range=list(DOMAIN), showgrid=False, zeroline=False, constrain="domain", showticklabels=False)
    fig.update_layout(
        **base_layout(title, height, showlegend=True, legend=LEGEND, margin=LEGEND_MARGIN),
        xaxis=dict(axis, title="x₁"),
        yaxis=dict(axis, title="x₂", scaleanchor="x", scaleratio=1),
    )
    return fig


def with_member_boundaries(fig: go.Figure, member_grids: tuple[BoundaryGrid, ...]) -> go.Figure:
    """``fig`` (a decision-boundary figure) with each ensemble member's P(class 1) = 0.5 line drawn thin.

    The lines go right after the heatmap (trace 0), under the points, so every point stays visible.
    """
    lines = [
        go.Contour(
            x=grid.xs,
            y=grid.ys,
            z=grid.values,
            contours=dict(start=0.5, end=0.5, size=1, coloring="lines"),
            line=dict(width=1.3, dash="dot"),
            colorscale=[[0, MEMBER_LINE], [1, MEMBER_LINE]],
            showscale=False,
            hoverinfo="skip",
            name=t("imbalanced.fig.member_boundary"),
            showlegend=False,
        )
        for grid in member_grids
    ]
    if lines:
        before = len(fig.data)
        fig.add_traces(lines)
        fig.data = (fig.data[0], *fig.data[before:], *fig.data[1:before])
    return fig


def confusion_matrix_figure(confusion: np.ndarray, *, title: str | None = None, height: int = 300) -> go.Figure:
    """The 2×2 confusion matrix as a heatmap with counts; ``confusion[i, j]`` = true class i predicted as j.

    Cells are shaded by the share of their true class (row), so a missed minority stands out however few
    minority points there are.
    """
    confusion = np.asarray(confusion)
    if confusion.shape != (2, 2):
        raise ValueError(f"confusion must have shape (2, 2); got {confusion.shape}")
    support = confusion.sum(axis=1, keepdims=True)
    share = np.divide(confusion, support, out=np.zeros(confusion.shape), where=support > 0)
    classes = [t("imbalanced.fig.majority"), t("imbalanced.fig.minority")]
    cell_names = [[t("imbalanced.fig.tn"), t("imbalanced.fig.fp")], [t("imbalanced.fig.fn"), t("imbalanced.fig.tp")]]
    text = [
        [f"{cell_names[i][j]}<br><b>{int(confusion[i, j])}</b> ({share[i, j]:.0%})" for j in range(2)] for i in range(2)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=share,
            x=classes,
            y=classes,
            text=text,
            texttemplate="%{text}",
            colorscale=[[0.0, "#f7f7f7"], [1.0, POSITIVE]],
            zmin=0,
            zmax=1,
            showscale=False,
            hoverinfo="skip",
        )
    )
    fig.update_layout(
        **base_layout(title, height),
        xaxis=dict(title=t("imbalanced.fig.predicted"), side="bottom"),
        yaxis=dict(title=t("imbalanced.fig.actual"), autorange="reversed"),
    )
    return fig


def roc_figure(
    curves: Mapping[str, dict],
    points: Mapping[str, OperatingPoint] | None = None,
    *,
    title: str | None = None,
    height: int = 400,
) -> go.Figure:
    """ROC curves (TPR against FPR) with their AUC in the legend, a marker at each operating point.

    curves : label -> ``core.experiment.metrics.roc_pr_curves`` output;  points : label -> operating point to mark
    """
    fig = go.Figure(
        go.Scatter(
            x=[0, 1], y=[0, 1], mode="lines", name=t("imbalanced.fig.chance"), line=dict(color=CHANCE, dash="dot")
        )
    )
    for index, (label, curve) in enumerate(curves.items()):
        colour = run_colour(index)
        if curve["defined"]:
            fig.add_trace(
                go.Scatter(
                    x=curve["fpr"],
                    y=curve["tpr"],
                    mode="lines",
                    line=dict(color=colour, width=2),
                    name=t("imbalanced.fig.auc_label", label=label, auc=curve["roc_auc"]),
                )
            )
        point = (points or {}).get(label)
        if point is not None and not np.isnan(point.fpr) and not np.isnan(point.tpr):
            fig.add_trace(_operating_marker(point.fpr, point.tpr, colour, point.threshold))
    fig.update_layout(
        **base_layout(
            title or t("imbalanced.fig.roc_title"), height, showlegend=True, legend=LEGEND, margin=LEGEND_MARGIN
        ),
        xaxis=dict(UNIT_AXIS, title=t("imbalanced.fig.fpr")),
        yaxis=dict(UNIT_AXIS, title=t("imbalanced.fig.tpr")),
    )
    return fig


def pr_figure(
    curves: Mapping[str, dict],
    points: Mapping[str, OperatingPoint] | None = None,
    *,
    prevalence: float | None = None,
    title: str | None = None,
    height: int = 400,
) -> go.Figure:
    """Precision–recall curves with their average precision, a marker at each operating point.

    prevalence : share of the minority in the test split, drawn as the no-skill line (a classifier that
    guesses at random has precision = prevalence at every recall). An operating point that predicts no
    minority at all has no precision and is not marked.
    """
    fig = go.Figure()
    if prevalence is not None:
        fig.add_trace(
            go.Scatter(
                x=[0, 1],
                y=[prevalence, prevalence],
                mode="lines",
                name=t("imbalanced.fig.no_skill", prevalence=prevalence),
                line=dict(color=CHANCE, dash="dot"),
            )
        )
    for index, (label, curve) in enumerate(curves.items()):
        colour = run_colour(index)
        if curve["defined"]:
            fig.add_trace(
                go.Scatter(
                    x=curve["recall"],
                    y=curve["precision"],
                    mode="lines",
                    line=dict(color=colour, width=2, shape="hv"),
                    name=t("imbalanced.fig.ap_label", label=label, ap=curve["average_precision"]),
                )
            )
        point = (points or {}).get(label)
        if point is not None and not np.isnan(point.precision):
            fig.add_trace(_operating_marker(point.recall, point.precision, colour, point.threshold))
    fig.update_layout(
        **base_layout(
            title or t("imbalanced.fig.pr_title"), height, showlegend=True, legend=LEGEND, margin=LEGEND_MARGIN
        ),
        xaxis=dict(UNIT_AXIS, title=t("imbalanced.fig.recall")),
        yaxis=dict(UNIT_AXIS, title=t("imbalanced.fig.precision")),
    )
    return fig


def _operating_marker(x: float, y: float, colour: str, threshold: float) -> go.Scatter:
    return go.Scatter(
        x=[x],
        y=[y],
        mode="markers",
        marker=dict(color=colour, size=13, symbol="circle", line=dict(color="black", width=2)),
        name=t("imbalanced.fig.operating_point", threshold=threshold),
        showlegend=False,
        hovertemplate=t("imbalanced.fig.operating_point", threshold=threshold) + "<extra></extra>",
    )


def threshold_sweep_figure(
    sweep: ThresholdSweep, threshold: float, *, title: str | None = None, height: int = 400
) -> go.Figure:
    """Precision, recall and F1 of the minority as the threshold moves; a vertical line at ``threshold``."""
    fig = go.Figure()
    for name, values, colour, dash in (
        ("recall", sweep.recall, POSITIVE, "solid"),
        ("precision", sweep.precision, NEGATIVE, "solid"),
        ("f1", sweep.f1, "#2ca02c", "dash"),
    ):
        fig.add_trace(
            go.Scatter(
                x=sweep.thresholds,
                y=values,
                mode="lines",
                name=t(f"imbalanced.scores.{name}"),
                line=dict(color=colour, width=2, dash=dash),
            )
        )
    fig.add_vline(x=threshold, line=dict(color="black", width=2, dash="dot"))
    fig.update_layout(
        **base_layout(
            title or t("imbalanced.fig.sweep_title"), height, showlegend=True, legend=LEGEND, margin=LEGEND_MARGIN
        ),
        xaxis=dict(UNIT_AXIS, title=t("imbalanced.fig.threshold")),
        yaxis=dict(UNIT_AXIS, title=t("imbalanced.fig.score")),
    )
    return fig


def strategy_scores_figure(
    metrics: Mapping[str, Mapping[str, float]], *, title: str | None = None, height: int = 380
) -> go.Figure:
    """Grouped bars: each score (x) for each strategy (one colour per strategy, in the order given).

    metrics : label -> scores with the keys ``SCORE_NAMES`` (e.g. ``core.experiment.metrics.classification_metrics``)
    """
    names = [t(f"imbalanced.scores.{name}") for name in SCORE_NAMES]
    fig = go.Figure()
    for index, (label, scores) in enumerate(metrics.items()):
        values = [float(scores[name]) for name in SCORE_NAMES]
        fig.add_trace(
            go.Bar(
                x=names,
                y=values,
                name=label,
                marker_color=run_colour(index),
                text=[f"{v:.2f}" for v in values],
                textposition="outside",
                cliponaxis=False,
            )
        )
    fig.update_layout(
        **base_layout(title, height, showlegend=True, legend=LEGEND, margin=LEGEND_MARGIN),
        barmode="group",
        yaxis=dict(range=[0, 1.12], title=t("imbalanced.fig.score")),
    )
    return fig


def cv_comparison_figure(comparison: CVComparison, *, title: str | None = None, height: int = 400) -> go.Figure:
    """Per score: the honest CV estimate, the leaky one (mean ± standard deviation over folds) and the
    score on the untouched test split, which only the honest estimate should resemble."""
    names = [t(f"imbalanced.scores.{name}") for name in SCORE_NAMES]
    fig = go.Figure()
    for which, colour in (("right", run_colour(0)), ("leaky", run_colour(3))):
        folds = getattr(comparison, which)
        means = [float(np.mean(folds[name])) for name in SCORE_NAMES]
        spreads = [float(np.std(folds[name])) for name in SCORE_NAMES]
        fig.add_trace(
            go.Bar(
                x=names,
                y=means,
                name=t(f"imbalanced.fig.cv_{which}", k=comparison.n_splits),
                marker_color=colour,
                error_y=dict(type="data", array=spreads, visible=True, color="#333"),
            )
        )
    fig.add_trace(
        go.Bar(
            x=names,
            y=[comparison.holdout[name] for name in SCORE_NAMES],
            name=t("imbalanced.fig.cv_holdout"),
            marker=dict(color="white", line=dict(color=TRUTH, width=2)),
        )
    )
    fig.update_layout(
        **base_layout(title, height, showlegend=True, legend=LEGEND, margin=LEGEND_MARGIN),
        barmode="group",
        yaxis=dict(range=[0, 1.1], title=t("imbalanced.fig.score")),
    )
    return fig
