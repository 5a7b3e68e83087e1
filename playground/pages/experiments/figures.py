"""Figures and tables of the Experiments page: pure builders, plain data in, ``go.Figure`` (or rows) out.

Loss curves reuse :func:`playground.figures.loss_curves_figure`; colours and layout come from
:mod:`playground.figures`, so a run looks the same here as on every other page.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.engine.training import History
from core.labs.search import CVScores, RangeTest, SearchResult
from playground.figures import NEGATIVE, POSITIVE, base_layout, loss_curves_figure, run_colour
from playground.i18n import t

SCORE_SCALE = [[0.0, "#f7f7f7"], [1.0, POSITIVE]]


def format_value(value: Any) -> str:
    """How a hyperparameter value reads in tables and labels: (8,) → (8,), (8, 4) → (8, 4), () → none, 0.001.

    Layer sizes read as the tuple they are: a bare "8" was taken for a number of hidden layers.
    """
    if isinstance(value, tuple):
        if not value:
            return t("experiments.fig.no_hidden")
        return "(" + ", ".join(str(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def parameter_label(name: str) -> str:
    return t(f"experiments.params.{name}")


def score_label(scoring: str) -> str:
    return t(f"experiments.scores.{scoring}")


# ---- sweeps ------------------------------------------------------------------------------------------------
def sweep_figure(
    histories: Mapping[Any, History],
    parameter: str,
    verdicts: Mapping[Any, str] | None = None,
    *,
    log_y: bool = True,
    height: int = 380,
) -> go.Figure:
    """Loss curves of a sweep overlaid, one colour per value; the legend names each value and its verdict."""
    labelled = {}
    for value, history in histories.items():
        label = f"{parameter_label(parameter)} {format_value(value)}"
        if verdicts and value in verdicts:
            label += f" ({t(f'experiments.verdicts.{verdicts[value]}')})"
        labelled[label] = history
    fig = loss_curves_figure(labelled, log_y=log_y, title=t("experiments.fig.sweep_title"), height=height)
    # Up to six runs give twelve legend entries: below the plot they cannot cover the title or the curves.
    fig.update_layout(
        legend=dict(orientation="h", y=-0.2, yanchor="top", x=0.5, xanchor="center"),
        margin=dict(l=48, r=12, t=36, b=120),
        height=height + 80,
    )
    return fig


# ---- LR range test -----------------------------------------------------------------------------------------
def range_test_figure(result: RangeTest, *, height: int = 360) -> go.Figure:
    """Mini-batch loss against the learning rate (log axis): raw, smoothed, and the suggested rate."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=result.learning_rates,
            y=result.losses,
            mode="lines",
            name=t("experiments.fig.batch_loss"),
            line=dict(color="#bbbbbb", width=1),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=result.learning_rates,
            y=result.smoothed,
            mode="lines",
            name=t("experiments.fig.smoothed"),
            line=dict(color=POSITIVE, width=3),
        )
    )
    if math.isfinite(result.suggested):
        fig.add_vline(x=result.suggested, line=dict(color=NEGATIVE, width=2, dash="dash"))
        fig.add_annotation(
            x=math.log10(result.suggested),
            y=1.0,
            yref="paper",
            showarrow=False,
            yanchor="bottom",
            text=t("experiments.fig.suggested", rate=f"{result.suggested:.2g}"),
            font=dict(color=NEGATIVE),
        )
    finite = result.smoothed[np.isfinite(result.smoothed)]
    top = float(np.max(finite[: max(len(finite) // 2, 1)])) * 1.5 if len(finite) else None
    fig.update_layout(
        **base_layout(t("experiments.fig.range_title"), height, showlegend=True),
        legend=dict(orientation="h", y=-0.25, x=0.5, xanchor="center"),
        xaxis=dict(type="log", title=t("experiments.fig.learning_rate")),
        yaxis=dict(title=t("experiments.fig.loss"), range=[0, top] if top else None),
    )
    return fig


# ---- cross-validation --------------------------------------------------------------------------------------
def cv_figure(scores: CVScores, *, height: int = 320) -> go.Figure:
    """One bar per fold, the mean as a line and mean ± std as a band."""
    folds = [t("experiments.fig.fold", number=i + 1) for i in range(len(scores.fold_scores))]
    fig = go.Figure(
        go.Bar(
            x=folds,
            y=scores.fold_scores,
            marker_color=POSITIVE,
            name=score_label(scores.scoring),
            hovertemplate="%{x}: %{y:.4f}<extra></extra>",
        )
    )
    if len(scores.fold_scores):
        mean, std = scores.mean, scores.std
        fig.add_hrect(y0=mean - std, y1=mean + std, fillcolor=NEGATIVE, opacity=0.15, line_width=0, layer="below")
        fig.add_hline(
            y=mean,
            line=dict(color=NEGATIVE, width=2),
            annotation_text=t("experiments.fig.mean_std", mean=f"{mean:.3f}", std=f"{std:.3f}"),
            annotation_position="top left",
        )
    many = len(folds) > 20
    fig.update_layout(
        **base_layout(t("experiments.fig.cv_title"), height),
        xaxis=dict(title=t("experiments.fig.folds"), showticklabels=not many),
        yaxis=dict(title=score_label(scores.scoring)),
        bargap=0.05 if many else 0.3,
    )
    return fig


# ---- searches ----------------------------------------------------------------------------------------------
def search_table(result: SearchResult) -> list[dict[str, Any]]:
    """One row per finished candidate in run order: rank, parameters, mean, std (numbers stay numbers)."""
    rows = []
    score = score_label(result.scoring)
    for rank, candidate in zip(result.ranks(), result.candidates, strict=True):
        row: dict[str, Any] = {t("experiments.table.rank"): rank}
        row.update({parameter_label(name): format_value(value) for name, value in candidate.params.items()})
        row[t("experiments.table.mean", score=score)] = _rounded(candidate.mean)
        row[t("experiments.table.std")] = _rounded(candidate.std)
        rows.append(row)
    return rows


def _rounded(value: float, digits: int = 4) -> float | None:
    return round(value, digits) if math.isfinite(value) else None


def score_heatmap_figure(
    x_values: Sequence[Any],
    y_values: Sequence[Any],
    Z: np.ndarray,
    x_param: str,
    y_param: str,
    scoring: str,
    *,
    height: int = 360,
) -> go.Figure:
    """Mean score over two parameters (``Z`` (n_y, n_x), NaN where not tried), the best cell outlined."""
    xs = [format_value(v) for v in x_values]
    ys = [format_value(v) for v in y_values]
    text = [["" if not math.isfinite(v) else f"{v:.3f}" for v in row] for row in Z]
    fig = go.Figure(
        go.Heatmap(
            z=Z,
            x=xs,
            y=ys,
            text=text,
            texttemplate="%{text}",
            colorscale=SCORE_SCALE,
            showscale=True,
            colorbar=dict(title=score_label(scoring), thickness=12),
            hovertemplate=f"{parameter_label(x_param)} %{{x}}<br>{parameter_label(y_param)} %{{y}}"
            "<br>%{z:.4f}<extra></extra>",
        )
    )
    if np.isfinite(Z).any():
        i, j = np.unravel_index(np.nanargmax(Z), Z.shape)
        fig.add_shape(type="rect", x0=j - 0.5, x1=j + 0.5, y0=i - 0.5, y1=i + 0.5, line=dict(color=NEGATIVE, width=3))
    fig.update_layout(
        **base_layout(t("experiments.fig.heatmap_title"), height),
        xaxis=dict(title=parameter_label(x_param), type="category"),
        yaxis=dict(title=parameter_label(y_param), type="category"),
    )
    return fig


def search_progress_figure(result: SearchResult, *, height: int = 260) -> go.Figure:
    """Each finished candidate's mean score (± std) in the order they ran, and the best so far."""
    means = [c.mean for c in result.candidates]
    best = np.maximum.accumulate([m if math.isfinite(m) else -np.inf for m in means]) if means else []
    numbers = list(range(1, len(means) + 1))
    fig = go.Figure(
        go.Scatter(
            x=numbers,
            y=means,
            mode="markers",
            name=t("experiments.fig.candidate"),
            error_y=dict(array=[c.std for c in result.candidates], thickness=1),
            marker=dict(color=run_colour(0), size=8),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=numbers,
            y=best,
            mode="lines",
            line=dict(color=NEGATIVE, shape="hv"),
            name=t("experiments.fig.best_so_far"),
        )
    )
    fig.update_layout(
        **base_layout(t("experiments.fig.progress_title"), height, showlegend=True),
        legend=dict(orientation="h", y=1.15, x=1, xanchor="right"),
        xaxis=dict(title=t("experiments.fig.candidate"), dtick=1 if len(means) <= 20 else None),
        yaxis=dict(title=score_label(result.scoring)),
    )
    return fig
